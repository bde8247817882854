package sim

import (
	"slices"
	"strconv"
	"strings"
)

// docker is the docker CLI's ps, restart (-t N read and ignored), start,
// container inspect and image inspect, after an optional --host, on a host whose vLLM
// runs in a container (on a systemd host there is no container).
func (t *toolServer) docker(argv []string) toolResult {
	if len(argv) > 1 && argv[0] == "--host" {
		argv = argv[2:] // the host's one daemon, whatever its address
	}
	if len(argv) == 0 {
		return fail(1, "Usage:  docker [OPTIONS] COMMAND")
	}
	switch argv[0] {
	case "ps":
		return t.dockerPS(argv[1:])
	case "restart", "start":
		return t.dockerRestart(argv[0], withoutStopTimeout(argv[1:]))
	case "container":
		return t.dockerContainer(argv[1:])
	case "image":
		return t.dockerImage(argv[1:])
	}
	return fail(1, "docker (lab stand-in): %q is not simulated", argv[0])
}

// withoutStopTimeout drops restart's leading -t/--time/--timeout N: the
// simulated container stops at once.
func withoutStopTimeout(argv []string) []string {
	if len(argv) > 1 && slices.Contains([]string{"-t", "--time", "--timeout"}, argv[0]) {
		return argv[2:]
	}
	return argv
}

// dockerEnvFormat prints each Config.Env entry as a JSON line.
const dockerEnvFormat = "{{range .Config.Env}}{{json .}}{{println}}{{end}}"

// dockerContainer is `docker container inspect --format FORMAT NAME`,
// what straylight's docker_container handlers read: '{{.State.Running}}'
// (true while the container runs or restarts: Docker keeps Running set
// while Restarting), '{{.Image}} {{.State.Running}}' (its image's ID
// before it) and the environment (dockerEnvFormat: the container was
// created without env, so it holds its image's variables).
func (t *toolServer) dockerContainer(argv []string) toolResult {
	if len(argv) != 4 || argv[0] != "inspect" || argv[1] != "--format" || !slices.Contains([]string{"{{.State.Running}}", "{{.Image}} {{.State.Running}}", dockerEnvFormat}, argv[2]) {
		return fail(1, "docker container (lab stand-in): only inspect --format '{{.State.Running}}', '{{.Image}} {{.State.Running}}' or '%s' NAME is simulated", dockerEnvFormat)
	}
	if t.host.spec.Runtime != RuntimeDocker {
		return fail(1, "Error: No such object: %s", argv[3])
	}
	running, found := t.host.vllm.DockerRunning(argv[3])
	if !found {
		return fail(1, "Error: No such object: %s", argv[3])
	}
	switch argv[2] {
	case dockerEnvFormat:
		return ok(dockerImageEnvJSON)
	case "{{.Image}} {{.State.Running}}":
		return ok(t.host.vllm.DockerImageID() + " " + strconv.FormatBool(running) + "\n")
	}
	return ok(strconv.FormatBool(running) + "\n")
}

// dockerImage is `docker image inspect --format ENVFORMAT REF`
// (dockerEnvFormat) of the container's image, by its name or its ID.
func (t *toolServer) dockerImage(argv []string) toolResult {
	if len(argv) != 4 || argv[0] != "inspect" || argv[1] != "--format" || argv[2] != dockerEnvFormat {
		return fail(1, "docker image (lab stand-in): only inspect --format '%s' REF is simulated", dockerEnvFormat)
	}
	if t.host.spec.Runtime != RuntimeDocker || !t.host.vllm.DockerHasImage(argv[3]) {
		return fail(1, "Error response from daemon: No such image: %s", argv[3])
	}
	return ok(dockerImageEnvJSON)
}

// dockerPS reads -a, --filter name=^NAME$ and --format '{{json .}}'.
func (t *toolServer) dockerPS(argv []string) toolResult {
	name, format := "", "table"
	for i := 0; i < len(argv); i++ {
		switch argv[i] {
		case "-a", "--all":
		case "--filter", "-f", "--format":
			if i+1 >= len(argv) {
				return fail(125, "flag needs an argument: %s", argv[i])
			}
			if argv[i] == "--format" {
				format = argv[i+1]
			} else {
				name = filterName(argv[i+1])
			}
			i++
		default:
			return fail(125, "unknown flag: %s", argv[i])
		}
	}
	if format != "{{json .}}" {
		return fail(1, "docker ps (lab stand-in): only --format '{{json .}}' is simulated")
	}
	if t.host.spec.Runtime != RuntimeDocker {
		return ok("")
	}
	return ok(t.host.vllm.DockerPS(name))
}

// filterName reads "name=^NAME$" (or name=NAME).
func filterName(filter string) string {
	value, found := strings.CutPrefix(filter, "name=")
	if !found {
		return "\x00" // a filter on something else matches nothing here
	}
	return strings.TrimSuffix(strings.TrimPrefix(value, "^"), "$")
}

func (t *toolServer) dockerRestart(verb string, names []string) toolResult {
	if len(names) != 1 {
		return fail(1, "docker %s (lab stand-in): name exactly one container", verb)
	}
	if t.host.spec.Runtime != RuntimeDocker || names[0] != t.host.vllm.containerName() {
		return fail(1, "Error response from daemon: No such container: %s", names[0])
	}
	if err := t.host.restart(); err != nil {
		return fail(1, "Error response from daemon: %v", err)
	}
	return ok(names[0] + "\n")
}
