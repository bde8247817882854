package diff

import (
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/ui/theme"
)

const dest = `C:\Users\mdt\dev\wintermute\config.yml`

func hostPlan() *fleetplan.HostPlan {
	old := "vllm:\r\n  model: \"casperhansen/llama-3-8b-instruct-awq\"\r\n  port: 8000\r\n"
	new := "vllm:\r\n  model: \"casperhansen/llama-3-8b-instruct-awq\"\r\n  served_model_name: \"llama31-8b-wintermute\"\r\n  port: 8000\r\n"
	return &fleetplan.HostPlan{Host: "wintermute",
		Files: []*fleetplan.FileChange{
			{Dest: dest, Action: fleetplan.ActionUpdate, Module: "win_template", Task: "Deploy vLLM config.yml", Diff: fleetplan.Diff(dest, []byte(old), []byte(new), true)},
			{Dest: `C:\Users\mdt\dev\wintermute\scripts\Start-VLLM.ps1`, Action: fleetplan.ActionNone, Module: "win_copy", Task: "Deploy script"},
		},
		Handlers:    []fleetplan.HandlerRun{{Name: "Restart vLLM container", Module: "win_shell"}},
		Unsupported: []fleetplan.UnsupportedTask{{Task: "Install NVIDIA driver", Reason: "module win_package is not supported"}},
		ViaAnsible: []fleetplan.DelegatedTask{{Task: "Fetch the model card", Module: "ansible.builtin.get_url", Status: "changed",
			At: fleetplan.Located{File: "playbooks/gpu.yml", Line: 10}}},
	}
}

func TestLinesShowSummaryAndColouredDiff(t *testing.T) {
	in := Input{Host: "wintermute", Plan: hostPlan(), Routes: []string{"local/reasoner"}, Edits: []string{"host_vars/wintermute.yml:5: vllm.served_model_name (unset) → llama31-8b-wintermute (added)"}}
	th := theme.New(false)
	lines := Lines(in, th)
	plain := ansi.Strip(strings.Join(lines, "\n"))
	for _, want := range []string{
		"Diff wintermute  1 file to change, 1 unchanged · 1 restart · routes local/reasoner",
		"restart: Restart vLLM container (win_shell)",
		"edited host_vars/wintermute.yml:5: vllm.served_model_name",
		"── " + dest + "  update  win_template · Deploy vLLM config.yml",
		`+  served_model_name: "llama31-8b-wintermute"`,
		"Start-VLLM.ps1  unchanged",
		"unsupported: Install NVIDIA driver — module win_package is not supported",
		"── Fetch the model card  changed  via ansible · ansible.builtin.get_url · playbooks/gpu.yml:10",
	} {
		if !strings.Contains(plain, want) {
			t.Errorf("diff misses %q:\n%s", want, plain)
		}
	}
	if strings.Contains(plain, "\r") {
		t.Error("carriage returns of Windows files must not reach the terminal")
	}
	for _, l := range lines {
		if strings.HasPrefix(ansi.Strip(l), "+  served") && l == ansi.Strip(l) {
			t.Errorf("added lines are coloured: %q", l)
		}
	}
}

func TestSummaryWording(t *testing.T) {
	if got := Summary(nil, nil); got != "0 files to change · 0 restarts" {
		t.Errorf("%q", got)
	}
	hp := &fleetplan.HostPlan{Files: []*fleetplan.FileChange{{Action: fleetplan.ActionUnknown}}}
	if got := Summary(hp, []string{"r"}); got != "0 files to change, 1 unknown · 0 restarts · routes r" {
		t.Errorf("%q", got)
	}
}

func TestSanitizeNeutralisesControlCharacters(t *testing.T) {
	if got := sanitize("a\tb\x1b[2Jc\r"); got != "a    b\uFFFD[2Jc" {
		t.Errorf("%q", got)
	}
}

func TestModelScrollsAndOffersCommitAfterAnEdit(t *testing.T) {
	m := New(theme.New(true))
	m.SetSize(80, 4)
	m.Show(Input{Host: "wintermute", Plan: hostPlan()})
	if m.Keys.Commit.Enabled() {
		t.Error("no edit: no commit key")
	}
	top := m.View()
	m = m.HandleKey(tea.KeyPressMsg{Code: 'j', Text: "j"})
	if m.View() == top || m.Position() == "" {
		t.Errorf("j scrolls: %q", m.Position())
	}
	m.Refresh(Input{Host: "wintermute", Plan: hostPlan(), Edits: []string{"x"}})
	if m.Keys.Commit.Enabled() {
		t.Error("a repository not in git: no commit key, even after an edit")
	}
	m.Refresh(Input{Host: "wintermute", Plan: hostPlan(), Edits: []string{"x"}, Committable: true})
	if !m.Keys.Commit.Enabled() {
		t.Error("an edit in a git repository enables c")
	}
}

// TestLinesShowUnitAndCommandTasks: a unit or command task shows what it
// would do under its heading.
func TestLinesShowUnitAndCommandTasks(t *testing.T) {
	hp := &fleetplan.HostPlan{Host: "case", Files: []*fleetplan.FileChange{
		{Dest: "vllm", Action: fleetplan.ActionUpdate, Module: "systemd", Task: "Restart vLLM now",
			Service: &fleetplan.ServiceChange{Unit: "vllm", Actions: []string{"restart"}, Summary: "restart (active → restarted)"}},
		{Dest: "touch /srv/ready", Action: fleetplan.ActionNone, Module: "command", Task: "Mark ready",
			Command: &fleetplan.CommandChange{Summary: "Did not run command since '/srv/ready' exists"}},
	}}
	plain := ansi.Strip(strings.Join(Lines(Input{Host: "case", Plan: hp}, theme.New(false)), "\n"))
	for _, want := range []string{"── vllm  update  systemd · Restart vLLM now\n   restart (active → restarted)",
		"── touch /srv/ready  unchanged  command · Mark ready\n   Did not run command since '/srv/ready' exists"} {
		if !strings.Contains(plain, want) {
			t.Errorf("diff misses %q:\n%s", want, plain)
		}
	}
}
