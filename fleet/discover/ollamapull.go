package discover

import (
	"path"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/discover/artifact"
)

// ollamaPull is a model a command task pulls into Ollama (`ollama pull
// NAME`, or through `docker exec CONTAINER ollama pull NAME`): Ollama's
// /v1/models lists the models it holds, so they are its served names.
type ollamaPull struct {
	container string // the docker/podman exec target; "" for the host's ollama
	model     string
	at        string // the task's file:line
}

// pullFrom finds `ollama pull NAME` in a command line.
func pullFrom(argv []string) (ollamaPull, bool) {
	container := ""
	for i := 0; i+2 < len(argv); i++ {
		if isExec(argv, i) {
			container = execTarget(argv[i+2:])
		}
		if path.Base(argv[i]) == "ollama" && argv[i+1] == "pull" && argv[i+2] != "" {
			return ollamaPull{container: container, model: argv[i+2]}, true
		}
	}
	return ollamaPull{}, false
}

// isExec: argv[i] is docker or podman and argv[i+1] is exec.
func isExec(argv []string, i int) bool {
	p := path.Base(argv[i])
	return (p == "docker" || p == "podman") && argv[i+1] == "exec"
}

// execTarget is the container of `exec [OPTIONS] CONTAINER`: the first word
// that is not an option (exec's switches, -it, come before it).
func execTarget(rest []string) string {
	for _, w := range rest {
		if !strings.HasPrefix(w, "-") {
			return w
		}
	}
	return ""
}

// ollamaPull reads a command task that pulls an Ollama model.
func (mr *moduleReader) ollamaPull(m *ansible.ModuleTask) error {
	argv, err := templatedCommand(m, func(w []string) bool { _, ok := pullFrom(w); return ok })
	if err != nil || argv == nil {
		return err
	}
	if p, ok := pullFrom(argv); ok {
		p.at = mr.taskAt(m)
		mr.pulls = append(mr.pulls, p)
	}
	return nil
}

// addPulls gives each pulled model to the host's Ollama server it was
// pulled into: the container the command ran in, else the host's only
// Ollama. A pull that matches no server is left out of the fleet and said.
func addPulls(backends []artifact.Backend, pulls []ollamaPull, host string) []Problem {
	var problems []Problem
	for _, p := range pulls {
		i := ollamaFor(backends, p.container)
		if i < 0 {
			problems = append(problems, Problem{Host: host, Message: "the task at " + p.at + " pulls " + p.model + " into Ollama, but no single Ollama server of this host matches it"})
			continue
		}
		b := &backends[i]
		b.ServedNames = ansible.AppendUnique(b.ServedNames, p.model)
		b.Notes = ansible.AppendUnique(b.Notes, "models pulled by the task at "+p.at)
	}
	return problems
}

// ollamaFor is the index of the Ollama backend a pull targets, or -1.
func ollamaFor(backends []artifact.Backend, container string) int {
	found := -1
	for i, b := range backends {
		if b.Kind != artifact.Ollama || container != "" && b.Container != container {
			continue
		}
		if found >= 0 {
			return -1
		}
		found = i
	}
	return found
}
