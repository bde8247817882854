package plan

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/remote"
)

// Windows edits: win_lineinfile reads the file over WinRM (read-file),
// computes its content with the module's rules (fleet/filemod) and writes
// it as win_copy does (write-file); win_file reads the path's kind
// (path-kind) and makes its change with set-path at --apply.

// editOnWrongHost lists an edit task its host cannot run (win_lineinfile
// off WinRM, lineinfile or blockinfile on it) and reports whether it did.
func editOnWrongHost(w *hostWork, f *fileWork) bool {
	if f.change.Module.IsWindowsEdit() {
		return windowsOnly(w, f)
	}
	return posixOnly(w, f, f.edit.Module()+" runs on POSIX hosts (win_lineinfile is lineinfile's Windows twin)")
}

// planWinFile asks win_file's rules what the task does to the path as it
// is on the host, or as an earlier task of the plan leaves it.
func (hf *hostFiles) planWinFile(ctx context.Context, w *hostWork, f *fileWork) error {
	c := f.change
	if windowsOnly(w, f) {
		return nil
	}
	kind, err := hf.winKind(ctx, c.Dest)
	if err != nil {
		return err
	}
	res, err := filemod.WinFile(*f.file, kind)
	if err != nil {
		w.wouldFail(f, fmt.Sprintf("win_file would fail: %v", err))
		return nil
	}
	if res.Script == "touch" && hf.noParentFor(ctx, w, f, kind != "absent") {
		return nil
	}
	c.PathKind, c.OldSHA256 = kind, sha256Hex([]byte(kind))
	c.Action, c.Diff, c.Script = ActionNone, res.Diff, res.Script
	if res.Changed {
		c.Action = fileAction(kind)
	}
	if !c.CheckOnly {
		hf.recordWinKind(c.Dest, kind, res.After)
	}
	return nil
}

// winKind is the path's kind: what an earlier task of the plan leaves
// there, else what the host's path-kind script says.
func (hf *hostFiles) winKind(ctx context.Context, dest string) (string, error) {
	if k, ok := hf.winKinds[dest]; ok {
		return k, nil
	}
	if st, ok := hf.planned[dest]; ok {
		return map[bool]string{true: "file", false: "absent"}[st.Exists], nil
	}
	if k, ok := hf.hostKinds[dest]; ok {
		return k, nil
	}
	kinds, err := hf.readKinds(ctx, []string{dest})
	if err != nil {
		return "", err
	}
	return kinds[0], nil
}

func (hf *hostFiles) readKinds(ctx context.Context, paths []string) ([]string, error) {
	wp, ok := hf.tr.(remote.WindowsPaths)
	if !ok {
		return nil, fmt.Errorf("%s: this transport cannot read a Windows path's kind", hf.tr.Describe())
	}
	return wp.PathKinds(ctx, paths)
}

// readHostKinds reads, in one round trip before the host's tasks are
// planned, the kind of every path its win_file tasks name and of the
// directory each win_file touch or win_lineinfile create may need.
func (hf *hostFiles) readHostKinds(ctx context.Context, w *hostWork) error {
	var paths []string
	for _, f := range w.files {
		for _, p := range winPathsOf(f) {
			if !strings.Contains(p, "|") && !slices.Contains(paths, p) { // '|': not a Windows name, left to the task's own read
				paths = append(paths, p)
			}
		}
	}
	if w.conn.Kind != "winrm" || len(paths) == 0 {
		return nil
	}
	hf.hostKinds = map[string]string{}
	for _, batch := range pathBatches(paths, maxKindPaths) {
		kinds, err := hf.readKinds(ctx, batch)
		if err != nil {
			return err
		}
		for i, p := range batch {
			hf.hostKinds[p] = kinds[i]
		}
	}
	return nil
}

// maxKindPaths bounds the characters of paths one path-kind script
// carries: its command line (the script as base64 of UTF-16) must stay
// under Windows' 8191 characters.
const maxKindPaths = 1500

