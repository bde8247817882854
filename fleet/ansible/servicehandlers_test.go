package ansible

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// serviceHandlersPlaybook notifies one handler per service form; each
// handler's name says which command it must become.
const serviceHandlersPlaybook = `- hosts: all
  tasks:
    - template: {src: app.j2, dest: /etc/app.conf}
      notify: [compose restart, compose recreate, compose up, compose stop, compose down, win restart, win start, win stop, unit reload, unit start, unit daemon]
  handlers:
    - name: compose restart
      community.docker.docker_compose_v2:
        project_src: "{{ stack_dir }}"
        state: restarted
        services: [vllm, "{{ proxy_name }}"]
    - name: compose recreate
      community.docker.docker_compose_v2:
        project_src: "{{ stack_dir }}"
        files: [compose.yaml, gpu.yaml]
        recreate: always
        pull: never
        services: vllm
    - name: compose up
      docker_compose_v2:
        project_src: /srv/my stack/
        project_name: llm
        pull: missing
    - name: compose stop
      community.docker.docker_compose_v2: {project_src: /srv/llm, state: stopped, timeout: 30}
    - name: compose down
      community.docker.docker_compose_v2: {project_src: /srv/llm, state: absent, remove_orphans: true, timeout: "05", services: "vllm,litellm"}
    - name: win restart
      ansible.windows.win_service: {name: "{{ unit_name }}", state: restarted, force_dependent_services: yes}
    - name: win start
      win_service: {name: "it's vllm", state: started}
    - name: win stop
      ansible.windows.win_service: {name: vllm, state: stopped}
    - name: unit reload
      ansible.builtin.systemd_service: {name: litellm, state: reloaded}
    - name: unit start
      ansible.builtin.service: {name: litellm, state: started}
    - name: unit daemon
      ansible.builtin.systemd: {daemon_reload: true}
`

// composeDocker is the docker CLI as the module runs it (dockerModuleDaemon).
const composeDocker = `docker --host "${DOCKER_HOST:-unix:///var/run/docker.sock}" compose --ansi never`

var wantServiceHandlerCommands = map[string]string{
	"compose restart":  "cd /srv/llm && " + composeDocker + " --project-directory /srv/llm restart -- vllm litellm",
	"compose recreate": "cd /srv/llm && " + composeDocker + " --project-directory /srv/llm --file compose.yaml --file gpu.yaml up --detach --no-color --quiet-pull --pull never --force-recreate -- vllm",
	"compose up":       "cd '/srv/my stack' && " + composeDocker + " --project-directory '/srv/my stack' --project-name llm up --detach --no-color --quiet-pull --pull missing --",
	"compose stop": "cd /srv/llm && " + composeDocker + " --project-directory /srv/llm up --detach --no-color --quiet-pull --timeout 30 --no-start -- && " +
		"if " + composeDocker + " --project-directory /srv/llm ps --all --format '{{.State}}' | grep -qvxE 'created|exited|stopped|killed'; " +
		"then " + composeDocker + " --project-directory /srv/llm stop --timeout 30 --; fi",
	"compose down": "cd /srv/llm && " + composeDocker + " --project-directory /srv/llm down --remove-orphans --timeout 5 -- vllm litellm",
	"win restart":  "Restart-Service -Name 'vllm' -Force -ErrorAction Stop",
	"win start":    "Start-Service -Name 'it''s vllm' -ErrorAction Stop",
	"win stop":     "Stop-Service -Name 'vllm' -ErrorAction Stop",
	"unit reload":  "if systemctl is-active --quiet litellm; then systemctl reload litellm; else systemctl start litellm; fi",
	"unit start":   "systemctl start litellm",
	"unit daemon":  "systemctl daemon-reload",
}

