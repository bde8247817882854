package discover

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/ansible"
)

// moduleTasksRepo starts its servers in the shapes of the corpus of
// docs/real-repositories.md that no rendered file shows: a docker_container
// task, a podman_container task (litellm-lab), a Kubernetes manifest
// rendered by a template and applied by k8s (vllm-machine-setup), a k8s
// task with an inline definition, an Ollama drop-in over the installer's
// unit (dgx-ansible) with a copy of it kept elsewhere, and a compose file
// used in place from a checkout of the repository (dgx-spark).
var moduleTasksRepo = map[string]string{
	"ansible.cfg": "[defaults]\ninventory = hosts.ini\n",
	"hosts.ini":   "[gpu]\ngpu1 ansible_host=127.0.0.1 ansible_connection=local\n",
	"group_vars/gpu.yml": "vllm_image: vllm/vllm-openai:v0.11.0\nvllm_port: 8001\nollama_port: 18302\n" +
		"checkout: /srv/stack\n",
	"site.yml": `- hosts: gpu
  gather_facts: false
  tasks:
    - name: probe
      command: nvidia-smi
      register: smi
    - name: vLLM container
      community.docker.docker_container:
        name: vllm
        image: "{{ vllm_image }}"
        command: "--model Qwen/Qwen2.5-7B-Instruct --served-model-name q7 q7-chat --port {{ vllm_port }}"
        published_ports:
          - "127.0.0.1:18301:{{ vllm_port }}"
      when: smi.rc == 0
    - name: Ollama container
      containers.podman.podman_container:
        name: ollama
        image: docker.io/ollama/ollama:latest
        ports:
          - "{{ ollama_port }}:11434"
      tags: [ollama]
    - name: manifest
      template:
        src: deployment.yaml.j2
        dest: /home/ops/vllm-deployment.yaml
    - name: apply
      kubernetes.core.k8s:
        state: present
        src: /home/ops/vllm-deployment.yaml
    - name: SGLang pod
      kubernetes.core.k8s:
        state: present
        definition:
          apiVersion: v1
          kind: Pod
          metadata: {name: sglang}
          spec:
            containers:
              - name: sglang
                image: lmsysorg/sglang:latest
                command: [python3, -m, sglang.launch_server]
                args: [--model-path, /models/qwen, --served-model-name, qwen-sgl, --port, "30001"]
    - name: Ollama drop-in
      copy:
        dest: "{{ item }}"
        content: |
          [Service]
          Environment="OLLAMA_HOST=0.0.0.0:18303"
      loop:
        - /etc/systemd/system/ollama.service.d/override.conf
        - /home/ops/override.conf.mirror
    - name: stack
      ansible.builtin.command:
        argv: [docker, compose, --project-name, stack, --file, "{{ checkout }}/compose/app.yml", up, -d]
      args:
        chdir: "{{ checkout }}"
`,
	"templates/deployment.yaml.j2": `apiVersion: apps/v1
kind: Deployment
metadata:
  name: vllm
spec:
  template:
    spec:
      containers:
        - name: vllm
          image: {{ vllm_image }}
          args:
            - --model
            - TheBloke/Mistral-7B-Instruct-v0.2-AWQ
          ports:
            - containerPort: 8000
`,
	"compose/app.yml": "services:\n  llama:\n    image: ghcr.io/ggml-org/llama.cpp:server\n" +
		"    command: [-m, /models/g.gguf, --alias, gemma, --port, \"18304\"]\n    ports: [\"18304:18304\"]\n",
}

func TestDiscoveryReadsContainerKubernetesDropInAndInPlaceTasks(t *testing.T) {
	repo, err := ansible.Open(ansible.Options{Repo: writeRepo(t, moduleTasksRepo), Tags: []string{"none"}})
	if err != nil {
		t.Fatal(err)
	}
	f := Read(repo)
	var got []string
	for _, b := range f.Backends {
		got = append(got, fmt.Sprintf("%s %d %s [%s] @%s", b.Kind, b.Port, b.Model, strings.Join(b.Served, ","), b.Source))
	}
	want := []string{
		"vllm 8000 TheBloke/Mistral-7B-Instruct-v0.2-AWQ [TheBloke/Mistral-7B-Instruct-v0.2-AWQ] @/home/ops/vllm-deployment.yaml:11",
		"ollama 18303  [] @/etc/systemd/system/ollama.service.d/override.conf:2",
		"vllm 18301 Qwen/Qwen2.5-7B-Instruct [q7,q7-chat] @site.yml:7",
		"ollama 18302  [] @site.yml:15",
		"sglang 30001 /models/qwen [qwen-sgl] @site.yml:30",
		"llama.cpp 18304 /models/g.gguf [gemma] @compose/app.yml:4",
	}
	if !slices.Equal(got, want) {
		t.Errorf("backends:\n got %q\nwant %q", got, want)
	}
	if len(f.Problems) != 0 {
		t.Errorf("problems: %+v", f.Problems)
	}
	if n := notesOf(f, "compose/app.yml:4"); !strings.Contains(n, "used in place as /srv/stack/compose/app.yml by the task at site.yml:52") {
		t.Errorf("in-place note: %q", n)
	}
}

