package artifact

import (
	"path"
	"strconv"
	"strings"
)

// container is a server started from an image: a compose service or a
// `docker run` / `podman run` line.
type container struct {
	image         string
	entrypoint    []string
	hasEntrypoint bool
	command       []string
	env           map[string]string
	ports         map[int]int // container port → host port
	name          string
	envFiles      []string
	src           Source
}

// imageLaunch is what an image runs when its entrypoint is kept: the
// program its ENTRYPOINT starts and the environment its Dockerfile sets.
type imageLaunch struct {
	program []string
	env     map[string]string
}

// knownImage recognises the images of each project (their Dockerfiles are
// cited in doc.go). SGLang's image has no entrypoint: its command is the
// whole `python3 -m sglang.launch_server ...` line.
func knownImage(image string) (imageLaunch, bool) {
	repo := imageRepo(image)
	switch {
	case strings.HasSuffix(repo, "vllm/vllm-openai") || strings.HasSuffix(repo, "vllm-openai"):
		return imageLaunch{program: []string{"vllm", "serve"}}, true
	case strings.HasSuffix(repo, "ollama/ollama"):
		return imageLaunch{program: []string{"ollama"}, env: map[string]string{"OLLAMA_HOST": "0.0.0.0:11434"}}, true
	case strings.HasSuffix(repo, "ggml-org/llama.cpp") && strings.HasPrefix(imageTag(image), "server"):
		return imageLaunch{program: []string{"llama-server"}}, true
	case strings.HasSuffix(repo, "/llama-swap"):
		return imageLaunch{program: []string{"/app/llama-swap", "-config", "/app/config.yaml", "-watch-config"}}, true
	case strings.HasSuffix(repo, "huggingface/text-generation-inference"):
		return imageLaunch{program: []string{"text-generation-launcher"}, env: map[string]string{"PORT": strconv.Itoa(tgiImagePort)}}, true
	}
	return imageLaunch{}, false
}

// imageRepo drops the tag and digest: "ghcr.io/x/y:tag@sha256:..." → "ghcr.io/x/y".
func imageRepo(image string) string {
	image, _, _ = strings.Cut(image, "@")
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		image = image[:i]
	}
	return image
}

func imageTag(image string) string {
	image, _, _ = strings.Cut(image, "@")
	if i := strings.LastIndex(image, ":"); i > strings.LastIndex(image, "/") {
		return image[i+1:]
	}
	return "latest"
}

// argv is the command the container runs: an overridden entrypoint, or the
// image's own entrypoint, followed by the command.
func (c container) argv() ([]string, map[string]string) {
	known, isKnown := knownImage(c.image)
	env := copyEnv(known.env)
	for k, v := range c.env {
		env[k] = v
	}
	switch {
	case c.hasEntrypoint:
		return append(append([]string{}, c.entrypoint...), c.command...), env
	case isKnown:
		cmd := c.command
		if known.program[0] == "ollama" && len(cmd) == 0 {
			cmd = []string{"serve"} // ollama's image: CMD ["serve"]
		}
		return append(append([]string{}, known.program...), cmd...), env
	}
	return c.command, env
}

func (c container) backend() (Backend, bool) {
	args, env := c.argv()
	env, args = stripWrappers(args, env)
	if len(args) == 0 {
		return Backend{}, false
	}
	l, ok := identify(args, env)
	if !ok {
		return c.launcherBackend(env)
	}
	b := l.backend(c.src)
	b.Image, b.Container, b.EnvFiles = c.image, c.name, c.envFiles
	b.HostPort = c.ports[b.Port]
	return b, true
}

func isContainerRun(args []string) bool {
	program := path.Base(args[0])
	if program != "docker" && program != "podman" && program != "nerdctl" {
		return false
	}
	rest := args[1:]
	if first(rest) == "container" {
		rest = rest[1:]
	}
	return first(rest) == "run"
}

