package plan_test

import (
	"path/filepath"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// Test repositories for the end-to-end parity tests. Every host uses the
// local connection and writes its files under one output directory (the
// dests are templated from inventory_hostname), so real ansible-playbook can
// deploy them on this machine and straylight can read them back. Every host
// has ansible_host 127.0.0.1 (and its own vLLM port): `straylight --check`
// probes the live fleet at ansible_host, and tests talk only to loopback.

// e2eMerge returns the union of file sets; later sets win.
func e2eMerge(sets ...map[string]string) map[string]string {
	out := map[string]string{}
	for _, s := range sets {
		for k, v := range s {
			out[k] = v
		}
	}
	return out
}

// e2eUnder prefixes every path of a file set with dir.
func e2eUnder(dir string, files map[string]string) map[string]string {
	out := make(map[string]string, len(files))
	for k, v := range files {
		out[filepath.Join(dir, k)] = v
	}
	return out
}

// e2eRepos are the parity repositories, writing their files under out.
func e2eRepos(out string) []parity.Repo {
	return []parity.Repo{e2eLayeredINIRepo(out), e2eSeedLayoutRepo(out), e2eTaskLanguageRepo(out), e2eFilesFlushRepo(out), e2eFactsRepo(out)}
}

// e2eLayeredINIRepo: an INI inventory with nested groups, inline host vars
// and [group:vars]; group_vars directories of several files; a host_vars
// directory; vars beside the playbooks overriding those beside the
// inventory; a host with no vllm values (role defaults only); a null
// served_model_name; a CRLF play with a literal newline_sequence; a role
// applied twice with different role params.
func e2eLayeredINIRepo(out string) parity.Repo {
	files := e2eMerge(
		map[string]string{
			"inventory/hosts":                              e2eINIInventory,
			"inventory/group_vars/all/00-common.yml":       "e2e_out: " + out + "\nsite_name: e2e-lab\nshared_note: from inventory group_vars/all\n",
			"inventory/group_vars/all/10-more.yml":         "# a later file of the directory wins\nsite_name: e2e-lab-ini\nroute_prefix: lab\n",
			"inventory/group_vars/gpu/10-base.yml":         "vllm_image_default: \"vllm/vllm-openai:v0.6.3\"\ngpu_note: from group_vars/gpu/10-base.yml\n",
			"inventory/group_vars/gpu/20-tuning.yml":       "default_max_len: 8192\ntuning:\n  swap_space: 4\n  enforce_eager: false\n",
			"inventory/group_vars/linux_gpu.yml":           "gpu_note: from group_vars/linux_gpu.yml (a child beats its parent)\n",
			"inventory/host_vars/alpha.yml":                "route_alias: reasoner-from-inventory\n" + e2eAlphaVLLM,
			"inventory/host_vars/beta/10-vllm.yml":         e2eBetaVLLM,
			"inventory/host_vars/beta/20-route.yml":        "route_alias: fast\n",
			"inventory/host_vars/gamma.yml":                e2eGammaVLLM,
			"inventory/host_vars/hub.yml":                  "litellm:\n  port: 4000\n  master_key: \"sk-e2e-0123456789\"\n" + e2eProxyExtra,
			"playbooks/group_vars/all.yml":                 "shared_note: from playbooks/group_vars/all.yml (beats the inventory's)\n",
			"playbooks/group_vars/gpu.yml":                 "vllm_image_default: \"vllm/vllm-openai:v0.6.4\"\n",
			"playbooks/host_vars/alpha.yml":                "route_alias: reasoner\n",
			"playbooks/deploy-gpu.yml":                     e2eINIGPUPlaybook,
			"playbooks/deploy-proxy.yml":                   e2eProxyPlaybook + e2eRoleParamsPlay,
			"playbooks/templates/launch.cmd.j2":            e2eLaunchTemplate,
			"playbooks/roles/instance-file/tasks/main.yml": e2eInstanceTasks,
		},
		e2eUnder("playbooks/roles", e2eRoles()),
	)
	return parity.Repo{
		Name: "ini-layered", Files: files, Inventory: "inventory/hosts",
		Playbooks:  []string{"playbooks/deploy-gpu.yml", "playbooks/deploy-proxy.yml"},
		Discovered: []string{"playbooks/deploy-gpu.yml", "playbooks/deploy-proxy.yml"},
	}
}

// e2eSeedLayoutRepo: the seed's layout (ansible.cfg, a YAML inventory in
// inventory/ with group_vars/host_vars linked from the repository root,
// roles in roles/, playbooks in playbooks/ and playbooks/proxy/) run through
// a root site.yml that imports them. Vars beside playbooks/ are invisible to
// the proxy play in playbooks/proxy/, even through hostvars.
func e2eSeedLayoutRepo(out string) parity.Repo {
	files := e2eMerge(
		map[string]string{
			"ansible.cfg":                            e2eSeedAnsibleCfg,
			"site.yml":                               "- import_playbook: playbooks/deploy-gpu.yml\n- import_playbook: playbooks/proxy/deploy-proxy.yml\n",
			"inventory/hosts.yml":                    e2eYAMLInventory,
			"inventory/group_vars":                   parity.SymlinkPrefix + "../group_vars",
			"inventory/host_vars":                    parity.SymlinkPrefix + "../host_vars",
			"group_vars/all/main.yml":                "e2e_out: " + out + "\nsite_name: seed-layout\nroute_prefix: local\n",
			"group_vars/all/vault.yml":               "# plain here; encrypted in a real repository\nvault_litellm_master_key: \"sk-seed-layout-42\"\n",
			"group_vars/gpu.yml":                     "gpu_note: from group_vars/gpu.yml\n",
			"group_vars/windows_vllm/10-newline.yml": "vllm_newline: \"\\r\\n\"\n",
			"group_vars/windows_vllm/20-notes.yml":   "gpu_note: from group_vars/windows_vllm/20-notes.yml\n",
			"group_vars/proxy.yml":                   "litellm:\n  port: 4000\n  master_key: \"{{ vault_litellm_master_key }}\"\n" + e2eProxyExtra,
			"host_vars/node-a.yml":                   e2eNodeAVLLM,
			"host_vars/node-b.yml":                   e2eNodeBVLLM,
			"playbooks/host_vars/node-a.yml":         "route_alias: reasoner\n",
			"playbooks/files/motd.txt":               "Managed by the e2e test.\r\nKeep the CRLF of this line.\n",
			"playbooks/deploy-gpu.yml":               e2eSeedGPUPlaybook,
			"playbooks/proxy/group_vars/all.yml":     "site_name: seed-layout-proxy\n",
			"playbooks/proxy/host_vars/edge.yml":     "litellm_note: beside the proxy playbook\n",
			"playbooks/proxy/deploy-proxy.yml":       e2eProxyPlaybook,
		},
		e2eUnder("roles", e2eRoles()),
	)
	return parity.Repo{
		Name: "seed-layout", Files: files, Inventory: "inventory/hosts.yml",
		Playbooks:  []string{"site.yml"},
		Discovered: []string{"playbooks/deploy-gpu.yml", "playbooks/proxy/deploy-proxy.yml", "site.yml"},
	}
}

// e2eRoles are the roles both repositories use: the seed's vLLM role (its
// defaults and template, deployed with template instead of win_template) and
// a LiteLLM role whose template loops over groups and hostvars.
func e2eRoles() map[string]string {
	return map[string]string{
		"vllm-config/defaults/main.yml":            e2eSeedDefaults + e2eExtraDefaults,
		"vllm-config/tasks/main.yml":               e2eVLLMTasks,
		"vllm-config/handlers/main.yml":            "- name: Restart vLLM\n  command: /bin/true\n",
		"vllm-config/templates/vllm_config.yml.j2": e2eSeedTemplate + e2ePeersTemplate,
		"vllm-config/files/healthcheck.sh":         "#!/bin/sh\n# probes the local vLLM\ncurl -fsS \"http://127.0.0.1:${VLLM_PORT:-8000}/health\"\n",
		"litellm-config/defaults/main.yml":         "litellm_dest: \"{{ e2e_out }}/{{ inventory_hostname }}-litellm.yaml\"\n",
		"litellm-config/tasks/main.yml":            e2eLiteLLMTasks,
		"litellm-config/templates/litellm.yaml.j2": e2eLiteLLMTemplate,
	}
}

const e2eINIInventory = `# INI inventory: nested groups, inline host vars, group vars sections
[linux_gpu]
alpha route_alias=reasoner-inline vllm_weight=3
beta
delta

[windows_gpu]
gamma

[gpu:children]
linux_gpu
windows_gpu

[proxy]
hub

[gpu:vars]
gpu_vendor=nvidia
gpu_note=from the inventory file

[all:vars]
ansible_connection=local
ansible_host=127.0.0.1
`

const e2eYAMLInventory = `all:
  vars:
    ansible_connection: local
    ansible_host: 127.0.0.1
  children:
    gpu:
      vars:
        vllm_image_default: "vllm/vllm-openai:v0.6.3"
      children:
        windows_vllm:
          hosts:
            node-a:
            node-b:
              vllm_weight: 2
        linux_vllm:
          children:
            rack1:
              hosts:
                node-c:
    proxy:
      hosts:
        edge:
`

const e2eSeedAnsibleCfg = `[defaults]
inventory = inventory/hosts.yml
roles_path = roles
ansible_managed = Managed by the straylight e2e test: do not edit
gathering = explicit
retry_files_enabled = False
`

const e2eAlphaVLLM = `vllm:
  enabled: true
  model: "casperhansen/llama-3-8b-instruct-awq"
  served_model_name: "llama31-8b-alpha"
  port: 8001
  container_name: "vllm-alpha"
  image: "vllm/vllm-openai:latest"
  max_model_len: 9000
  gpu_memory_utilization: 0.88
  quantization: "awq"
  tensor_parallel_size: 1
  auto_switch: true
  check_interval_minutes: 5
  idle_threshold_minutes: 5
`

// e2eBetaVLLM has a null served_model_name: vLLM then serves the model name.
const e2eBetaVLLM = `vllm:
  enabled: yes
  model: "Qwen/Qwen2.5-7B-Instruct-AWQ"
  served_model_name: null
  port: 8002
  max_num_seqs: 4
  auto_switch: false
`

const e2eGammaVLLM = `vllm:
  model: "mistralai/Mistral-7B-Instruct-v0.2"
  served_model_name: mistral-gamma
  port: 8003
  gpu_memory_utilization: 0.9
  max_model_len: 16384
`

const e2eNodeAVLLM = `# vLLM Configuration
vllm:
  enabled: true
  model: "casperhansen/llama-3-8b-instruct-awq"
  served_model_name: "llama31-8b-node-a"  # the seed's fix
  port: 8000
  container_name: "vllm-node-a"
  max_model_len: 9000
  gpu_memory_utilization: 0.88
  quantization: "awq"
`

const e2eNodeBVLLM = `vllm:
  model: "Qwen/Qwen2.5-7B-Instruct-AWQ"
  served_model_name: ~
  port: 8001
  quantization: awq
  max_num_seqs: 1
`

// e2eRoleParamsPlay applies one role twice with different role params:
// Ansible runs it twice, each run seeing only its own params.
const e2eRoleParamsPlay = `
- name: One role, two instances
  hosts: proxy
  gather_facts: false
  roles:
    - role: instance-file
      instance: blue
    - role: instance-file
      instance: green
`

const e2eInstanceTasks = `- name: Deploy the instance file
  copy:
    content: "instance {{ instance }} on {{ inventory_hostname }}\n"
    dest: "{{ e2e_out }}/{{ inventory_hostname }}-{{ instance }}.txt"
`

const e2eINIGPUPlaybook = `- name: vLLM on the Linux GPU hosts
  hosts: linux_gpu
  gather_facts: false
  roles:
    - vllm-config

- name: vLLM on the Windows GPU hosts (CRLF, as win_template writes)
  hosts: windows_gpu
  gather_facts: false
  vars:
    vllm_newline: "\r\n"
  roles:
    - role: vllm-config
  tasks:
    - name: Windows launcher
      template:
        src: launch.cmd.j2
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-launch.cmd"
        newline_sequence: "\r\n"
      notify: Restart vLLM
`

const e2eSeedGPUPlaybook = `- name: vLLM on every GPU host
  hosts: windows_vllm:linux_vllm
  gather_facts: false
  roles:
    - vllm-config
  tasks:
    - name: Message of the day
      ansible.builtin.copy:
        src: motd.txt
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-motd.txt"
`

const e2eProxyPlaybook = `- name: LiteLLM proxy
  hosts: proxy
  gather_facts: false
  roles:
    - litellm-config
  handlers:
    - name: Reload proxy
      shell: "true"
`

// e2eSeedDefaults is the seed's role defaults (examples/homelab's
// windows-vllm-deploy), verbatim.
const e2eSeedDefaults = `# vLLM configuration (referencing host_vars structure)
vllm_model: "{{ vllm.model | default('mistralai/Mistral-7B-Instruct-v0.2') }}"
vllm_served_model_name: "{{ vllm.served_model_name | default(None) }}"
vllm_port: "{{ vllm.port | default(8000) }}"
vllm_container_name: "{{ vllm.container_name | default('vllm-' + inventory_hostname) }}"
vllm_image: "{{ vllm.image | default('vllm/vllm-openai:latest') }}"
vllm_max_model_len: "{{ vllm.max_model_len | default(8192) }}"
vllm_gpu_memory_utilization: "{{ vllm.gpu_memory_utilization | default(0.85) }}"
vllm_quantization: "{{ vllm.quantization | default(None) }}"
vllm_tensor_parallel_size: "{{ vllm.tensor_parallel_size | default(1) }}"
vllm_max_num_seqs: "{{ vllm.max_num_seqs | default(None) }}"
vllm_auto_switch: "{{ vllm.auto_switch | default(true) }}"
vllm_check_interval_minutes: "{{ vllm.check_interval_minutes | default(5) }}"
vllm_idle_threshold_minutes: "{{ vllm.idle_threshold_minutes | default(5) }}"

# Where the host keeps its vLLM files.
vllm_base_dir: "C:\\Users\\mdt\\dev\\{{ inventory_hostname }}"
`

const e2eExtraDefaults = `
# Test additions: where the local stand-in writes, and its line endings.
vllm_newline: "\n"
vllm_dest: "{{ e2e_out }}/{{ inventory_hostname }}-vllm.yml"
`

const e2eVLLMTasks = `- name: Deploy vLLM config.yml (templated from host_vars)
  template:
    src: vllm_config.yml.j2
    dest: "{{ vllm_dest }}"
    newline_sequence: "{{ vllm_newline }}"
  notify: Restart vLLM

- name: Deploy the environment file
  copy:
    content: "VLLM_PORT={{ vllm_port }}\nIMAGE={{ vllm_image_default }}\nNOTE={{ gpu_note }}\nSITE={{ site_name }}\n"
    dest: "{{ e2e_out }}/{{ inventory_hostname }}-vllm.env"
  notify: Restart vLLM

- name: Deploy the health check
  ansible.builtin.copy:
    src: healthcheck.sh
    dest: "{{ e2e_out }}/{{ inventory_hostname }}-healthcheck.sh"
`

// e2eSeedTemplate is the seed's vllm_config.yml.j2, verbatim.
const e2eSeedTemplate = `# {{ ansible_managed }}
vllm:
  enabled: {{ vllm.enabled | default(true) | lower }}
  model: "{{ vllm_model }}"
{% if vllm_served_model_name %}
  served_model_name: "{{ vllm_served_model_name }}"
{% endif %}
  port: {{ vllm_port }}
  container_name: "{{ vllm_container_name }}"
  image: "{{ vllm_image }}"
  max_model_len: {{ vllm_max_model_len }}
  gpu_memory_utilization: {{ vllm_gpu_memory_utilization }}
{% if vllm_quantization %}
  quantization: "{{ vllm_quantization }}"
{% endif %}
  tensor_parallel_size: {{ vllm_tensor_parallel_size }}
{% if vllm_max_num_seqs %}
  max_num_seqs: {{ vllm_max_num_seqs }}
{% endif %}
  auto_switch: {{ vllm_auto_switch | bool | lower }}
  check_interval_minutes: {{ vllm_check_interval_minutes }}
  idle_threshold_minutes: {{ vllm_idle_threshold_minutes }}
`

// e2ePeersTemplate extends the seed's template with loops over groups and
// hostvars, group_names and a few filters.
const e2ePeersTemplate = `# {{ inventory_hostname }} in {{ group_names | join(', ') }}; route alias {{ route_alias | default(inventory_hostname) }}
# note: {{ gpu_note }}
# served_model_name as written: {{ vllm.served_model_name | default('unset') }}
# peers in {{ site_name }}:
{% for h in groups['gpu'] %}
{% if h != inventory_hostname and hostvars[h].vllm is defined %}
#   {{ h }} serves {{ hostvars[h].vllm.served_model_name | default(hostvars[h].vllm.model, true) }} on port {{ hostvars[h].vllm.port | default(8000) }}
{% elif h != inventory_hostname %}
#   {{ h }} runs on role defaults
{% endif %}
{% endfor %}
`

const e2eLaunchTemplate = `@echo off
rem {{ ansible_managed }}
rem {{ inventory_hostname }} serves {{ vllm_served_model_name or vllm_model }}
{% for g in group_names %}
rem group {{ g }}
{% endfor %}
docker restart {{ vllm_container_name }}
{% if vllm_quantization %}
rem quantized with {{ vllm_quantization }}
{%- endif %}

`

const e2eLiteLLMTasks = `- name: Deploy LiteLLM config.yaml
  ansible.builtin.template:
    src: litellm.yaml.j2
    dest: "{{ litellm_dest }}"
  notify: Reload proxy

- name: Deploy the extra settings (mappings printed in their file order)
  copy:
    content: "{{ proxy_extra | to_json }}\n{{ proxy_extra }}\n"
    dest: "{{ e2e_out }}/{{ inventory_hostname }}-extra.txt"

- name: Deploy the fleet as YAML
  copy:
    content: "{{ {'first_gpu': hostvars[groups['gpu'][0]].vllm, 'groups': groups} | to_nice_yaml(indent=2) }}"
    dest: "{{ e2e_out }}/{{ inventory_hostname }}-fleet.yml"
`

// e2eProxyExtra is a mapping whose keys are not in sorted order: Ansible
// prints mappings (to_json, or as they are) in the order the file has them.
const e2eProxyExtra = `proxy_extra:
  zeta: 1
  alpha: [b, a]
  mid:
    y: true
    x: null
`

const e2eLiteLLMTemplate = `# {{ ansible_managed }}
# {{ site_name }}: {{ litellm_note | default('no note') }}
model_list:
{% for h in groups['gpu'] %}
{% if hostvars[h].vllm is defined %}
  - model_name: {{ route_prefix }}/{{ hostvars[h].route_alias | default(h) }}
    litellm_params:
      model: openai/{{ hostvars[h].vllm.served_model_name | default(hostvars[h].vllm.model, true) }}
      api_base: http://{{ hostvars[h].ansible_host | default(h) }}:{{ hostvars[h].vllm.port | default(8000) }}/v1
      api_key: "none"
{% endif %}
{% endfor %}

general_settings:
  master_key: {{ litellm.master_key }}
  port: {{ litellm.port }}
`
