package facts_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/facts"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/render"
)

// The lab's hosts answer the facts script as they answer every command:
// case (SSH) runs it in a real /bin/sh, so its facts are this machine's
// and its environment is the one the lab gives its SSH sessions (HOME is
// the host's directory); wintermute (WinRM) has no PowerShell to run it,
// and says so: the plan names the host, the task and the reason.
func TestLabHostsAnswerTheFactsScript(t *testing.T) {
	d, err := demo.Start(demo.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	writeFile(t, filepath.Join(d.Dir, "playbooks", "facts-note.yml"),
		"- hosts: case:wintermute\n  gather_facts: true\n  tasks:\n    - name: Facts note\n      template:\n        src: facts-note.j2\n        dest: /nonexistent/straylight-facts-note\n")
	writeFile(t, filepath.Join(d.Dir, "playbooks", "templates", "facts-note.j2"),
		"{{ ansible_hostname }} {{ ansible_facts['os_family'] }} home={{ ansible_env.HOME }} user={{ ansible_user_id }}\n{{ ansible_facts | to_json }}\n")
	sess := fleet.NewSession(fleet.Config{Repo: d.Dir, Playbooks: []string{filepath.Join(d.Dir, "playbooks", "facts-note.yml")}})
	defer sess.Close()
	repo, err := sess.Open()
	if err != nil {
		t.Fatal(err)
	}
	p, err := sess.Plan(context.Background(), repo)
	if err != nil {
		t.Fatal(err)
	}
	local, err := facts.Gather(context.Background(), remote.NewLocal(remote.LocalConfig{}), false)
	if err != nil {
		t.Fatal(err)
	}
	// The same machine's facts, in the lab's SSH session: HOME is the host's
	// directory and the login the demo's (LOGNAME=mdt, not in /etc/passwd).
	want := fmt.Sprintf("%s %s home=%s user=mdt\n", local["hostname"], local["os_family"], caseDir(t, d))
	note, all, _ := strings.Cut(plannedContent(t, p, "case"), "\n")
	if note+"\n" != want {
		t.Errorf("case's note: %q, want %q", note, want)
	}
	sameMachineFacts(t, local, all)
	finding := findingFor(p, "wintermute")
	t.Logf("wintermute: %s", finding)
	for _, want := range []string{"playbooks/facts-note.yml:4", `task "Facts note"`, "gathering facts from wintermute", "facts over WinRM need a Windows host's PowerShell"} {
		if !strings.Contains(finding, want) {
			t.Errorf("wintermute's finding %q does not say %q", finding, want)
		}
	}
}

func plannedContent(t *testing.T, p *plan.Plan, host string) string {
	t.Helper()
	for _, h := range p.Hosts {
		for _, f := range h.Files {
			if h.Host == host && f.Dest == "/nonexistent/straylight-facts-note" {
				return f.NewContent
			}
		}
	}
	t.Fatalf("no facts note planned for %s; findings: %+v", host, p.Findings)
	return ""
}

func findingFor(p *plan.Plan, host string) string {
	for _, f := range p.Findings {
		if f.Host == host {
			return fmt.Sprintf("%s: %s", f.At, f.Message)
		}
	}
	return ""
}

// caseDir is the lab host's directory: its SSH sessions' HOME.
func caseDir(t *testing.T, d *demo.Demo) string {
	t.Helper()
	h, err := d.Lab.LinuxHost("case")
	if err != nil {
		t.Fatal(err)
	}
	return h.Dir
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

// sameMachineFacts: every fact case gathered over SSH but the session's
// login name and environment is this machine's, as the local transport
// gathers it (the lab's login has no passwd entry: the user facts are the
// real uid's, as Ansible's are then).
func sameMachineFacts(t *testing.T, local map[string]any, caseJSON string) {
	t.Helper()
	var got map[string]any
	if err := json.Unmarshal([]byte(caseJSON), &got); err != nil {
		t.Fatalf("case's ansible_facts | to_json: %v: %q", err, caseJSON)
	}
	if len(got) != len(facts.Names(false)) {
		t.Errorf("case gave %d facts, want %d", len(got), len(facts.Names(false)))
	}
	compared := 0
	for _, name := range facts.Names(false) {
		if name == "env" || name == "user_id" { // the login (mdt) and its environment are the session's
			continue
		}
		w, _ := json.Marshal(jsonValue(local[name]))
		g, _ := json.Marshal(got[name])
		if string(w) != string(g) {
			t.Errorf("%s: case %s, this machine %s", name, g, w)
		}
		compared++
	}
	t.Logf("%d facts of case (SSH) equal to this machine's", compared)
}

// jsonValue is an ordered map as plain JSON.
func jsonValue(v any) any {
	if m, ok := v.(*render.Map); ok {
		return m.Values
	}
	return v
}

// The gathering play's become keywords apply to the gathering, as they do
// to Ansible's setup: with become and a wrong sudo password, case's facts
// cannot be gathered (the lab's sudo checks the password), and the plan
// says so at the task; without become the same play gathers them.
func TestLabGatheringUsesThePlaysBecome(t *testing.T) {
	d, err := demo.Start(demo.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	writeFile(t, filepath.Join(d.Dir, "playbooks", "templates", "whoami.j2"), "{{ ansible_user_id }}\n")
	for _, c := range []struct {
		become string
		fails  bool
	}{{"false", false}, {"true", true}} {
		pb := filepath.Join(d.Dir, "playbooks", "become-"+c.become+".yml")
		writeFile(t, pb, "- hosts: case\n  gather_facts: true\n  become: "+c.become+"\n  vars:\n    ansible_become_password: not-the-password\n"+
			"  tasks:\n    - name: Who\n      template: {src: whoami.j2, dest: /nonexistent/straylight-whoami}\n")
		sess := fleet.NewSession(fleet.Config{Repo: d.Dir, Playbooks: []string{pb}})
		repo, err := sess.Open()
		if err != nil {
			t.Fatal(err)
		}
		p, err := sess.Plan(context.Background(), repo)
		sess.Close()
		if err != nil {
			t.Fatal(err)
		}
		finding := findingFor(p, "case")
		t.Logf("become %s: %q", c.become, finding)
		if failed := strings.Contains(finding, "gathering facts from case"); failed != c.fails {
			t.Errorf("become %s: finding %q", c.become, finding)
		}
		if c.fails && !strings.Contains(finding, `become-true.yml:7: task "Who" needs gathered facts`) {
			t.Errorf("the finding does not name the task: %q", finding)
		}
	}
}
