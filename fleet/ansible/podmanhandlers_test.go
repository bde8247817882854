package ansible

import (
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/filemod"
)

// A podman_container handler without image is the line containers.podman
// 1.16.2's module runs (fleet/plan/serviceparity/podman_test.go runs both against a
// podman stand-in): started starts, or restarts with restart or
// force_restart; stopped stops a running container; absent removes an
// existing one.
func TestPodmanHandlerCommands(t *testing.T) {
	stop := "running=$(podman container inspect --format '{{.State.Running}}' vllm) && if [ \"$running\" = true ]; then podman container stop vllm; fi"
	cases := []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"name": "vllm"}, "podman container start vllm"},
		{map[string]any{"name": "vllm", "state": "started"}, "podman container start vllm"},
		{map[string]any{"name": "vllm", "state": "started", "restart": true}, "podman container restart vllm"},
		{map[string]any{"name": "vllm", "restart": "yes"}, "podman container restart vllm"},
		{map[string]any{"name": "vllm", "force_restart": true}, "podman container restart vllm"},
		{map[string]any{"name": "vllm", "state": "started", "restart": false}, "podman container start vllm"},
		{map[string]any{"name": "vllm", "state": "stopped"}, stop},
		{map[string]any{"name": "vllm", "state": "stopped", "restart": true}, stop},
		{map[string]any{"name": "vllm", "state": "absent"}, "if podman container exists vllm; then podman container rm --force vllm; fi"},
	}
	for _, c := range cases {
		got, err := podmanCommand(c.args)
		if err != nil || got != c.want {
			t.Errorf("%v: %q, %v; want %q", c.args, got, err, c.want)
		}
	}
}

// What the module would do differently, or fail on, is refused with the
// reason: state restarted (not one of the module's states), present and
// created (they compare the container's configuration), an image (a task
// with image is decided by the plan; a handler has no probe: pull,
// compare, recreate), a name a shell would interpret.
func TestPodmanHandlerRefusals(t *testing.T) {
	cases := []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"name": "vllm", "state": "restarted"}, "no state restarted"},
		{map[string]any{"name": "vllm", "state": "present"}, `state "present" is not run by straylight`},
		{map[string]any{"name": "vllm", "state": "created", "restart": true}, `state "created" is not run by straylight`},
		{map[string]any{"name": "vllm", "image": "vllm/vllm-openai"}, "with image as a task"},
		{map[string]any{"name": "vllm; reboot"}, "is not a container name"},
		{map[string]any{"state": "started"}, "is not a container name"},
	}
	for _, c := range cases {
		got, err := podmanCommand(c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v: %q, %v; want an error saying %q", c.args, got, err, c.want)
		}
	}
}

// A docker_container handler without image is what community.docker
// 3.13.3's module does, as docker CLI lines against the module's daemon
// (fleet/plan/serviceparity/dockercontainer_test.go compares them with the module's
// API calls); what it would do differently or fail on is refused.
func TestDockerContainerHandlerCommands(t *testing.T) {
	cases := []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"name": "vllm"}, filemod.DockerContainer{Name: "vllm", State: "started"}.Line()},
		{map[string]any{"name": "vllm", "state": "started", "restart": "yes"}, filemod.DockerContainer{Name: "vllm", State: "started", Restart: true}.Line()},
		{map[string]any{"name": "vllm", "state": "stopped", "restart": true}, filemod.DockerContainer{Name: "vllm", State: "stopped", Restart: true}.Line()},
	}
	for _, c := range cases {
		got, err := dockerContainerCommand(c.args)
		if err != nil || got != c.want {
			t.Errorf("%v: %q, %v; want %q", c.args, got, err, c.want)
		}
	}
	for state, want := range map[string]string{"restarted": "no state restarted", "present": `state "present" is not run`, "healthy": `state "healthy" is not run`} {
		if _, err := dockerContainerCommand(map[string]any{"name": "vllm", "state": state}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("state %s: %v; want an error saying %q", state, err, want)
		}
	}
}

// A docker_container handler with image (or state absent) runs the same
// line a task with those arguments runs (fleet/filemod/dockerimage.go);
// what a task would refuse, the handler refuses.
func TestDockerContainerHandlersWithImage(t *testing.T) {
	args := map[string]any{"name": "vllm", "image": "vllm/vllm-openai:1", "restart": true, "pull": "never"}
	want := filemod.DockerContainer{Name: "vllm", Image: "vllm/vllm-openai:1", State: "started", Pull: "never", Restart: true}.Line()
	if got, err := dockerContainerCommand(args); err != nil || got != want {
		t.Errorf("%v: %q, %v; want %q", args, got, err, want)
	}
	absent := filemod.DockerContainer{Name: "vllm", State: "absent", Pull: "missing"}.Line()
	if got, err := dockerContainerCommand(map[string]any{"name": "vllm", "state": "absent"}); err != nil || got != absent {
		t.Errorf("state absent: %q, %v; want %q", got, err, absent)
	}
	if _, err := dockerContainerCommand(map[string]any{"name": "vllm", "image": "app:1", "labels": map[string]any{"a": "b"}}); err == nil || !strings.Contains(err.Error(), `argument "labels" is not supported`) {
		t.Errorf("labels: %v; want it refused", err)
	}
}