func notesOf(f *Fleet, source string) string {
	for _, b := range f.Backends {
		if b.Source == source {
			return strings.Join(b.Notes, "; ")
		}
	}
	return ""
}

// A drop-in over a unit the repository renders too is that unit's server
// (llm-homelab): one backend, on the drop-in's port.
func TestDropInOverARenderedUnitIsOneServer(t *testing.T) {
	files := map[string]string{
		"ansible.cfg": "[defaults]\ninventory = hosts.ini\n",
		"hosts.ini":   "[gpu]\ngpu1 ansible_host=127.0.0.1 ansible_connection=local\n",
		"site.yml": `- hosts: gpu
  gather_facts: false
  tasks:
    - copy:
        dest: /etc/systemd/system/ollama.service
        content: "[Service]\nExecStart=/usr/local/bin/ollama serve\n"
    - copy:
        dest: /etc/systemd/system/ollama.service.d/override.conf
        content: "[Service]\nEnvironment=OLLAMA_HOST=127.0.0.1:18305\n"
`,
	}
	repo, err := ansible.Open(ansible.Options{Repo: writeRepo(t, files)})
	if err != nil {
		t.Fatal(err)
	}
	f := Read(repo)
	if len(f.Backends) != 1 || f.Backends[0].Port != 18305 || f.Backends[0].Source != "/etc/systemd/system/ollama.service:2" {
		t.Errorf("backends %+v", f.Backends)
	}
}

// A role's defaults may be a folder (defaults/main/*.yml, read in name
// order, each over the ones before), and role_path names the role's folder,
// as ansible-proxmox-ai's llm_router uses them to load its model registry.
func TestRoleDefaultsFolderAndRolePath(t *testing.T) {
	files := map[string]string{
		"ansible.cfg": "[defaults]\ninventory = hosts.ini\n",
		"hosts.ini":   "[gpu]\ngpu1 ansible_host=127.0.0.1 ansible_connection=local\n",
		"site.yml":    "- hosts: gpu\n  gather_facts: false\n  roles: [vllm]\n",
		"roles/vllm/defaults/main/10-network.yml":   "vllm_port: 8000\nvllm_model: Qwen/Qwen3-8B\n",
		"roles/vllm/defaults/main/20-override.yaml": "vllm_port: 18501\nregistry: \"{{ role_path | dirname | dirname }}/models.yml\"\n",
		"models.yml":                         "served: [q8, q8-chat]\n",
		"roles/vllm/defaults/main/README.md": "not vars\n",
		"roles/vllm/tasks/main.yml": "- include_vars:\n    file: \"{{ registry }}\"\n- copy:\n    dest: /opt/vllm.sh\n" +
			"    content: \"vllm serve {{ vllm_model }} --served-model-name {{ served | join(' ') }} --port {{ vllm_port }}\\n\"\n",
	}
	repo, err := ansible.Open(ansible.Options{Repo: writeRepo(t, files)})
	if err != nil {
		t.Fatal(err)
	}
	f := Read(repo)
	if len(f.Backends) != 1 || f.Backends[0].Port != 18501 || f.Backends[0].Model != "Qwen/Qwen3-8B" || strings.Join(f.Backends[0].Served, ",") != "q8,q8-chat" {
		t.Errorf("backends %+v problems %+v", f.Backends, f.Problems)
	}
}

