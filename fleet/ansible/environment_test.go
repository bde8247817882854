package ansible

import (
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// envRender renders h1 of a one-play repository.
func envRender(t *testing.T, playbook string) (*HostTasks, error) {
	t.Helper()
	r := tlRepo(t, playbook, map[string]string{}, Options{})
	return r.RenderHost("h1", false)
}

// A value that does not template to a mapping is an error naming the file,
// the line the environment is written on and the key, as Ansible's
// "environment must be a dictionary" (lib/ansible/plugins/action/__init__.py:350-351).
func TestEnvironmentMustTemplateToAMapping(t *testing.T) {
	for name, play := range map[string]string{
		"play": "- hosts: all\n  gather_facts: false\n  vars: {not_a_dict: text}\n  environment: \"{{ not_a_dict }}\"\n  tasks:\n    - {name: c, command: 'true'}\n",
		"task": "- hosts: all\n  gather_facts: false\n  vars: {not_a_dict: [1]}\n  tasks:\n    - name: c\n      command: 'true'\n      environment: \"{{ not_a_dict }}\"\n",
	} {
		_, err := envRender(t, play)
		want := map[string]string{"play": "playbooks/site.yml:4: environment: environment must be a dictionary",
			"task": "playbooks/site.yml:7: environment: environment must be a dictionary"}[name]
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want %q", name, err, want)
		}
	}
}

func TestEnvironmentNameMustBeExportable(t *testing.T) {
	_, err := envRender(t, "- hosts: all\n  gather_facts: false\n  tasks:\n    - name: c\n      command: 'true'\n      environment: {BAD-NAME: x}\n")
	if err == nil || !strings.Contains(err.Error(), `playbooks/site.yml:6: environment: environment variable name "BAD-NAME"`) {
		t.Errorf("error %v", err)
	}
}

// include_tasks and include_role refuse the keyword, as Ansible's
// TaskInclude does (lib/ansible/playbook/task_include.py:42-44, 87-99).
func TestEnvironmentOnIncludeTasksIsRefused(t *testing.T) {
	_, err := parseTask("site.yml", mustNode(t, "name: i\ninclude_tasks: x.yml\nenvironment: {A: b}\n"))
	if err == nil || err.Error() != "site.yml:1: environment: 'environment' is not a valid attribute for a TaskInclude" {
		t.Errorf("error %v", err)
	}
	if _, err := parseTask("site.yml", mustNode(t, "name: i\nimport_tasks: x.yml\nenvironment: {A: b}\n")); err != nil {
		t.Errorf("import_tasks takes environment: %v", err)
	}
}

const envUnitsPlay = `- hosts: all
  gather_facts: false
  environment: {A: play}
  tasks:
    - name: unit
      systemd_service: {name: vllm, state: started}
      environment: {B: "{{ inventory_hostname }}"}
    - name: win
      win_template: {src: t.j2, dest: 'C:\t.txt'}
      environment: {B: b}
  handlers:
    - name: restart
      systemd_service: {name: vllm, state: restarted}
      environment: {H: h}
    - name: winh
      win_shell: echo
      environment: {H: "it's"}
    - name: wincmd
      win_command: whoami
      environment: {H: h}
    - name: winsvc
      win_service: {name: vllm, state: restarted}
      environment: {H: null}
`

// A unit task's systemctl and a POSIX handler run with the environment,
// a win_shell handler's PowerShell sets it first; a win_template task and
// a win_command handler (sent to cmd.exe) with one are refused, with the
// reason.
func TestEnvironmentReachesUnitsAndHandlers(t *testing.T) {
	w, err := envRender(t, envUnitsPlay)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Files) != 1 || w.Files[0].Service == nil || len(w.Files[0].Service.Env) != 2 || w.Files[0].Service.Env[1].Value != "h1" {
		t.Fatalf("unit task: %+v", w.Files)
	}
	if len(w.Unsupported) != 1 || !strings.Contains(w.Unsupported[0].Reason, "environment on a win_template task") {
		t.Errorf("unsupported: %+v", w.Unsupported)
	}
	hs := w.Scopes[0]
	cmd, err := hs.HandlerCommand(w.Scopes[0].Run().Play.Handlers[0])
	if err != nil || cmd != "export A='play'\nexport H='h'\nsystemctl restart vllm" {
		t.Errorf("handler: %q, %v", cmd, err)
	}
	cmd, err = hs.HandlerCommand(hs.Run().Play.Handlers[1])
	if err != nil || cmd != "[System.Environment]::SetEnvironmentVariable('A', 'play')\n[System.Environment]::SetEnvironmentVariable('H', 'it''s')\necho" {
		t.Errorf("win_shell handler: %q, %v", cmd, err)
	}
	cmd, err = hs.HandlerCommand(hs.Run().Play.Handlers[3])
	if err != nil || cmd != "[System.Environment]::SetEnvironmentVariable('A', 'play')\n[System.Environment]::SetEnvironmentVariable('H', $null)\nRestart-Service -Name 'vllm' -ErrorAction Stop" {
		t.Errorf("win_service handler: %q, %v", cmd, err)
	}
	if _, err := hs.HandlerCommand(hs.Run().Play.Handlers[2]); err == nil || !strings.Contains(err.Error(), "site.yml:18: environment: straylight sends a win_command handler's line to cmd.exe") {
		t.Errorf("win_command handler: %v", err)
	}
}

// mustNode parses one YAML mapping.
func mustNode(t *testing.T, text string) *yaml.Node {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal([]byte(text), &doc); err != nil {
		t.Fatal(err)
	}
	return doc.Content[0]
}
