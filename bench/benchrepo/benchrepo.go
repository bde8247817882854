// Package benchrepo generates the benchmark repositories: N GPU hosts that
// run the seed's vLLM role (its defaults, template and start script, verbatim
// from examples/homelab) and one LiteLLM proxy whose config routes to every
// one of them. Every host uses the local connection and deploys under one
// output directory, so ansible-playbook and straylight can both run it on
// this machine. Every host has ansible_host 127.0.0.1 and its own vLLM port:
// `straylight --check` probes the live fleet, and only loopback may answer.
package benchrepo

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/straylight-fleet/straylight/examples"
)

// seed holds copies of examples/homelab/roles/windows-vllm-deploy's defaults,
// template and script (a test keeps them identical to the example's).
//
// The seed's role comes from the example itself (examples.Homelab), so the
// benchmark always runs exactly the role the example ships.
const seedRole = "homelab/roles/windows-vllm-deploy"

var seedParts = []string{"defaults", "files", "templates"}

// Options size a repository.
type Options struct {
	Hosts  int    // GPU hosts; the proxy comes on top
	OutDir string // absolute directory the hosts deploy into; created
}

// ProxyHost is the proxy's inventory name.
const ProxyHost = "proxy"

// MaxHosts is the most GPU hosts a repository can have: each has its own
// port from FirstPort on.
const MaxHosts = 40000

// FirstPort is the vLLM port of the first GPU host; the i-th has FirstPort+i-1.
const FirstPort = 20000

// HostName is the inventory name of the i-th GPU host (1-based).
func HostName(i int) string { return fmt.Sprintf("gpu-%04d", i) }

// Playbooks are the repository's playbooks, in the order to run them.
var Playbooks = []string{"playbooks/windows-vllm-deploy.yml", "playbooks/deploy-litellm.yml"}

// Write generates the repository at root and the hosts' output directories.
func Write(root string, o Options) error {
	if o.Hosts < 1 || o.Hosts > MaxHosts || !filepath.IsAbs(o.OutDir) {
		return fmt.Errorf("benchrepo: need 1 to %d hosts and an absolute OutDir", MaxHosts)
	}
	files := staticFiles(o.OutDir)
	if err := copySeed(root); err != nil {
		return err
	}
	var inv strings.Builder
	inv.WriteString(inventoryHead)
	for i := 1; i <= o.Hosts; i++ {
		name := HostName(i)
		fmt.Fprintf(&inv, "        %s:\n", name)
		files["inventory/host_vars/"+name+".yml"] = hostVars(i)
		if err := os.MkdirAll(filepath.Join(o.OutDir, name), 0o755); err != nil {
			return err
		}
	}
	files["inventory/hosts.yml"] = inv.String() + inventoryTail
	if err := os.MkdirAll(filepath.Join(o.OutDir, ProxyHost), 0o755); err != nil {
		return err
	}
	return writeFiles(root, files)
}

