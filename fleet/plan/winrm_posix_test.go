package plan_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
	"github.com/straylight-fleet/straylight/remote/sim"
)

const winrmPosixConfig = `C:\vllm\config.yml`

// winrmPosixPlaybook: tasks a Windows host cannot run as written — the
// POSIX file module, lineinfile, blockinfile, a template setting a mode, a copy with
// owner and validate — beside a win_template it can.
const winrmPosixPlaybook = `- hosts: wm
  gather_facts: false
  tasks:
    - name: The config
      ansible.windows.win_template: {src: config.yml.j2, dest: 'C:\vllm\config.yml'}
    - name: A directory
      file: {path: 'C:\vllm\cache', state: directory}
    - name: A line
      lineinfile: {path: 'C:\vllm\env', line: "A=1"}
    - name: A block
      ansible.builtin.blockinfile: {path: 'C:\vllm\env', block: "B=2"}
    - name: A template with a mode
      template: {src: config.yml.j2, dest: 'C:\vllm\other.yml', mode: "0644"}
    - name: A copy with an owner and validate
      copy: {content: "x\n", dest: 'C:\vllm\x.txt', owner: vllm, validate: "check %s"}
`

// TestWinRMHostListsPOSIXFileTasksAsUnsupported plans against a lab
// Windows host over real WinRM: the file module, lineinfile, and a
// template or copy setting mode, owner or validate are each listed as
// unsupported with its reason, and nothing of them is planned; the
// win_template is read over WinRM and planned.
func TestWinRMHostListsPOSIXFileTasksAsUnsupported(t *testing.T) {
	lab, err := sim.StartLab(sim.LabSpec{GPUHosts: []sim.GPUHostSpec{{Name: "wm", WinRMUser: "mdt", WinRMPassword: "lab-password",
		ConfigPath: winrmPosixConfig, Files: map[string]string{winrmPosixConfig: "vllm:\n  enabled: true\n  model: \"Qwen/Qwen2.5-7B-Instruct-AWQ\"\n"}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Close() })
	h, _ := lab.Host("wm")
	root := t.TempDir()
	inv := fmt.Sprintf("all:\n  hosts:\n    wm:\n      ansible_connection: winrm\n      ansible_host: %s\n      ansible_port: %d\n"+
		"      ansible_user: mdt\n      ansible_password: lab-password\n      ansible_winrm_transport: ntlm\n      ansible_winrm_scheme: http\n", h.IP, h.WinRMPort)
	parity.WriteTree(t, root, map[string]string{"inventory.yml": inv, "site.yml": winrmPosixPlaybook,
		"templates/config.yml.j2": "new\n", "ansible.cfg": "[defaults]\ninventory = inventory.yml\n"})
	p := &fleetplan.Planner{Repo: parity.Open(t, root, ""), Transports: fleetplan.DefaultTransports}
	plan, err := p.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wm := plan.Host("wm")
	if wm == nil || wm.Unreachable != "" || len(wm.Files) != 1 || wm.Files[0].Action != fleetplan.ActionUpdate {
		t.Fatalf("wm: %+v", wm)
	}
	want := map[string]string{
		"A directory":                       "the file module runs on POSIX hosts",
		"A line":                            "lineinfile runs on POSIX hosts",
		"A block":                           "blockinfile runs on POSIX hosts",
		"A template with a mode":            "mode, owner, group and validate are applied on POSIX hosts",
		"A copy with an owner and validate": "mode, owner, group and validate are applied on POSIX hosts",
	}
	for _, u := range wm.Unsupported {
		if !strings.Contains(u.Reason, want[u.Task]) || want[u.Task] == "" {
			t.Errorf("%s: %q, want it to say %q", u.Task, u.Reason, want[u.Task])
		}
		delete(want, u.Task)
	}
	for task := range want {
		t.Errorf("%s: not listed as unsupported", task)
	}
}
