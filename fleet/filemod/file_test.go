package filemod

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFileScriptsOnThisHost plans each file state against a real path on
// this machine (StatScript through /bin/sh), runs the script, and plans
// again: the change is made, and the second plan finds nothing to do.
func TestFileScriptsOnThisHost(t *testing.T) {
	dir := t.TempDir()
	cases := []FileArgs{
		{Path: filepath.Join(dir, "a", "b", "c"), State: "directory", Mode: "0750"},
		{Path: filepath.Join(dir, "t"), State: "touch", Mode: "0600", PreserveTimes: true},
		{Path: filepath.Join(dir, "l"), State: "link", Src: filepath.Join(dir, "a")},
		{Path: filepath.Join(dir, "l"), State: "link", Src: filepath.Join(dir, "t")},
		{Path: filepath.Join(dir, "t"), State: "file", Mode: "0644"},
		{Path: filepath.Join(dir, "a"), State: "absent"},
	}
	for _, a := range cases {
		first := planOnHost(t, a)
		if !first.Changed || first.Script == "" || first.Diff == "" {
			t.Fatalf("%s %s: first plan %+v, want a change", a.State, a.Path, first)
		}
		if out, err := exec.Command("/bin/sh", "-c", first.Script).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", first.Script, err, out)
		}
		if again := planOnHost(t, a); again.Changed {
			t.Errorf("%s %s: changed again after its script: %s", a.State, a.Path, again.Diff)
		}
	}
	if st, _ := os.Stat(filepath.Join(dir, "t")); st == nil || st.Mode().Perm() != 0o644 {
		t.Errorf("mode of t: %v", st)
	}
	if target, _ := os.Readlink(filepath.Join(dir, "l")); target != filepath.Join(dir, "t") {
		t.Errorf("link target %q", target)
	}
}

func planOnHost(t *testing.T, a FileArgs) FileResult {
	t.Helper()
	out, err := exec.Command("/bin/sh", "-c", StatScript(a.Path)).Output()
	if err != nil {
		t.Fatal(err)
	}
	cur, err := ParseStat(string(out))
	if err != nil {
		t.Fatal(err)
	}
	r, err := File(a, cur, nil)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// TestFileRefusals: what the module would fail on, and what straylight
// does not run, are errors naming the reason.
func TestFileRefusals(t *testing.T) {
	for want, a := range map[string]FileArgs{
		"is absent, cannot continue":      {Path: "/x", State: "file"},
		"only octal modes":                {Path: "/x", State: "directory", Mode: "u+rwx"},
		"src is required":                 {Path: "/x", State: "link"},
		"state \"hard\" is not supported": {Path: "/x", State: "hard"},
	} {
		_, err := File(a, PathState{Kind: "absent"}, nil)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%+v: %v, want %q", a, err, want)
		}
	}
	if _, err := File(FileArgs{Path: "/x", State: "directory"}, PathState{Kind: "file"}, nil); err == nil {
		t.Error("a directory over a file: no error")
	}
	if _, err := ParseFileArgs(map[string]any{"path": "/x", "recurse": true}); err == nil || !strings.Contains(err.Error(), `"recurse"`) {
		t.Errorf("recurse: %v", err)
	}
}

// TestFileOwnerDiffShowsIDs: the file module's owner and group changes
// show as numeric ids, as ansible-playbook --diff prints them; an owner
// the host does not know fails as the module fails.
func TestFileOwnerDiffShowsIDs(t *testing.T) {
	cur := PathState{Kind: "file", Mode: "600", Owner: "root", Group: "root", UID: "0", GID: "0"}
	lookup := func(kind, name string) (int, error) {
		if name == "nobody" || name == "nogroup" {
			return 65534, nil
		}
		return 0, exec.ErrNotFound
	}
	r, err := File(FileArgs{Path: "/tmp/a.txt", Owner: "nobody", Group: "nogroup"}, cur, lookup)
	want := "--- before\n+++ after\n@@ -1,5 +1,5 @@\n {\n-    \"group\": 0,\n-    \"owner\": 0,\n+    \"group\": 65534,\n+    \"owner\": 65534,\n     \"path\": \"/tmp/a.txt\"\n }\n"
	if err != nil || r.Diff != want {
		t.Errorf("diff %v:\n%s\nwant:\n%s", err, r.Diff, want)
	}
	if _, err := File(FileArgs{Path: "/tmp/a.txt", Owner: "ghost"}, cur, lookup); err == nil || !strings.Contains(err.Error(), "failed to look up user ghost") {
		t.Errorf("unknown owner: %v", err)
	}
}

// A mode and an owner change together: chown runs before chmod, which a
// chown would undo for setuid and setgid bits (Ansible sets the owner, the
// group, then the mode).
func TestFileSetsTheModeAfterTheOwner(t *testing.T) {
	lookup := func(kind, name string) (int, error) { return 1001, nil }
	res, err := File(FileArgs{Path: "/srv/bin/tool", State: "file", Mode: "4755", Owner: "svc"},
		PathState{Kind: "file", Mode: "755", Owner: "root", Group: "root", UID: "0", GID: "0"}, lookup)
	if err != nil {
		t.Fatal(err)
	}
	chown, chmod := strings.Index(res.Script, "chown"), strings.Index(res.Script, "chmod")
	if chown < 0 || chmod < 0 || chmod < chown {
		t.Errorf("script %q: want chown before chmod", res.Script)
	}
}

// A link's source is looked for as ensure_symlink joins it: absolute as
// it is, else beside the link, or inside the path when that is a
// directory.
func TestLinkSourceJoinsAsTheModule(t *testing.T) {
	for _, c := range []struct {
		path, src, kind, want string
	}{
		{"/etc/nginx/sites-enabled/a", "/etc/nginx/sites-available/a", "absent", "/etc/nginx/sites-available/a"},
		{"/etc/nginx/sites-enabled/a", "../sites-available/a", "absent", "/etc/nginx/sites-enabled/../sites-available/a"},
		{"/srv/current", "releases/1", "link", "/srv/releases/1"},
		{"/srv/dir", "x", "directory", "/srv/dir/x"},
		{"/srv/dir/", "x", "directory", "/srv/dir/x"},
		{"here", "there", "absent", "there"},
	} {
		if got := (FileArgs{Path: c.path, Src: c.src, State: "link"}).LinkSource(PathState{Kind: c.kind}); got != c.want {
			t.Errorf("%s -> %s (%s): %q, want %q", c.path, c.src, c.kind, got, c.want)
		}
	}
}
