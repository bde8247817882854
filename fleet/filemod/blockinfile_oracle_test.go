package filemod

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// blockCase is one blockinfile run: the file before, and the arguments.
type blockCase struct {
	name     string
	before   *string // nil: the file is missing
	args     map[string]any
	wantErr  bool // straylight refuses it, or it fails as Ansible's does
	since216 bool // append_newline/prepend_newline: ansible-core 2.16 and later only
}

const managed = "# BEGIN ANSIBLE MANAGED BLOCK\nold\n# END ANSIBLE MANAGED BLOCK\n"

var blockCases = []blockCase{
	{name: "insert at EOF", before: ptr("a\nb\n"), args: map[string]any{"block": "x=1\ny=2"}},
	{name: "insert at BOF", before: ptr("a\nb\n"), args: map[string]any{"block": "x=1", "insertbefore": "BOF"}},
	{name: "insertafter a regexp, last match", before: ptr("[m]\na\n[m]\nb\n"), args: map[string]any{"block": "x=1\n", "insertafter": "^\\[m\\]"}},
	{name: "insertbefore a regexp", before: ptr("a\n[s]\nb\n"), args: map[string]any{"block": "x", "insertbefore": "^\\[s\\]$"}},
	{name: "insertafter no match: EOF", before: ptr("a\n"), args: map[string]any{"block": "x", "insertafter": "^nomatch"}},
	{name: "insertafter BOF is a pattern", before: ptr("a\nBOF\nb\n"), args: map[string]any{"block": "x", "insertafter": "BOF"}},
	{name: "replace an existing block", before: ptr("top\n" + managed + "bottom\n"), args: map[string]any{"block": "new\nlines"}},
	{name: "block already there", before: ptr("top\n" + managed), args: map[string]any{"block": "old"}},
	{name: "existing block ignores insertbefore", before: ptr("a\n" + managed + "b\n"), args: map[string]any{"block": "new", "insertbefore": "BOF"}},
	{name: "markers in reverse order", before: ptr("a\n# END ANSIBLE MANAGED BLOCK\nmid\n# BEGIN ANSIBLE MANAGED BLOCK\nz\n"), args: map[string]any{"block": "new"}},
	{name: "only a begin marker: insert", before: ptr("# BEGIN ANSIBLE MANAGED BLOCK\nx\n"), args: map[string]any{"block": "y"}},
	{name: "absent", before: ptr("a\n" + managed + "b\n"), args: map[string]any{"state": "absent"}},
	{name: "absent, no block", before: ptr("a\nb\n"), args: map[string]any{"state": "absent"}},
	{name: "absent, no block, no final newline", before: ptr("a\nb"), args: map[string]any{"state": "absent"}},
	{name: "absent on a missing file fails", args: map[string]any{"state": "absent"}, wantErr: true},
	{name: "absent on a missing file, create", args: map[string]any{"state": "absent", "create": true}},
	{name: "empty block removes", before: ptr("a\n" + managed), args: map[string]any{"block": ""}},
	{name: "create a missing file", args: map[string]any{"block": "first", "create": true}},
	{name: "create with an empty block", args: map[string]any{"block": "", "create": true}},
	{name: "missing file without create", args: map[string]any{"block": "x"}, wantErr: true},
	{name: "custom marker", before: ptr("a\n"), args: map[string]any{"block": "k: v", "marker": "<!-- {mark} vllm -->"}},
	{name: "marker_begin and marker_end", before: ptr("a\n;; start litellm\nold\n;; stop litellm\n"), args: map[string]any{"block": "new", "marker": ";; {mark} litellm", "marker_begin": "start", "marker_end": "stop"}},
	{name: "CRLF file", before: ptr("a\r\nb\r\n"), args: map[string]any{"block": "x", "insertafter": "^a"}},
	{name: "CRLF block", before: ptr("a\n"), args: map[string]any{"block": "x\r\ny\r\n"}},
	{name: "lone CR splits lines", before: ptr("a\rb\n"), args: map[string]any{"block": "x", "insertafter": "^a$"}},
	{name: "no final newline", before: ptr("a\nb"), args: map[string]any{"block": "x"}},
	{name: "no final newline, insertafter the last line", before: ptr("a\nb"), args: map[string]any{"block": "x", "insertafter": "^b"}},
	{name: "content alias, dest alias", before: ptr("a\n"), args: map[string]any{"content": "x"}},
	{name: "empty file", before: ptr(""), args: map[string]any{"block": "x"}},
	{name: "append_newline and prepend_newline", before: ptr("a\nb\n"), args: map[string]any{"block": "x", "insertafter": "^a", "append_newline": true, "prepend_newline": true}, since216: true},
	{name: "prepend_newline after a blank line", before: ptr("a\n\nb\n"), args: map[string]any{"block": "x", "insertbefore": "^b", "prepend_newline": true, "append_newline": true}, since216: true},
	{name: "append_newline at EOF", before: ptr("a\n"), args: map[string]any{"block": "x", "append_newline": true}, since216: true},
	{name: "lookahead is refused", before: ptr("a\n"), args: map[string]any{"block": "x", "insertafter": "^a(?=b)"}, wantErr: true},
	{name: "multiline is refused", before: ptr("a\n"), args: map[string]any{"block": "x", "insertafter": "(?m)^a"}, wantErr: true},
}

