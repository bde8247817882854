package main

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/straylight-fleet/straylight/remote/sim"
)

const winFilesPlaybook = `- hosts: wm
  gather_facts: false
  tasks:
    - name: Port
      win_lineinfile: {path: 'C:\vllm\env', regex: '^PORT=', line: PORT=8001}
    - name: Drop the debug line
      community.windows.win_lineinfile: {path: 'C:\vllm\env', line: DEBUG=1, state: absent}
    - name: Cache directory
      ansible.windows.win_file: {path: 'C:\vllm\cache\models', state: directory}
    - name: Notes in it
      win_lineinfile: {path: 'C:\vllm\cache\models\notes.txt', line: 'kept by straylight', create: true, newline: unix}
    - name: Old file
      win_file: {path: 'C:\vllm\old.txt', state: absent}
    - name: Old directory
      win_file: {path: 'C:\vllm\logs', state: absent}
    - name: Config is a file
      win_file: {path: 'C:\vllm\config.yml', state: file}
`

// TestCLIAppliesWinLineInFileAndWinFileOnTheLab: --apply runs
// win_lineinfile and win_file tasks on the lab's Windows host over WinRM,
// in task order (the directory before the file created in it); the lab's
// filesystem holds the bytes the modules' rules give, and --check then
// finds nothing to do.
func TestCLIAppliesWinLineInFileAndWinFileOnTheLab(t *testing.T) {
	cfg := `C:\vllm\config.yml`
	lab, err := sim.StartLab(sim.LabSpec{GPUHosts: []sim.GPUHostSpec{{Name: "wm", WinRMUser: "mdt", WinRMPassword: "lab-password",
		ConfigPath: cfg, Files: map[string]string{cfg: "vllm:\n  enabled: true\n  model: \"Qwen/Qwen2.5-7B-Instruct-AWQ\"\n",
			`C:\vllm\env`: "HOST=0.0.0.0\nDEBUG=1\nPORT=8000\n", `C:\vllm\old.txt`: "old\n", `C:\vllm\logs\a.log`: "a\n"}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Close() })
	h, _ := lab.Host("wm")
	dir := t.TempDir()
	inv := fmt.Sprintf("all:\n  hosts:\n    wm:\n      ansible_connection: winrm\n      ansible_host: %s\n      ansible_port: %d\n"+
		"      ansible_user: mdt\n      ansible_password: lab-password\n      ansible_winrm_transport: ntlm\n      ansible_winrm_scheme: http\n", h.IP, h.WinRMPort)
	for name, text := range map[string]string{"inventory.yml": inv, "site.yml": winFilesPlaybook, "ansible.cfg": "[defaults]\ninventory = inventory.yml\n"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	wantExit(t, runCLI(t, "-C", dir, "--check"), exitChanges)
	wantExit(t, runCLI(t, "-C", dir, "--apply", "--yes"), exitOK)
	fs := lab.FS("wm")
	for path, want := range map[string]string{
		`C:\vllm\env`:                    "HOST=0.0.0.0\r\nPORT=8001\r\n",
		`C:\vllm\cache\models\notes.txt`: "\nkept by straylight",
		cfg:                              "vllm:\n  enabled: true\n  model: \"Qwen/Qwen2.5-7B-Instruct-AWQ\"\n",
	} {
		if got, ok := fs.ReadFile(path); !ok || string(got) != want {
			t.Errorf("%s: %q (exists %v), want %q", path, got, ok, want)
		}
	}
	for path, want := range map[string]string{`C:\vllm\cache\models`: "directory", `C:\vllm\old.txt`: "absent", `C:\vllm\logs`: "absent", `C:\vllm\logs\a.log`: "absent"} {
		if got := fs.Kind(path); got != want {
			t.Errorf("%s is %s, want %s", path, got, want)
		}
	}
	wantExit(t, runCLI(t, "-C", dir, "--check"), exitOK)
}
