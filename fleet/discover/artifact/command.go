package artifact

import (
	"path"
	"strconv"
	"strings"
)

// Defaults read from each project's sources (see doc.go for the files).
const (
	vllmDefaultPort      = 8000
	sglangDefaultPort    = 30000
	llamaCppDefaultPort  = 8080
	llamaCppNewPort      = 9931
	ollamaDefaultPort    = 11434
	llamaSwapDefaultPort = 8080
	tgiLauncherPort      = 3000
	tgiImagePort         = 80
	tgiDefaultModel      = "bigscience/bloom-560m"
)

// launch is a server command after its wrappers were removed.
type launch struct {
	kind      Kind
	args      []string          // the words after the program (and subcommand or module)
	env       map[string]string // environment the command runs with
	vllmServe bool              // `vllm serve` takes the model as a positional argument
	keys      keyContext        // whether $NAME in a key is expanded before the server sees it
}

// recognizeCommand turns one command line into a Backend when it starts a
// known server, directly or through docker/podman run.
func recognizeCommand(args []string, env map[string]string, src Source) (Backend, bool) {
	env, args = stripWrappers(args, env)
	if len(args) == 0 {
		return Backend{}, false
	}
	if isContainerRun(args) {
		c, ok := parseDockerRun(args, src)
		if !ok {
			return Backend{}, false
		}
		return c.backend()
	}
	l, ok := identify(args, env)
	if !ok {
		return Backend{}, false
	}
	return l.backend(src), true
}

// stripWrappers removes leading VAR=value assignments (kept in a copy of
// env, made only when there is one: a script's hundred commands rarely
// have any), exec, env, nohup, sudo, nice and time. The env returned is
// read, never written.
func stripWrappers(args []string, env map[string]string) (map[string]string, []string) {
	copied := false
	for len(args) > 0 {
		if name, value, ok := assignment(args[0]); ok {
			if !copied {
				env, copied = copyEnv(env), true
			}
			env[name] = value
			args = args[1:]
			continue
		}
		if !isWrapper(path.Base(args[0])) {
			break
		}
		args = skipWrapperOptions(args[1:])
	}
	return env, args
}

func isWrapper(word string) bool {
	switch word {
	case "exec", "env", "nohup", "sudo", "nice", "time", "stdbuf":
		return true
	}
	return false
}

// skipWrapperOptions drops the options of a wrapper (sudo -u user, nice -n 5).
func skipWrapperOptions(args []string) []string {
	for len(args) > 0 && strings.HasPrefix(args[0], "-") {
		takesValue := args[0] == "-u" || args[0] == "-n" || args[0] == "-g"
		args = args[1:]
		if takesValue && len(args) > 0 {
			args = args[1:]
		}
	}
	return args
}

func assignment(word string) (string, string, bool) {
	name, value, ok := strings.Cut(word, "=")
	if !ok || !isEnvName(name) {
		return "", "", false
	}
	return name, value, true
}

func copyEnv(env map[string]string) map[string]string {
	out := make(map[string]string, len(env))
	for k, v := range env {
		out[k] = v
	}
	return out
}

// identify names the server a command starts.
func identify(args []string, env map[string]string) (launch, bool) {
	program := path.Base(args[0])
	rest := args[1:]
	switch {
	case program == "vllm" && first(rest) == "serve":
		return launch{kind: VLLM, args: rest[1:], env: env, vllmServe: true, keys: inCommand}, true
	case strings.HasPrefix(program, "python"):
		return identifyModule(rest, env)
	case strings.HasPrefix(program, "llama-server"):
		return launch{kind: LlamaCpp, args: rest, env: env, keys: inCommand}, true
	case program == "llama" && first(rest) == "serve": // llama.app's launcher of llama-server
		return launch{kind: LlamaCpp, args: rest[1:], env: env, keys: inCommand}, true
	case program == "ollama" && first(rest) == "serve":
		return launch{kind: Ollama, args: rest[1:], env: env, keys: inCommand}, true
	case program == "text-generation-launcher":
		return launch{kind: TGI, args: rest, env: env, keys: inCommand}, true
	case program == "llama-swap":
		return launch{kind: LlamaSwap, args: rest, env: env, keys: inCommand}, true
	}
	return launch{}, false
}

