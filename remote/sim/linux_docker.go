package sim

import (
	"strings"
)

// docker is the docker CLI's ps, restart and start on a host whose vLLM runs
// in a container (on a systemd host there is no container).
func (t *toolServer) docker(argv []string) toolResult {
	if len(argv) == 0 {
		return fail(1, "Usage:  docker [OPTIONS] COMMAND")
	}
	switch argv[0] {
	case "ps":
		return t.dockerPS(argv[1:])
	case "restart", "start":
		return t.dockerRestart(argv[0], argv[1:])
	}
	return fail(1, "docker (lab stand-in): %q is not simulated", argv[0])
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
