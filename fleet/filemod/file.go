package filemod

import (
	"encoding/json"
	"errors"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
	"github.com/straylight-fleet/straylight/internal/shquote"
)

// FileArgs are the file module's arguments straylight runs, templated.
type FileArgs struct {
	Path  string
	State string // directory, touch, absent, link, file; "" keeps the current kind
	Src   string // link's target
	Mode  string // octal ("0755", "755"); symbolic modes are refused
	Owner string // a name or a numeric id
	Group string
	// PreserveTimes: touch with modification_time and access_time
	// "preserve" (changed only when it creates the file).
	PreserveTimes bool
	// Windows: win_file's arguments (path and state; WinFile decides).
	Windows bool
}

// PathState is what a path is on the host now (StatScript's output).
type PathState struct {
	Kind         string // absent, file, directory, link
	Mode         string // octal, as stat's %a ("755")
	Owner, Group string // names
	UID, GID     string
	Target       string // a link's target
}

// FileResult is what the file module would do to the path.
type FileResult struct {
	Changed bool
	Diff    string // Ansible's --diff of the module's before/after mappings
	Script  string // POSIX shell making the change ("" when none)
	After   string // the kind of the path afterwards
}

// StatScript prints the path's kind, then for an existing path its octal
// mode, owner, group, uid, gid, and a link's target (GNU stat, readlink).
func StatScript(path string) string {
	p := shquote.Always(path)
	return "p=" + p + `; if [ -L "$p" ]; then k=link; elif [ -d "$p" ]; then k=directory; elif [ -e "$p" ]; then k=file; else echo absent; exit 0; fi
printf '%s\n' "$k"; stat -c '%a %U %G %u %g' -- "$p"; if [ "$k" = link ]; then readlink -- "$p"; fi`
}

// ParseStat reads StatScript's output.
func ParseStat(out string) (PathState, error) {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	st := PathState{Kind: strings.TrimSpace(lines[0])}
	if st.Kind == "absent" {
		return st, nil
	}
	if len(lines) < 2 || !slices.Contains([]string{"file", "directory", "link"}, st.Kind) {
		return st, fmt.Errorf("unexpected stat output %q", out)
	}
	f := strings.Fields(lines[1])
	if len(f) != 5 {
		return st, fmt.Errorf("unexpected stat output %q", lines[1])
	}
	st.Mode, st.Owner, st.Group, st.UID, st.GID = f[0], f[1], f[2], f[3], f[4]
	if st.Kind == "link" && len(lines) > 2 {
		st.Target = lines[2]
	}
	return st, nil
}

var octalMode = lazyre.New(`^0?[0-7]{3,4}$`)

// Check refuses what straylight does not run, naming the argument.
func (a FileArgs) Check() error {
	switch {
	case a.Path == "":
		return fmt.Errorf("missing path")
	case !slices.Contains([]string{"", "file", "directory", "touch", "absent", "link"}, a.State):
		return fmt.Errorf("state %q is not supported (directory, touch, absent, link, file)", a.State)
	case a.Mode != "" && !octalMode().MatchString(a.Mode):
		return fmt.Errorf("mode %q: only octal modes are planned for the file module", a.Mode)
	case a.State == "link" && a.Src == "":
		return fmt.Errorf("src is required for state=link")
	case a.State == "link" && (a.Mode != "" || a.Owner != "" || a.Group != ""):
		return fmt.Errorf("mode, owner and group on a link are not supported")
	}
	return nil
}

// File computes the module's result on the path's current state. lookup
// resolves an owner or group name the path does not have (its diff shows
// ids, as Ansible's does); nil shows the names.
func File(a FileArgs, cur PathState, lookup IDLookup) (FileResult, error) {
	if err := a.Check(); err != nil {
		return FileResult{}, err
	}
	state := a.State
	if state == "" {
		state = cur.Kind
		if state == "absent" {
			state = "file"
		}
	}
	before, after := map[string]any{"path": a.Path}, map[string]any{"path": a.Path}
	r, err := a.kindChange(state, cur, before, after)
	if err != nil || state == "absent" || state == "link" {
		return r.finish(before, after), err
	}
	if err := a.attrChanges(&r, cur, before, after, lookup); err != nil {
		return FileResult{}, err
	}
	return r.finish(before, after), nil
}

// kindChange is the part of the result that creates, removes or relinks.
func (a FileArgs) kindChange(state string, cur PathState, before, after map[string]any) (FileResult, error) {
	r := FileResult{After: state}
	p := shquote.Always(a.Path)
	switch {
	case state == "absent":
		if cur.Kind != "absent" {
			before["state"], after["state"] = cur.Kind, "absent"
			r.Changed, r.Script = true, "rm -rf -- "+p
		}
	case state == "file":
		if cur.Kind == "absent" {
			return r, fmt.Errorf("file (%s) is absent, cannot continue", a.Path)
		}
	case cur.Kind == "absent":
		before["state"], after["state"] = "absent", state
		r.Changed, r.Script = true, a.createScript(state)
	case state == "link":
		return a.relink(r, cur, before, after)
	case state == "directory" && cur.Kind != "directory":
		return r, fmt.Errorf("%s already exists as a %s", a.Path, cur.Kind)
	case state == "touch" && !a.PreserveTimes:
		before["state"], after["state"] = cur.Kind, "touch"
		r.Changed, r.Script = true, "touch -- "+p
	}
	return r, nil
}

func (a FileArgs) relink(r FileResult, cur PathState, before, after map[string]any) (FileResult, error) {
	if cur.Kind != "link" {
		return r, fmt.Errorf("refusing to convert from %s to symlink for %s", cur.Kind, a.Path)
	}
	if cur.Target != a.Src {
		before["src"], after["src"] = cur.Target, a.Src
		r.Changed, r.Script = true, "ln -sfn -- "+shquote.Always(a.Src)+" "+shquote.Always(a.Path)
	}
	return r, nil
}

