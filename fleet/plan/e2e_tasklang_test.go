package plan_test

import "github.com/straylight-fleet/straylight/internal/parity"

// e2eTaskLanguageRepo: the playbook language real repositories write, each
// form once, deployed by every ansible-core the parity test finds — when
// (lists, and/or, is defined, is version, per loop item, on blocks, roles
// and includes), loop / with_items / with_dict / with_fileglob / loop_control,
// block / rescue / always, vars on plays, blocks and tasks, vars_files,
// pre_tasks → roles → tasks → post_tasks, import_tasks / include_tasks
// (vars, loop, when, a file name from a variable), import_role /
// include_role (tasks_from, vars_from, defaults_from), role dependencies,
// include_vars (file and dir), set_fact, assert, run_once, no_log, handler
// listen, and the fully-qualified names.
func e2eTaskLanguageRepo(out string) parity.Repo {
	files := e2eMerge(
		map[string]string{
			"ansible.cfg":                         "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
			"inventory.yml":                       e2eLangInventory,
			"group_vars/all.yml":                  "e2e_out: " + out + "\nsite_name: lang\nroute_prefix: lang\nvllm_image_default: \"vllm/vllm-openai:v0.6.4\"\ngpu_note: from group_vars/all.yml\n",
			"host_vars/px.yml":                    "litellm:\n  port: 4000\n  master_key: \"sk-lang-1234\"\n" + e2eProxyExtra,
			"site.yml":                            "- import_playbook: gpu.yml\n- ansible.builtin.import_playbook: lang.yml\n- import_playbook: proxy.yml\n",
			"gpu.yml":                             "- hosts: gpu\n  gather_facts: false\n  roles:\n    - vllm-config\n",
			"proxy.yml":                           e2eProxyPlaybook,
			"lang.yml":                            e2eLangPlaybook,
			"included.yml":                        e2eLangIncluded,
			"imported.yml":                        "- name: Imported task\n  copy:\n    content: \"imported {{ imp_var }}\\n\"\n    dest: \"{{ e2e_out }}/{{ inventory_hostname }}-imported.txt\"\n",
			"dynamic-t1.yml":                      "- name: Dynamic file for t1\n  copy:\n    content: \"dynamic\\n\"\n    dest: \"{{ e2e_out }}/{{ inventory_hostname }}-dynamic.txt\"\n",
			"dynamic-t2.yml":                      "- name: Dynamic file for t2\n  copy:\n    content: \"dynamic two\\n\"\n    dest: \"{{ e2e_out }}/{{ inventory_hostname }}-dynamic.txt\"\n",
			"vars/common.yml":                     "from_vars_file: common\nfeatures: [overridden-by-play-vars]\n",
			"vars/extra.yml":                      "extra_fact: \"{{ site_name }}-extra\"\n",
			"vars/bundle/10-a.yml":                "a: 1\nshared: from-a\n",
			"vars/bundle/20-b.yml":                "b: [x, y]\nshared: from-b\n",
			"files/conf/one.conf":                 "one\n",
			"files/conf/two.conf":                 "two\n",
			"files/conf/skip.txt":                 "not a conf\n",
			"top.conf":                            "top\n",
			"roles/lang-role/meta/main.yml":       "dependencies:\n  - role: lang-dep\n    dep_param: from-meta\n",
			"roles/lang-role/defaults/main.yml":   "role_default: role-default\n",
			"roles/lang-role/tasks/main.yml":      e2eLangRoleTasks,
			"templates/lookup.j2":                 "template lookup for {{ inventory_hostname }}\n",
			"roles/lang-role/files/role-note.txt": "a note from the role's files/\n\n",
			"roles/lang-dep/tasks/main.yml":       "- name: Dependency file\n  copy:\n    content: \"dep {{ dep_param }}\\n\"\n    dest: \"{{ e2e_out }}/{{ inventory_hostname }}-dep-{{ dep_param }}.txt\"\n",
			"roles/lang-inc/defaults/main.yml":    "inc_default: main-default\ninc_other: main-other\n",
			"roles/lang-inc/defaults/alt.yml":     "inc_default: alt-default\n",
			"roles/lang-inc/vars/alt.yml":         "inc_var: alt-var\n",
			"roles/lang-inc/tasks/main.yml":       "- name: Included role, main tasks\n  copy:\n    content: \"main {{ inc_default }} {{ inc_other }}\\n\"\n    dest: \"{{ e2e_out }}/{{ inventory_hostname }}-inc-main.txt\"\n",
			"roles/lang-inc/tasks/alt.yml":        "- name: Included role, alt tasks\n  ansible.builtin.template:\n    src: alt.j2\n    dest: \"{{ e2e_out }}/{{ inventory_hostname }}-inc-alt.txt\"\n  notify: lang changed\n",
			"roles/lang-inc/templates/alt.j2":     "alt {{ inc_default }} {{ inc_var }} {{ passed | default('none') }}\n",
			"roles/lang-inc/handlers/main.yml":    "- name: Included role handler\n  command: /bin/true\n",
		},
		e2eRoles(),
		e2eUnder("roles", e2eRoles()),
	)
	for k := range e2eRoles() {
		delete(files, k)
	}
	return parity.Repo{
		Name: "task-language", Files: files, Inventory: "inventory.yml",
		Playbooks:  []string{"site.yml"},
		Discovered: []string{"gpu.yml", "lang.yml", "proxy.yml", "site.yml"},
	}
}

