package artifact

// ContainerSpec is a container as a deployment task describes it
// (community.docker.docker_container, containers.podman.podman_container),
// its arguments already templated: the image, an entrypoint that replaces
// the image's own (nil keeps it), the command, the environment and the
// published ports ("[ip:]host:container[/proto]" or a bare container port).
type ContainerSpec struct {
	Name       string
	Image      string
	Entrypoint []string
	Command    []string
	Env        map[string]string
	Ports      []string
	EnvFiles   []string
	Source     Source // the task's file and line
}

// RecognizeContainer returns the server a container runs, read as a
// compose service with the same settings would be: the image's known
// entrypoint (vllm serve, ollama serve, llama-server, the TGI launcher)
// followed by the command, or the command alone, and the host port
// published for the server's port.
func RecognizeContainer(spec ContainerSpec) (Backend, bool) {
	c := container{image: spec.Image, name: spec.Name, command: spec.Command, env: map[string]string{},
		ports: map[int]int{}, envFiles: spec.EnvFiles, src: spec.Source}
	if spec.Entrypoint != nil {
		c.entrypoint, c.hasEntrypoint = spec.Entrypoint, true
	}
	for k, v := range spec.Env {
		c.env[k] = v
	}
	for _, p := range spec.Ports {
		c.addPort(p)
	}
	return c.backend()
}
