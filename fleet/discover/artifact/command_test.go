package artifact

import (
	"reflect"
	"testing"
)

// TestCommandLines covers launch forms one line each: wrappers, modules,
// environment, defaults and container runtimes.
func TestCommandLines(t *testing.T) {
	cases := []struct {
		line string
		want Backend
	}{
		{"sudo -u vllm /usr/local/bin/vllm serve --model org/m --port=8100 --served-model-name=alias",
			Backend{Kind: VLLM, Port: 8100, PortOrigin: "--port", Model: "org/m", ServedNames: []string{"alias"}}},
		{"python3 -m vllm.entrypoints.openai.api_server --model org/m --api-key sk-abc --config /etc/vllm.yaml",
			Backend{Kind: VLLM, Port: 8000, PortOrigin: "default", Model: "org/m", ServedNames: []string{"org/m"},
				APIKey: Secret{Ref: Literal}, ConfigFile: "/etc/vllm.yaml"}},
		{"OLLAMA_HOST=0.0.0.0 ollama serve", Backend{Kind: Ollama, Port: 11434, PortOrigin: "OLLAMA_HOST"}},
		{"OLLAMA_HOST=http://127.0.0.1 ollama serve", Backend{Kind: Ollama, Port: 80, PortOrigin: "OLLAMA_HOST"}},
		{"env OLLAMA_HOST=[::1]:11500 ollama serve", Backend{Kind: Ollama, Port: 11500, PortOrigin: "OLLAMA_HOST"}},
		{"ollama serve", Backend{Kind: Ollama, Port: 11434, PortOrigin: "default"}},
		{"MODEL_ID=org/tgi text-generation-launcher -p 8090",
			Backend{Kind: TGI, Port: 8090, PortOrigin: "--port", Model: "org/tgi", ServedNames: []string{"org/tgi"}}},
		{"llama-server -hf ggml-org/gemma-3-1b-it-GGUF --port 9931 --api-key-file /etc/llama/keys",
			Backend{Kind: LlamaCpp, Port: 9931, PortOrigin: "--port", Model: "ggml-org/gemma-3-1b-it-GGUF",
				ServedNames: []string{"ggml-org/gemma-3-1b-it-GGUF"}, APIKey: Secret{Ref: "file /etc/llama/keys"}}},
		{"LLAMA_ARG_HOST=127.0.0.1 LLAMA_ARG_PORT=8080 /usr/local/bin/llama serve",
			Backend{Kind: LlamaCpp, Port: 8080, PortOrigin: "LLAMA_ARG_PORT"}},
		{"llama serve -m /models/a.gguf --alias a,b --port 8181",
			Backend{Kind: LlamaCpp, Port: 8181, PortOrigin: "--port", Model: "/models/a.gguf", ServedNames: []string{"a", "b"}}},
		{"podman container run --rm -p 8181:80 -e MODEL_ID=org/t ghcr.io/huggingface/text-generation-inference:3.3",
			Backend{Kind: TGI, Port: 80, PortOrigin: "PORT", HostPort: 8181, Model: "org/t", ServedNames: []string{"org/t"},
				Image: "ghcr.io/huggingface/text-generation-inference:3.3"}},
		{"docker run --entrypoint vllm my/custom:1 serve org/m --port 9000 -p 1",
			Backend{Kind: VLLM, Port: 9000, PortOrigin: "--port", Model: "org/m", ServedNames: []string{"org/m"},
				Image: "my/custom:1"}},
	}
	for _, c := range cases {
		found, err := Recognize("x.sh", []byte(c.line))
		c.want.Source = Source{"x.sh", 1}
		if err != nil || len(found.Backends) != 1 {
			t.Errorf("%s: got %+v, %v", c.line, found, err)
			continue
		}
		if got := withoutNotes(found.Backends)[0]; !reflect.DeepEqual(got, c.want) {
			t.Errorf("%s:\n got %+v\nwant %+v", c.line, got, c.want)
		}
	}
}

func TestNotAServer(t *testing.T) {
	for _, line := range []string{"vllm bench serve --model m", "python3 -m http.server 8000", "docker run redis:7",
		"docker ps", "ollama pull llama3", "echo vllm serve m"} {
		found, err := Recognize("x.sh", []byte(line))
		if err != nil || !found.Empty() {
			t.Errorf("%s: got %+v, %v; want nothing", line, found, err)
		}
	}
}

func TestUnitWithShellWrapper(t *testing.T) {
	unit := "[Service]\nEnvironment=OLLAMA_HOST=0.0.0.0:11600\nExecStart=/bin/bash -c 'sleep 2; exec /usr/bin/ollama serve'\n"
	found, err := Recognize("/etc/systemd/system/ollama.service", []byte(unit))
	want := []Backend{{Kind: Ollama, Source: Source{"/etc/systemd/system/ollama.service", 3}, Port: 11600,
		PortOrigin: "OLLAMA_HOST", Unit: "ollama.service"}}
	if err != nil || !reflect.DeepEqual(found.Backends, want) {
		t.Fatalf("got %+v, %v\nwant %+v", found.Backends, err, want)
	}
}
