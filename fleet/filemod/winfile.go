package filemod

import (
	"fmt"
	"slices"
	"strings"
)

// ansible.windows.win_file, as plugins/modules/win_file.ps1 decides at
// ansible.windows a1e2a842ab8fd9db7108e0fda80dbb36ee04c07e (the file:line
// citations below are at that commit). straylight runs its path and
// state; the timestamps (modification_time, access_time and their
// formats) are refused by name.

var winFileArgNames = []string{"path", "dest", "name", "state"}

// winFileStates are win_file's states (win_file.ps1:21).
var winFileStates = []string{"", "absent", "directory", "file", "touch"}

// ParseWinFileArgs reads win_file's templated arguments.
func ParseWinFileArgs(args map[string]any) (FileArgs, error) {
	if err := onlyArgs("win_file", args, winFileArgNames); err != nil {
		return FileArgs{}, err
	}
	a := FileArgs{Path: firstString(args, "path", "dest", "name"), State: String(args["state"]), Windows: true}
	switch {
	case a.Path == "":
		return a, fmt.Errorf("missing path")
	case strings.Contains(a.Path, "%"):
		return a, fmt.Errorf("path %q: the module expands %%VARIABLES%% in a path on the host; straylight does not", a.Path)
	case !slices.Contains(winFileStates, a.State):
		return a, fmt.Errorf("state %q is not absent, directory, file or touch", a.State)
	}
	return a, nil
}

// WinFile is win_file's decision on the path's kind (absent, file or
// directory, as the path-kind script reports it). Its Script is the state
// the set-path script makes (directory, absent, touch; "" when none);
// failures carry the module's message.
func WinFile(a FileArgs, kind string) (FileResult, error) {
	state := a.State
	if state == "" {
		if kind != "absent" {
			return FileResult{After: kind}, nil // :203-219: nothing to check
		}
		var err error
		if state, err = a.stateFromLeaf(); err != nil {
			return FileResult{}, err
		}
	}
	before, after := map[string]any{"path": a.Path, "state": kind}, map[string]any{"path": a.Path}
	r, err := winFileChange(a.Path, state, kind)
	after["state"] = r.After
	return r.finish(before, after), err
}

// stateFromLeaf is :224-232: a missing path with a leaf name is a file,
// which :260-262 refuses to create. Split-Path's leaf of a path ending in
// a separator is not guessed.
func (a FileArgs) stateFromLeaf() (string, error) {
	if strings.HasSuffix(a.Path, `\`) || strings.HasSuffix(a.Path, "/") {
		return "", fmt.Errorf("win_file without state on a missing path ending in a separator: straylight does not guess what Split-Path -Leaf makes of it")
	}
	return "file", nil
}

func winFileChange(path, state, kind string) (FileResult, error) {
	r := FileResult{After: kind}
	switch {
	case state == "touch": // :183-201: a new file, or new timestamps: changed
		r.Changed, r.Script, r.After = true, "touch", orKind(kind, "file")
	case state == "absent" && kind != "absent": // :205-208
		r.Changed, r.Script, r.After = true, "absent", "absent"
	case state == "absent":
	case state == "directory" && kind == "file": // :210-212
		return r, fmt.Errorf("path %s is not a directory", path)
	case state == "file" && kind == "directory": // :214-216
		return r, fmt.Errorf("path %s is not a file", path)
	case state == "directory" && kind == "absent": // :234-253: New-Item makes it and its parents
		r.Changed, r.Script, r.After = true, "directory", "directory"
	case state == "file" && kind == "absent": // :260-262
		return r, fmt.Errorf("path %s will not be created", path)
	}
	return r, nil
}

// orKind: an absent path becomes def, an existing one stays what it is.
func orKind(kind, def string) string {
	if kind == "absent" {
		return def
	}
	return kind
}
