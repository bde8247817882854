package filemod

import (
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"testing"
)

// modeCase is one mode argument on a file of mode cur, under umask.
type modeCase struct {
	mode       string
	cur, umask uint32
}

var modeCases = []modeCase{
	{"0644", 0o600, 0o022}, {"644", 0o600, 0o022}, {"1204", 0o644, 0o022}, {"0o750", 0o600, 0o022},
	{"u=rw,g=r,o=r", 0o600, 0o022}, {"u+x", 0o600, 0o022}, {"u=rwx,g=rx,o=", 0o777, 0o022},
	{"a-w", 0o664, 0o022}, {"+x", 0o600, 0o022}, {"+x", 0o600, 0o077}, {"=rw", 0o777, 0o027},
	{"go-rwx", 0o755, 0o022}, {"u+s,g+s", 0o755, 0o022}, {"o+t", 0o777, 0o022}, {"a+X", 0o644, 0o022},
	{"a+X", 0o744, 0o022}, {"g=u", 0o740, 0o022}, {"o=g-w", 0o764, 0o022}, {"u=rw,g=u-w,o=g", 0o000, 0o022},
	{"ug=rw,o-rwx", 0o4755, 0o022}, {"u+x,g+X", 0o600, 0o022}, {"u=rwx,go=u-w", 0o000, 0o022}, {"u-s", 0o4755, 0o022}, {"a=", 0o7777, 0o022}, {"u=rwxs", 0o000, 0o022},
}

// ansibleModes runs Ansible's own AnsibleModule._symbolic_mode_to_octal
// (and int(mode, 8) first, as set_mode_if_different does) on every case.
func ansibleModes(t *testing.T, py string, cases []modeCase) (string, []any) {
	t.Helper()
	in, _ := json.Marshal(cases)
	script := `import json, os, sys
from ansible.module_utils.basic import AnsibleModule
from ansible.release import __version__
out = [__version__]
for c in json.loads(sys.argv[1]):
    os.umask(c[2])
    st = os.stat_result((0o100000 | c[1], 0, 0, 1, 0, 0, 0, 0, 0, 0))
    try:
        try:
            m = int(c[0], 8)
        except Exception:
            m = AnsibleModule._symbolic_mode_to_octal(st, c[0])
        out.append(m)
    except Exception as e:
        out.append(str(e))
print(json.dumps(out))`
	out, err := exec.Command(py, "-c", script, string(in)).Output()
	if err != nil {
		t.Fatalf("%s: %v", py, err)
	}
	var res []any
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("%s: %v: %s", py, err, out)
	}
	return res[0].(string), res[1:]
}

func (c modeCase) MarshalJSON() ([]byte, error) { return json.Marshal([]any{c.mode, c.cur, c.umask}) }

// TestResolveModeMatchesAnsible: octal and symbolic modes resolve to the
// bits Ansible's module computes, with both ansible-cores.
func TestResolveModeMatchesAnsible(t *testing.T) {
	for _, py := range lineOracles(t) {
		version, want := ansibleModes(t, py, modeCases)
		var major, minor int
		fmt.Sscanf(version, "%d.%d", &major, &minor)
		chained := major > 2 || minor >= 16
		for i, c := range modeCases {
			got, err := ResolveMode(c.mode, c.cur, c.umask, chained)
			w, isNum := want[i].(float64)
			switch {
			case !isNum && err == nil:
				t.Errorf("ansible-core %s: %q on %04o: got %04o, Ansible fails: %v", version, c.mode, c.cur, got, want[i])
			case isNum && (err != nil || got != uint32(w)):
				t.Errorf("ansible-core %s: %q on %04o umask %03o: got %04o (%v), Ansible %04o", version, c.mode, c.cur, c.umask, got, err, uint32(w))
			}
		}
	}
}

func TestResolveModeRefusesBadModes(t *testing.T) {
	for _, m := range []string{"u=rwz", "q+x", "077777", "rw"} {
		if got, err := ResolveMode(m, 0o644, 0o022, true); err == nil {
			t.Errorf("%q resolved to %04o", m, got)
		}
	}
}

// TestCompareAttrsDiffIsAnsibles: an existing file's attribute changes
// show as ansible-playbook --check --diff shows them (owner and group as
// ids, path in both), a new file's not at all, and an unknown owner fails
// as the module fails.
func TestCompareAttrsDiffIsAnsibles(t *testing.T) {
	cur := AttrState{Exists: true, Mode: 0o600, UID: 0, GID: 0, Owner: "root", Group: "root", Umask: 0o022}
	lookup := func(kind, name string) (int, error) {
		if name == "nobody" || name == "nogroup" {
			return 65534, nil
		}
		return 0, exec.ErrNotFound
	}
	r, err := CompareAttrs("/tmp/a.txt", Attrs{Mode: "u+x", Owner: "nobody", Group: "nogroup", Chained: true}, cur, lookup)
	want := `--- before
+++ after
@@ -1,6 +1,6 @@
 {
-    "group": 0,
-    "mode": "0600",
-    "owner": 0,
+    "group": 65534,
+    "mode": "0700",
+    "owner": 65534,
     "path": "/tmp/a.txt"
 }
`
	if err != nil || !r.Changed || r.Mode != "0700" || r.Diff != want {
		t.Errorf("got %+v, %v; diff:\n%s", r, err, r.Diff)
	}
	same, err := CompareAttrs("/tmp/a.txt", Attrs{Mode: "0600", Owner: "root", Group: "0"}, cur, nil)
	if err != nil || same.Changed || same.Diff != "" {
		t.Errorf("same attributes: %+v, %v", same, err)
	}
	created, err := CompareAttrs("/tmp/n.txt", Attrs{Mode: "g+w"}, AttrState{Umask: 0o022}, nil)
	if err != nil || created.Changed || created.Diff != "" || created.Mode != "0664" {
		t.Errorf("new file: %+v, %v", created, err)
	}
	if _, err := CompareAttrs("/tmp/a.txt", Attrs{Owner: "no-such-user"}, cur, lookup); err == nil || !strings.Contains(err.Error(), "failed to look up user no-such-user") {
		t.Errorf("unknown owner: %v", err)
	}
	if res, err := CompareAttrs("/tmp/new.txt", Attrs{Owner: "no-such-user", Group: "no-such-group"}, AttrState{Umask: 0o022}, lookup); err != nil || res.Changed {
		t.Errorf("unknown owner of a file to create (check mode calls it changed, unlooked-up): %+v, %v", res, err)
	}
}