// TestBlockInFileMatchesAnsible runs Ansible's own blockinfile module on a
// file for each case and compares the bytes it leaves and its changed
// flag with BlockInFile's.
func TestBlockInFileMatchesAnsible(t *testing.T) {
	for _, py := range lineOracles(t) {
		newer := !strings.HasPrefix(py, "/usr/bin/") // Debian's is 2.14
		for i, c := range blockCases {
			if c.since216 && !newer {
				continue
			}
			t.Run(strconv.Itoa(i)+" "+c.name, func(t *testing.T) {
				dir := t.TempDir()
				path := filepath.Join(dir, "f.conf")
				if c.before != nil {
					if err := os.WriteFile(path, []byte(*c.before), 0o644); err != nil {
						t.Fatal(err)
					}
				}
				args := map[string]any{"path": path}
				for k, v := range c.args {
					args[k] = v
				}
				a, err := ParseBlockArgs(args)
				var got LineResult
				if err == nil {
					got, err = BlockInFile(a, bytesOf(c.before), c.before != nil)
				}
				if c.wantErr {
					if err == nil {
						t.Fatalf("no error, want a refusal")
					}
					return
				}
				want, changed := runAnsibleModule(t, py, "blockinfile", dir, path, c.args)
				if err != nil {
					t.Fatalf("%s: straylight fails: %v", py, err)
				}
				if !bytes.Equal(got.Content, want) || got.Changed != changed {
					t.Errorf("%s: straylight %q changed=%v, Ansible %q changed=%v", py, got.Content, got.Changed, want, changed)
				}
			})
		}
	}
}

func TestParseBlockArgsRefuses(t *testing.T) {
	for _, args := range []map[string]any{
		{"block": "x"},
		{"path": "/f", "insertafter": "a", "insertbefore": "b"},
		{"path": "/f", "state": "gone"},
		{"path": "/f", "create": "maybe"},
		{"path": "/f", "marker_begin": `B\1`},
		{"path": "/f", "unsafe_writes": true},
	} {
		if _, err := ParseBlockArgs(args); err == nil {
			t.Errorf("%v: no error", args)
		}
	}
	a, err := ParseBlockArgs(map[string]any{"dest": "/f", "append_newline": false})
	if err != nil || a.Path != "/f" || a.Marker != "# {mark} ANSIBLE MANAGED BLOCK" || len(a.NewlineArgs) != 1 {
		t.Errorf("%+v %v", a, err)
	}
}
