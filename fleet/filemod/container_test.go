package filemod

import (
	"strings"
	"testing"
)

// TestContainerTaskDecidesAsTheModules: the decisions of docker_container
// and podman_container without image from the probe's answer, the failures
// included, and compose's from its events, without an engine:
// fleet/plan/serviceparity/containertasks_test.go and composetasks_test.go
// check the same against the real modules.
func TestContainerTaskDecidesAsTheModules(t *testing.T) {
	docker := func(state string, restart bool) ContainerTask {
		dc := DockerContainer{Name: "vllm", State: state, Restart: restart}
		return ContainerTask{Module: "docker_container", Target: "vllm", State: state, Restart: restart, Docker: &dc}
	}
	podman := func(state string, restart bool) ContainerTask {
		return ContainerTask{Module: "podman_container", Target: "vllm", State: state, Restart: restart}
	}
	compose := func(state string) ContainerTask {
		return ContainerTask{Module: "docker_compose_v2", Target: "/srv/llm", State: state}
	}
	for i, c := range []struct {
		ct             ContainerTask
		code           int
		stdout, stderr string
		changed, runs  bool
		err            string
	}{
		{ct: docker("started", false), stdout: "container sha256:1 true\n"},
		{ct: docker("started", false), stdout: "container sha256:1 false\n", changed: true, runs: true},
		{ct: docker("started", true), stdout: "container sha256:1 true\n", changed: true, runs: true},
		{ct: docker("started", true), stdout: "container sha256:1 false\n", changed: true, runs: true},
		{ct: docker("stopped", true), stdout: "container sha256:1 false\n"},
		{ct: docker("stopped", false), stdout: "container sha256:1 true\n", changed: true, runs: true},
		{ct: docker("started", false), code: 1, stderr: "Error response from daemon: No such container: vllm\n", err: "No such container: vllm (without image the module fails"},
		{ct: podman("started", false), stdout: "true\n", changed: true, runs: true},
		{ct: podman("started", true), stdout: "false\n", changed: true, runs: true},
		{ct: podman("stopped", false), stdout: "false\n"},
		{ct: podman("stopped", false), stdout: "true\n", changed: true, runs: true},
		{ct: podman("absent", false), stdout: "missing\n"},
		{ct: podman("absent", false), stdout: "false\n", changed: true, runs: true},
		{ct: podman("started", false), stdout: "missing\n", err: "Cannot start container when image is not specified!"},
		{ct: podman("stopped", false), stdout: "missing\n", err: "Cannot create container when image is not specified!"},
		{ct: podman("stopped", false), code: 125, stderr: "Error: cannot connect\n", err: "container vllm: Error: cannot connect"},
		{ct: compose("present"), stderr: " Container p-a-1  Running\n", runs: true},
		{ct: compose("present"), stderr: " a Pulling\n a Pulled\n Container p-a-1  Running\n", runs: true},
		{ct: compose("restarted"), stderr: " a Pulling\n", changed: true, runs: true},
		{ct: compose("absent"), stderr: "DRY-RUN MODE -  Container p-a-1  Stopping\n", changed: true, runs: true},
		{ct: compose("present"), code: 1, stderr: "no configuration file provided: not found\n", err: "General error: no configuration file provided: not found"},
		{ct: compose("present"), code: 14, err: "Return code 14 is non-zero"},
	} {
		res, err := c.ct.Decide(c.code, c.stdout, c.stderr)
		switch {
		case c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)):
			t.Errorf("case %d %+v: error %v, want %q", i, c.ct, err, c.err)
		case c.err == "" && err != nil:
			t.Errorf("case %d %+v: %v", i, c.ct, err)
		case c.err == "" && (res.Changed != c.changed || res.Runs != c.runs):
			t.Errorf("case %d %+v: %+v, want changed %v, runs %v", i, c.ct, res, c.changed, c.runs)
		}
	}
}
