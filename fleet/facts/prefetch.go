package facts

import (
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// Prefetch gathers at once, a few hosts at a time, the facts of every host
// of a play that gathers them — the hosts Ansible would ask — when a file
// of the repository reads a gathered fact; otherwise it asks nobody. The
// render then finds each answer ready instead of asking the hosts one
// after another; a failure waits for the task that reads a fact, and is
// reported there (a host whose tasks read none is never blamed).
func (g *Gatherer) Prefetch(r *ansible.Repo, parallel int) {
	if !slices.ContainsFunc(r.Runs, r.GathersFacts) || !ReadsFacts(r) {
		return
	}
	hosts := g.gatheringHosts(r)
	if parallel < 1 {
		parallel = 16
	}
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for _, h := range hosts {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			_, _ = h.load()
		})
	}
	wg.Wait()
}

// gatheringHosts are the hosts of the plays that gather facts, each with
// the connection of its first such play.
func (g *Gatherer) gatheringHosts(r *ansible.Repo) []*Host {
	var out []*Host
	seen := map[string]bool{}
	for _, run := range r.Runs {
		if !r.GathersFacts(run) {
			continue
		}
		for _, host := range run.AllHosts {
			hs, err := r.ScopeOf(host, run)
			if seen[host] || err != nil {
				continue
			}
			seen[host] = true
			out = append(out, g.Facts(host, hs.Conn(), run.Play.Become, hs.GatheringEnvironment()).(*Host))
		}
	}
	return out
}

// factName finds the ansible_ names a file mentions.
var factName = lazyre.New(`\bansible_([A-Za-z0-9_]+)`)

// ReadsFacts reports whether a file of the repository — its tree, and the
// roles_path directories and roles it reads from elsewhere — mentions
// ansible_facts or the name of a fact Ansible's setup module gives.
func ReadsFacts(r *ansible.Repo) bool {
	dirs := append([]string{r.Root}, r.Config.RolesPath...)
	for _, run := range r.Runs {
		for _, role := range run.Roles {
			dirs = append(dirs, role.Dir)
		}
	}
	for _, dir := range dirs {
		if dirReadsFacts(dir) {
			return true
		}
	}
	return false
}

func dirReadsFacts(dir string) bool {
	found := false
	_ = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case found:
			return fs.SkipAll
		case err != nil:
			return nil // an unreadable entry: nothing Ansible reads either
		case d.IsDir() && path != dir && (strings.HasPrefix(d.Name(), ".") || skippedDirs[d.Name()]):
			return filepath.SkipDir
		case d.Type().IsRegular() && scannedExts[filepath.Ext(d.Name())]:
			found = fileReadsFacts(path, d)
		}
		return nil
	})
	return found
}

// scannedExts are the files a repository's tasks, variables and templates
// live in ("" for those without an extension): documentation, code and
// archives are not read. Prefetch is only a head start: what it misses,
// the render still gathers when it reads it.
var scannedExts = setOf("", ".yml", ".yaml", ".json", ".j2", ".jinja", ".jinja2", ".cfg", ".ini", ".conf",
	".txt", ".sh", ".ps1", ".service", ".toml", ".env", ".tpl", ".tmpl")

// skippedDirs hold installed software, not the repository's own files.
var skippedDirs = setOf("node_modules", "venv", "site-packages", "__pycache__")

// fileReadsFacts reads text files of the sizes repositories hold.
func fileReadsFacts(path string, d fs.DirEntry) bool {
	info, err := d.Info()
	if err != nil || info.Size() > 1<<20 {
		return false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	for _, m := range factName().FindAllSubmatch(data, -1) {
		if isFactName(string(m[1])) {
			return true
		}
	}
	return false
}

// isFactName: facts, or a fact of either platform, gathered or not.
func isFactName(name string) bool {
	return name == "facts" || gatheredLinux[name] || gatheredWindows[name] || notGatheredLinux[name] || notGatheredWindows[name]
}
