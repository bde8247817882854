package plan_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/remote/sim"
)

// recordingWinRM is the WinRM transport with a record of each call that
// reaches the host, in order.
type recordingWinRM struct {
	*remote.WinRM
	mu    sync.Mutex
	calls []string
}

func (r *recordingWinRM) note(call string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call)
}

func (r *recordingWinRM) ReadFile(ctx context.Context, path string) (remote.FileState, error) {
	r.note("read-file " + path)
	return r.WinRM.ReadFile(ctx, path)
}

func (r *recordingWinRM) WriteFile(ctx context.Context, path string, content []byte) (remote.WriteResult, error) {
	r.note("write-file " + path)
	return r.WinRM.WriteFile(ctx, path, content)
}

func (r *recordingWinRM) PathKinds(ctx context.Context, paths []string) ([]string, error) {
	r.note("path-kind " + strings.Join(paths, " | "))
	return r.WinRM.PathKinds(ctx, paths)
}

func (r *recordingWinRM) SetPath(ctx context.Context, path, state, kind string) error {
	r.note("set-path " + path)
	return r.WinRM.SetPath(ctx, path, state, kind)
}

func (r *recordingWinRM) Run(ctx context.Context, cmd remote.Command) (remote.CommandResult, error) {
	r.note("run " + cmd.Script)
	return r.WinRM.Run(ctx, cmd)
}

const winEditsPlaybook = `- hosts: wm
  gather_facts: false
  tasks:
    - name: Port
      win_lineinfile: {path: 'C:\vllm\env', regex: '^PORT=', line: PORT=8001}
    - name: New file
      community.windows.win_lineinfile: {path: 'C:/vllm/new.txt', line: first, create: true}
    - name: Then a line after it
      win_lineinfile: {path: 'C:\vllm\new.txt', line: second, insertafter: '^first$'}
    - name: Cache
      ansible.windows.win_file: {path: 'C:\vllm\cache', state: directory}
    - name: Cache again
      win_file: {path: 'C:\vllm\cache', state: directory}
    - name: Old
      win_file: {path: 'C:\vllm\old.txt', state: absent}
    - name: Gone already
      win_file: {path: 'C:\vllm\never.txt', state: absent}
    - name: Config is a file
      win_file: {path: 'C:\vllm\config.yml', state: file}
    - name: Missing file
      win_file: {path: 'C:\vllm\missing.txt', state: file}
    - name: Missing without create
      win_lineinfile: {path: 'C:\vllm\missing.txt', line: x}
    - name: Lookahead
      win_lineinfile: {path: 'C:\vllm\env', regex: 'A(?=B)', line: x}
    - name: A directory is no file
      win_file: {path: 'C:\vllm', state: file}
    - name: Nor a file for win_lineinfile
      win_lineinfile: {path: 'C:\vllm', line: x}
    - name: Nor a directory the plan makes
      win_lineinfile: {path: 'C:\vllm\cache', line: x}
    - name: Created where no directory is
      win_lineinfile: {path: 'C:\nodir\f.txt', line: x, create: true}
    - name: Touched where no directory is
      win_file: {path: 'C:\nodir\t.txt', state: touch}
    - name: Touched in a directory the plan makes
      win_file: {path: 'C:\vllm\cache\t.txt', state: touch}
`

