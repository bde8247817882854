package ansible

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/filemod"
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
	w, err := openServiceRepo(t, playbook).RenderHost("box", false)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

// renderServiceRepoErr is the error rendering the playbook gives.
func renderServiceRepoErr(t *testing.T, playbook string) error {
	t.Helper()
	_, err := openServiceRepo(t, playbook).RenderHost("box", false)
	return err
}

func openServiceRepo(t *testing.T, playbook string) *Repo {
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
	return r
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

// A plain docker_compose_v2 task runs the module's action for its state
// (templated, in task order) and is decided by the same action with
// --dry-run, as the module decides in check mode; arguments straylight
// does not run are listed unsupported with the reason (and so planned via
// ansible where Ansible is installed).
func TestComposeTaskRunsModuleAction(t *testing.T) {
	pb := `- hosts: all
  tasks:
    - name: restart stack
      community.docker.docker_compose_v2: {project_src: "{{ stack_dir }}", state: restarted, services: [vllm], timeout: 9}
    - name: bring up
      community.docker.docker_compose_v2: {project_src: /srv/llm/, recreate: always}
    - name: stop
      community.docker.docker_compose_v2: {project_src: /srv/llm, state: stopped, files: [/etc/llm/compose.yaml, gpu.yaml]}
    - name: relative
      docker_compose_v2: {project_src: llm, state: restarted}
`
	w := renderServiceRepo(t, pb)
	base := "cd /srv/llm && " + composeDocker + " --project-directory /srv/llm"
	up := base + " up --detach --no-color --quiet-pull --force-recreate"
	files := composeDocker + " --project-directory /srv/llm --file /etc/llm/compose.yaml --file gpu.yaml"
	running := " && if " + files + " ps --all --format '{{.State}}' | grep -qvxE 'created|exited|stopped|killed'; then " + files + " stop"
	want := []filemod.ContainerTask{
		{Module: "docker_compose_v2", Target: "/srv/llm", State: "restarted", Line: base + " restart --timeout 9 -- vllm", Probe: base + " restart --timeout 9 --dry-run -- vllm", Reads: []string{"/srv/llm"}},
		{Module: "docker_compose_v2", Target: "/srv/llm", State: "present", Line: up + " --", Probe: up + " --dry-run --", Reads: []string{"/srv/llm"}},
		{Module: "docker_compose_v2", Target: "/srv/llm", State: "stopped",
			Line:  "cd /srv/llm && " + files + " up --detach --no-color --quiet-pull --no-start --" + running + " --; fi",
			Probe: "cd /srv/llm && " + files + " up --detach --no-color --quiet-pull --no-start --dry-run --" + running + " --dry-run --; fi", Reads: []string{"/srv/llm", "/etc/llm/compose.yaml"}},
	}
	if len(w.Files) != len(want) {
		t.Fatalf("planned %d tasks, want %d; unsupported %+v", len(w.Files), len(want), w.Unsupported)
	}
	for i, f := range w.Files {
		if f.Container == nil || !reflect.DeepEqual(noEnv(*f.Container), want[i]) || f.Dest != "/srv/llm" {
			t.Errorf("task %d: %+v\nwant %+v", i, f.Container, want[i])
		}
	}
	if len(w.Unsupported) != 1 || !strings.Contains(w.Unsupported[0].Reason, `project_src "llm" is not an absolute path`) {
		t.Errorf("unsupported %+v", w.Unsupported)
	}
}

// Plain docker_container and podman_container tasks without image run
// the handler's line for the state when the plan finds the module would
// act; podman's probe asks whether the container runs, docker's also reads
// its environment and its image's (fleet/filemod/dockerimage.go ownImage);
// docker's recreate: true without image recreates from the container's
// image. podman's recreate: true without image, an option besides the
// image the module would compare, and states straylight does not run are
// refused, naming the key.
func TestContainerTasksWithoutImage(t *testing.T) {
	pb := `- hosts: all
  tasks:
    - community.docker.docker_container: {name: "{{ unit_name }}", restart: true}
    - containers.podman.podman_container: {name: vllm, state: absent, recreate: false}
    - docker_container: {name: vllm, recreate: true}
    - podman_container: {name: vllm, recreate: yes}
    - docker_container: {name: vllm, image: "vllm/vllm:1", networks: [{name: llm}]}
    - docker_container: {name: vllm, state: healthy}
`
	w := renderServiceRepo(t, pb)
	dc := filemod.DockerContainer{Name: "vllm", State: "started", Restart: true}
	recreate := filemod.DockerContainer{Name: "vllm", State: "started", Recreate: true}
	want := []filemod.ContainerTask{
		{Module: "docker_container", Target: "vllm", State: "started", Restart: true, Probe: dc.Probe(), Line: dc.Line(), Docker: &dc},
		{Module: "podman_container", Target: "vllm", State: "absent",
			Probe: "podman container exists vllm; rc=$?; if [ $rc -eq 1 ]; then echo missing; elif [ $rc -eq 0 ]; then podman container inspect --format '{{.State.Running}}' vllm; else exit $rc; fi",
			Line:  "if podman container exists vllm; then podman container rm --force vllm; fi"},
		{Module: "docker_container", Target: "vllm", State: "started", Probe: recreate.Probe(), Line: recreate.Line(), Docker: &recreate},
	}
	if len(w.Files) != len(want) {
		t.Fatalf("planned %d tasks, want %d; unsupported %+v", len(w.Files), len(want), w.Unsupported)
	}
	for i, f := range w.Files {
		if f.Container == nil || !reflect.DeepEqual(noEnv(*f.Container), want[i]) {
			t.Errorf("task %d: %+v\nwant %+v", i, f.Container, want[i])
		}
	}
	reasons := []string{"recreate: true without image: podman_container ignores recreate",
		`argument "networks" is not supported (straylight runs name, image, state, restart, recreate, pull, force_kill, forcekill, stop_timeout, env, command, published_ports, ports, volumes, restart_policy): with image the module compares it`, `state "healthy": straylight runs docker_container tasks with state started, stopped`}
	if len(w.Unsupported) != len(reasons) {
		t.Fatalf("unsupported %+v", w.Unsupported)
	}
	for i, u := range w.Unsupported {
		if !strings.Contains(u.Reason, reasons[i]) || u.At.Line != 6+i {
			t.Errorf("unsupported %d: %+v; want %q at site.yml:%d", i, u, reasons[i], 6+i)
		}
	}
}

// noEnv is the task without its (empty) environment, for comparing.
func noEnv(ct filemod.ContainerTask) filemod.ContainerTask {
	ct.Env = nil
	return ct
}

// docker_container tasks with image (and with state absent) are planned
// from the image's and the container's IDs, with name, image, state,
// restart, recreate, pull missing or never, force_kill, stop_timeout and
// env; any other option, pull always, an image ID, a state straylight
// does not run, an env value the module fails on or that straylight would
// have to quote are refused, naming the key.
func TestDockerContainerTasksWithImage(t *testing.T) {
	pb := `- hosts: all
  tasks:
    - docker_container: {name: "{{ unit_name }}", image: "vllm/vllm-openai:{{ 1 + 1 }}", recreate: yes, pull: false, stop_timeout: 30}
    - community.docker.docker_container: {name: vllm, state: absent, force_kill: true}
    - docker_container: {name: vllm, image: app:1, pull: always}
    - docker_container: {name: vllm, image: "sha256:1111111111111111111111111111111111111111111111111111111111111111"}
    - docker_container: {name: vllm, image: app:1, state: healthy}
    - docker_container: {name: vllm, image: "app:1; reboot"}
    - docker_container: {name: vllm, image: app:1, stop_timeout: soon}
    - docker_container: {name: vllm, image: app:1, volumes: ["./srv:/srv"]}
    - docker_container: {name: vllm, image: app:1, env: {MODEL: qwen, PORT: 8000}}
    - docker_container: {name: vllm, image: app:1, env: {ARGS: "--served-model-name 'q'"}}
    - docker_container: {name: vllm, image: app:1, env: {MODEL: qwen, PORT: "8000"}, state: stopped}
    - docker_container: {name: vllm, image: app:1, command: "--model 'Qwen/Qwen3 8B' --port 8000"}
    - docker_container: {name: vllm, image: app:1, command: ["--model", "{{ unit_name }}", 8000]}
    - docker_container: {name: vllm, image: app:1, command: ""}
    - docker_container: {name: vllm, image: app:1, command: "--chat-template '{{ '{%' }} x \"y\"'"}
    - docker_container: {name: vllm, image: app:1, command: ["--flag", true]}
`
	w := renderServiceRepo(t, pb)
	want := []filemod.DockerContainer{
		{Name: "vllm", Image: "vllm/vllm-openai:2", State: "started", Pull: "missing", StopTimeout: "30", Recreate: true},
		{Name: "vllm", State: "absent", Pull: "missing", ForceKill: true},
		{Name: "vllm", Image: "app:1", State: "stopped", Pull: "missing", Env: []string{"MODEL=qwen", "PORT=8000"}},
		{Name: "vllm", Image: "app:1", State: "started", Pull: "missing", Command: []string{"--model", "Qwen/Qwen3 8B", "--port", "8000"}},
		{Name: "vllm", Image: "app:1", State: "started", Pull: "missing", Command: []string{"--model", "vllm", "8000"}},
	}
	if len(w.Files) != len(want) {
		t.Fatalf("planned %d tasks, want %d; unsupported %+v", len(w.Files), len(want), w.Unsupported)
	}
	for i, f := range w.Files {
		ct := f.Container
		if ct == nil || ct.Docker == nil || !reflect.DeepEqual(*ct.Docker, want[i]) || ct.Probe != want[i].Probe() || ct.Line != want[i].Line() || ct.Target != "vllm" || ct.State != want[i].State {
			t.Errorf("task %d: %+v\nwant %+v", i, ct, want[i])
		}
	}
	reasons := map[int]string{5: "pull always: the module pulls the image on every run", 6: "is an image ID: the module inspects it by ID",
		7: `state "healthy": straylight runs docker_container with state started, present, stopped or absent`,
		8: `image "app:1; reboot" is not an image name`, 9: `stop_timeout "soon" is not a whole number`,
		10: `volumes "./srv:/srv": the module makes "./srv" absolute on the host`,
		11: "env PORT: the module fails: Non-string value found for env option", 12: "env ARGS: straylight passes names and values without quotes",
		16: "command is empty", 17: "command word 2: straylight passes words without quotes", 18: "command: element true is not a string"}
	if len(w.Unsupported) != len(reasons) {
		t.Fatalf("unsupported %+v", w.Unsupported)
	}
	for _, u := range w.Unsupported {
		if want := reasons[u.At.Line]; want == "" || !strings.Contains(u.Reason, want) {
			t.Errorf("unsupported %+v; want %q at site.yml:%d", u, want, u.At.Line)
		}
	}
}

// published_ports (and its alias ports), volumes and restart_policy are
// read as community.docker 3.13.3 reads them
// (fleet/filemod/dockeroptions.go): a port on the default address
// 0.0.0.0, a bind mode rw, a YAML false as the policy "no" (a true fails
// the module); a list given as a comma-separated string is split as
// Ansible splits it; restart_retries is left to Ansible. A port range, an
// IPv6 or host-name address, a port given twice, a relative host path, an
// anonymous volume and both the option and its alias are refused, naming
// the value.
func TestDockerContainerPortsAndVolumes(t *testing.T) {
	pb := `- hosts: all
  tasks:
    - docker_container: {name: vllm, image: app:1, published_ports: ["8000:8000", "127.0.0.1:9000:90/udp", 7000, "127.0.0.1::6000"], volumes: ["/srv/models:/models", "hf:/root/.cache:ro"]}
    - docker_container: {name: vllm, image: app:1, ports: "8000:80,8001:81"}
    - docker_container: {name: vllm, image: app:1, published_ports: ["8000-8001:8000-8001"]}
    - docker_container: {name: vllm, image: app:1, published_ports: ["[::1]:8000:8000"]}
    - docker_container: {name: vllm, image: app:1, published_ports: ["localhost:8000:8000"]}
    - docker_container: {name: vllm, image: app:1, published_ports: ["8000:80", "8001:80"]}
    - docker_container: {name: vllm, image: app:1, published_ports: ["8000:80"], ports: ["8001:81"]}
    - docker_container: {name: vllm, image: app:1, volumes: ["/data"]}
    - docker_container: {name: vllm, image: app:1, volumes: ["/a:/data", "/b:/data:ro"]}
    - docker_container: {name: vllm, image: app:1, volumes: ["/a:/data:rx"]}
    - docker_container: {name: vllm, image: app:1, volumes: ["/my models:/models"]}
    - docker_container: {name: vllm, image: app:1, restart_policy: no}
    - docker_container: {name: vllm, image: app:1, restart_policy: unless-stopped}
    - docker_container: {name: vllm, image: app:1, restart_policy: yes}
    - docker_container: {name: vllm, image: app:1, restart_policy: on-failure, restart_retries: 3}
`
	w := renderServiceRepo(t, pb)
	want := []filemod.DockerContainer{
		{Name: "vllm", Image: "app:1", State: "started", Pull: "missing",
			Ports: []filemod.DockerPort{{Port: "8000/tcp", HostIP: "0.0.0.0", HostPort: "8000"}, {Port: "90/udp", HostIP: "127.0.0.1", HostPort: "9000"},
				{Port: "7000/tcp", HostIP: "0.0.0.0"}, {Port: "6000/tcp", HostIP: "127.0.0.1"}},
			Binds: []string{"/srv/models:/models:rw", "hf:/root/.cache:ro"}},
		{Name: "vllm", Image: "app:1", State: "started", Pull: "missing",
			Ports: []filemod.DockerPort{{Port: "80/tcp", HostIP: "0.0.0.0", HostPort: "8000"}, {Port: "81/tcp", HostIP: "0.0.0.0", HostPort: "8001"}}},
		{Name: "vllm", Image: "app:1", State: "started", Pull: "missing", RestartPolicy: "no"},
		{Name: "vllm", Image: "app:1", State: "started", Pull: "missing", RestartPolicy: "unless-stopped"},
	}
	if len(w.Files) != len(want) {
		t.Fatalf("planned %d tasks, want %d; unsupported %+v", len(w.Files), len(want), w.Unsupported)
	}
	for i, f := range w.Files {
		if ct := f.Container; ct == nil || ct.Docker == nil || !reflect.DeepEqual(*ct.Docker, want[i]) || ct.Probe != want[i].Probe() || ct.Line != want[i].Line() {
			t.Errorf("task %d: %+v\nwant %+v", i, ct, want[i])
		}
	}
	reasons := map[int]string{5: "a port range", 6: "an IPv6 address", 7: `"localhost" is not an IPv4 address`, 8: "container port 80/tcp is published twice",
		9: "published_ports and its alias ports are both given", 10: `volumes "/data": an anonymous volume`, 11: `the module fails (The mount point "/data" appears twice`,
		12: "the module fails (Found invalid volumes mode: rx)", 13: `volumes "/my models:/models": straylight runs an absolute host path`,
		16: "restart_policy true: the module fails (value of restart_policy must be one of", 17: `argument "restart_retries" is not supported`}
	if len(w.Unsupported) != len(reasons) {
		t.Fatalf("unsupported %+v", w.Unsupported)
	}
	for _, u := range w.Unsupported {
		if want := reasons[u.At.Line]; want == "" || !strings.Contains(u.Reason, want) {
			t.Errorf("unsupported %+v; want %q at site.yml:%d", u, want, u.At.Line)
		}
	}
}

// podman_container tasks with image are planned from the image's and the
// container's inspections (fleet/filemod/podmanimage.go) with name, image,
// state, restart (force_restart), recreate, pull, env and command; any
// other option, an image ID, a state straylight does not run, an env value
// or a command straylight would have to quote are refused, naming the key.
func TestPodmanContainerTasksWithImage(t *testing.T) {
	pb := `- hosts: all
  tasks:
    - containers.podman.podman_container: {name: "{{ unit_name }}", image: "qwen/vllm:{{ 1 + 1 }}", recreate: yes, pull: never}
    - podman_container: {name: vllm, image: app:1, state: stopped, force_restart: true, env: {PORT: 8000, MODEL: qwen, DEBUG: true}}
    - podman_container: {name: vllm, image: app:1, command: "--model qwen  --port 8000"}
    - podman_container: {name: vllm, image: app:1, command: ["--model", "{{ unit_name }}", 8000], state: absent}
    - podman_container: {name: vllm, image: app:1, publish: ["127.0.0.1:8000:8000"]}
    - podman_container: {name: vllm, image: app:1, state: created}
    - podman_container: {name: vllm, image: "sha256:1111111111111111111111111111111111111111111111111111111111111111"}
    - podman_container: {name: vllm, image: app:1, pull: true}
    - podman_container: {name: vllm, image: app:1, env: {ARGS: "--name 'q'"}}
    - podman_container: {name: vllm, image: app:1, env: {RATIO: 0.5}}
    - podman_container: {name: vllm, image: app:1, command: "--model 'Qwen 8B'"}
    - podman_container: {name: vllm, image: app:1, command: []}
    - podman_container: {name: vllm, image: ""}
`
	w := renderServiceRepo(t, pb)
	want := []filemod.PodmanContainer{
		{Name: "vllm", Image: "qwen/vllm:2", State: "started", Pull: "never", Recreate: true},
		{Name: "vllm", Image: "app:1", State: "stopped", Restart: true, Env: []string{"DEBUG=True", "MODEL=qwen", "PORT=8000"}},
		{Name: "vllm", Image: "app:1", State: "started", Command: []string{"--model", "qwen", "--port", "8000"}},
		{Name: "vllm", Image: "app:1", State: "absent", Command: []string{"--model", "vllm", "8000"}},
	}
	if len(w.Files) != len(want) {
		t.Fatalf("planned %d tasks, want %d; unsupported %+v", len(w.Files), len(want), w.Unsupported)
	}
	for i, f := range w.Files {
		ct := f.Container
		if ct == nil || ct.Podman == nil || !reflect.DeepEqual(*ct.Podman, want[i]) || ct.Probe != want[i].Probe() || ct.Line != "" || ct.Target != "vllm" || ct.State != want[i].State {
			t.Errorf("task %d: %+v\nwant %+v", i, ct, want[i])
		}
	}
	reasons := map[int]string{7: `argument "publish" is not supported (straylight runs name, image, state, restart, force_restart, recreate, pull, env, command): with image the module compares it`,
		8: `state "created": straylight runs podman_container with image and state started, present, stopped or absent`, 9: "is an image ID",
		10: "pull true is not one of always, missing, never, newer", 11: "env ARGS: straylight passes ASCII names and values without quotes",
		12: "env RATIO: straylight passes strings, whole numbers and booleans", 13: "command: straylight runs a string command of ASCII words without quotes",
		14: "command is empty", 15: "image is empty"}
	if len(w.Unsupported) != len(reasons) {
		t.Fatalf("unsupported %+v", w.Unsupported)
	}
	for _, u := range w.Unsupported {
		if want := reasons[u.At.Line]; want == "" || !strings.Contains(u.Reason, want) {
			t.Errorf("unsupported %+v; want %q at site.yml:%d", u, want, u.At.Line)
		}
	}
}

// A task with several arguments straylight does not honour names them all,
// in name order: args is a map, and the plan must read the same each run.
func TestOnlyArgsNamesEveryRefusedArgumentInOrder(t *testing.T) {
	args := map[string]any{"name": "vllm", "tty": true, "network": "host", "detach": true, "restart_policy": "always"}
	want := `arguments "detach", "network", "restart_policy", "tty" are not supported (straylight runs name, image)`
	for range 20 {
		if err := onlyArgs(args, "name", "image"); err == nil || err.Error() != want {
			t.Fatalf("onlyArgs = %v, want %s", err, want)
		}
	}
	if err := onlyArgs(map[string]any{"name": "vllm", "tty": true}, "name"); err == nil || err.Error() != `argument "tty" is not supported (straylight runs name)` {
		t.Fatalf("one refused argument: %v", err)
	}
	if err := onlyArgs(map[string]any{"name": "vllm"}, "name"); err != nil {
		t.Fatalf("nothing refused: %v", err)
	}
}
