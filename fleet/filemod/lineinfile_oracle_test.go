package filemod

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/straylight-fleet/straylight/internal/oracle"
)

// lineCase is one lineinfile run: the file before, and the arguments.
type lineCase struct {
	name    string
	before  *string // nil: the file is missing
	args    map[string]any
	wantErr bool // straylight refuses it (a pattern Go cannot run)
}

func ptr(s string) *string { return &s }

var lineCases = []lineCase{
	{name: "replace by regexp", before: ptr("a=1\n# x\nb=2\n"), args: map[string]any{"regexp": "^a=", "line": "a=9"}},
	{name: "regexp matches nothing: append", before: ptr("a=1\n"), args: map[string]any{"regexp": "^c=", "line": "c=3"}},
	{name: "no final newline, append", before: ptr("a=1\nb=2"), args: map[string]any{"line": "c=3"}},
	{name: "line already there", before: ptr("a=1\nc=3\n"), args: map[string]any{"line": "c=3"}},
	{name: "last match wins", before: ptr("k=1\nk=2\nz\n"), args: map[string]any{"regexp": "^k=", "line": "k=9"}},
	{name: "firstmatch", before: ptr("k=1\nk=2\nz\n"), args: map[string]any{"regexp": "^k=", "line": "k=9", "firstmatch": true}},
	{name: "dollar before the newline", before: ptr("port 80\nhost x\n"), args: map[string]any{"regexp": "^port \\d+$", "line": "port 8080"}},
	{name: "insertafter a regexp", before: ptr("[main]\nx=1\n[other]\ny=2\n"), args: map[string]any{"line": "new=1", "insertafter": "^\\[main\\]"}},
	{name: "insertafter the last line", before: ptr("a\nb\n"), args: map[string]any{"line": "c", "insertafter": "^b"}},
	{name: "insertafter, line already after", before: ptr("a\nc\nb\n"), args: map[string]any{"line": "c", "insertafter": "^a", "regexp": "^zz"}},
	{name: "insertafter no match: EOF", before: ptr("a\n"), args: map[string]any{"line": "z", "insertafter": "^nomatch"}},
	{name: "insertbefore", before: ptr("a\n[s]\nb\n"), args: map[string]any{"line": "before-s", "insertbefore": "^\\[s\\]"}},
	{name: "insertbefore BOF", before: ptr("a\n"), args: map[string]any{"line": "# top", "insertbefore": "BOF"}},
	{name: "insertbefore the first line", before: ptr("a\nb\n"), args: map[string]any{"line": "zero", "insertbefore": "^a"}},
	{name: "insertafter several, firstmatch", before: ptr("m\nx\nm\ny\n"), args: map[string]any{"line": "after-m", "insertafter": "^m", "firstmatch": true}},
	{name: "backrefs", before: ptr("listen 127.0.0.1:80\n"), args: map[string]any{"regexp": "^listen ([0-9.]+):(\\d+)$", "line": "listen \\1:8080 # was \\g<2>", "backrefs": true}},
	{name: "backrefs without a match", before: ptr("a\n"), args: map[string]any{"regexp": "^nomatch(.*)$", "line": "x\\1", "backrefs": true}},
	{name: "search_string", before: ptr("User=root\nGroup=root\n"), args: map[string]any{"search_string": "User=", "line": "User=vllm"}},
	{name: "create a missing file", args: map[string]any{"line": "first", "create": true}},
	{name: "absent by regexp", before: ptr("a=1\nb=2\na=3\n"), args: map[string]any{"regexp": "^a=", "state": "absent"}},
	{name: "absent by line, none found", before: ptr("a\n"), args: map[string]any{"line": "b", "state": "absent"}},
	{name: "absent on a missing file", args: map[string]any{"line": "b", "state": "absent"}},
	{name: "CRLF lines compared without their ends", before: ptr("a\r\nb\r\n"), args: map[string]any{"line": "b"}},
	{name: "lookahead is refused", before: ptr("a\n"), args: map[string]any{"regexp": "^a(?=b)", "line": "x"}, wantErr: true},
}

