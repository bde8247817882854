package filemod

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDockerContainerWithImageDecides: docker_container with image decides
// from the image's and the container's IDs as community.docker 3.13.3's
// module does in check mode (dockerimage.go cites it), the failures
// included; fleet/plan/serviceparity/containertasks_test.go checks the
// same against the real module.
func TestDockerContainerWithImageDecides(t *testing.T) {
	const img1, img0 = "sha256:1111111111111111111111111111111111111111111111111111111111111111", "sha256:0000000000000000000000000000000000000000000000000000000000000000"
	task := func(dc DockerContainer) ContainerTask {
		dc.Name, dc.Pull = "vllm", orDefault(dc.Pull, "missing")
		if dc.State != "absent" {
			dc.Image = "vllm/vllm-openai:1"
		}
		return ContainerTask{Module: "docker_container", Target: "vllm", State: dc.State, Restart: dc.Restart, Docker: &dc}
	}
	probe := func(image, container string) string { return "image " + image + "\ncontainer " + container + "\n" }
	for i, c := range []struct {
		dc             DockerContainer
		code           int
		stdout, stderr string
		changed        bool
		summary, err   string
	}{
		{dc: DockerContainer{State: "started"}, stdout: probe(img1, img1+" true"), summary: "already running"},
		{dc: DockerContainer{State: "started"}, stdout: probe(img1, img1+" false"), changed: true, summary: "start the container"},
		{dc: DockerContainer{State: "started", Restart: true}, stdout: probe(img1, img1+" true"), changed: true, summary: "restart"},
		{dc: DockerContainer{State: "started"}, stdout: probe(img1, img0+" true"), changed: true, summary: "recreate the container from vllm/vllm-openai:1 and start it (its image 000000000000 is not vllm/vllm-openai:1's 111111111111)"},
		{dc: DockerContainer{State: "stopped", Recreate: true}, stdout: probe(img1, img1+" false"), changed: true, summary: "recreate the container from vllm/vllm-openai:1 (recreate: true)"},
		{dc: DockerContainer{State: "present"}, stdout: probe(img1, "missing"), changed: true, summary: "create the container from vllm/vllm-openai:1"},
		{dc: DockerContainer{State: "present"}, stdout: probe(img1, img1+" false"), summary: "the container exists"},
		{dc: DockerContainer{State: "started"}, stdout: probe("missing", img1+" true"), changed: true, summary: "pull vllm/vllm-openai:1, then recreate the container if its image differs"},
		{dc: DockerContainer{State: "started"}, stdout: probe("missing", "missing"), changed: true, summary: "pull vllm/vllm-openai:1, then create the container from vllm/vllm-openai:1 and start it"},
		{dc: DockerContainer{State: "stopped", Pull: "never"}, stdout: probe("missing", img1+" true"), err: "Cannot find image with name vllm/vllm-openai:1, and pull=never"},
		{dc: DockerContainer{State: "stopped"}, stdout: probe(img1, img1+" true"), changed: true, summary: "stop the running container"},
		{dc: DockerContainer{State: "absent"}, stdout: "container missing\n", summary: "no container to remove"},
		{dc: DockerContainer{State: "absent"}, stdout: "container " + img0 + " false\n", changed: true, summary: "remove the container"},
		{dc: DockerContainer{State: "started"}, code: 1, stderr: "Cannot connect to the Docker daemon at unix:///var/run/docker.sock\n", err: "container vllm: Cannot connect to the Docker daemon"},
		{dc: DockerContainer{State: "started"}, stdout: "image " + img1 + "\ncontainer " + img1 + "\n", err: "is not an image ID and a running state"},
	} {
		res, err := task(c.dc).Decide(c.code, c.stdout, c.stderr)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("case %d %+v: error %v, want %q", i, c.dc, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("case %d %+v: %v", i, c.dc, err)
		case c.err == "" && (res.Changed != c.changed || res.Runs != c.changed || !strings.Contains(res.Summary, c.summary)):
			t.Errorf("case %d %+v: %+v, want changed %v, summary with %q", i, c.dc, res, c.changed, c.summary)
		}
	}
}

