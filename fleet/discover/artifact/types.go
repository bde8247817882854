package artifact

import (
	"fmt"
	"strings"
)

// Kind names a serving stack.
type Kind string

const (
	VLLM      Kind = "vllm"
	SGLang    Kind = "sglang"
	LlamaCpp  Kind = "llama.cpp"
	Ollama    Kind = "ollama"
	TGI       Kind = "tgi"
	LlamaSwap Kind = "llama-swap"
	LiteLLM   Kind = "litellm"
)

// Source is where a finding was read: the file as given to Recognize and a
// 1-based line.
type Source struct {
	File string
	Line int
}

func (s Source) String() string { return fmt.Sprintf("%s:%d", s.File, s.Line) }

// Secret says where a key comes from without ever holding its value: Ref is
// "os.environ/NAME", "$NAME", "env NAME", "file PATH" or "literal (redacted)".
// The zero Secret means no key is configured.
type Secret struct {
	Ref string
}

// Literal is the Ref of a key written in clear in the artifact.
const Literal = "literal (redacted)"

// IsSet reports whether a key is configured.
func (s Secret) IsSet() bool { return s.Ref != "" }

func (s Secret) String() string {
	if s.Ref == "" {
		return "none"
	}
	return s.Ref
}

// Where a key value is read decides which references are resolved before
// the server sees it.
type keyContext int

const (
	inCommand    keyContext = iota // a shell, systemd or compose expands $NAME and ${NAME}
	inConfigFile                   // a server's --config YAML: nothing is expanded
	inLiteLLM                      // LiteLLM resolves os.environ/NAME itself
)

// secretFrom classifies a key value: references are kept, literals redacted.
func secretFrom(value string, ctx keyContext) Secret {
	v := strings.TrimSpace(value)
	switch {
	case v == "":
		return Secret{}
	case ctx == inLiteLLM && strings.HasPrefix(v, "os.environ/"):
		return Secret{Ref: v}
	case ctx == inCommand && isVarRef(v):
		return Secret{Ref: v}
	}
	return Secret{Ref: Literal}
}

// unresolvedRefNote warns about a reference form the reader will not resolve:
// the server then takes the reference text itself as its key.
func unresolvedRefNote(value string, ctx keyContext) (string, bool) {
	v := strings.TrimSpace(value)
	if ctx != inLiteLLM && strings.HasPrefix(v, "os.environ/") {
		return "the API key is the literal text " + v + ": only LiteLLM resolves os.environ/", true
	}
	if ctx == inConfigFile && isVarRef(v) {
		return "the API key is the literal text " + v + ": a --config file is not expanded", true
	}
	return "", false
}

// isVarRef matches $NAME and ${NAME} (the whole value, nothing else).
func isVarRef(v string) bool {
	name, ok := strings.CutPrefix(v, "$")
	if !ok {
		return false
	}
	if inner, braced := strings.CutPrefix(name, "{"); braced {
		name, ok = strings.CutSuffix(inner, "}")
		if !ok {
			return false
		}
	}
	return isEnvName(name)
}

func isEnvName(name string) bool {
	if name == "" || (name[0] >= '0' && name[0] <= '9') {
		return false
	}
	for _, r := range name {
		if !(r == '_' || r >= 'A' && r <= 'Z' || r >= 'a' && r <= 'z' || r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// Backend is one model server an artifact starts.
type Backend struct {
	Kind   Kind
	Source Source // the line of the command, image or ExecStart
	// Port is the port the server listens on (inside its container when it
	// runs in one); 0 when it cannot be known from the artifact (llama-swap's
	// ${PORT}). PortOrigin says where it came from: "--port", "default",
	// "LLAMA_ARG_PORT", "OLLAMA_HOST", "config file".
	Port       int
	PortOrigin string
	// HostPort is the published host port of a container (compose ports:,
	// docker run -p) mapped to Port; 0 when unpublished or not a container.
	HostPort int
	// Model is the model path or id as given; ServedNames are the ids the
	// server answers to in /v1/models (vLLM and SGLang default to Model).
	Model       string
	ServedNames []string
	APIKey      Secret
	Container   string // compose service (or container_name) or docker run --name
	Unit        string // systemd unit file name
	Image       string
	ConfigFile  string   // --config FILE, to be read with its own Recognize call
	EnvFiles    []string // systemd EnvironmentFile= / compose env_file: (not read)
	Notes       []string // caveats: a version-dependent default, an unexpanded macro
	// DropIn: read from a systemd drop-in that sets the environment of a
	// unit (Unit) whose ExecStart is elsewhere; where that unit is rendered
	// too, the two are one server.
	DropIn bool
}

// Route is one LiteLLM model_list entry or one llama-swap model.
type Route struct {
	Alias   string // the name clients send (model_name, llama-swap key or alias)
	Model   string // LiteLLM's litellm_params.model, llama-swap's useModelName
	APIBase string // where the route sends requests
	APIKey  Secret
	Source  Source
}

// Proxy is a router in front of backends: LiteLLM or llama-swap.
type Proxy struct {
	Kind      Kind
	Source    Source
	MasterKey Secret // LiteLLM general_settings.master_key
	Routes    []Route
	Settings  []string // top-level sections present (router_settings, litellm_settings...)
}

// Findings is what Recognize found in one file. Problems are what makes
// a line that looks like a server's launch start none (file:line: why);
// the file's other findings stand.
type Findings struct {
	Backends []Backend
	Proxies  []Proxy
	Problems []string
}

// Empty reports whether nothing was recognised.
func (f Findings) Empty() bool { return len(f.Backends) == 0 && len(f.Proxies) == 0 }

func (f *Findings) merge(o Findings) {
	f.Backends = append(f.Backends, o.Backends...)
	f.Proxies = append(f.Proxies, o.Proxies...)
	f.Problems = append(f.Problems, o.Problems...)
}