// LinkSource is the path the file module requires to exist before it
// makes or keeps a link (ensure_symlink, without force): src when it is
// absolute, else src joined to the link's folder — to the path itself
// when the path is a directory — as os.path.join does.
func (a FileArgs) LinkSource(cur PathState) string {
	dir := path.Dir(a.Path)
	switch {
	case path.IsAbs(a.Src):
		return a.Src
	case cur.Kind == "directory":
		dir = a.Path
	case !strings.Contains(a.Path, "/"):
		return a.Src
	}
	if strings.HasSuffix(dir, "/") {
		return dir + a.Src
	}
	return dir + "/" + a.Src
}

// MissingLinkSource is the file module's failure for a link whose
// source does not exist (lib/ansible/modules/file.py, ensure_symlink, at
// v2.14.18 and v2.19.14; in check mode too).
func MissingLinkSource(src string) error {
	return fmt.Errorf(`src file does not exist, use "force=yes" if you really want to create the link: %s`, src)
}

// ExistsScript exits 0 when the path exists, a link's target followed (as
// Python's os.path.exists), and 1 when it does not.
func ExistsScript(p string) string { return "[ -e " + shquote.Always(p) + " ]" }

// createScript makes a missing path: a directory with its missing parents
// (each given the task's mode and owner, as the module does), an empty
// file, or a link.
func (a FileArgs) createScript(state string) string {
	p := shquote.Always(a.Path)
	switch state {
	case "directory":
		return `p=` + p + `; set --; d=$p; while [ ! -e "$d" ]; do set -- "$d" "$@"; d=$(dirname -- "$d"); done
for d in "$@"; do mkdir -- "$d" || exit 1; ` + a.attrScript(`"$d"`) + `done`
	case "link":
		return "ln -s -- " + shquote.Always(a.Src) + " " + p
	}
	return "touch -- " + p + "; " + a.attrScript(p)
}

// attrScript sets the task's mode, owner and group on target.
func (a FileArgs) attrScript(target string) string {
	var b strings.Builder
	if a.Owner != "" || a.Group != "" {
		b.WriteString("chown -- " + shquote.Always(ownerGroup(a.Owner, a.Group)) + " " + target + " || exit 1; ")
	}
	if a.Mode != "" {
		b.WriteString("chmod -- " + a.Mode + " " + target + " || exit 1; ")
	}
	return b.String()
}

func ownerGroup(owner, group string) string {
	if group == "" {
		return owner
	}
	return owner + ":" + group
}

// attrChanges compares mode, owner and group with an existing path's.
func (a FileArgs) attrChanges(r *FileResult, cur PathState, before, after map[string]any, lookup IDLookup) error {
	if cur.Kind == "absent" {
		return nil
	}
	var script []string
	var chmod string // last, as Ansible and attrScript order it: a chown clears setuid and setgid
	if a.Mode != "" && !sameMode(a.Mode, cur.Mode) {
		if cur.Mode != "" { // "": created by an earlier task, mode not known yet
			before["mode"] = normMode(cur.Mode)
		}
		after["mode"] = normMode(a.Mode)
		chmod = "chmod -- " + a.Mode + " " + shquote.Always(a.Path)
	}
	for _, id := range []struct{ kind, want, name, id, cmd, key string }{
		{"user", a.Owner, cur.Owner, cur.UID, "chown", "owner"},
		{"group", a.Group, cur.Group, cur.GID, "chgrp", "group"},
	} {
		if id.want == "" || id.want == id.name || id.want == id.id {
			continue
		}
		was, now, err := idChange(id.kind, id.want, id.name, id.id, lookup)
		if err != nil {
			return err
		}
		if was == now { // another name of the same id
			continue
		}
		before[id.key], after[id.key] = was, now
		script = append(script, id.cmd+" -- "+shquote.Always(id.want)+" "+shquote.Always(a.Path))
	}
	if chmod != "" {
		script = append(script, chmod)
	}
	if len(script) > 0 {
		r.Changed = true
		r.Script = strings.Join(append(nonEmpty(r.Script), script...), " && ")
	}
	return nil
}

// idChange is an owner's or group's before and after as Ansible's diff
// shows them: numeric ids where the host says them, else the names.
func idChange(kind, want, name, id string, lookup IDLookup) (any, any, error) {
	if lookup == nil {
		return name, want, nil
	}
	was, err := strconv.Atoi(id)
	if err != nil {
		return name, want, nil // created by an earlier task: not known yet
	}
	now, err := resolveID(kind, want, false, 0, lookup)
	if errors.Is(err, ErrIDOfRun) {
		return was, want, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("%s failed: failed to look up %s %s", map[string]string{"user": "chown", "group": "chgrp"}[kind], kind, want)
	}
	return was, now, nil
}

func nonEmpty(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

func sameMode(want, have string) bool {
	w, err1 := strconv.ParseUint(want, 8, 32)
	h, err2 := strconv.ParseUint(have, 8, 32)
	return err1 == nil && err2 == nil && w == h
}

func normMode(m string) string {
	v, _ := strconv.ParseUint(m, 8, 32)
	return fmt.Sprintf("0%03o", v)
}

// finish renders the diff the way Ansible's callback shows a module's
// before/after mappings: JSON, keys sorted, four-space indents.
func (r FileResult) finish(before, after map[string]any) FileResult {
	if r.Changed {
		r.Diff = unifiedDiff(pyJSON(before), pyJSON(after))
	}
	return r
}

func pyJSON(m map[string]any) string {
	b, _ := json.MarshalIndent(m, "", "    ") // encoding/json sorts map keys
	return string(b) + "\n"
}