// TestDockerContainerLines: the lines straylight runs for each shape, in
// the module's order (stop or kill, remove, create, then the state).
func TestDockerContainerLines(t *testing.T) {
	d := DockerCLI
	lookup := "c=$(" + d + " container inspect --format '{{.Image}} {{.State.Running}}' vllm 2>&1) || case $c in *\"No such container\"*) c=missing ;; *) echo \"$c\" >&2; exit 1 ;; esac"
	pull := "i=$(" + d + " image inspect --format '{{.Id}}' app:1 2>/dev/null) || { " + d + " pull app:1 && i=$(" + d + " image inspect --format '{{.Id}}' app:1); } || exit"
	env := ` || ! { ce=$(` + d + ` container inspect --format '{{range .Config.Env}}{{json .}}{{println}}{{end}}' vllm) && ie=$(` + d + ` image inspect --format '{{range .Config.Env}}{{json .}}{{println}}{{end}}' app:1) && pe='' && ce="$ce" ie="$ie" pe="$pe" awk '` + envAwk + `'; }`
	for i, c := range []struct {
		dc   DockerContainer
		want string
	}{
		{DockerContainer{Name: "vllm", Image: "app:1", State: "started", Pull: "missing"}, "(" + pull + "; " + lookup + `; if [ "$c" = missing ]; then ` + d + ` create --name vllm app:1 || exit; c="$i false"; elif [ "${c% *}" != "$i" ]` + env + `; then { [ "${c#* }" != true ] || ` + d + " stop vllm; } && " + d + " rm vllm && " + d + ` create --name vllm app:1 || exit; c="$i false"; fi; if [ "${c#* }" != true ]; then ` + d + " start vllm; fi)"},
		{DockerContainer{Name: "vllm", Image: "app:1", State: "present", Pull: "never", Recreate: true, ForceKill: true}, "(i=$(" + d + " image inspect --format '{{.Id}}' app:1) || { echo \"Cannot find image with name app:1, and pull=never\" >&2; exit 1; }; " + lookup + `; if [ "$c" = missing ]; then ` + d + ` create --name vllm app:1 || exit; c="$i false"; elif :; then { [ "${c#* }" != true ] || ` + d + " kill vllm; } && " + d + " rm vllm && " + d + ` create --name vllm app:1 || exit; c="$i false"; fi)`},
		{DockerContainer{Name: "vllm", State: "absent", StopTimeout: "30"}, "(" + lookup + `; if [ "$c" != missing ]; then { [ "${c#* }" != true ] || ` + d + " stop -t 30 vllm; } && " + d + " rm vllm; fi)"},
	} {
		if got := c.dc.Line(); got != c.want {
			t.Errorf("case %d:\n got %s\nwant %s", i, got, c.want)
		}
	}
	restart := DockerContainer{Name: "vllm", Image: "app:1", State: "started", Restart: true, StopTimeout: "5"}.Line()
	if !strings.Contains(restart, " create --name vllm --stop-timeout 5 app:1") || !strings.HasSuffix(restart, " restart -t 5 vllm; fi)") {
		t.Errorf("restart with stop_timeout: %s", restart)
	}
}

