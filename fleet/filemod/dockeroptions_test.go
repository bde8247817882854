package filemod

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestDockerContainerPortsAndBinds: published_ports and volumes compare as
// community.docker 3.13.3 compares them (dockeroptions.go): each of the
// task's bindings exactly, on the address the module expects (0.0.0.0 for
// "8000:8000", where `docker run -p 8000:8000` leaves it empty), its port
// exposed, each bind with its mode; the container may hold more. The
// plan decides from the probe's lines, and the line, run against a
// stand-in docker CLI printing the same lines, recreates exactly where
// the plan says so, with the task's -p and -v.
func TestDockerContainerPortsAndBinds(t *testing.T) {
	dc := DockerContainer{Name: "vllm", Image: "app:1", State: "started", Pull: "missing",
		Ports: []DockerPort{{Port: "8000/tcp", HostIP: "0.0.0.0", HostPort: "8000"}}, Binds: []string{"/srv/models:/models:rw"}}
	ct := ContainerTask{Module: "docker_container", Target: "vllm", State: "started", Docker: &dc}
	port, exposed, bind := `port 8000/tcp [{"HostIp":"0.0.0.0","HostPort":"8000"}]`, "exposed 8000/tcp", `bind "/srv/models:/models:rw"`
	recreate := "stop vllm\nrm vllm\ncreate --name vllm -p 0.0.0.0:8000:8000/tcp -v /srv/models:/models:rw app:1\nstart vllm\n"
	for i, c := range []struct {
		lines   []string
		differs string // "": the same
	}{
		{[]string{port, exposed, bind}, ""},
		{[]string{port, `port 9000/tcp [{"HostIp":"127.0.0.1","HostPort":"9000"}]`, exposed, "exposed 9000/tcp", bind, `bind "/tmp:/tmp:ro"`}, ""},
		{[]string{`port 8000/tcp [{"HostIp":"","HostPort":"8000"}]`, exposed, bind}, "published_ports"},
		{[]string{`port 8000/tcp [{"HostIp":"0.0.0.0","HostPort":"8000"},{"HostIp":"127.0.0.1","HostPort":"8001"}]`, exposed, bind}, "published_ports"},
		{[]string{port, bind}, "published_ports"},
		{[]string{port, exposed, `bind "/srv/models:/models"`}, "volumes"},
		{nil, "published_ports, volumes"},
	} {
		hc := strings.Join(c.lines, "\n")
		res, err := ct.Decide(0, "image sha256:1\ncontainer sha256:1 true\n"+hc+"\n", "")
		if err != nil || res.Changed != (c.differs != "") || !strings.Contains(res.Summary, "it differs from the task in "+c.differs+")") != (c.differs == "") {
			t.Errorf("case %d: %+v, %v; want differing %q", i, res, err, c.differs)
		}
		want := recreate
		if c.differs == "" {
			want = ""
		}
		if got := runPublishingDocker(t, dc.Line(), hc); got != want {
			t.Errorf("case %d: the line did\n%s\nwant\n%s", i, got, want)
		}
	}
	if got := runPublishingDocker(t, dc.Probe(), ""); got != "" {
		t.Errorf("the probe acted: %s", got)
	}
}