// pathBatches splits paths into runs whose joined length stays within
// limit (a longer path goes alone: the transport refuses it by name).
func pathBatches(paths []string, limit int) [][]string {
	var out [][]string
	size := 0
	for _, p := range paths {
		if n := len(out); n == 0 || size+len(p)+1 > limit {
			out, size = append(out, nil), 0
		}
		out[len(out)-1] = append(out[len(out)-1], p)
		size += len(p) + 1
	}
	return out
}

// winPathsOf is the paths a task's plan may ask the kind of.
func winPathsOf(f *fileWork) []string {
	dest, parent := f.change.Dest, windowsParent(f.change.Dest)
	wl, isWinLine := f.edit.(filemod.WinLineArgs)
	switch {
	case f.file != nil && f.file.Windows && parent != "":
		return []string{dest, parent}
	case f.file != nil && f.file.Windows:
		return []string{dest}
	case isWinLine && wl.Create && parent != "":
		return []string{parent}
	}
	return nil
}

// recordWinKind notes what a win_file task leaves at the path for the
// tasks after it: a directory, nothing, or an empty file it creates.
func (hf *hostFiles) recordWinKind(dest, before, after string) {
	if hf.winKinds == nil {
		hf.winKinds = map[string]string{}
	}
	hf.winKinds[dest] = after
	switch {
	case after == "absent":
		hf.planned[dest] = remote.FileState{Path: dest}
	case after == "file" && before == "absent":
		hf.planned[dest] = remote.FileState{Path: dest, Exists: true, SHA256: sha256Hex(nil)}
	case after == "directory":
		delete(hf.planned, dest)
	}
}

// readFailed: a win_lineinfile task whose file cannot be read because it
// is a directory fails with the module's message; any other read error
// stands.
func (hf *hostFiles) readFailed(ctx context.Context, w *hostWork, f *fileWork, err error) error {
	if f.change.Module != ansible.ModWinLineInFile {
		return err
	}
	if kind, kindErr := hf.winKind(ctx, f.change.Dest); kindErr != nil || kind != "directory" {
		return err
	}
	failOnDirectory(w, f)
	return nil
}

// plannedDirectory: a win_lineinfile task on a path an earlier win_file
// task of the plan makes a directory fails as on a directory; it reports
// whether it did.
func (hf *hostFiles) plannedDirectory(w *hostWork, f *fileWork) bool {
	if f.change.Module != ansible.ModWinLineInFile || hf.winKinds[f.change.Dest] != "directory" {
		return false
	}
	failOnDirectory(w, f)
	return true
}

// failOnDirectory lists the task with the module's message
// (win_lineinfile.ps1:360-362 at community.windows 3b606203).
func failOnDirectory(w *hostWork, f *fileWork) {
	w.wouldFail(f, fmt.Sprintf("win_lineinfile would fail: Path %s is a directory", f.change.Dest))
}

// noParentFor: a win_lineinfile or win_file touch that creates a file in a
// directory that does not exist fails on the host (the module's
// WriteAllLines and Out-File make no directories, win_lineinfile.ps1:94,
// win_file.ps1:189), where straylight's write-file would make it; it
// lists the task and reports true. The directory is what an earlier
// win_file task of the plan leaves, else what the host's path-kind says.
func (hf *hostFiles) noParentFor(ctx context.Context, w *hostWork, f *fileWork, exists bool) bool {
	parent := windowsParent(f.change.Dest)
	if exists || !f.change.Module.IsWindowsEdit() || parent == "" {
		return false
	}
	kind, err := hf.winKind(ctx, parent)
	if err == nil && kind == "directory" {
		return false
	}
	if err != nil {
		w.wouldFail(f, fmt.Sprintf("%s: cannot tell whether %s exists: %v", f.change.Module, parent, err))
		return true
	}
	w.wouldFail(f, fmt.Sprintf("%s would fail: %s is %s, and the module creates no directories for %s", f.change.Module, parent, kind, f.change.Dest))
	return true
}

// windowsParent is the directory part of a Windows path ("" for a bare
// name).
func windowsParent(path string) string {
	i := strings.LastIndexAny(path, `\/`)
	if i <= 0 {
		return ""
	}
	return path[:i]
}
