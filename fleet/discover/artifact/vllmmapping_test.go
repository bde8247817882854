package artifact

import "testing"

// seedConfig is examples/homelab's vllm_config.yml.j2 rendered for
// wintermute, as the seed left it deployed: without served_model_name.
const seedConfig = `# Ansible managed
vllm:
  enabled: true
  model: "casperhansen/llama-3-8b-instruct-awq"
  port: 8000
  container_name: "vllm-wintermute"
  image: "vllm/vllm-openai:latest"
  max_model_len: 9000
  quantization: "awq"
`

func TestVLLMMappingConfigWithoutServedName(t *testing.T) {
	found, err := Recognize(`C:\vllm\config.yml`, []byte(seedConfig))
	if err != nil {
		t.Fatal(err)
	}
	assertBackends(t, found.Backends, []Backend{{Kind: VLLM, Source: Source{File: `C:\vllm\config.yml`, Line: 3},
		Port: 8000, PortOrigin: "vllm: mapping --port", Model: "casperhansen/llama-3-8b-instruct-awq",
		ServedNames: []string{"casperhansen/llama-3-8b-instruct-awq"}, Container: "vllm-wintermute"}})
}

func TestVLLMMappingConfigWithServedNameAndPort(t *testing.T) {
	content := "vllm:\n  model: org/m\n  served_model_name: \"m-a\"\n  port: 8001\n  api_key: sk-not-kept\n"
	found, err := Recognize("/etc/vllm/config.yml", []byte(content))
	if err != nil {
		t.Fatal(err)
	}
	b := found.Backends[0]
	if b.Port != 8001 || len(b.ServedNames) != 1 || b.ServedNames[0] != "m-a" || b.Model != "org/m" {
		t.Fatalf("got %+v", b)
	}
	if b.APIKey.Ref != Literal {
		t.Fatalf("the key must be kept only as a reference, got %q", b.APIKey.Ref)
	}
}

func TestVLLMMappingDisabledIsNoted(t *testing.T) {
	found, err := Recognize("config.yml", []byte("vllm:\n  enabled: false\n  model: org/m\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !hasNote(found.Backends[0], "does not start vLLM") {
		t.Fatalf("notes: %v", found.Backends[0].Notes)
	}
}

func TestYAMLWithoutAVLLMModelIsNotAServer(t *testing.T) {
	for _, content := range []string{"vllm:\n  port: 8000\n", "vllm: true\n", "vllm:\n  model: [a, b]\n"} {
		found, err := Recognize("x.yml", []byte(content))
		if err != nil || !found.Empty() {
			t.Errorf("%q: %+v, %v", content, found, err)
		}
	}
}