// runPublishingDocker runs script with a stand-in docker CLI first on
// PATH: the image app:1 is sha256:1, the container vllm runs it, neither
// has variables, the container's host configuration lines are hc (its
// restart policy that of hc's restart line); it returns the actions
// asked for, one a line.
func runPublishingDocker(t *testing.T, script, hc string) string {
	t.Helper()
	dir := t.TempDir()
	stub := `#!/bin/sh
shift 2
case "$1 $2 $3 $4" in
"image inspect --format {{.Id}}") echo sha256:1; exit 0 ;;
"container inspect --format {{.Image}} {{.State.Running}}") echo "sha256:1 true"; exit 0 ;;
"container inspect --format {{range .Config.Env}}{{json .}}{{println}}{{end}}" | "image inspect --format {{range .Config.Env}}{{json .}}{{println}}{{end}}") exit 0 ;;
"container inspect --format "` + hostConfigFormat + `) [ -z "$HC" ] || printf '%s\n' "$HC"; exit 0 ;;
"container inspect --format {{.HostConfig.RestartPolicy.Name}}") printf '%s\n' "$HC" | sed -n 's/^restart //p'; exit 0 ;;
esac
echo "$*" >> "$LOG"
`
	if err := os.WriteFile(dir+"/docker", []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", script)
	cmd.Env = append(os.Environ(), "PATH="+dir+":"+os.Getenv("PATH"), "LOG="+dir+"/log", "HC="+hc)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	log, _ := os.ReadFile(dir + "/log")
	return string(log)
}

// TestParsePublishedPortsAndVolumes: the values the module would send
// for each form straylight runs, and a refusal naming the value for each
// it does not.
func TestParsePublishedPortsAndVolumes(t *testing.T) {
	ports, err := ParsePublishedPorts([]string{"8000", "8001:80", "127.0.0.1:9000:90/udp", "127.0.0.1::6000/sctp", ":7000"})
	want := []DockerPort{{"8000/tcp", "0.0.0.0", ""}, {"80/tcp", "0.0.0.0", "8001"}, {"90/udp", "127.0.0.1", "9000"}, {"6000/sctp", "127.0.0.1", ""}, {"7000/tcp", "0.0.0.0", ""}}
	if err != nil || len(ports) != len(want) {
		t.Fatalf("ports %+v, %v; want %+v", ports, err, want)
	}
	for i := range want {
		if ports[i] != want[i] {
			t.Errorf("port %d: %+v, want %+v", i, ports[i], want[i])
		}
	}
	for v, reason := range map[string]string{"all": `the module fails (Specifying "all"`, "8000:80/http": "not a port number with protocol", "08000:80": `host port "08000"`,
		"0": `"0" is not a port number`, "1.2.3.4.5:80:80": "not an IPv4 address", "1:2:3:4": "expected 1 to 3 colon-separated parts", "80:80; reboot": "not a port number"} {
		if _, err := ParsePublishedPorts([]string{v}); err == nil || !strings.Contains(err.Error(), reason) || !strings.Contains(err.Error(), v) {
			t.Errorf("published_ports %q: %v; want %q", v, err, reason)
		}
	}
	binds, err := ParseVolumes([]string{"/srv:/srv", "models:/models:ro,z", "/a:/b:rw"})
	if err != nil || strings.Join(binds, " ") != "/srv:/srv:rw models:/models:ro,z /a:/b:rw" {
		t.Errorf("binds %q, %v", binds, err)
	}
	for v, reason := range map[string]string{"~/m:/m": "absolute on the host", "/a:/b:c:d": "more than three", "/data:ro": "followed by a mode",
		"/a:b": "an absolute container path", "/a;reboot:/b": "without spaces, quotes or shell characters", "m:/b": "a volume name"} {
		if _, err := ParseVolumes([]string{v}); err == nil || !strings.Contains(err.Error(), reason) || !strings.Contains(err.Error(), v) {
			t.Errorf("volumes %q: %v; want %q", v, err, reason)
		}
	}
}

// TestDockerContainerRestartPolicy: a restart policy alone that differs
// is updated in place, then the state brought; beside another difference
// the container is recreated with it, and not updated after. The plan
// and the line agree.
func TestDockerContainerRestartPolicy(t *testing.T) {
	dc := DockerContainer{Name: "vllm", Image: "app:1", State: "started", Pull: "missing", RestartPolicy: "always", Binds: []string{"/srv:/srv:rw"}}
	ct := ContainerTask{Module: "docker_container", Target: "vllm", State: "started", Docker: &dc}
	bind := `bind "/srv:/srv:rw"`
	for i, c := range []struct {
		hc, summary, actions string
	}{
		{bind + "\nrestart always", "already running", ""},
		{bind + "\nrestart no", "update the restart policy to always (it is no)", "update --restart always vllm\n"},
		{"restart no", "it differs from the task in volumes", "stop vllm\nrm vllm\ncreate --name vllm --restart always -v /srv:/srv:rw app:1\nstart vllm\n"},
	} {
		res, err := ct.Decide(0, "image sha256:1\ncontainer sha256:1 true\n"+c.hc+"\n", "")
		if err != nil || res.Changed != (c.actions != "") || !strings.Contains(res.Summary, c.summary) {
			t.Errorf("case %d: %+v, %v; want %q", i, res, err, c.summary)
		}
		if got := runPublishingDocker(t, dc.Line(), c.hc); got != c.actions {
			t.Errorf("case %d: the line did\n%s\nwant\n%s", i, got, c.actions)
		}
	}
	stopped := dc
	stopped.State = "stopped"
	ct = ContainerTask{Module: "docker_container", Target: "vllm", State: "stopped", Docker: &stopped}
	if res, err := ct.Decide(0, "image sha256:1\ncontainer sha256:1 true\n"+bind+"\nrestart no\n", ""); err != nil || res.Summary != "docker_container stopped: update the restart policy to always (it is no), then stop the running container" {
		t.Errorf("stopped: %+v, %v", res, err)
	}
	for v, want := range map[any]string{false: "no", "False": "no", "unless-stopped": "unless-stopped", nil: ""} {
		if got, err := ParseRestartPolicy(v); err != nil || got != want {
			t.Errorf("restart_policy %v: %q, %v; want %q", v, got, err, want)
		}
	}
	if _, err := ParseRestartPolicy(true); err == nil || !strings.Contains(err.Error(), "must be one of") {
		t.Errorf("restart_policy true: %v", err)
	}
}