// TestDockerContainerEnvComparison: env is compared as the module compares
// it (the image's variables with the task's over them, each present in
// the container's, which may hold more), by envComparison in the plan and
// by the awk the line runs on the host, which must agree on every case.
func TestDockerContainerEnvComparison(t *testing.T) {
	image := []string{"PATH=/usr/bin", "HOME=/root"}
	for i, c := range []struct {
		task, container []string
		same            bool
	}{
		{[]string{"MODEL=a"}, []string{"PATH=/usr/bin", "HOME=/root", "MODEL=a"}, true},
		{[]string{"MODEL=a"}, []string{"PATH=/usr/bin", "HOME=/root", "MODEL=a", "EXTRA=1"}, true},
		{[]string{"MODEL=b"}, []string{"PATH=/usr/bin", "HOME=/root", "MODEL=a"}, false},
		{[]string{"MODEL=a"}, []string{"HOME=/root", "MODEL=a"}, false},
		{[]string{"PATH=/opt", "MODEL=a"}, []string{"PATH=/opt", "HOME=/root", "MODEL=a"}, true},
		{[]string{"PATH=/opt"}, []string{"PATH=/usr/bin", "HOME=/root"}, false},
		{[]string{}, []string{"PATH=/usr/bin", "HOME=/root"}, true},
		{[]string{}, []string{"HOME=/root"}, false},
		{[]string{"ARGS=--port 8000 --name x=y"}, []string{"PATH=/usr/bin", "HOME=/root", "ARGS=--port 8000 --name x=y"}, true},
		{[]string{"ARGS=--port 8000"}, []string{"PATH=/usr/bin", "HOME=/root", "ARGS=--port 8000 --name x=y"}, false},
	} {
		if got := envComparison(image, c.task, c.container); got != c.same {
			t.Errorf("case %d: envComparison %v, want %v", i, got, c.same)
		}
		cmd := exec.Command("sh", "-c", `ce="$CE" ie="$IE" pe="$PE" awk '`+envAwk+`'`)
		cmd.Env = append(os.Environ(), "CE="+strings.Join(jsonLines(c.container), "\n")+"\n", "IE="+strings.Join(jsonLines(image), "\n")+"\n", "PE="+strings.Join(jsonLines(c.task), "\t"))
		if err := cmd.Run(); (err == nil) != c.same {
			t.Errorf("case %d: the line's awk says same %v (%v), want %v", i, err == nil, err, c.same)
		}
	}
	dc := DockerContainer{Name: "vllm", Image: "app:1", State: "started", Pull: "missing", Env: []string{"MODEL=a"}}
	ct := ContainerTask{Module: "docker_container", Target: "vllm", State: "started", Docker: &dc}
	probe := "image sha256:1\ncontainer sha256:1 true\nimageenv \"PATH=/usr/bin\"\nenv \"PATH=/usr/bin\"\nenv \"MODEL=%s\"\n"
	for model, changed := range map[string]bool{"a": false, "b": true} {
		if res, err := ct.Decide(0, fmt.Sprintf(probe, model), ""); err != nil || res.Changed != changed {
			t.Errorf("container MODEL=%s: %+v, %v; want changed %v", model, res, err, changed)
		}
	}
	if line := dc.Line(); !strings.Contains(line, " create --name vllm -e 'MODEL=a' app:1") || !strings.Contains(line, `pe='"MODEL=a"'`) {
		t.Errorf("line with env: %s", line)
	}
}

// TestDockerContainerCommandComparison: command is compared strict, in
// order, with the container's Config.Cmd (null for none); the line
// passes its words after the image and compares the same JSON.
func TestDockerContainerCommandComparison(t *testing.T) {
	dc := DockerContainer{Name: "vllm", Image: "app:1", State: "started", Pull: "missing", Command: []string{"--model", "q&a<1>"}}
	ct := ContainerTask{Module: "docker_container", Target: "vllm", State: "started", Docker: &dc}
	for cmd, changed := range map[string]bool{`["--model","q&a<1>"]`: false, `["q&a<1>","--model"]`: true, `["--model"]`: true, "null": true} {
		res, err := ct.Decide(0, "image sha256:1\ncontainer sha256:1 true\ncmd "+cmd+"\n", "")
		if err != nil || res.Changed != changed {
			t.Errorf("container Cmd %s: %+v, %v; want changed %v", cmd, res, err, changed)
		}
	}
	line := dc.Line()
	if !strings.Contains(line, " create --name vllm app:1 '--model' 'q&a<1>' ||") ||
		!strings.Contains(line, `|| [ "$(`+DockerCLI+` container inspect --format '{{json .Config.Cmd}}' vllm)" != '["--model","q&a<1>"]' ]`) {
		t.Errorf("line with command: %s", line)
	}
	if probe := dc.Probe(); !strings.Contains(probe, `cmd=$(`+DockerCLI+` container inspect --format '{{json .Config.Cmd}}' vllm) || exit; echo "cmd $cmd"`) {
		t.Errorf("probe with command: %s", probe)
	}
}

