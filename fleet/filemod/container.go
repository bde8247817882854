package filemod

import (
	"fmt"
	"strings"
)

// ContainerTask is a plain docker_compose_v2, docker_container or
// podman_container task: the probe the plan runs on the host, which
// changes nothing and whose answer decides what the module would report,
// and the line the apply runs, the module's own actions.
type ContainerTask struct {
	Module  string `json:"module"` // docker_compose_v2, docker_container, podman_container
	Target  string `json:"target"` // the project's directory or the container's name
	State   string `json:"state"`
	Restart bool   `json:"restart,omitempty"` // started with restart: true (force_restart for podman)
	Probe   string `json:"probe"`
	Line    string `json:"line"`
	// Reads are the paths compose reads that a file task may write: the
	// project's directory and its compose files (none for a container).
	Reads []string `json:"reads,omitempty"`
	// Docker is a docker_container task (dockerimage.go), with image or
	// without; nil for the other modules.
	Docker *DockerContainer `json:"docker,omitempty"`
	// Podman is a podman_container task with image (podmanimage.go); nil
	// without image and for the other modules.
	Podman *PodmanContainer `json:"podman,omitempty"`
	// Env is the task's environment keyword: probe and line export it.
	// Its values may be secrets, so it is never serialized.
	Env []EnvVar `json:"-"`
}

// ContainerResult is what the module would report: changed, whether the
// apply runs the line (compose's module runs its action even when it
// changes nothing), and the plan's words for it.
type ContainerResult struct {
	Changed, Runs bool
	Summary       string
	// Script, when not empty, is what the apply runs in place of the
	// task's line: the actions decided from the probe's answer, checked
	// on the host to still be what they were decided from (a
	// podman_container task with image).
	Script string
}

// ProbeScript is the probe with the task's environment (DOCKER_HOST may
// be in it).
func (ct ContainerTask) ProbeScript() string { return ExportLines(ct.Env) + ct.Probe }

// RunScript is the line with the task's environment.
func (ct ContainerTask) RunScript() string { return ExportLines(ct.Env) + ct.Line }

// ScriptFor is what the apply runs for the decision, with the task's
// environment: the decision's own script, else the task's line.
func (ct ContainerTask) ScriptFor(res ContainerResult) string {
	if res.Script != "" {
		return ExportLines(ct.Env) + res.Script
	}
	return ct.RunScript()
}

// Decide reads the probe's answer: an error is the module's failure.
func (ct ContainerTask) Decide(code int, stdout, stderr string) (ContainerResult, error) {
	switch ct.Module {
	case "docker_compose_v2":
		return ct.decideCompose(code, stderr)
	case "docker_container":
		return ct.decideDocker(code, stdout, stderr)
	case "podman_container":
		return ct.decidePodman(code, stdout, stderr)
	}
	return ContainerResult{}, fmt.Errorf("%s is not a container module", ct.Module)
}

// decideCompose: the dry run's events (compose.go); up and stopped leave
// out a service's pull events (docker_compose_v2.py:502, :540).
func (ct ContainerTask) decideCompose(code int, stderr string) (ContainerResult, error) {
	events := ParseComposeEvents(stderr, code != 0)
	if code != 0 {
		return ContainerResult{}, fmt.Errorf("%s", ComposeFailure(events, code))
	}
	res := ContainerResult{Runs: true, Changed: ComposeChanged(events, ct.State == "present" || ct.State == "stopped")}
	res.Summary = "compose " + ct.State + ": no change"
	if actions := ComposeActions(events); res.Changed {
		res.Summary = "compose " + ct.State + ": " + strings.Join(actions, ", ")
	}
	return res, nil
}

// decideDocker: community.docker 3.13.3's docker_container, without image
// (dockerimage.go ownImage: the container compared with its own image) or
// with (decideDockerImage).
func (ct ContainerTask) decideDocker(code int, stdout, stderr string) (ContainerResult, error) {
	switch {
	case ct.Docker == nil:
		return ContainerResult{}, fmt.Errorf("docker_container %s: no task to decide", ct.Target)
	case ct.Docker.ownImage():
		return ct.decideDockerOwnImage(code, stdout, stderr)
	}
	return ct.decideDockerImage(code, stdout, stderr)
}

// decidePodman: containers.podman 1.16.2's podman_container with image
// (decidePodmanImage), or without image
// (plugins/module_utils/podman/podman_container_lib.py:1781-1797
// make_started: a missing container fails, else it restarts with restart,
// starts without, changed either way; :1877-1894 make_stopped: a missing
// container fails, a running one is stopped; :1896-1909 make_absent: an
// existing container is removed). The probe prints "missing" or
// State.Running.
func (ct ContainerTask) decidePodman(code int, stdout, stderr string) (ContainerResult, error) {
	if ct.Podman != nil {
		return ct.decidePodmanImage(code, stdout, stderr)
	}
	answer := strings.TrimSpace(stdout)
	switch {
	case code != 0:
		return ContainerResult{}, fmt.Errorf("container %s: %s", ct.Target, firstLine(stderr, stdout))
	case ct.State == "absent":
		return ct.result(answer != "missing", "remove the container", "no container to remove")
	case answer == "missing" && ct.State == "started":
		return ContainerResult{}, fmt.Errorf("container %s does not exist: without image the module fails (Cannot start container when image is not specified!)", ct.Target)
	case answer == "missing":
		return ContainerResult{}, fmt.Errorf("container %s does not exist: without image the module fails (Cannot create container when image is not specified!)", ct.Target)
	}
	return ct.fromRunning(answer == "true", ct.State == "started")
}

// fromRunning decides started and stopped from whether the container
// runs; always: started changes it whatever it finds.
func (ct ContainerTask) fromRunning(running, always bool) (ContainerResult, error) {
	switch {
	case ct.State == "stopped":
		return ct.result(running, "stop the running container", "already stopped")
	case ct.Restart && (running || always):
		return ct.result(true, "restart the container", "")
	}
	return ct.result(always || !running, "start the container", "already running")
}

func (ct ContainerTask) result(changed bool, did, ok string) (ContainerResult, error) {
	if changed {
		return ContainerResult{Changed: true, Runs: true, Summary: ct.Module + " " + ct.State + ": " + did}, nil
	}
	return ContainerResult{Summary: ct.Module + " " + ct.State + ": " + ok}, nil
}

// firstLine is the first non-empty line of the outputs.
func firstLine(texts ...string) string {
	for _, t := range texts {
		if t = strings.TrimSpace(t); t != "" {
			line, _, _ := strings.Cut(t, "\n")
			return line
		}
	}
	return "(no output)"
}

// ReadsPath reports whether compose reads the path: one of Reads or a
// path under one.
func (ct ContainerTask) ReadsPath(p string) bool {
	for _, r := range ct.Reads {
		if p == r || strings.HasPrefix(p, strings.TrimSuffix(r, "/")+"/") {
			return true
		}
	}
	return false
}
