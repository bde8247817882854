package artifact

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func recognizeFixture(t *testing.T, name string) Findings {
	t.Helper()
	content, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	found, err := Recognize(name, content)
	if err != nil {
		t.Fatalf("Recognize(%s): %v", name, err)
	}
	return found
}

// withoutNotes compares everything but the free-text notes, checked apart.
func withoutNotes(bs []Backend) []Backend {
	out := make([]Backend, len(bs))
	for i, b := range bs {
		b.Notes = nil
		out[i] = b
	}
	return out
}

func assertBackends(t *testing.T, got, want []Backend) {
	t.Helper()
	got = withoutNotes(got)
	if len(got) != len(want) {
		t.Fatalf("got %d backends, want %d:\n%s", len(got), len(want), dump(got))
	}
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("backend %d:\n got %+v\nwant %+v", i, got[i], want[i])
		}
	}
}

func dump(bs []Backend) string {
	var s strings.Builder
	for _, b := range bs {
		fmt.Fprintf(&s, "  %+v\n", b)
	}
	return s.String()
}

func hasNote(b Backend, part string) bool {
	for _, n := range b.Notes {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

func TestComposeServices(t *testing.T) {
	found := recognizeFixture(t, "docker-compose.yml")
	f := "docker-compose.yml"
	assertBackends(t, found.Backends, []Backend{
		{Kind: VLLM, Source: Source{f, 5}, Port: 8000, PortOrigin: "default", HostPort: 8001,
			Model: "Qwen/Qwen2.5-7B-Instruct", ServedNames: []string{"qwen7b", "qwen"},
			APIKey: Secret{Ref: "${VLLM_API_KEY}"}, Container: "vllm-qwen", Image: "vllm/vllm-openai:v0.10.1"},
		{Kind: SGLang, Source: Source{f, 18}, Port: 30001, PortOrigin: "--port", HostPort: 31001,
			Model: "meta-llama/Llama-3.1-8B-Instruct", ServedNames: []string{"meta-llama/Llama-3.1-8B-Instruct"},
			Container: "sglang", Image: "lmsysorg/sglang:latest"},
		{Kind: Ollama, Source: Source{f, 23}, Port: 11500, PortOrigin: "OLLAMA_HOST", HostPort: 11500,
			Container: "ollama", Image: "ollama/ollama:0.11.4"},
		{Kind: TGI, Source: Source{f, 29}, Port: 80, PortOrigin: "PORT", HostPort: 8080,
			Model: "HuggingFaceH4/zephyr-7b-beta", ServedNames: []string{"HuggingFaceH4/zephyr-7b-beta"},
			Container: "tgi", Image: "ghcr.io/huggingface/text-generation-inference:3.3.4"},
		{Kind: LlamaCpp, Source: Source{f, 32}, Port: 9000, PortOrigin: "LLAMA_ARG_PORT", HostPort: 9000,
			Model: "/models/q.gguf", ServedNames: []string{"qwen-small", "qs"},
			Container: "llamacpp", Image: "ghcr.io/ggml-org/llama.cpp:server-cuda"},
	})
}

func TestSystemdUnit(t *testing.T) {
	found := recognizeFixture(t, "vllm-qwen.service")
	assertBackends(t, found.Backends, []Backend{
		{Kind: VLLM, Source: Source{"vllm-qwen.service", 9}, Port: 8002, PortOrigin: "--port",
			Model: "/srv/models/qwen2.5-32b-awq", ServedNames: []string{"qwen32b", "qwen"},
			APIKey: Secret{Ref: "env VLLM_API_KEY"}, Unit: "vllm-qwen.service",
			EnvFiles: []string{"/etc/default/vllm"}},
	})
}

func TestDockerRunAndNativeCommandsInAScript(t *testing.T) {
	found := recognizeFixture(t, "start-servers.sh")
	f := "start-servers.sh"
	assertBackends(t, found.Backends, []Backend{
		{Kind: VLLM, Source: Source{f, 4}, Port: 8000, PortOrigin: "default", HostPort: 8003,
			Model: "meta-llama/Llama-3.1-8B-Instruct", ServedNames: []string{"meta-llama/Llama-3.1-8B-Instruct"},
			APIKey: Secret{Ref: "env VLLM_API_KEY"}, Container: "vllm-llama", Image: "vllm/vllm-openai:latest"},
		{Kind: LlamaCpp, Source: Source{f, 12}, Port: 8080, PortOrigin: "default",
			Model: "/models/mistral-7b.Q4_K_M.gguf", ServedNames: []string{"mistral"}},
		{Kind: SGLang, Source: Source{f, 14}, Port: 30000, PortOrigin: "default",
			Model: "Qwen/Qwen2.5-1.5B", ServedNames: []string{"small qwen"}, APIKey: Secret{Ref: "$SGLANG_KEY"}},
	})
	if !hasNote(found.Backends[1], "9931") {
		t.Errorf("llama-server on its default port must carry the 8080/9931 caveat: %q", found.Backends[1].Notes)
	}
}

func TestVLLMConfigFile(t *testing.T) {
	found := recognizeFixture(t, "vllm-config.yaml")
	assertBackends(t, found.Backends, []Backend{
		{Kind: VLLM, Source: Source{"vllm-config.yaml", 2}, Port: 8004, PortOrigin: "config file --port",
			Model: "mistralai/Mistral-7B-Instruct-v0.3", ServedNames: []string{"mistral", "mistral-7b"},
			APIKey: Secret{Ref: Literal}},
	})
	if !hasNote(found.Backends[0], "only LiteLLM resolves os.environ/") {
		t.Errorf("an os.environ/ key outside LiteLLM is literal text and must say so: %q", found.Backends[0].Notes)
	}
}

func TestLlamaSwapConfig(t *testing.T) {
	found := recognizeFixture(t, "llama-swap.yaml")
	f := "llama-swap.yaml"
	assertBackends(t, found.Backends, []Backend{
		{Kind: LlamaCpp, Source: Source{f, 7}, Port: 0, PortOrigin: "--port",
			Model: "/models/qwen-coder.gguf", ServedNames: []string{"/models/qwen-coder.gguf"}},
		{Kind: LlamaCpp, Source: Source{f, 17}, Port: 8080, PortOrigin: "--port", HostPort: 9797,
			Model: "/models/llama3.gguf", ServedNames: []string{"/models/llama3.gguf"},
			Container: "llama-docker", Image: "ghcr.io/ggml-org/llama.cpp:server"},
	})
	if !hasNote(found.Backends[0], "${PORT} is assigned by llama-swap") {
		t.Errorf("a ${PORT} backend must say its port is assigned at load time: %q", found.Backends[0].Notes)
	}
	want := []Route{
		{Alias: "qwen-coder", APIBase: "http://localhost:${PORT}", Source: Source{f, 6}},
		{Alias: "coder", APIBase: "http://localhost:${PORT}", Source: Source{f, 6}},
		{Alias: "llama-docker", Model: "llama3", APIBase: "http://127.0.0.1:9797", Source: Source{f, 14}},
	}
	if len(found.Proxies) != 1 || found.Proxies[0].Kind != LlamaSwap {
		t.Fatalf("want one llama-swap proxy, got %+v", found.Proxies)
	}
	if !reflect.DeepEqual(found.Proxies[0].Routes, want) {
		t.Errorf("routes:\n got %+v\nwant %+v", found.Proxies[0].Routes, want)
	}
}

func TestLiteLLMConfigKeepsReferencesAndRedactsLiterals(t *testing.T) {
	found := recognizeFixture(t, "litellm-config.yaml")
	f := "litellm-config.yaml"
	want := Proxy{Kind: LiteLLM, Source: Source{f, 2}, MasterKey: Secret{Ref: "os.environ/LITELLM_MASTER_KEY"},
		Settings: []string{"model_list", "router_settings", "litellm_settings", "general_settings"},
		Routes: []Route{
			{Alias: "local/reasoner", Model: "openai/qwen32b", APIBase: "http://127.0.0.1:8002/v1",
				APIKey: Secret{Ref: "os.environ/VLLM_QWEN_KEY"}, Source: Source{f, 2}},
			{Alias: "local/small", Model: "hosted_vllm/mistral", APIBase: "http://127.0.0.1:8004/v1",
				APIKey: Secret{Ref: Literal}, Source: Source{f, 7}},
			{Alias: "local/nokey", Model: "ollama/llama3.2", APIBase: "http://127.0.0.1:11434", Source: Source{f, 12}},
		}}
	if len(found.Proxies) != 1 || !reflect.DeepEqual(found.Proxies[0], want) {
		t.Fatalf("got %+v\nwant %+v", found.Proxies, want)
	}
	if s := fmt.Sprintf("%+v %v", found, found); strings.Contains(s, "sk-literal-never-printed") {
		t.Fatalf("a literal key reached the findings: %s", s)
	}
}

func TestBadInputIsAnErrorNamingFileAndLine(t *testing.T) {
	cases := map[string]string{
		"bad-indent.yaml":          "bad-indent.yaml: not valid YAML: yaml: line ",
		"litellm-wrong-shape.yaml": "litellm-wrong-shape.yaml:2: model_list: expected a list, found a mapping",
		"unterminated.sh":          "unterminated.sh:2: unterminated ' quote opened on line 2",
		"compose-bad-command.yml":  "compose-bad-command.yml:3: services.v.command: expected a string or a list of strings, found a mapping",
		"swap-missing-cmd.yaml":    "swap-missing-cmd.yaml:3: models.b.cmd: missing or not a string",
	}
	inputs := map[string]string{
		"unterminated.sh":         "echo ok\nvllm serve 'model --port 1\n",
		"compose-bad-command.yml": "services:\n  v:\n    command: {a: b}\n",
		"swap-missing-cmd.yaml":   "models:\n  a: {cmd: llama-server}\n  b: {proxy: x}\n",
	}
	for name, want := range cases {
		content, ok := []byte(inputs[name]), inputs[name] != ""
		if !ok {
			var err error
			if content, err = os.ReadFile(filepath.Join("testdata", name)); err != nil {
				t.Fatal(err)
			}
		}
		found, err := Recognize(name, content)
		if err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: error %v, want prefix %q", name, err, want)
		}
		if !found.Empty() {
			t.Errorf("%s: a rejected file must yield nothing, got %+v", name, found)
		}
	}
}

func TestUnrelatedFilesYieldNothing(t *testing.T) {
	for name, content := range map[string]string{
		"unrelated.yaml": "", "motd": "Welcome to wintermute\n", "nginx.conf": "server { listen 80; }\n",
		"k8s.yaml": "apiVersion: v1\nkind: Service\n---\nkind: ConfigMap\n",
	} {
		if content == "" {
			b, err := os.ReadFile(filepath.Join("testdata", name))
			if err != nil {
				t.Fatal(err)
			}
			content = string(b)
		}
		found, err := Recognize(name, []byte(content))
		if err != nil || !found.Empty() {
			t.Errorf("%s: got %+v, %v; want nothing and no error", name, found, err)
		}
	}
}

func TestComposeAnchorsAndMergeKeys(t *testing.T) {
	found := recognizeFixture(t, "compose-anchors.yml")
	f, image := "compose-anchors.yml", "vllm/vllm-openai:v0.10.1"
	assertBackends(t, found.Backends, []Backend{
		{Kind: VLLM, Source: Source{f, 10}, Port: 8000, PortOrigin: "default", HostPort: 8000, Model: "org/first",
			ServedNames: []string{"first"}, APIKey: Secret{Ref: "env VLLM_API_KEY"}, Container: "first", Image: image},
		{Kind: VLLM, Source: Source{f, 16}, Port: 8001, PortOrigin: "--port", HostPort: 8011, Model: "org/second",
			ServedNames: []string{"org/second"}, APIKey: Secret{Ref: "env VLLM_API_KEY"}, Container: "second", Image: image},
	})
}

func TestSelfReferencingAnchorsEnd(t *testing.T) {
	content := "x: &a\n  image: vllm/vllm-openai\n  <<: *a\nservices:\n  s:\n    <<: [*a, *a]\n    command: [m]\n"
	found, err := Recognize("loop.yaml", []byte(content))
	if err != nil {
		if !strings.HasPrefix(err.Error(), "loop.yaml: not valid YAML") {
			t.Fatalf("a refused file must be named: %v", err)
		}
		return
	}
	if len(found.Backends) != 1 || found.Backends[0].Model != "m" {
		t.Fatalf("got %+v", found)
	}
}