// startWinEditsLab is a lab Windows host holding the files the playbook
// edits, and the repository's root.
func startWinEditsLab(t *testing.T) (*sim.Lab, string) {
	t.Helper()
	cfg := `C:\vllm\config.yml`
	lab, err := sim.StartLab(sim.LabSpec{GPUHosts: []sim.GPUHostSpec{{Name: "wm", WinRMUser: "mdt", WinRMPassword: "lab-password",
		ConfigPath: cfg, Files: map[string]string{cfg: "vllm:\n  enabled: true\n  model: \"Qwen/Qwen2.5-7B-Instruct-AWQ\"\n", `C:\vllm\env`: "HOST=0.0.0.0\nPORT=8000\n", `C:\vllm\old.txt`: "old\n"}}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Close() })
	h, _ := lab.Host("wm")
	root := t.TempDir()
	inv := fmt.Sprintf("all:\n  hosts:\n    wm:\n      ansible_connection: winrm\n      ansible_host: %s\n      ansible_port: %d\n"+
		"      ansible_user: mdt\n      ansible_password: lab-password\n      ansible_winrm_transport: ntlm\n      ansible_winrm_scheme: http\n", h.IP, h.WinRMPort)
	parity.WriteTree(t, root, map[string]string{"inventory.yml": inv, "site.yml": winEditsPlaybook,
		"ansible.cfg": "[defaults]\ninventory = inventory.yml\n"})
	return lab, root
}

// TestWinLineInFileAndWinFilePlanOverWinRM plans win_lineinfile and
// win_file tasks against a lab Windows host over real WinRM: one path-kind
// round trip reads every path's kind the host's tasks may need, each
// win_lineinfile reads its file (nothing is written), a later task on
// a path starts from what an earlier one leaves, and the module's failures
// and the patterns Go cannot run are listed with their reasons.
func TestWinLineInFileAndWinFilePlanOverWinRM(t *testing.T) {
	lab, root := startWinEditsLab(t)
	var rec *recordingWinRM
	transports := func(c fleetplan.Connection) (remote.Transport, error) {
		tr, err := fleetplan.DefaultTransports(c)
		if w, ok := tr.(*remote.WinRM); ok && err == nil {
			rec = &recordingWinRM{WinRM: w}
			return rec, nil
		}
		return tr, err
	}
	p := &fleetplan.Planner{Repo: parity.Open(t, root, ""), Transports: transports}
	plan, err := p.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wm := plan.Host("wm")
	if wm == nil || wm.Unreachable != "" {
		t.Fatalf("wm: %+v", wm)
	}
	wantCalls := []string{`path-kind C:\vllm | C:\vllm\cache | C:\vllm\old.txt | C:\vllm\never.txt | C:\vllm\config.yml | ` +
		`C:\vllm\missing.txt | C: | C:\nodir | C:\nodir\t.txt | C:\vllm\cache\t.txt`,
		`read-file C:\vllm\env`, `read-file C:\vllm\new.txt`, `read-file C:\vllm\missing.txt`, `read-file C:\vllm`, `read-file C:\nodir\f.txt`}
	if !slices.Equal(rec.calls, wantCalls) {
		t.Errorf("over the wire:\n%s\nwant:\n%s", strings.Join(rec.calls, "\n"), strings.Join(wantCalls, "\n"))
	}
	checkWinEditChanges(t, wm)
	checkWinEditRefusals(t, wm)
	if got, _ := lab.FS("wm").ReadFile(`C:\vllm\env`); string(got) != "HOST=0.0.0.0\nPORT=8000\n" {
		t.Errorf("the plan wrote the host: %q", got)
	}
}

func checkWinEditChanges(t *testing.T, wm *fleetplan.HostPlan) {
	t.Helper()
	want := map[string]struct {
		action  fleetplan.Action
		content string
		script  string
	}{
		"Port":                                  {fleetplan.ActionUpdate, "HOST=0.0.0.0\r\nPORT=8001\r\n", ""},
		"New file":                              {fleetplan.ActionCreate, "\r\nfirst", ""},
		"Then a line after it":                  {fleetplan.ActionUpdate, "\r\nfirst\r\nsecond", ""},
		"Cache":                                 {fleetplan.ActionCreate, "", "directory"},
		"Touched in a directory the plan makes": {fleetplan.ActionCreate, "", "touch"},
		"Cache again":                           {fleetplan.ActionNone, "", ""},
		"Old":                                   {fleetplan.ActionUpdate, "", "absent"},
		"Gone already":                          {fleetplan.ActionNone, "", ""},
		"Config is a file":                      {fleetplan.ActionNone, "", ""},
	}
	for _, f := range wm.Files {
		w, ok := want[f.Task]
		if !ok {
			t.Errorf("%s planned: %+v", f.Task, f)
			continue
		}
		if f.Action != w.action || f.NewContent != w.content || f.Script != w.script {
			t.Errorf("%s: %s %q script %q, want %s %q script %q", f.Task, f.Action, f.NewContent, f.Script, w.action, w.content, w.script)
		}
		delete(want, f.Task)
	}
	for task := range want {
		t.Errorf("%s: not planned", task)
	}
}

func checkWinEditRefusals(t *testing.T, wm *fleetplan.HostPlan) {
	t.Helper()
	want := map[string]string{
		"Missing file":                   `win_file would fail: path C:\vllm\missing.txt will not be created`,
		"Missing without create":         `win_lineinfile would fail: Path C:\vllm\missing.txt does not exist !`,
		"Lookahead":                      "straylight runs .NET regular expressions only where Go's RE2 reads them the same way",
		"A directory is no file":         `win_file would fail: path C:\vllm is not a file`,
		"Nor a file for win_lineinfile":  `win_lineinfile would fail: Path C:\vllm is a directory`,
		"Created where no directory is":  `win_lineinfile would fail: C:\nodir is absent, and the module creates no directories for C:\nodir\f.txt`,
		"Touched where no directory is":  `win_file would fail: C:\nodir is absent, and the module creates no directories for C:\nodir\t.txt`,
		"Nor a directory the plan makes": `win_lineinfile would fail: Path C:\vllm\cache is a directory`,
	}
	for _, u := range wm.Unsupported {
		if want[u.Task] == "" || !strings.Contains(u.Reason, want[u.Task]) {
			t.Errorf("%s: %q, want it to say %q", u.Task, u.Reason, want[u.Task])
		}
		delete(want, u.Task)
	}
	for task := range want {
		t.Errorf("%s: not listed as unsupported", task)
	}
}

// TestWinEditsAreUnsupportedOffWindows: on a host not reached over WinRM,
// win_file and win_lineinfile (PowerShell modules) are listed with the
// reason and nothing of them is planned.
func TestWinEditsAreUnsupportedOffWindows(t *testing.T) {
	root := t.TempDir()
	dir := t.TempDir()
	parity.WriteTree(t, root, map[string]string{"inventory.yml": "all:\n  hosts:\n    box:\n      ansible_connection: local\n",
		"ansible.cfg": "[defaults]\ninventory = inventory.yml\n",
		"site.yml": "- hosts: box\n  gather_facts: false\n  tasks:\n" +
			"    - {name: Dir, ansible.windows.win_file: {path: '" + dir + "/d', state: directory}}\n" +
			"    - {name: Line, win_lineinfile: {path: '" + dir + "/f', line: x, create: true}}\n"})
	p := &fleetplan.Planner{Repo: parity.Open(t, root, ""), Transports: fleetplan.DefaultTransports}
	plan, err := p.Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	box := plan.Host("box")
	if box == nil || len(box.Files) != 0 || len(box.Unsupported) != 2 {
		t.Fatalf("box: %+v", box)
	}
	for _, u := range box.Unsupported {
		if !strings.Contains(u.Reason, "runs on Windows hosts (ansible_connection: winrm); this host is reached over local") {
			t.Errorf("%s: %q", u.Task, u.Reason)
		}
	}
}

// TestManyWinFilePathsFitWindowsCommandLines: a host with more win_file
// paths than one command line carries reads their kinds in a few
// path-kind scripts, each under Windows' 8191 characters.
func TestManyWinFilePathsFitWindowsCommandLines(t *testing.T) {
	_, root := startWinEditsLab(t)
	var b strings.Builder
	b.WriteString("- hosts: wm\n  gather_facts: false\n  tasks:\n")
	for i := range 150 {
		fmt.Fprintf(&b, "    - {name: 'Dir %d', win_file: {path: 'C:\\vllm\\a-rather-long-directory-name-%03d', state: directory}}\n", i, i)
	}
	parity.WriteTree(t, root, map[string]string{"site.yml": b.String()})
	var rec *recordingWinRM
	transports := func(c fleetplan.Connection) (remote.Transport, error) {
		tr, err := fleetplan.DefaultTransports(c)
		if w, ok := tr.(*remote.WinRM); ok && err == nil {
			rec = &recordingWinRM{WinRM: w}
			return rec, nil
		}
		return tr, err
	}
	plan, err := (&fleetplan.Planner{Repo: parity.Open(t, root, ""), Transports: transports}).Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	wm := plan.Host("wm")
	if wm == nil || wm.Unreachable != "" || len(wm.Files) != 150 {
		t.Fatalf("wm: %+v", wm)
	}
	if n := len(rec.calls); n < 2 || n > 6 {
		t.Errorf("%d path-kind calls for 151 paths, want a few: %q", n, rec.calls)
	}
}