// identifyModule recognises `python -m vllm.entrypoints.openai.api_server`
// and `python -m sglang.launch_server` (interpreter options before -m allowed).
func identifyModule(args []string, env map[string]string) (launch, bool) {
	for i := 0; i+1 < len(args); i++ {
		if args[i] != "-m" {
			continue
		}
		switch args[i+1] {
		case "vllm.entrypoints.openai.api_server":
			return launch{kind: VLLM, args: args[i+2:], env: env, keys: inCommand}, true
		case "sglang.launch_server":
			return launch{kind: SGLang, args: args[i+2:], env: env, keys: inCommand}, true
		}
		return launch{}, false
	}
	return launch{}, false
}

func first(args []string) string {
	if len(args) == 0 {
		return ""
	}
	return args[0]
}

func (l launch) backend(src Source) Backend {
	b := Backend{Kind: l.kind, Source: src}
	switch l.kind {
	case VLLM:
		l.fillVLLM(&b)
	case SGLang:
		l.fillSGLang(&b)
	case LlamaCpp:
		l.fillLlamaCpp(&b)
	case Ollama:
		l.fillOllama(&b)
	case TGI:
		l.fillTGI(&b)
	case LlamaSwap:
		l.fillLlamaSwap(&b)
	}
	return b
}

// fillLlamaSwap reads llama-swap's own flags (Go's flag package: -name or
// --name, with a space or =): -listen [host]:port, default :8080, and
// -config FILE, the models it serves, read by its own Recognize call
// (mostlygeek/llama-swap @ 0bdb3720 : llama-swap.go).
func (l launch) fillLlamaSwap(b *Backend) {
	b.Port, b.PortOrigin = llamaSwapDefaultPort, "default"
	if v, ok := flagValue(l.args, "-listen", "--listen"); ok {
		b.Port, b.PortOrigin = listenPort(v, b), "--listen"
	}
	b.ConfigFile, _ = flagValue(l.args, "-config", "--config")
}

// listenPort is the port of a Go listen address ("0.0.0.0:8080", ":8080").
func listenPort(addr string, b *Backend) int {
	i := strings.LastIndex(addr, ":")
	return portNumber(addr[i+1:], b)
}

// setPort reads a port flag, then an environment variable, then the default.
func (l launch) setPort(b *Backend, flags []string, envName string, def int) {
	if v, ok := flagValue(l.args, flags...); ok {
		b.Port, b.PortOrigin = portNumber(v, b), flags[len(flags)-1]
		return
	}
	if v, ok := l.env[envName]; ok && envName != "" {
		b.Port, b.PortOrigin = portNumber(v, b), envName
		return
	}
	b.Port, b.PortOrigin = def, "default"
}

// portNumber parses a port, noting a value that is not a number (a macro).
func portNumber(v string, b *Backend) int {
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n <= 0 || n > 65535 {
		b.Notes = append(b.Notes, "port "+strconv.Quote(v)+" is not a number known before the server starts")
		return 0
	}
	return n
}

func (l launch) setKey(b *Backend, flags []string, envName string) {
	if v, ok := flagValue(l.args, flags...); ok {
		b.APIKey = secretFrom(v, l.keys)
		if note, warn := unresolvedRefNote(v, l.keys); warn {
			b.Notes = append(b.Notes, note)
		}
		return
	}
	if _, ok := l.env[envName]; ok {
		b.APIKey = Secret{Ref: "env " + envName}
	}
}

func (l launch) fillVLLM(b *Backend) {
	if l.vllmServe && len(l.args) > 0 && !strings.HasPrefix(l.args[0], "-") {
		b.Model = l.args[0]
	} else if v, ok := flagValue(l.args, "--model"); ok {
		b.Model = v
	}
	l.setPort(b, []string{"--port"}, "", vllmDefaultPort)
	b.ServedNames = flagValues(l.args, "--served-model-name")
	l.setKey(b, []string{"--api-key"}, "VLLM_API_KEY")
	b.ConfigFile, _ = flagValue(l.args, "--config")
	defaultServedName(b)
}

