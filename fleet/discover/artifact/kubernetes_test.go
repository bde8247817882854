package artifact

import (
	"strings"
	"testing"
)

// A StatefulSet whose container replaces the image's entrypoint (command)
// and passes the server's flags as args, with its port in env: Kubernetes'
// command is the ENTRYPOINT, args the CMD.
func TestKubernetesContainerCommandArgsAndEnv(t *testing.T) {
	manifest := `apiVersion: apps/v1
kind: StatefulSet
metadata: {name: llama}
spec:
  template:
    spec:
      initContainers:
        - name: fetch
          image: busybox
          command: [wget, http://127.0.0.1/m.gguf]
      containers:
        - name: server
          image: ghcr.io/ggml-org/llama.cpp:server
          command: ["/app/llama-server"]
          args: ["-m", "/models/m.gguf", "--alias", "small,tiny"]
          env:
            - {name: LLAMA_ARG_PORT, value: "18401"}
            - name: LLAMA_API_KEY
              valueFrom: {secretKeyRef: {name: k, key: k}}
---
apiVersion: v1
kind: Service
metadata: {name: llama}
spec: {ports: [{port: 80}]}
`
	found, err := Recognize("k8s/llama.yaml", []byte(manifest))
	if err != nil {
		t.Fatal(err)
	}
	assertBackends(t, found.Backends, []Backend{{Kind: LlamaCpp, Source: Source{"k8s/llama.yaml", 14}, Port: 18401,
		PortOrigin: "LLAMA_ARG_PORT", Model: "/models/m.gguf", ServedNames: []string{"small", "tiny"},
		Container: "server", Image: "ghcr.io/ggml-org/llama.cpp:server"}})
	if !strings.Contains(strings.Join(found.Backends[0].Notes, ";"), "Kubernetes") {
		t.Errorf("notes %q", found.Backends[0].Notes)
	}
}

// A [Service] part without ExecStart that sets OLLAMA_HOST is an Ollama
// server only as a drop-in (UNIT.service.d/): a copy of it kept elsewhere
// starts nothing.
func TestOllamaDropInOnlyInADropInFolder(t *testing.T) {
	unit := "# managed\n[Service]\nEnvironment=\"OLLAMA_HOST=127.0.0.1:18402\" \"OLLAMA_KEEP_ALIVE=5m\"\n"
	found, err := Recognize("/etc/systemd/system/ollama.service.d/10-host.conf", []byte(unit))
	if err != nil {
		t.Fatal(err)
	}
	assertBackends(t, found.Backends, []Backend{{Kind: Ollama, Source: Source{"/etc/systemd/system/ollama.service.d/10-host.conf", 3},
		Port: 18402, PortOrigin: "OLLAMA_HOST", Unit: "ollama.service", DropIn: true}})
	if found, _ = Recognize("/home/ops/ollama-override.conf", []byte(unit)); !found.Empty() {
		t.Errorf("a copy outside a drop-in folder: %+v", found)
	}
	bare, _ := Recognize("/etc/systemd/system/ollama.service.d/gpu.conf", []byte("[Service]\nEnvironment=CUDA_VISIBLE_DEVICES=0\n"))
	if len(bare.Backends) != 1 || bare.Backends[0].Port != 11434 || bare.Backends[0].Source.Line != 2 {
		t.Errorf("a drop-in over ollama.service without OLLAMA_HOST: %+v", bare)
	}
}

// A docker_container or podman_container task's settings: the image's own
// entrypoint (vllm serve) with the task's command, published on the host.
func TestRecognizeContainerSpec(t *testing.T) {
	b, ok := RecognizeContainer(ContainerSpec{Name: "vllm", Image: "vllm/vllm-openai:latest",
		Command: []string{"--model", "Qwen/Qwen3-8B", "--port", "8002"}, Ports: []string{"127.0.0.1:18403:8002"},
		Env: map[string]string{"VLLM_API_KEY": "$KEY"}, Source: Source{"roles/vllm/tasks/main.yml", 12}})
	if !ok {
		t.Fatal("not recognised")
	}
	if b.Kind != VLLM || b.Port != 8002 || b.HostPort != 18403 || b.Model != "Qwen/Qwen3-8B" ||
		strings.Join(b.ServedNames, ",") != "Qwen/Qwen3-8B" || b.Source.String() != "roles/vllm/tasks/main.yml:12" || b.Container != "vllm" {
		t.Errorf("got %+v", b)
	}
	if _, ok := RecognizeContainer(ContainerSpec{Image: "postgres:16", Ports: []string{"5432:5432"}}); ok {
		t.Error("postgres recognised as a model server")
	}
}

// A vLLM image whose entrypoint is a launcher script of the image takes
// its settings from the environment (jedmund/homelab's DeepSeek service):
// port from PORT, served name from SERVED_MODEL_NAME, with a note. Another
// image with a replaced entrypoint is not a server.
func TestVLLMLauncherImageReadsItsEnvironment(t *testing.T) {
	compose := `services:
  ds:
    image: example/vllm:launcher-r15
    entrypoint: ["/usr/local/bin/serve.sh"]
    ports: ["18601:18601"]
    environment:
      PORT: "18601"
      SERVED_MODEL_NAME: DeepSeek-Flash
      VLLM_PORT: "29500"
  other:
    image: example/tools:latest
    entrypoint: ["/usr/local/bin/serve.sh"]
    environment: {PORT: "18602"}
`
	found, err := Recognize("compose.yaml", []byte(compose))
	if err != nil {
		t.Fatal(err)
	}
	assertBackends(t, found.Backends, []Backend{{Kind: VLLM, Source: Source{"compose.yaml", 4}, Port: 18601, PortOrigin: "PORT",
		HostPort: 18601, ServedNames: []string{"DeepSeek-Flash"}, Container: "ds", Image: "example/vllm:launcher-r15"}})
	if !strings.Contains(strings.Join(found.Backends[0].Notes, ";"), "launcher") {
		t.Errorf("notes %q", found.Backends[0].Notes)
	}
}

// An ExecStart whose last word has the next directive run into it
// (githubixx's llama unit: "llama serve{% for %}…{% endfor %}" then
// "Restart=always", the newline trimmed) starts no server as rendered: it
// is reported, not counted. A word that merely contains "=" is not.
func TestGluedExecStartIsAProblemNotABackend(t *testing.T) {
	unit := "[Service]\nEnvironment=LLAMA_ARG_PORT=18701\nExecStart=/usr/local/bin/llama serveRestart=always\nRestartSec=3\n"
	found, err := Recognize("/etc/systemd/system/llama.service", []byte(unit))
	if err != nil {
		t.Fatal(err)
	}
	if len(found.Backends) != 0 || len(found.Problems) != 1 ||
		!strings.HasPrefix(found.Problems[0], "/etc/systemd/system/llama.service:3: ExecStart ends in \"serveRestart=always\"") {
		t.Errorf("got %+v", found)
	}
	ok, _ := Recognize("/etc/systemd/system/tool.service", []byte("[Service]\nExecStart=/usr/bin/tool --mode=Restart=always\n"))
	if len(ok.Problems) != 0 || len(ok.Backends) != 0 {
		t.Errorf("an unrelated unit: %+v", ok)
	}
}
