package apply_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/apply"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
)

// recordingTool is a stand-in program on PATH: it appends its arguments,
// one per line, then a blank line, to calls; is-active answers from the
// file state (systemctl's exit code: 0 active, 3 not).
const recordingTool = `#!/bin/sh
for a in "$@"; do printf '%s\n' "$a" >> "$CALLS"; done
echo >> "$CALLS"
if [ "$1" = is-active ]; then [ "$(cat "$STATE")" = active ] || exit 3; fi
exit 0
`

// fakeTools puts docker and systemctl stand-ins first on PATH and returns
// the file their calls are recorded in and the unit's state file.
func fakeTools(t *testing.T, unitState string) (calls, state string) {
	bin := t.TempDir()
	for _, name := range []string{"docker", "systemctl"} {
		if err := os.WriteFile(filepath.Join(bin, name), []byte(recordingTool), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	calls, state = filepath.Join(bin, "calls"), filepath.Join(bin, "state")
	if err := os.WriteFile(state, []byte(unitState), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("CALLS", calls)
	t.Setenv("STATE", state)
	return calls, state
}

const composeAndReloadHandlers = `    - copy: {content: "v2\n", dest: "{{ out }}/compose.env"}
      notify: [restart stack, recreate vllm, reload proxy]
  handlers:
    - name: restart stack
      community.docker.docker_compose_v2:
        project_src: "{{ out }}/stack dir"
        state: restarted
        services: [vllm, litellm]
    - name: recreate vllm
      community.docker.docker_compose_v2: {project_src: "{{ out }}", recreate: always, services: [vllm]}
    - name: reload proxy
      ansible.builtin.systemd: {name: litellm, state: reloaded}
`

// TestApplyComposeAndReloadHandlers applies a plan whose handlers are
// docker_compose_v2 (restarted; present with recreate: always) and systemd
// reloaded, on a local host whose docker and systemctl record their
// arguments: the argument vectors that reach the programs are exactly
// docker_compose_v2's (the daemon DOCKER_HOST names, as the module's
// --host), and reloaded starts the stopped unit (Ansible's
// systemd_service) rather than failing on systemctl reload.
func TestApplyComposeAndReloadHandlers(t *testing.T) {
	root, out := t.TempDir(), t.TempDir()
	calls, _ := fakeTools(t, "inactive")
	t.Setenv("DOCKER_HOST", "unix:///run/user/1000/docker.sock")
	if err := os.Mkdir(filepath.Join(out, "stack dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeLocalRepo(t, root, out, composeAndReloadHandlers)
	repo, plan := planLocal(t, root)
	handlers := plan.Host("box").Handlers
	if len(handlers) != 3 || !strings.HasPrefix(handlers[0].Command, "cd '"+out+"/stack dir' && docker --host ") {
		t.Fatalf("planned handlers %+v, unsupported %+v", handlers, plan.Host("box").Unsupported)
	}
	sum, err := (&apply.Engine{Repo: repo, Transports: fleetplan.DefaultTransports}).Apply(context.Background(), plan, (&recorder{}).observe)
	if err != nil || sum.OK != 1 {
		t.Fatalf("apply: %v %+v", err, sum)
	}
	want := strings.Join([]string{
		"--host\nunix:///run/user/1000/docker.sock\ncompose\n--ansi\nnever\n--project-directory\n" + out + "/stack dir\nrestart\n--\nvllm\nlitellm\n",
		"--host\nunix:///run/user/1000/docker.sock\ncompose\n--ansi\nnever\n--project-directory\n" + out + "\nup\n--detach\n--no-color\n--quiet-pull\n--force-recreate\n--\nvllm\n",
		"is-active\n--quiet\nlitellm\n",
		"start\nlitellm\n",
	}, "\n") + "\n"
	if got, _ := os.ReadFile(calls); string(got) != want {
		t.Errorf("programs ran with\n%s\nwant\n%s", got, want)
	}
}

// TestApplyReloadedReloadsARunningUnit: with the unit active, reloaded is
// systemctl reload.
func TestApplyReloadedReloadsARunningUnit(t *testing.T) {
	root, out := t.TempDir(), t.TempDir()
	calls, _ := fakeTools(t, "active")
	writeLocalRepo(t, root, out, `    - copy: {content: "v2\n", dest: "{{ out }}/proxy.yaml"}
      notify: reload proxy
  handlers:
    - name: reload proxy
      ansible.builtin.service: {name: litellm, state: reloaded}
`)
	repo, plan := planLocal(t, root)
	sum, err := (&apply.Engine{Repo: repo, Transports: fleetplan.DefaultTransports}).Apply(context.Background(), plan, (&recorder{}).observe)
	if err != nil || sum.OK != 1 {
		t.Fatalf("apply: %v %+v %+v", err, sum, plan.Host("box").Unsupported)
	}
	if got, _ := os.ReadFile(calls); string(got) != "is-active\n--quiet\nlitellm\n\nreload\nlitellm\n\n" {
		t.Errorf("systemctl ran with\n%s", got)
	}
}

// TestApplyWinServiceHandlerOverWinRM: wintermute's restart handler
// written as ansible.windows.win_service runs Restart-Service in
// PowerShell over WinRM. The lab models vLLM on Windows as a Docker
// Desktop container, not a Windows service, so the cmdlet's "no such
// service" error comes back: the host fails with it, exit 1.
func TestApplyWinServiceHandlerOverWinRM(t *testing.T) {
	d := startLab(t)
	path := filepath.Join(d.Dir, "roles/windows-vllm-deploy/handlers/main.yml")
	handler := "- name: Restart vLLM container\n  ansible.windows.win_service: {name: vllm, state: restarted, force_dependent_services: true}\n"
	if err := os.WriteFile(path, []byte(handler), 0o644); err != nil {
		t.Fatal(err)
	}
	repo, plan := planRepo(t, d.Dir)
	hs := plan.Host("wintermute").Handlers
	if len(hs) != 1 || hs[0].Command != "Restart-Service -Name 'vllm' -Force -ErrorAction Stop" {
		t.Fatalf("wintermute's handlers %+v", hs)
	}
	run := applyPlan(t, context.Background(), repo, plan, apply.Options{}, nil)
	wantResult(t, run.evs, "wintermute", "failed", "handler", "exited 1", "Restart-Service : Cannot find any service with service name 'vllm'.")
}
