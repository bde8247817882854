package filemod

import (
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// podmanInspected is an inspection as podman prints it: a JSON list of
// one object.
func podmanInspected(t *testing.T, v any) string {
	t.Helper()
	b, err := json.MarshalIndent([]any{v}, "", "    ")
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

// podmanTestContainer is a container of image ID img created by the line
// (the module's own when created by it), running or not.
func podmanTestContainer(img string, running bool, labels map[string]string, create ...string) map[string]any {
	cmd := []string{}
	if i := slices.Index(create, "qwen/vllm:1"); i >= 0 && i+1 < len(create) {
		cmd = create[i+1:]
	}
	return map[string]any{
		"Id": "c0ffee", "Image": img, "ImageName": "docker.io/qwen/vllm:1", "Rootfs": "", "EffectiveCaps": []string{"CAP_CHOWN"},
		"State":      map[string]any{"Status": "running", "Running": running},
		"Config":     map[string]any{"Image": "docker.io/qwen/vllm:1", "Cmd": cmd, "Labels": labels, "Annotations": map[string]string{}, "Tty": false, "CreateCommand": create},
		"HostConfig": map[string]any{"AutoRemove": false, "ExtraHosts": []string{}},
	}
}

// TestPodmanContainerWithImageDecides: podman_container with image decides
// from the inspections as containers.podman 1.16.2 does (podmanimage.go
// cites it): restart without comparing, a recreation for a difference in
// image name, labels, env, command or an option the task does not give,
// none for the same image pulled anew; a missing image with a container
// to compare is undecidable. fleet/plan/serviceparity/podman_test.go
// checks the same against the real module.
func TestPodmanContainerWithImageDecides(t *testing.T) {
	labels := map[string]string{"Maintainer": "vllm"}
	image := func(id string) string {
		return "== image\n" + podmanInspected(t, map[string]any{"Id": id, "Labels": labels})
	}
	own := []string{"podman", "container", "run", "--name", "vllm", "--env", "MODEL=qwen", "--detach=True", "qwen/vllm:1", "--port", "8000"}
	container := func(c map[string]any) string { return "== container\n" + podmanInspected(t, c) }
	const missing, version = "== container missing\n", "== version\npodman version 4.9.3\n"
	with := func(c map[string]any, key string, v any) map[string]any {
		config := map[string]any{}
		for k, x := range c["Config"].(map[string]any) {
			config[k] = x
		}
		config[key] = v
		out := map[string]any{}
		for k, x := range c {
			out[k] = x
		}
		out["Config"] = config
		return out
	}
	same := podmanTestContainer("aaa", true, labels, own...)
	for i, c := range []struct {
		pc      PodmanContainer
		probe   string
		changed bool
		summary string
		lines   []string
		err     string
		noEnv   bool // env not given (else MODEL=qwen, the container's)
	}{
		{pc: PodmanContainer{State: "started"}, noEnv: true, probe: image("aaa") + container(same) + version, changed: true, summary: "(its env differ"},
		{pc: PodmanContainer{State: "started"}, probe: image("aaa") + container(same) + version, summary: "already running as the task describes it"},
		{pc: PodmanContainer{State: "started"}, probe: image("bbb") + container(same) + version, summary: "already running"},
		{pc: PodmanContainer{State: "started", Restart: true}, probe: image("aaa") + container(same) + version, changed: true, summary: "restart", lines: []string{"podman container restart vllm"}},
		{pc: PodmanContainer{State: "started", Recreate: true}, probe: image("aaa") + container(same) + version, changed: true, summary: "(recreate: true)",
			lines: []string{"podman container stop vllm", "rm --force vllm", "podman container run --name vllm --env 'MODEL=qwen' --detach=True qwen/vllm:1"}},
		{pc: PodmanContainer{State: "started"}, probe: image("bbb") + container(with(same, "Image", "docker.io/qwen/vllm:0")) + version, changed: true, summary: "(its image differ"},
		{pc: PodmanContainer{State: "started"}, probe: image("aaa") + container(with(same, "Labels", map[string]string{"maintainer": "vllm", "extra": "1"})) + version, changed: true, summary: "(its label differ"},
		{pc: PodmanContainer{State: "started"}, probe: image("aaa") + container(with(same, "Labels", map[string]string{"MAINTAINER": "vllm"})) + version, summary: "already running"},
		{pc: PodmanContainer{State: "started", Env: []string{"MODEL=llama"}}, probe: image("aaa") + container(same) + version, changed: true, summary: "(its env differ"},
		{pc: PodmanContainer{State: "started", Env: []string{"MODEL=QWEN"}}, probe: image("aaa") + container(same) + version, summary: "already running"},
		{pc: PodmanContainer{State: "started", Env: []string{"MAX_SIZE=1"}}, probe: image("aaa") + container(with(same, "CreateCommand", append([]string{"podman", "run", "--env", "MAX_SIZE=1"}, own[7:]...))) + version, changed: true, summary: "(its env differ"},
		{pc: PodmanContainer{State: "started", Command: []string{"--port", "9000"}}, probe: image("aaa") + container(same) + version, changed: true, summary: "(its command differ"},
		{pc: PodmanContainer{State: "started", Pull: "never", Env: []string{"MODEL=qwen"}}, probe: image("aaa") + container(same) + version, changed: true, summary: "(its pull differ"},
		{pc: PodmanContainer{State: "started", Env: []string{"MODEL=qwen"}}, probe: image("aaa") + container(with(same, "CreateCommand", append([]string{"podman", "run", "-m", "1g", "--name", "vllm", "-e", "MODEL=qwen", "--privileged"}, own[8:]...))) + version,
			changed: true, summary: "(its memory, privileged differ"},
		{pc: PodmanContainer{State: "started", Env: []string{"MODEL=qwen"}}, probe: image("aaa") + container(with(same, "Tty", true)) + version, changed: true, summary: "(its tty differ"},
		{pc: PodmanContainer{State: "started", Env: []string{"MODEL=qwen"}}, probe: image("aaa") + container(podmanTestContainer("aaa", false, labels, own...)) + version, changed: true, summary: "start the container", lines: []string{"podman container start vllm"}},
		{pc: PodmanContainer{State: "present", Env: []string{"MODEL=qwen"}}, probe: image("aaa") + container(with(same, "Tty", true)) + version, changed: true,
			lines: []string{"podman container stop vllm", "rm --force vllm", "podman container create --name vllm --env 'MODEL=qwen' qwen/vllm:1", "podman container start vllm"}},
		{pc: PodmanContainer{State: "stopped", Env: []string{"MODEL=llama"}}, probe: image("aaa") + container(same) + version, changed: true, summary: "stop the running container", lines: []string{"podman container stop vllm"}},
		{pc: PodmanContainer{State: "started"}, noEnv: true, probe: image("aaa") + missing + version, changed: true, summary: "run the container", lines: []string{"podman container run --name vllm --detach=True qwen/vllm:1"}},
		{pc: PodmanContainer{State: "stopped"}, noEnv: true, probe: "== image missing\n" + missing + version, changed: true, summary: "pull qwen/vllm:1, then create the container", lines: []string{"podman image pull qwen/vllm:1", "podman container create --name vllm qwen/vllm:1"}},
		{pc: PodmanContainer{State: "started"}, probe: "== image missing\n" + container(same) + version, err: "is not on the host"},
		{pc: PodmanContainer{State: "absent"}, probe: "== image missing\n" + missing + version, summary: "no container to remove (the module pulls", lines: []string{"podman image pull qwen/vllm:1"}},
		{pc: PodmanContainer{State: "absent"}, probe: image("aaa") + container(same) + version, changed: true, lines: []string{"podman container rm --force vllm"}},
		{pc: PodmanContainer{State: "started"}, probe: image("aaa") + container(same) + "== version\npodman version 1.8.2\n", err: "cpu_shares 1024"},
		{pc: PodmanContainer{State: "started"}, probe: image("aaa") + container(same), err: "no version section"},
	} {
		c.pc.Name, c.pc.Image = "vllm", "qwen/vllm:1"
		if c.pc.Env == nil && !c.noEnv {
			c.pc.Env = []string{"MODEL=qwen"}
		}
		ct := ContainerTask{Module: "podman_container", Target: "vllm", State: c.pc.State, Podman: &c.pc}
		res, err := ct.Decide(0, c.probe, "")
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("case %d: error %v, want %q", i, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("case %d: %v", i, err)
		case c.err == "" && (res.Changed != c.changed || !strings.Contains(res.Summary, c.summary)):
			t.Errorf("case %d: %+v, want changed %v, summary with %q", i, res, c.changed, c.summary)
		case c.err == "" && !inOrder(res.Script, c.lines):
			t.Errorf("case %d: script %s\nwant the lines %q in order", i, res.Script, c.lines)
		}
	}
	if _, err := (ContainerTask{Module: "podman_container", Podman: &PodmanContainer{Name: "vllm", Image: "qwen/vllm:1", State: "started"}}).Decide(0, "== image missing\n"+container(same)+version, ""); !errors.Is(err, ErrUndecidable) {
		t.Errorf("a missing image with a container to compare: %v, want ErrUndecidable", err)
	}
}

func inOrder(script string, lines []string) bool {
	for _, l := range lines {
		i := strings.Index(script, l)
		if i < 0 {
			return false
		}
		script = script[i+len(l):]
	}
	return true
}

// TestPodmanCreateCommandReading: createCommand reads an option's values
// from Config.CreateCommand as common.py's createcommand does: both
// spellings, --opt=value, a switch as True, the command's words left out.
func TestPodmanCreateCommandReading(t *testing.T) {
	config := podmanConfig{Cmd: []string{"--env", "X=1"}, CreateCommand: []string{"podman", "run", "-e", "A=1", "--env=B=2", "--init", "--rm", "img", "--env", "X=1"}}
	for _, c := range []struct {
		arg     string
		boolean bool
		want    []string
	}{
		{"--env", false, []string{"B=2", "A=1"}}, // --env spellings first, then -e
		{"--init", true, []string{"True"}},
		{"--rmi", true, nil},
		{"--init", false, []string{"True"}},
	} {
		if got := createCommand(c.arg, config, c.boolean); !slices.Equal(got, c.want) {
			t.Errorf("%s: %q, want %q", c.arg, got, c.want)
		}
	}
	if got := joinQuotes([]string{"a", `"b`, "c", `d"`, `"e`}); !slices.Equal(got, []string{"a", "b c d", `"e`}) {
		t.Errorf("joinQuotes: %q", got)
	}
}

// TestPodmanScriptChecksWhatThePlanRead: the decided lines run only while
// the container and the image are what the plan read; a container
// recreated since (another ID) fails the script with the reason, before
// any action. A podman stand-in answers the checks and logs the actions.
func TestPodmanScriptChecksWhatThePlanRead(t *testing.T) {
	dir := t.TempDir()
	stub := "#!/bin/sh\ncase \"$*\" in\n" +
		"'image inspect --format {{.Id}} qwen/vllm:1') echo aaa ;;\n" +
		"'container inspect --format {{.Id}} {{.State.Running}} {{.HostConfig.AutoRemove}} vllm') cat \"" + dir + "/answer\" ;;\n" +
		"*) echo \"$*\" >> \"" + dir + "/actions\" ;;\nesac\n"
	if err := os.WriteFile(filepath.Join(dir, "podman"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", dir+string(os.PathListSeparator)+os.Getenv("PATH"))
	pc := PodmanContainer{Name: "vllm", Image: "qwen/vllm:1", State: "started", Recreate: true}
	c := podmanTestContainer("aaa", true, nil, "podman", "container", "run", "--name", "vllm", "--detach=True", "qwen/vllm:1")
	res, err := (ContainerTask{Module: "podman_container", Target: "vllm", State: "started", Podman: &pc}).Decide(0,
		"== image\n"+podmanInspected(t, map[string]any{"Id": "aaa"})+"== container\n"+podmanInspected(t, c)+"== version\npodman version 4.9.3\n", "")
	if err != nil || !res.Changed {
		t.Fatalf("%+v, %v; want a recreation", res, err)
	}
	for _, run := range []struct{ answer, actions, stderr string }{
		{"c0ffee true false\n", "container stop vllm\ncontainer rm --force vllm\ncontainer run --name vllm --detach=True qwen/vllm:1\n", ""},
		{"c0ffef true false\n", "", "is not what the plan found; plan again"},
	} {
		os.Remove(filepath.Join(dir, "actions"))
		if err := os.WriteFile(filepath.Join(dir, "answer"), []byte(run.answer), 0o644); err != nil {
			t.Fatal(err)
		}
		var stderr strings.Builder
		cmd := exec.Command("sh", "-c", res.Script)
		cmd.Stderr = &stderr
		err := cmd.Run()
		actions, _ := os.ReadFile(filepath.Join(dir, "actions"))
		if string(actions) != run.actions || (run.stderr == "") != (err == nil) || !strings.Contains(stderr.String(), run.stderr) {
			t.Errorf("container %q: actions %q, %v, stderr %q; want actions %q, stderr with %q", run.answer, actions, err, stderr.String(), run.actions, run.stderr)
		}
	}
}