const e2eLangInventory = `all:
  vars:
    ansible_connection: local
    ansible_host: 127.0.0.1
  children:
    gpu:
      hosts:
        t1:
          vllm: {model: "Qwen/Qwen2.5-7B-Instruct-AWQ", served_model_name: qwen-t1, port: 8101}
        t2:
          vllm: {model: "mistralai/Mistral-7B-Instruct-v0.2", port: 8102}
          enable_extra: "no"
    proxy:
      hosts:
        px:
`

const e2eLangPlaybook = `- name: The task language
  hosts: gpu
  gather_facts: false
  collections:
    - ansible.builtin
  vars:
    features: [alpha, beta]
    ports: {web: 80, api: 8080}
    enable_extra: "yes"
    dyn_file: "dynamic-{{ inventory_hostname }}.yml"
  vars_files:
    - vars/common.yml
  pre_tasks:
    - name: Pre marker
      copy:
        content: "pre {{ inventory_hostname }} {{ from_vars_file }}\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-pre.txt"
  roles:
    - role: lang-role
    - role: lang-dep
      dep_param: never
      when: inventory_hostname == 'nobody'
  tasks:
    - name: Compute a fact
      ansible.builtin.set_fact:
        computed: "{{ features | join('-') }}-{{ inventory_hostname }}"
        port_count: "{{ ports | length }}"
    - name: Check the fact
      ansible.builtin.assert:
        that:
          - computed is defined
          - port_count | int == 2
    - name: Loop over a list
      copy:
        content: "{{ item }} {{ computed }}\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-loop-{{ item }}.txt"
      loop: "{{ features }}"
    - name: with_items flattens
      copy:
        content: "{{ item }}\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-wi-{{ item }}.txt"
      with_items:
        - [a, b]
        - c
    - name: with_dict
      copy:
        content: "{{ item.key }}={{ item.value }}\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-dict-{{ item.key }}.txt"
      with_dict: "{{ ports }}"
    - name: loop_control
      copy:
        content: "{{ idx }} {{ feature }}\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-lc-{{ idx }}.txt"
      loop: "{{ features }}"
      loop_control:
        loop_var: feature
        index_var: idx
        label: "{{ feature }}"
    - name: with_fileglob
      copy:
        src: "{{ item }}"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-glob-{{ item | basename }}"
      with_fileglob:
        - "conf/*.conf"
    - name: A list of conditions, and/or, is defined
      copy:
        content: "conditions held\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-when.txt"
      when:
        - inventory_hostname == 't1' or (features | length) > 5
        - undefined_thing is not defined
        - enable_extra | bool
    - name: A condition per loop item
      copy:
        content: "{{ item }}\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-peritem-{{ item }}.txt"
      loop: "{{ features }}"
      when: item != 'beta'
    - name: Conditions on versions
      copy:
        content: "{{ vllm.port is version('8102', '<') }} {{ '1.0.0-rc.1' is version('1.0.0', 'lt', version_type='semver') }}\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-version.txt"
      when:
        - inventory_hostname is version('t2', 'lt')
        - vllm.port is version_compare('8101', '==')
        - "'2.10' is version('2.9', '>', strict=true)"
    - name: A block with vars and a condition
      when: "'gpu' in group_names"
      vars:
        block_var: from-block
      block:
        - name: In the block
          copy:
            content: "{{ block_var }} {{ task_var }}\n"
            dest: "{{ e2e_out }}/{{ inventory_hostname }}-block.txt"
          vars:
            task_var: from-task
          notify: lang changed
    - name: A block that fails
      block:
        - name: Fail on t2
          fail:
            msg: failing on purpose
          when: inventory_hostname == 't2'
        - name: After the failure
          copy:
            content: "not failed\n"
            dest: "{{ e2e_out }}/{{ inventory_hostname }}-notfailed.txt"
      rescue:
        - name: Rescued
          copy:
            content: "rescued\n"
            dest: "{{ e2e_out }}/{{ inventory_hostname }}-rescued.txt"
      always:
        - name: Always
          copy:
            content: "always\n"
            dest: "{{ e2e_out }}/{{ inventory_hostname }}-always.txt"
    - name: Include tasks in a loop with vars
      ansible.builtin.include_tasks: included.yml
      vars:
        inc_note: from-include
      loop: [one, two]
      when: features | length == 2
    - name: Import tasks with a condition
      import_tasks: imported.yml
      vars:
        imp_var: imported-var
      when: inventory_hostname in groups['gpu']
    - name: A condition on a membership in a filtered list (t1 only)
      copy:
        content: "member\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-member.txt"
      when: inventory_hostname in groups['gpu'] | reject('equalto', 't2') | list
    - name: Include a file named by a variable
      include_tasks: "{{ dyn_file }}"
    - name: Include vars from a file
      include_vars: vars/extra.yml
    - name: Include vars from a directory
      include_vars:
        dir: vars/bundle
        name: bundle
    - name: Use the included vars
      copy:
        content: "{{ extra_fact }} {{ bundle.a }} {{ bundle.b | join(',') }} {{ bundle.shared }}\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-vars.txt"
    - name: Include a role's other files
      include_role:
        name: lang-inc
        tasks_from: alt
        vars_from: alt
        defaults_from: alt
      vars:
        passed: passed-in
    - name: Import a role
      ansible.builtin.import_role:
        name: lang-inc
    - name: Once for the play
      copy:
        content: "once\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-once.txt"
      run_once: true
    - name: A file not to log
      copy:
        content: "quiet {{ inventory_hostname }}\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-quiet.txt"
      no_log: true
    - name: A fact on the controller
      set_fact:
        delegated: yes
      delegate_to: localhost
    - name: Lookups
      copy:
        content: |
          env={{ lookup('env', 'STRAYLIGHT_E2E_LOOKUP') }}
          file={{ lookup('file', 'conf/one.conf') }}
          template={{ lookup('template', 'lookup.j2') }}
          vars={{ lookup('vars', 'site_name') }} {{ lookup('ansible.builtin.vars', 'nosuch', default='dflt') }}
          first_found={{ lookup('first_found', ['nosuch.conf', 'top.conf']) | basename }}
          fileglob={{ query('fileglob', 'conf/*.conf') | map('basename') | sort | list }}
          q={{ q('env', 'STRAYLIGHT_E2E_LOOKUP') }}
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-lookups.txt"
    - name: Skipped by a false condition
      copy:
        content: "never\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-never.txt"
      when: false
  post_tasks:
    - name: Post marker
      copy:
        content: "post {{ computed }} {{ delegated }}\n"
        dest: "{{ e2e_out }}/{{ inventory_hostname }}-post.txt"
  handlers:
    - name: Lang handler
      command: /bin/true
      listen: lang changed
`

const e2eLangIncluded = `- name: Included task
  copy:
    content: "{{ item }} {{ inc_note }}\n"
    dest: "{{ e2e_out }}/{{ inventory_hostname }}-included-{{ item }}.txt"
`

const e2eLangRoleTasks = `- name: Role task with a default
  copy:
    content: "{{ role_default }} {{ from_vars_file }} {{ lookup('file', 'role-note.txt') }}\n"
    dest: "{{ e2e_out }}/{{ inventory_hostname }}-role.txt"
  notify: lang changed
`