func (l launch) fillSGLang(b *Backend) {
	b.Model, _ = flagValue(l.args, "--model-path", "--model")
	l.setPort(b, []string{"--port"}, "", sglangDefaultPort)
	if v, ok := flagValue(l.args, "--served-model-name"); ok {
		b.ServedNames = []string{v}
	}
	l.setKey(b, []string{"--api-key"}, "")
	b.ConfigFile, _ = flagValue(l.args, "--config")
	defaultServedName(b)
}

// defaultServedName applies vLLM's and SGLang's rule: without
// --served-model-name the model is served under its path or id. With a
// --config file the name may come from there instead.
func defaultServedName(b *Backend) {
	if len(b.ServedNames) == 0 && b.Model != "" {
		b.ServedNames = []string{b.Model}
	}
}

func (l launch) fillLlamaCpp(b *Backend) {
	b.Model = l.llamaValue([]string{"-m", "--model"}, "LLAMA_ARG_MODEL")
	if b.Model == "" {
		b.Model = l.llamaValue([]string{"-hf", "-hfr", "--hf-repo"}, "LLAMA_ARG_HF_REPO")
	}
	l.setPort(b, []string{"--port"}, "LLAMA_ARG_PORT", llamaCppDefaultPort)
	if b.PortOrigin == "default" {
		b.Notes = append(b.Notes, "llama-server's default port is 8080 up to the release that makes it 9931 (ggml-org/llama.cpp#26508): pass --port")
	}
	b.ServedNames = splitList(l.llamaValue([]string{"-a", "--alias"}, "LLAMA_ARG_ALIAS"))
	l.setKey(b, []string{"--api-key"}, "LLAMA_API_KEY")
	if v, ok := flagValue(l.args, "--api-key-file"); ok && !b.APIKey.IsSet() {
		b.APIKey = Secret{Ref: "file " + v}
	}
	if len(b.ServedNames) == 0 && b.Model != "" {
		b.ServedNames = []string{b.Model}
	}
}

func (l launch) llamaValue(flags []string, envName string) string {
	if v, ok := flagValue(l.args, flags...); ok {
		return v
	}
	return l.env[envName]
}

// fillOllama reads OLLAMA_HOST the way ollama's envconfig.Host does: no
// port means 11434, or 80/443 when a scheme is written.
func (l launch) fillOllama(b *Backend) {
	b.Port, b.PortOrigin = ollamaDefaultPort, "default"
	if host, ok := l.env["OLLAMA_HOST"]; ok {
		b.Port, b.PortOrigin = ollamaPort(host), "OLLAMA_HOST"
	}
}

func ollamaPort(host string) int {
	def := ollamaDefaultPort
	scheme, hostport, ok := strings.Cut(strings.TrimSpace(host), "://")
	if !ok {
		hostport = scheme
	} else if scheme == "http" {
		def = 80
	} else if scheme == "https" {
		def = 443
	}
	hostport, _, _ = strings.Cut(hostport, "/")
	i := strings.LastIndex(hostport, ":")
	if i < 0 || strings.HasSuffix(hostport, "]") {
		return def
	}
	n, err := strconv.Atoi(hostport[i+1:])
	if err != nil || n < 0 || n > 65535 {
		return def
	}
	return n
}

func (l launch) fillTGI(b *Backend) {
	b.Model = l.llamaValue([]string{"--model-id"}, "MODEL_ID")
	if b.Model == "" {
		b.Model = tgiDefaultModel
		b.Notes = append(b.Notes, "no --model-id: text-generation-launcher defaults to "+tgiDefaultModel)
	}
	l.setPort(b, []string{"-p", "--port"}, "PORT", tgiLauncherPort)
	l.setKey(b, []string{"--api-key"}, "API_KEY")
	b.ServedNames = []string{b.Model}
}