func writeFiles(root string, files map[string]string) error {
	for rel, content := range files {
		p := filepath.Join(root, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// copySeed writes the seed role's defaults, files and templates under roles/.
func copySeed(root string) error {
	for _, part := range seedParts {
		err := fs.WalkDir(examples.Homelab, path.Join(seedRole, part), func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := examples.Homelab.ReadFile(p)
			if err != nil {
				return err
			}
			rel := path.Join("roles", "windows-vllm-deploy", strings.TrimPrefix(p, seedRole+"/"))
			return writeFiles(root, map[string]string{rel: string(data)})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// models are what the GPU hosts serve, in turn.
var models = []struct{ model, quant string }{
	{"casperhansen/llama-3-8b-instruct-awq", "awq"},
	{"Qwen/Qwen2.5-7B-Instruct-AWQ", "awq"},
	{"mistralai/Mistral-7B-Instruct-v0.2", ""},
}

// hostVars is a host_vars file shaped like the seed's.
func hostVars(i int) string {
	m := models[i%len(models)]
	name := HostName(i)
	var b strings.Builder
	fmt.Fprintf(&b, "# vLLM Configuration\nvllm:\n  enabled: true\n  model: %q\n", m.model)
	fmt.Fprintf(&b, "  served_model_name: %q\n  port: %d\n", "model-"+name, FirstPort+i-1)
	fmt.Fprintf(&b, "  container_name: %q\n  image: \"vllm/vllm-openai:latest\"\n", "vllm-"+name)
	if m.quant != "" {
		fmt.Fprintf(&b, "  quantization: %q\n", m.quant)
	}
	fmt.Fprintf(&b, "  max_model_len: %d\n  gpu_memory_utilization: 0.%d\n", 8192+1024*(i%8), 80+i%15)
	b.WriteString("  tensor_parallel_size: 1\n  auto_switch: true\n  check_interval_minutes: 5\n  idle_threshold_minutes: 5\n")
	return b.String()
}

const inventoryHead = `all:
  vars:
    ansible_connection: local
    ansible_host: 127.0.0.1
  children:
    gpu:
      hosts:
`

const inventoryTail = `    proxy:
      hosts:
        ` + ProxyHost + `:
`

func staticFiles(out string) map[string]string {
	return map[string]string{
		"ansible.cfg":                                           ansibleCfg,
		"inventory/group_vars/all.yml":                          "bench_out: " + out + "\n",
		"inventory/group_vars/gpu.yml":                          "# Deploy under the output directory instead of C:\\Users\\...\nvllm_base_dir: \"{{ bench_out }}/{{ inventory_hostname }}\"\n",
		"inventory/group_vars/proxy.yml":                        proxyVars,
		"playbooks/windows-vllm-deploy.yml":                     gpuPlaybook,
		"playbooks/deploy-litellm.yml":                          proxyPlaybook,
		"roles/windows-vllm-deploy/tasks/main.yml":              vllmTasks,
		"roles/windows-vllm-deploy/handlers/main.yml":           "- name: Restart vLLM container\n  command: /bin/true\n",
		"roles/litellm-deploy/defaults/main.yml":                "litellm_config_dir: /opt/litellm\n",
		"roles/litellm-deploy/tasks/main.yml":                   litellmTasks,
		"roles/litellm-deploy/handlers/main.yml":                "- name: Restart LiteLLM\n  shell: \"true\"\n",
		"roles/litellm-deploy/templates/litellm_config.yaml.j2": litellmTemplate,
	}
}

const ansibleCfg = `[defaults]
inventory = inventory/hosts.yml
roles_path = roles
gathering = explicit
retry_files_enabled = False
`

const proxyVars = `litellm_config_dir: "{{ bench_out }}/proxy"
litellm:
  port: 4000
  master_key: "sk-bench-not-a-secret"
  container_name: litellm
`

const gpuPlaybook = `- name: Deploy vLLM on the GPU hosts
  hosts: gpu
  gather_facts: false
  roles:
    - windows-vllm-deploy
`

const proxyPlaybook = `- name: Deploy the LiteLLM proxy config
  hosts: proxy
  gather_facts: false
  roles:
    - litellm-deploy
`

// vllmTasks are the seed's tasks with template/copy standing in for
// win_template/win_copy (same CRLF output) and local paths.
const vllmTasks = `- name: Deploy Start-VLLM.ps1 (reads config.yml and starts the container)
  copy:
    src: Start-VLLM.ps1
    dest: "{{ vllm_base_dir }}/Start-VLLM.ps1"

- name: Deploy vLLM config.yml (IaC-managed, templated from host_vars)
  template:
    src: vllm_config.yml.j2
    dest: "{{ vllm_base_dir }}/config.yml"
    newline_sequence: "\r\n"
  notify: Restart vLLM container
`

const litellmTasks = `- name: Deploy LiteLLM config.yaml
  template:
    src: litellm_config.yaml.j2
    dest: "{{ litellm_config_dir }}/config.yaml"
  notify: Restart LiteLLM
`

// litellmTemplate is the seed's LiteLLM config with one route per GPU host.
const litellmTemplate = `# {{ ansible_managed }}
model_list:
{% for h in groups['gpu'] %}
  - model_name: local/{{ h }}
    litellm_params:
      model: openai/{{ hostvars[h].vllm.served_model_name }}
      api_base: http://{{ hostvars[h].ansible_host | default(h) }}:{{ hostvars[h].vllm.port }}/v1
      api_key: "none"
    model_info:
      mode: chat
{% endfor %}

litellm_settings:
  drop_params: true
  num_retries: 0

general_settings:
  master_key: {{ litellm.master_key }}
`