// dockerValueOptions are the `docker run` options that take a value; any
// other option is taken as a switch.
var dockerValueOptions = map[string]bool{
	"-p": true, "--publish": true, "--name": true, "-e": true, "--env": true, "--env-file": true,
	"-v": true, "--volume": true, "--gpus": true, "--ipc": true, "--shm-size": true,
	"--network": true, "--net": true, "--runtime": true, "--restart": true, "-w": true,
	"--workdir": true, "--entrypoint": true, "--device": true, "--mount": true, "-u": true,
	"--user": true, "-l": true, "--label": true, "--cpus": true, "-m": true, "--memory": true,
	"--ulimit": true, "-h": true, "--hostname": true, "--add-host": true, "--log-driver": true,
	"--log-opt": true, "--security-opt": true, "--cap-add": true, "--cap-drop": true,
	"--platform": true, "--pull": true, "--pid": true, "--cpuset-cpus": true, "--tmpfs": true,
	"--group-add": true, "--memory-swap": true, "--stop-signal": true, "--stop-timeout": true,
	"--health-cmd": true, "--health-interval": true, "--health-timeout": true, "--health-retries": true,
	"--dns": true, "--expose": true, "--cidfile": true, "--userns": true, "--uts": true,
}

// parseDockerRun reads `docker run [OPTIONS] IMAGE [COMMAND...]`.
func parseDockerRun(args []string, src Source) (container, bool) {
	c := container{env: map[string]string{}, ports: map[int]int{}, src: src}
	i := 2
	if args[1] == "container" {
		i = 3
	}
	for ; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			c.image, c.command = a, args[i+1:]
			return c, true
		}
		name, value, hasValue := strings.Cut(a, "=")
		if !hasValue && dockerValueOptions[name] && i+1 < len(args) {
			i++
			value, hasValue = args[i], true
		}
		if hasValue {
			c.option(name, value)
		}
	}
	return c, false
}

func (c *container) option(name, value string) {
	switch name {
	case "-p", "--publish":
		c.addPort(value)
	case "--name":
		c.name = value
	case "-e", "--env":
		c.addEnv(value)
	case "--env-file":
		c.envFiles = append(c.envFiles, value)
	case "--entrypoint":
		c.entrypoint, c.hasEntrypoint = []string{value}, true
	}
}

// addEnv reads NAME=value, or a bare NAME passed through from the caller.
func (c *container) addEnv(value string) {
	name, v, _ := strings.Cut(value, "=")
	if isEnvName(name) {
		c.env[name] = v
	}
}

// addPort reads [ip:]host:container[/proto] and a bare container port.
func (c *container) addPort(spec string) {
	spec, _, _ = strings.Cut(spec, "/")
	parts := strings.Split(spec, ":")
	target, err := strconv.Atoi(parts[len(parts)-1])
	if err != nil {
		return
	}
	host := 0
	if len(parts) >= 2 {
		host, _ = strconv.Atoi(parts[len(parts)-2])
	}
	c.ports[target] = host
}

// launcherBackend reads a vLLM image (repository named vllm or
// vllm-openai) whose entrypoint is replaced by a launcher script of the
// image: the script, not in the repository, starts vLLM with settings it
// reads from the environment. The port is PORT when the environment sets
// it (the HTTP port such launchers bind; VLLM_PORT is an internal one),
// else the one container port published, else vLLM's default; the served
// name is SERVED_MODEL_NAME, else the model, MODEL. A note says all this
// was read from the environment, not from a launch line.
func (c container) launcherBackend(env map[string]string) (Backend, bool) {
	name := path.Base(imageRepo(c.image))
	if !c.hasEntrypoint || name != "vllm" && name != "vllm-openai" {
		return Backend{}, false
	}
	b := Backend{Kind: VLLM, Source: c.src, Image: c.image, Container: c.name, EnvFiles: c.envFiles,
		Port: vllmDefaultPort, PortOrigin: "default", Model: env["MODEL"]}
	if p, err := strconv.Atoi(env["PORT"]); err == nil {
		b.Port, b.PortOrigin = p, "PORT"
	} else if p, ok := onlyPort(c.ports); ok {
		b.Port, b.PortOrigin = p, "published port"
	}
	b.ServedNames = strings.Fields(strings.ReplaceAll(env["SERVED_MODEL_NAME"], ",", " "))
	if len(b.ServedNames) == 0 && b.Model != "" {
		b.ServedNames = []string{b.Model}
	}
	b.HostPort = c.ports[b.Port]
	b.Notes = append(b.Notes, "a vLLM image whose entrypoint "+strings.Join(c.entrypoint, " ")+
		" is a launcher inside the image: port and served name read from its environment (PORT, SERVED_MODEL_NAME), not from a vllm serve line")
	return b, true
}

func onlyPort(ports map[int]int) (int, bool) {
	for p := range ports {
		return p, len(ports) == 1
	}
	return 0, false
}