func renderServiceRepo(t *testing.T, playbook string) *HostTasks {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"hosts.yml": "all:\n  hosts:\n    box:\n      ansible_host: 127.0.0.1\n      unit_name: vllm\n      stack_dir: /srv/llm\n      proxy_name: litellm\n",
		"site.yml":  playbook,
		"app.j2":    "x = 1\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Open(Options{Repo: dir, Inventory: filepath.Join(dir, "hosts.yml")})
	if err != nil {
		t.Fatal(err)
	}
	w, err := r.RenderHost("box", false)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// docker_compose_v2, win_service and the systemd states become the
// command lines their modules run, FQCN or short, arguments templated.
func TestServiceHandlerCommandLines(t *testing.T) {
	w := renderServiceRepo(t, serviceHandlersPlaybook)
	hs := w.Scopes[0]
	seen := 0
	for _, h := range hs.Run().Handlers() {
		if !h.Module.IsHandlerModule() {
			t.Errorf("%s: module %q is not a handler module", h.Name, h.ModuleName)
		}
		got, err := hs.HandlerCommand(h)
		if err != nil || got != wantServiceHandlerCommands[h.Name] {
			t.Errorf("%s:\n got %q, %v\nwant %q", h.Name, got, err, wantServiceHandlerCommands[h.Name])
		}
		seen++
	}
	if seen != len(wantServiceHandlerCommands) {
		t.Errorf("%d handlers, want %d", seen, len(wantServiceHandlerCommands))
	}
}

// What a handler cannot run as Ansible would is refused with the reason,
// the file and the key.
func TestServiceHandlerRefusals(t *testing.T) {
	cases := map[string]string{
		"community.docker.docker_compose_v2: {project_src: /srv/llm, pull: sometimes}":     `pull "sometimes" is not one of always, missing, never, policy`,
		"community.docker.docker_compose_v2: {project_src: /srv/llm, build: always}":       `argument "build" is not supported`,
		"community.docker.docker_compose_v2: {state: restarted}":                           "project_src is required",
		"community.docker.docker_compose_v2: {project_src: /srv/llm, state: paused}":       `state "paused" is not supported`,
		"community.docker.docker_compose_v2: {project_src: /srv/llm, recreate: yes}":       `recreate "true" is not one of`,
		"community.docker.docker_compose_v2: {project_src: srv/llm}":                       `project_src "srv/llm" is not an absolute path`,
		"community.docker.docker_compose_v2: {project_src: /srv/llm, timeout: 5s}":         `timeout "5s" is not an integer`,
		"community.docker.docker_compose_v2: {project_src: /srv/llm, files: [~/gpu.yaml]}": `files entry "~/gpu.yaml": the module expands ~`,
		"community.docker.docker_compose_v2: {project_src: /srv/$STACK}":                   `project_src "/srv/$STACK" is not an absolute path`,
		"ansible.windows.win_service: {name: vllm, state: paused}":                         `state "paused" is not supported`,
		"ansible.windows.win_service: {name: vllm, start_mode: auto}":                      `argument "start_mode" is not supported`,
	}
	for module, want := range cases {
		pb := "- hosts: all\n  tasks:\n    - template: {src: app.j2, dest: /etc/app.conf}\n      notify: h\n  handlers:\n    - name: h\n      " + module + "\n"
		w := renderServiceRepo(t, pb)
		hs := w.Scopes[0]
		_, err := hs.HandlerCommand(hs.Run().Handlers()[0])
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "site.yml:6") {
			t.Errorf("%s: %v; want %q at site.yml:6", module, err, want)
		}
	}
}

// A plain docker_compose_v2 task with state restarted runs the module's
// restart line as a shell command (templated, in task order); its other
// states, and arguments straylight does not run, are listed unsupported
// with the reason (and so planned via ansible where Ansible is installed).
func TestComposeTaskRestartedRunsAsCommand(t *testing.T) {
	pb := `- hosts: all
  tasks:
    - name: restart stack
      community.docker.docker_compose_v2: {project_src: "{{ stack_dir }}", state: restarted, services: [vllm], timeout: 9}
    - name: bring up
      community.docker.docker_compose_v2: {project_src: /srv/llm}
    - name: relative
      docker_compose_v2: {project_src: llm, state: restarted}
`
	w := renderServiceRepo(t, pb)
	want := "cd /srv/llm && " + composeDocker + " --project-directory /srv/llm restart --timeout 9 -- vllm"
	if len(w.Files) != 1 || w.Files[0].Command == nil || w.Files[0].Command.Line != want || !w.Files[0].Command.Shell {
		t.Fatalf("planned %+v, want the shell line %q", w.Files, want)
	}
	if len(w.Unsupported) != 2 || !strings.Contains(w.Unsupported[0].Reason, `state "present": straylight runs docker_compose_v2 tasks with state restarted`) ||
		!strings.Contains(w.Unsupported[1].Reason, `project_src "llm" is not an absolute path`) {
		t.Errorf("unsupported %+v", w.Unsupported)
	}
}
