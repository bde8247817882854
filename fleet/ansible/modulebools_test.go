package ansible

import (
	"strings"
	"testing"
)

// A module's boolean arguments read as its argument spec reads type:
// bool (filemod.BoolArg): on, 1, y, t and the number 1 are true, in
// handlers and tasks alike.
func TestModuleBooleansReadAsAnsible(t *testing.T) {
	pb := `- hosts: all
  tasks:
    - template: {src: app.j2, dest: /etc/app.conf}
      notify: [reload on, reload one, reload y, podman restart, compose no deps, orphans]
  handlers:
    - name: reload on
      systemd: {name: litellm, state: restarted, daemon_reload: "on"}
    - name: reload one
      systemd: {name: litellm, state: started, daemon-reload: 1}
    - name: reload y
      service: {name: litellm, state: stopped, daemon_reload: " Y "}
    - name: podman restart
      containers.podman.podman_container: {name: vllm, restart: "t"}
    - name: compose no deps
      community.docker.docker_compose_v2: {project_src: /srv/llm, state: restarted, dependencies: "off"}
    - name: orphans
      community.docker.docker_compose_v2: {project_src: /srv/llm, state: absent, remove_orphans: "1"}
`
	want := map[string]string{
		"reload on":       "systemctl daemon-reload && systemctl restart litellm",
		"reload one":      "systemctl daemon-reload && systemctl start litellm",
		"reload y":        "systemctl daemon-reload && systemctl stop litellm",
		"podman restart":  "podman container restart vllm",
		"compose no deps": "cd /srv/llm && " + composeDocker + " --project-directory /srv/llm restart --no-deps --",
		"orphans":         "cd /srv/llm && " + composeDocker + " --project-directory /srv/llm down --remove-orphans --",
	}
	w := renderServiceRepo(t, pb)
	hs := w.Scopes[0]
	for _, h := range hs.Run().Handlers() {
		if got, err := hs.HandlerCommand(h); err != nil || got != want[h.Name] {
			t.Errorf("%s:\n got %q, %v\nwant %q", h.Name, got, err, want[h.Name])
		}
	}
}

// A boolean argument whose value is not a boolean ("", 2, a word) is an
// error naming the file, line and argument, in a handler and in a task,
// as the module fails on it; template's trim_blocks, which the action
// plugin reads with boolean(strict=False), takes any other value as false.
func TestModuleBooleanRefusals(t *testing.T) {
	for module, want := range map[string]string{
		`systemd: {name: litellm, state: restarted, daemon_reload: "sometimes"}`: `daemon_reload: "sometimes" is not a boolean`,
		`podman_container: {name: vllm, force_restart: 2}`:                       `force_restart: 2 is not a boolean`,
		`docker_container: {name: vllm, restart: ""}`:                            `restart: "" is not a boolean`,
		`docker_compose_v2: {project_src: /srv/llm, remove_orphans: maybe}`:      `remove_orphans: "maybe" is not a boolean`,
		`win_service: {name: vllm, state: stopped, force_dependent_services: 2}`: `force_dependent_services: 2 is not a boolean`,
	} {
		pb := "- hosts: all\n  tasks:\n    - template: {src: app.j2, dest: /etc/app.conf}\n      notify: h\n  handlers:\n    - name: h\n      " + module + "\n"
		hs := renderServiceRepo(t, pb).Scopes[0]
		_, err := hs.HandlerCommand(hs.Run().Handlers()[0])
		if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "site.yml:6") {
			t.Errorf("%s: %v; want %q at site.yml:6", module, err, want)
		}
	}
	for module, want := range map[string]string{
		`docker_container: {name: vllm, state: started, restart: "sure"}`:              `site.yml:3: restart: task "c": restart: "sure" is not a boolean`,
		`docker_container: {name: vllm, image: "nginx:1", recreate: "2"}`:              `site.yml:3: recreate: task "c": recreate: "2" is not a boolean`,
		`podman_container: {name: vllm, image: "nginx:1", restart: "nope"}`:            `site.yml:3: restart: task "c": restart: "nope" is not a boolean`,
		`community.docker.docker_compose_v2: {project_src: /srv/llm, dependencies: x}`: `site.yml:3: dependencies: task "c": dependencies: "x" is not a boolean`,
	} {
		pb := "- hosts: all\n  tasks:\n    - name: c\n      " + module + "\n"
		if err := renderServiceRepoErr(t, pb); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %q", module, err, want)
		}
	}
}

// template's trim_blocks and lstrip_blocks are read by the action plugin
// with boolean(strict=False): "on" and 1 are true, a word that is no
// boolean is false, not an error.
func TestTemplateBlocksReadLoosely(t *testing.T) {
	pb := `- hosts: h1
  gather_facts: false
  tasks:
    - template: {src: t.j2, dest: /tmp/on, trim_blocks: "on", lstrip_blocks: 1}
    - template: {src: t.j2, dest: /tmp/word, trim_blocks: "sometimes", lstrip_blocks: "ON"}
`
	r := tlRepo(t, pb, map[string]string{"playbooks/templates/t.j2": "  {% if true %}\nx\n  {% endif %}\ny\n"}, Options{})
	w, err := r.RenderHost("h1", false)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"/tmp/on": "x\ny\n", "/tmp/word": "\nx\n\ny\n"} // as Jinja2 renders them
	for _, f := range w.Files {
		if string(f.Content) != want[f.Dest] {
			t.Errorf("%s: %q, want %q", f.Dest, f.Content, want[f.Dest])
		}
	}
}