// TestDockerContainerWithoutImage: without image the module compares the
// container's environment with its own image's (dockerimage.go ownImage),
// and recreates it from that image whatever it finds with recreate: true:
// the plan decides it from the probe, naming the variables (never their
// values), and the line, run here against a stand-in docker CLI, recreates
// from the container's image ID only where the plan says so, then brings
// the state.
func TestDockerContainerWithoutImage(t *testing.T) {
	const img = "sha256:abababababababababababababababababababababababababababababababab"
	probe := "container " + img + " %s\nimageenv \"PATH=/usr/bin\"\nimageenv \"HOME=/root\"\nenv \"PATH=/usr/bin\"\nenv \"HOME=%s\"\nenv \"TOKEN=s3cret\"\n"
	for i, c := range []struct {
		dc               DockerContainer
		running, home    string
		changed          bool
		summary, actions string
	}{
		{DockerContainer{State: "started"}, "true", "/root", false, "already running", ""},
		{DockerContainer{State: "started", Restart: true}, "true", "/root", true, "restart the container", "restart -t 10 vllm\n"},
		{DockerContainer{State: "stopped"}, "true", "/root", true, "stop the running container", "stop vllm\n"},
		{DockerContainer{State: "started"}, "true", "/srv", true, "recreate the container from its image abababababab and start it (its variable HOME is not its image's", "stop vllm\nrm vllm\ncreate --name vllm " + img + "\nstart vllm\n"},
		{DockerContainer{State: "started", Restart: true}, "false", "/srv", true, "and start it", "rm vllm\ncreate --name vllm " + img + "\nstart vllm\n"},
		{DockerContainer{State: "stopped"}, "true", "/srv", true, "recreate the container from its image abababababab (its variable HOME", "stop vllm\nrm vllm\ncreate --name vllm " + img + "\n"},
		{DockerContainer{State: "started", Recreate: true}, "true", "/root", true, "recreate the container from its image abababababab and start it (recreate: true", "stop vllm\nrm vllm\ncreate --name vllm " + img + "\nstart vllm\n"},
		{DockerContainer{State: "stopped", Recreate: true}, "false", "/root", true, "recreate the container from its image abababababab (recreate: true", "rm vllm\ncreate --name vllm " + img + "\n"},
	} {
		c.dc.Name = "vllm"
		ct := ContainerTask{Module: "docker_container", Target: "vllm", State: c.dc.State, Restart: c.dc.Restart, Docker: &c.dc}
		res, err := ct.Decide(0, fmt.Sprintf(probe, c.running, c.home), "")
		if err != nil || res.Changed != c.changed || !strings.Contains(res.Summary, c.summary) || strings.Contains(res.Summary, "s3cret") {
			t.Errorf("case %d %+v: %+v, %v; want changed %v, summary with %q", i, c.dc, res, err, c.changed, c.summary)
		}
		if got := runWithStandInDocker(t, c.dc.Line(), img+" "+c.running, "PATH=/usr/bin\nHOME=/root", "PATH=/usr/bin\nHOME="+c.home); got != c.actions {
			t.Errorf("case %d %+v: the line did\n%s\nwant\n%s", i, c.dc, got, c.actions)
		}
	}
	if keys := missingImageVars([]string{"B=1", "A=1", "C=1"}, []string{"A=2", "B=1", "C=1=x"}); strings.Join(keys, ",") != "A,C" {
		t.Errorf("missing image variables %v, want A and C", keys)
	}
	dc := DockerContainer{Name: "vllm", State: "started"}
	ct := ContainerTask{Module: "docker_container", Target: "vllm", State: "started", Docker: &dc}
	if _, err := ct.Decide(1, "", "Error response from daemon: No such container: vllm\n"); err == nil || !strings.Contains(err.Error(), "No such container: vllm (without image the module fails: Cannot create container when image is not specified!)") {
		t.Errorf("a missing container: %v", err)
	}
	if got := runWithStandInDocker(t, dc.Probe(), img+" true", "PATH=/usr/bin", "PATH=/opt"); got != "" {
		t.Errorf("the probe acted: %s", got)
	}
	if got := runWithStandInDocker(t, dc.Line(), img+" false", "", "PATH=/opt"); got != "start vllm\n" {
		t.Errorf("without the image on the host (nothing to compare with): the line did %q, want only the start", got)
	}
}

// runWithStandInDocker runs script with a stand-in docker CLI first on
// PATH: the container's "IMAGEID RUNNING", its image's and its own
// variables (KEY=VALUE lines; no image variables: the host lacks the
// image), and returns the actions asked for, one a line.
func runWithStandInDocker(t *testing.T, script, container, imageEnv, env string) string {
	t.Helper()
	dir := t.TempDir()
	stub := `#!/bin/sh
shift 2
envlines() { printf '%s\n' "$1" | sed '/^$/d; s/.*/"&"/'; }
case "$1 $2 $3" in
"container inspect --format") case "$4" in "{{.Image}} {{.State.Running}}") echo "$CONTAINER" ;; *) envlines "$ENV" ;; esac; exit 0 ;;
"image inspect --format") [ -n "$IMAGEENV" ] || { echo "Error response from daemon: No such image: $5" >&2; exit 1; }; envlines "$IMAGEENV"; exit 0 ;;
esac
echo "$*" >> "$LOG"
`
	if err := os.WriteFile(dir+"/docker", []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", script)
	cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"), "LOG="+dir+"/log", "CONTAINER="+container, "IMAGEENV="+imageEnv, "ENV="+env)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	log, _ := os.ReadFile(dir + "/log")
	return string(log)
}
