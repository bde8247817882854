package fleet

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// HostSources are the repository files and directories that feed a host,
// relative to the root: its host_vars, every group_vars file one of its
// variables comes from, and every role (as a directory) that sets one or
// that renders one of its files. The git history view lists the commits
// that touched them.
func HostSources(repo *Repo, host string) ([]string, error) {
	vars, err := repo.HostVarOrigins(host)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", host, err)
	}
	root := realPath(repo.Root())
	seen := map[string]bool{}
	add := func(abs string) {
		if rel, ok := sourceOf(root, abs); ok {
			seen[rel] = true
		}
	}
	for _, o := range vars.Origins {
		add(o.File)
	}
	for _, hv := range []string{"host_vars/" + host + ".yml", "host_vars/" + host} {
		if _, err := os.Stat(filepath.Join(root, hv)); err == nil {
			seen[hv] = true
		}
	}
	for _, dir := range repo.hostRoleDirs(host) {
		add(dir)
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	slices.Sort(out)
	return out, nil
}

// sourceOf maps a file under root to what the history tracks: a role's
// directory for files inside a role, else the file itself.
func sourceOf(root, abs string) (string, bool) {
	if abs == "" {
		return "", false
	}
	rel, err := filepath.Rel(root, realPath(abs))
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", false
	}
	rel = filepath.ToSlash(rel)
	parts := strings.Split(rel, "/")
	if i := slices.Index(parts, "roles"); i >= 0 && i+1 < len(parts) {
		return strings.Join(parts[:i+2], "/"), true
	}
	return rel, true
}

// realPath resolves symbolic links (an inventory's host_vars link to the
// root's), so one file has one name; a path that cannot be resolved stays.
func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// hostRoleDirs are the directories of the roles of every play that
// targets host.
func (r *Repo) hostRoleDirs(host string) []string {
	var dirs []string
	for _, run := range r.repo.Runs {
		if !slices.Contains(run.AllHosts, host) {
			continue
		}
		for _, role := range run.Roles {
			dirs = append(dirs, role.Dir)
		}
	}
	return dirs
}
