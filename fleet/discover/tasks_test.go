package discover

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/ansible"
)

// taskShapesRepo is a small repository whose servers are written by tasks
// in the shapes the corpus of docs/real-repositories.md uses and the first
// discovery did not expand: a template inside a block whose dest comes from
// a set_fact and whose block waits on a registered result (ansible-vllm), a
// role brought in by include_role and another by import_role (rewse,
// githubixx), a unit template looped over a list of instances
// (githubixx's llama_instances), a with_items copy, and a LiteLLM config in
// the rescue part of a block.
var taskShapesRepo = map[string]string{
	"ansible.cfg": "[defaults]\ninventory = hosts.ini\nroles_path = roles\n",
	"hosts.ini":   "[gpu]\ngpu1 ansible_host=127.0.0.1 ansible_connection=local\n",
	"group_vars/gpu.yml": "vllm_model: Qwen/Qwen2.5-7B-Instruct\nvllm_unit_name: vllm-qwen\nllama_instances:\n" +
		"  - {name: small, port: 18101, alias: gemma-2b}\n  - {name: large, port: 18102, alias: llama-8b}\n",
	"site.yml": `- hosts: gpu
  gather_facts: false
  tasks:
    - name: probe
      command: nvidia-smi
      register: smi
    - name: vLLM unit
      when: smi.rc == 0
      block:
        - set_fact:
            unit_path: "/etc/systemd/system/{{ vllm_unit_name }}.service"
        - name: unit
          template:
            src: vllm.service.j2
            dest: "{{ unit_path }}"
            mode: "0644"
      rescue:
        - name: LiteLLM config
          copy:
            dest: /etc/litellm/config.yaml
            content: |
              model_list:
                - model_name: local/qwen
                  litellm_params:
                    model: openai/qwen
                    api_base: http://127.0.0.1:18100/v1
    - include_role:
        name: llamacpp
    - import_role:
        name: ollama
    - name: sglang scripts
      copy:
        dest: "/opt/{{ item }}.sh"
        content: "python -m sglang.launch_server --model-path /m/{{ item }} --served-model-name {{ item }} --port {{ 18110 + (item | length) }}\n"
      with_items: [qwen-coder]
`,
	"templates/vllm.service.j2": "[Unit]\nDescription=vLLM\n[Service]\n" +
		"ExecStart=/opt/venv/bin/vllm serve {{ vllm_model }} --served-model-name qwen --port 18100\n",
	"roles/llamacpp/tasks/main.yml": `- name: one unit per instance
  template:
    src: llama.service.j2
    dest: "/etc/systemd/system/llama-{{ item.name }}.service"
  loop: "{{ llama_instances }}"
`,
	"roles/llamacpp/templates/llama.service.j2": "[Service]\n" +
		"ExecStart=/usr/local/bin/llama-server -m /models/{{ item.name }}.gguf --alias {{ item.alias }} --port {{ item.port }}\n",
	"roles/ollama/tasks/main.yml": `- name: ollama compose
  template:
    src: compose.yml.j2
    dest: /opt/ollama/compose.yml
    owner: root
  become_user: root
`,
	"roles/ollama/templates/compose.yml.j2": "services:\n  ollama:\n    image: ollama/ollama:0.5.7\n    ports:\n      - \"11434:11434\"\n",
}

func writeRepo(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for name, content := range files {
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestDiscoveryExpandsBlocksRolesAndLoops(t *testing.T) {
	repo, err := ansible.Open(ansible.Options{Repo: writeRepo(t, taskShapesRepo)})
	if err != nil {
		t.Fatal(err)
	}
	f := Read(repo)
	var got []string
	for _, b := range f.Backends {
		got = append(got, b.Kind+" "+strings.Join(b.Served, ",")+" @"+b.Source)
	}
	want := []string{
		"vllm qwen @/etc/systemd/system/vllm-qwen.service:4",
		"llama.cpp gemma-2b @/etc/systemd/system/llama-small.service:2",
		"llama.cpp llama-8b @/etc/systemd/system/llama-large.service:2",
		"ollama  @/opt/ollama/compose.yml:3",
		"sglang qwen-coder @/opt/qwen-coder.sh:1",
	}
	if !slices.Equal(got, want) {
		t.Errorf("backends:\n got %q\nwant %q\nproblems: %+v", got, want, f.Problems)
	}
	if len(f.Proxies) != 1 || len(f.Proxies[0].Routes) != 1 || f.Proxies[0].Routes[0].Source != "/etc/litellm/config.yaml:2" {
		t.Errorf("proxies (from the block's rescue): %+v", f.Proxies)
	}
	if len(f.Problems) != 0 {
		t.Errorf("problems: %+v", f.Problems)
	}
}

// A loop over a registered result cannot be known before the run: the task
// is named as not read, and the tasks after it still are.
func TestDiscoveryNamesALoopItCannotExpandAndGoesOn(t *testing.T) {
	files := map[string]string{
		"ansible.cfg": "[defaults]\ninventory = hosts.ini\n",
		"hosts.ini":   "[gpu]\ngpu1 ansible_host=127.0.0.1 ansible_connection=local\n",
		"site.yml": `- hosts: gpu
  gather_facts: false
  tasks:
    - command: ls /models
      register: found
    - name: per model
      copy:
        dest: "/opt/{{ item }}.sh"
        content: "vllm serve /models/{{ item }} --port 18200\n"
      loop: "{{ found.stdout_lines }}"
    - copy:
        dest: /opt/fixed.sh
        content: "vllm serve /models/fixed --served-model-name fixed --port 18201\n"
`,
	}
	repo, err := ansible.Open(ansible.Options{Repo: writeRepo(t, files)})
	if err != nil {
		t.Fatal(err)
	}
	f := Read(repo)
	if len(f.Backends) != 1 || f.Backends[0].Source != "/opt/fixed.sh:1" {
		t.Errorf("backends %+v", f.Backends)
	}
	if len(f.Problems) != 1 || !strings.Contains(f.Problems[0].Message, `task "per model"`) ||
		!strings.Contains(f.Problems[0].Message, "not read for discovery") {
		t.Errorf("problems %+v", f.Problems)
	}
}