// lineOracles are the Pythons whose ansible-core runs lineinfile: Debian's
// (ansible 2.14) and the venv .ci/venvs creates (pip's newest).
func lineOracles(t *testing.T) []string {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the runs of Ansible's lineinfile are left to the full test run")
	}
	var out []string
	for _, py := range []string{"/usr/bin/python3", filepath.Join(oracle.CacheDir(), "venv-ansible-core", "bin", "python")} {
		if err := exec.Command(py, "-c", "import ansible.modules.lineinfile").Run(); err != nil {
			msg := py + " cannot import ansible.modules.lineinfile (apt-get install ansible; .ci/venvs): " + err.Error()
			oracle.Note(t, "%s", msg)
			continue
		}
		out = append(out, py)
	}
	if len(out) == 0 {
		t.Skip("no ansible-core to run lineinfile")
	}
	return out
}

// TestLineInFileMatchesAnsible runs Ansible's own lineinfile module on a
// file for each case and compares the bytes it leaves and its changed flag
// with LineInFile's.
func TestLineInFileMatchesAnsible(t *testing.T) {
	for _, py := range lineOracles(t) {
		for i, c := range lineCases {
			t.Run(strconv.Itoa(i)+" "+c.name, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "f.conf")
				if c.before != nil {
					if err := os.WriteFile(path, []byte(*c.before), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				got, gotErr := LineInFile(lineArgsFrom(t, path, c.args), bytesOf(c.before), c.before != nil)
				if c.wantErr {
					if gotErr == nil {
						t.Fatalf("no error, want a refusal")
					}
					return
				}
				want, changed := runAnsibleModule(t, py, "lineinfile", dir, path, c.args)
				if gotErr != nil {
					t.Fatalf("%s: straylight fails: %v", py, gotErr)
				}
				if !bytes.Equal(got.Content, want) || got.Changed != changed {
					t.Errorf("%s: straylight %q changed=%v, Ansible %q changed=%v", py, got.Content, got.Changed, want, changed)
				}
			})
		}
	}
}

func bytesOf(s *string) []byte {
	if s == nil {
		return nil
	}
	return []byte(*s)
}

func lineArgsFrom(t *testing.T, path string, args map[string]any) LineArgs {
	t.Helper()
	a := LineArgs{Path: path}
	s := func(k string) *string {
		if v, ok := args[k].(string); ok {
			return &v
		}
		return nil
	}
	b := func(k string) bool { v, _ := args[k].(bool); return v }
	a.Regexp, a.SearchString, a.Line, a.InsertAfter, a.InsertBefore = s("regexp"), s("search_string"), s("line"), s("insertafter"), s("insertbefore")
	a.Create, a.Backrefs, a.FirstMatch, a.Absent = b("create"), b("backrefs"), b("firstmatch"), args["state"] == "absent"
	return a
}

// runAnsibleModule runs the module as Ansible ships it (python -m
// ansible.modules.MODULE ARGS.json) and returns the file it leaves (nil
// when none) and its changed flag.
func runAnsibleModule(t *testing.T, py, module, dir, path string, args map[string]any) ([]byte, bool) {
	t.Helper()
	full := map[string]any{"path": path}
	for k, v := range args {
		full[k] = v
	}
	argsFile := filepath.Join(dir, "args.json")
	data, _ := json.Marshal(map[string]any{"ANSIBLE_MODULE_ARGS": full})
	if err := os.WriteFile(argsFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(py, "-m", "ansible.modules."+module, argsFile)
	cmd.Dir = dir
	out, _ := cmd.Output()
	var res struct {
		Changed bool   `json:"changed"`
		Failed  bool   `json:"failed"`
		Msg     string `json:"msg"`
	}
	if err := json.Unmarshal(bytes.TrimSpace(out), &res); err != nil || res.Failed {
		t.Fatalf("%s %s: %v %s\n%s", py, module, err, res.Msg, out)
	}
	content, err := os.ReadFile(path)
	if err != nil {
		return nil, res.Changed
	}
	return content, res.Changed
}
