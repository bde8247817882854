package ansible

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/filemod"
)

const becomeRepoPlaybook = `- hosts: box
  gather_facts: false
  become: true
  become_user: svc
  tasks:
    - name: config
      template:
        src: app.j2
        dest: /etc/app/app.conf
        mode: 0640
        owner: svc
        group: "{{ app_group }}"
        validate: /usr/bin/check %s
        backup: yes
      become_method: su
      notify: [unit, container, podman, broken]
  handlers:
    - name: unit
      ansible.builtin.systemd_service:
        name: "{{ unit_name }}"
        state: restarted
        daemon_reload: true
      become_user: root
    - name: container
      community.docker.docker_container:
        name: vllm-box
        state: started
        restart: true
    - name: podman
      containers.podman.podman_container:
        name: vllm-box
        restart: true
    - name: broken
      community.docker.docker_container:
        name: vllm-box
        image: vllm/vllm-openai
        networks: [{name: llm}]
`

func openBecomeRepo(t *testing.T) (*Repo, *HostTasks) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"hosts.yml": "all:\n  hosts:\n    box:\n      ansible_host: 127.0.0.1\n      app_group: apps\n      unit_name: vllm\n",
		"site.yml":  becomeRepoPlaybook,
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
	return r, w
}

// The play's become keywords reach the file task with the task's over
// them; mode (a YAML integer), owner, group, validate and backup are kept.
func TestFileTaskCarriesBecomeAndAttributes(t *testing.T) {
	_, w := openBecomeRepo(t)
	if len(w.Unsupported) > 0 || len(w.Files) != 1 {
		t.Fatalf("files %d, unsupported %+v", len(w.Files), w.Unsupported)
	}
	f := w.Files[0]
	want := BecomeSpec{Set: true, Become: true, User: "svc", Method: "su"}
	if f.Become != want {
		t.Errorf("become %+v, want %+v", f.Become, want)
	}
	wantAttrs := FileAttrs{Mode: "0640", Owner: "svc", Group: "apps", Validate: "/usr/bin/check %s", Backup: true}
	if f.Attrs != wantAttrs {
		t.Errorf("attrs %+v, want %+v", f.Attrs, wantAttrs)
	}
	if w.Conn.Kind != "ssh" || w.Conn.Vars == nil {
		t.Fatalf("connection %+v: an unset ansible_connection is ssh, with the host's variables", w.Conn)
	}
	if v, ok := w.Conn.Vars("unit_name"); !ok || v != "vllm" {
		t.Errorf("Conn.Vars(unit_name) = %v, %v", v, ok)
	}
}

// Service handlers become the commands their modules would run.
func TestServiceHandlersBecomeCommands(t *testing.T) {
	_, w := openBecomeRepo(t)
	hs := w.Scopes[0]
	want := map[string]string{
		"unit":      "systemctl daemon-reload && systemctl restart vllm",
		"container": filemod.DockerContainer{Name: "vllm-box", State: "started", Restart: true}.Line(),
		"podman":    "podman container restart vllm-box",
	}
	for _, h := range hs.Run().Handlers() {
		got, err := hs.HandlerCommand(h)
		if h.Name == "broken" {
			if err == nil || !strings.Contains(err.Error(), `argument "networks" is not supported`) || !strings.Contains(err.Error(), "site.yml") {
				t.Errorf("broken handler: %v", err)
			}
			continue
		}
		if err != nil || got != want[h.Name] {
			t.Errorf("%s: %q, %v; want %q", h.Name, got, err, want[h.Name])
		}
	}
}

// A become that is not a boolean is an error naming file, line and key.
func TestBecomeMustBeBoolean(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "site.yml")
	os.WriteFile(path, []byte("- hosts: all\n  become: maybe\n  tasks: []\n"), 0o644)
	_, err := LoadPlaybook(dir, path)
	if err == nil || !strings.Contains(err.Error(), "site.yml:2") || !strings.Contains(err.Error(), "become") {
		t.Fatalf("err = %v", err)
	}
}

// A systemd task outside a handler is planned from the unit's state (its
// arguments read into FileTask.Service, the unit as its Dest); an argument
// straylight does not run (masked) and a container task with an option
// the module would compare (labels) are refused with a reason.
func TestServiceModuleAsTask(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"hosts.yml": "all:\n  hosts:\n    box:\n      ansible_host: 127.0.0.1\n",
		"site.yml": "- hosts: box\n  gather_facts: false\n  become: true\n  tasks:\n" +
			"    - ansible.builtin.systemd_service: {name: vllm, state: restarted, enabled: yes, daemon-reload: true}\n" +
			"    - service: {name: vllm, masked: no}\n" +
			"    - community.docker.docker_container: {name: vllm, image: vllm/vllm-openai, labels: {a: b}}\n",
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
	if len(w.Files) != 1 || w.Files[0].Service == nil || w.Files[0].Dest != "vllm" || !w.Files[0].Become.Become {
		t.Fatalf("files %+v", w.Files)
	}
	if s := w.Files[0].Service; s.State != "restarted" || s.Enabled == nil || !*s.Enabled || !s.DaemonReload {
		t.Errorf("service args %+v", s)
	}
	if len(w.Unsupported) != 2 || !strings.Contains(w.Unsupported[0].Reason, `argument "masked" of service is not supported`) ||
		!strings.Contains(w.Unsupported[1].Reason, `argument "labels" is not supported`) {
		t.Fatalf("unsupported %+v", w.Unsupported)
	}
}

// TestFileAttrsAsAnsibleReadsThem: mode: 644 (a YAML integer, decimal) is
// 01204 as Ansible sets it, mode: 0644 the octal number, a quoted mode as
// written; force and backup read as Ansible's booleans, anything else an
// error; directory_mode octal only.
func TestFileAttrsAsAnsibleReadsThem(t *testing.T) {
	for _, c := range []struct {
		args map[string]any
		want FileAttrs
		err  bool
	}{
		{map[string]any{"mode": 644}, FileAttrs{Mode: "1204"}, false},
		{map[string]any{"mode": 0o644}, FileAttrs{Mode: "0644"}, false},
		{map[string]any{"mode": "u=rw,g=r", "force": "no", "backup": "on"}, FileAttrs{Mode: "u=rw,g=r", NoForce: true, Backup: true}, false},
		{map[string]any{"force": "maybe"}, FileAttrs{}, true}, // the task is listed unsupported
		{map[string]any{"directory_mode": 0o750}, FileAttrs{DirectoryMode: "0750"}, false},
		{map[string]any{"directory_mode": "u+rwx"}, FileAttrs{DirectoryMode: "u+rwx"}, true},
	} {
		got, err := fileAttrs(c.args)
		if (err != nil) != c.err || (!c.err && got != c.want) {
			t.Errorf("%v: %+v, %v; want %+v (error %v)", c.args, got, err, c.want, c.err)
		}
	}
}
