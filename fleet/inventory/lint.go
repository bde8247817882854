package inventory

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// Finding is a lint result about the repository layout.
type Finding struct {
	Severity string // "warning"
	File     string // the path concerned, relative to the repository root
	Line     int    // 0: the finding is about a whole file or directory
	Message  string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %s", f.Severity, f.File, f.Message)
}

// UnreadVarDirs finds group_vars and host_vars directories that no
// playbook run would read: Ansible looks for them only beside an inventory
// source and beside the playbook being run, so anywhere else (such as the
// repository root when the inventory lives in inventory/ and the playbooks
// in playbooks/) their variables are silently ignored. A symlink that makes
// a directory readable (inventory/host_vars -> ../host_vars) counts.
func UnreadVarDirs(repoRoot string, inventoryDirs, playbookDirs []string) []Finding {
	root, err := filepath.Abs(repoRoot)
	if err != nil {
		return nil
	}
	read := readVarDirs(append(append([]string{}, inventoryDirs...), playbookDirs...))
	var out []Finding
	for _, dir := range findVarDirs(root) {
		if real, err := filepath.EvalSymlinks(dir); err == nil && !read[real] {
			out = append(out, unreadFinding(root, dir, inventoryDirs, playbookDirs))
		}
	}
	return out
}

// readVarDirs resolves the vars directories Ansible would read.
func readVarDirs(bases []string) map[string]bool {
	read := map[string]bool{}
	for _, base := range bases {
		for _, sub := range []string{"group_vars", "host_vars"} {
			if real, err := filepath.EvalSymlinks(filepath.Join(absOrEmpty(base), sub)); err == nil {
				read[real] = true
			}
		}
	}
	return read
}

// findVarDirs walks the repository (hidden directories skipped) for
// directories, or links to directories, named group_vars or host_vars.
func findVarDirs(root string) []string {
	var out []string
	_ = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || path == root {
			return nil
		}
		name := d.Name()
		if d.IsDir() && strings.HasPrefix(name, ".") {
			return filepath.SkipDir
		}
		if (name == "group_vars" || name == "host_vars") && isDirOrLinkToDir(path) {
			out = append(out, path)
			if d.IsDir() {
				return filepath.SkipDir
			}
		}
		return nil
	})
	return out
}

func isDirOrLinkToDir(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.IsDir()
}

func unreadFinding(root, dir string, inventoryDirs, playbookDirs []string) Finding {
	rel := relPath(root, dir)
	msg := fmt.Sprintf("%s/ is never read by ansible-playbook: Ansible reads %s only beside the inventory%s and beside the playbook being run%s, so its variables are ignored",
		rel, filepath.Base(dir), listDirs(root, inventoryDirs), listDirs(root, playbookDirs))
	if fix := moveOrLinkFix(root, dir, firstOf(inventoryDirs, playbookDirs)); fix != "" {
		msg += "; " + fix
	}
	return Finding{Severity: "warning", File: rel, Message: msg}
}

func firstOf(lists ...[]string) string {
	for _, l := range lists {
		if len(l) > 0 {
			return l[0]
		}
	}
	return ""
}

func listDirs(root string, dirs []string) string {
	if len(dirs) == 0 {
		return ""
	}
	rels := make([]string, len(dirs))
	for i, d := range dirs {
		rels[i] = relPath(root, absOrEmpty(d)) + "/"
	}
	return " (" + strings.Join(rels, ", ") + ")"
}

// moveOrLinkFix names the fix: move the directory beside the inventory or
// link it there; when the inventory already has one, merge into it.
func moveOrLinkFix(root, dir, target string) string {
	if target == "" {
		return ""
	}
	target = absOrEmpty(target)
	dest := filepath.Join(target, filepath.Base(dir))
	relDest := relPath(root, dest)
	if _, err := os.Lstat(dest); err == nil {
		return fmt.Sprintf("move its files into %s", relDest)
	}
	link, err := filepath.Rel(target, dir)
	if err != nil {
		return fmt.Sprintf("move it beside the inventory (%s)", relDest)
	}
	return fmt.Sprintf("move it beside the inventory (%s) or link it: ln -s %s %s", relDest, link, relDest)
}

func relPath(root, path string) string {
	if rel, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	return path
}