// llama-swap is the server of its config, on the port its launch line
// listens on: a unit's --listen, or a container's published port (its
// image runs /app/llama-swap -config /app/config.yaml, listening on :8080).
func TestLlamaSwapListensWhereItsLaunchSays(t *testing.T) {
	config := "models:\n  qwen:\n    cmd: llama-server --port ${PORT} -m /m/q.gguf\n    aliases: [q]\n"
	for launch, want := range map[string]string{
		"    - copy:\n        dest: /etc/systemd/system/llama-swap.service\n" +
			"        content: \"[Service]\\nExecStart=/usr/local/bin/llama-swap --config /etc/llama-swap/config.yaml --listen 0.0.0.0:18801\\n\"\n": "18801 [qwen,q] @/etc/llama-swap/config.yaml:2",
		"    - copy:\n        dest: /opt/swap/compose.yaml\n" +
			"        content: \"services:\\n  swap:\\n    image: ghcr.io/mostlygeek/llama-swap:cuda\\n    ports: ['18802:8080']\\n\"\n": "18802 [qwen,q] @/etc/llama-swap/config.yaml:2",
	} {
		files := map[string]string{
			"ansible.cfg": "[defaults]\ninventory = hosts.ini\n",
			"hosts.ini":   "[gpu]\ngpu1 ansible_host=127.0.0.1 ansible_connection=local\n",
			"config.yaml": config,
			"site.yml": "- hosts: gpu\n  gather_facts: false\n  tasks:\n" +
				"    - copy:\n        src: config.yaml\n        dest: /etc/llama-swap/config.yaml\n" + launch,
		}
		repo, err := ansible.Open(ansible.Options{Repo: writeRepo(t, files)})
		if err != nil {
			t.Fatal(err)
		}
		f := Read(repo)
		var got []string
		for _, b := range f.Backends {
			got = append(got, fmt.Sprintf("%d [%s] @%s", b.Port, strings.Join(b.Served, ","), b.Source))
		}
		if len(got) != 1 || got[0] != want {
			t.Errorf("got %q, want %q (problems %+v)", got, want, f.Problems)
		}
	}
}

// kubernetes.core.k8s renders its template: argument itself, in the
// task's scope; the manifest's line is the template's.
func TestKubernetesTaskTemplate(t *testing.T) {
	files := map[string]string{
		"ansible.cfg":                 "[defaults]\ninventory = hosts.ini\n",
		"hosts.ini":                   "[gpu]\ngpu1 ansible_host=127.0.0.1 ansible_connection=local\n",
		"group_vars/gpu.yml":          "ollama_port: 18901\n",
		"site.yml":                    "- hosts: gpu\n  gather_facts: false\n  roles: [ollama]\n",
		"roles/ollama/tasks/main.yml": "- name: Ollama pod\n  kubernetes.core.k8s:\n    state: present\n    template: pod.yaml.j2\n",
		"roles/ollama/templates/pod.yaml.j2": "apiVersion: v1\nkind: Pod\nmetadata: {name: ollama}\nspec:\n  containers:\n" +
			"    - name: ollama\n      image: ollama/ollama:0.5.7\n      env:\n        - {name: OLLAMA_HOST, value: \"0.0.0.0:{{ ollama_port }}\"}\n",
	}
	repo, err := ansible.Open(ansible.Options{Repo: writeRepo(t, files)})
	if err != nil {
		t.Fatal(err)
	}
	f := Read(repo)
	if len(f.Backends) != 1 || f.Backends[0].Port != 18901 || f.Backends[0].Source != "roles/ollama/templates/pod.yaml.j2:7" ||
		!strings.Contains(notesOf(f, f.Backends[0].Source), "roles/ollama/tasks/main.yml:1") {
		t.Errorf("backends %+v problems %+v", f.Backends, f.Problems)
	}
}

// Models a command task pulls into Ollama (ansible-ollama-deployment's
// `docker exec ollama ollama pull {{ item }}`, dgx-ansible's `ollama pull`)
// are what that Ollama serves; a pull no single Ollama matches is said.
func TestOllamaPullsAreServedNames(t *testing.T) {
	files := map[string]string{
		"ansible.cfg": "[defaults]\ninventory = hosts.ini\n",
		"hosts.ini":   "[gpu]\ngpu1 ansible_host=127.0.0.1 ansible_connection=local\n",
		"site.yml": `- hosts: gpu
  gather_facts: false
  vars:
    models: [qwen3:8b, llama3:8b]
  tasks:
    - copy:
        dest: /opt/ollama/compose.yaml
        content: "services:\n  ollama:\n    image: ollama/ollama:0.5.7\n    ports: ['18951:11434']\n"
    - name: pull
      command:
        cmd: docker exec -it ollama ollama pull {{ item }}
      loop: "{{ models }}"
      when: item not in installed
    - name: pull elsewhere
      shell: docker exec other ollama pull gemma3
`,
	}
	repo, err := ansible.Open(ansible.Options{Repo: writeRepo(t, files)})
	if err != nil {
		t.Fatal(err)
	}
	f := Read(repo)
	if len(f.Backends) != 1 || strings.Join(f.Backends[0].Served, ",") != "qwen3:8b,llama3:8b" ||
		!strings.Contains(notesOf(f, f.Backends[0].Source), "site.yml:9") {
		t.Errorf("backends %+v", f.Backends)
	}
	if len(f.Problems) != 1 || !strings.Contains(f.Problems[0].Message, "pulls gemma3") {
		t.Errorf("problems %+v", f.Problems)
	}
}
