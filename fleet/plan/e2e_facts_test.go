package plan_test

import "github.com/straylight-fleet/straylight/internal/parity"

// e2eFactsRepo: gathered facts in a template, in conditions and in a copy's
// content, deployed by every ansible-core the parity test finds — the plan
// reads the same facts from this machine (local connection) that
// ansible-playbook's setup module gathers, so every byte must match. The
// facts play gathers by Ansible's default (no gather_facts, no gathering
// in ansible.cfg); a later play with gather_facts: false still reads them,
// as the host keeps its facts for the rest of the run; a condition on a
// fact that does not hold skips its task in both; the proxy reads the GPU
// host's facts through hostvars. The environment
// (ansible_env) is left out: ansible-playbook runs here with a HOME of its
// own, and straylight --check with the oracle's directory first on PATH
// (TestLocalFactsEqualAnsibleSetup in fleet/facts compares them).
func e2eFactsRepo(out string) parity.Repo {
	files := e2eMerge(
		map[string]string{
			"ansible.cfg":                     "[defaults]\ninventory = inventory.yml\nretry_files_enabled = False\n",
			"inventory.yml":                   e2eFactsInventory,
			"group_vars/all.yml":              "e2e_out: " + out + "\nsite_name: facts\nroute_prefix: facts\nvllm_image_default: \"vllm/vllm-openai:v0.6.4\"\ngpu_note: from group_vars/all.yml\n",
			"host_vars/fpx.yml":               "litellm:\n  port: 4000\n  master_key: \"sk-facts-1234\"\n" + e2eProxyExtra,
			"site.yml":                        "- import_playbook: gpu.yml\n- import_playbook: facts.yml\n- import_playbook: proxy.yml\n",
			"gpu.yml":                         "- hosts: gpu\n  gather_facts: false\n  roles:\n    - vllm-config\n",
			"proxy.yml":                       e2eProxyPlaybook,
			"facts.yml":                       e2eFactsPlaybook,
			"templates/facts.txt.j2":          e2eFactsTemplate,
			"templates/later.txt.j2":          "{{ ansible_hostname }} still known in a play that does not gather\n",
			"templates/backends.txt.j2":       e2eFactsBackends,
			"files/not-a-template-facts.conf": "{{ ansible_hostname }} is not templated by copy\n",
		},
		e2eUnder("roles", e2eRoles()),
	)
	return parity.Repo{
		Name: "facts", Files: files, Inventory: "inventory.yml",
		Playbooks:  []string{"site.yml"},
		Discovered: []string{"facts.yml", "gpu.yml", "proxy.yml", "site.yml"},
	}
}

const e2eFactsInventory = `all:
  vars:
    ansible_connection: local
    ansible_host: 127.0.0.1
  children:
    gpu:
      hosts:
        g1:
          vllm: {model: "Qwen/Qwen2.5-7B-Instruct-AWQ", served_model_name: qwen-g1, port: 8121}
    proxy:
      hosts:
        fpx:
`

const e2eFactsPlaybook = `- name: Facts in templates and conditions
  hosts: gpu
  tasks:
    - name: Facts note
      template:
        src: facts.txt.j2
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-facts.txt"
    - name: Linux only
      copy:
        content: "{{ ansible_facts['system'] }} {{ ansible_facts.distribution }} {{ ansible_distribution_major_version | int > 0 }}\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-linux.txt"
      when: ansible_system == 'Linux'
    - name: Never on this machine
      copy:
        content: "no\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-never.txt"
      when: ansible_architecture == 'no-such-architecture'
    - name: A plain file
      copy:
        src: not-a-template-facts.conf
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-plain.conf"
- name: Facts stay with the host
  hosts: gpu
  gather_facts: false
  tasks:
    - name: Later note
      template:
        src: later.txt.j2
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-later.txt"
- name: Another host's facts
  hosts: proxy
  gather_facts: false
  tasks:
    - name: Backends by address
      template:
        src: backends.txt.j2
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-backends.txt"
`

// e2eFactsBackends reads the GPU hosts' facts through hostvars, on the
// proxy, whose own play gathers none.
const e2eFactsBackends = `{% for h in groups['gpu'] %}
{{ h }} {{ hostvars[h]['ansible_hostname'] }} {{ hostvars[h].ansible_facts.os_family }} {{ hostvars[h]['ansible_default_ipv4']['address'] | default('none') }}:{{ hostvars[h].vllm.port }}
{% endfor %}
`

const e2eFactsTemplate = `# {{ ansible_managed }}
host {{ ansible_hostname }} ({{ ansible_fqdn }}, domain '{{ ansible_domain }}', node {{ ansible_nodename }})
os {{ ansible_distribution }} {{ ansible_distribution_version }} major {{ ansible_distribution_major_version }} release {{ ansible_distribution_release }} family {{ ansible_os_family }}
kernel {{ ansible_facts['kernel'] }} on {{ ansible_system }} {{ ansible_architecture }} ({{ ansible_machine }})
cpus {{ ansible_processor_vcpus }} nproc {{ ansible_processor_nproc }} sockets {{ ansible_processor_count }} cores {{ ansible_processor_cores }} threads {{ ansible_processor_threads_per_core }}
memory {{ ansible_memtotal_mb }} MB, swap {{ ansible_swaptotal_mb }} MB, workers {{ [ansible_memtotal_mb // 4096, 1] | max }}
ip {{ ansible_default_ipv4.address | default('none') }} on {{ ansible_default_ipv4.interface | default('none') }}
user {{ ansible_user_id }} uid {{ ansible_user_uid }} home {{ ansible_user_dir }} shell {{ ansible_user_shell }}
{% if ansible_os_family == 'Debian' %}
packages: apt
{% else %}
packages: other
{% endif %}
`
