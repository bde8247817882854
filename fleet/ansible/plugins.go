package ansible

import (
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
	"github.com/straylight-fleet/straylight/render"
)

// The repository's own filter and test plugins: Python files Ansible
// loads from filter_plugins/ and test_plugins/ beside each playbook, in
// each role a play runs, and on ansible.cfg's filter_plugins and
// test_plugins paths. straylight runs no Python; it reads the names each
// file defines, so that a template using one is listed as not supported
// (render.RepositoryPlugins) instead of failing as an unknown name.

// pluginKinds are the plugin folders and the method of each file's
// FilterModule or TestModule class that returns its names.
var pluginKinds = []struct{ dir, method string }{
	{"filter_plugins", "filters"},
	{"test_plugins", "tests"},
}

// loadPlugins tells the engine the repository's plugins.
func (r *Repo) loadPlugins(Options) error {
	found := render.RepositoryPlugins{Filters: map[string]string{}, Tests: map[string]string{}}
	sets := []map[string]string{found.Filters, found.Tests}
	for i, kind := range pluginKinds {
		for _, dir := range r.pluginDirs(kind.dir) {
			r.readPluginDir(dir, kind.method, sets[i])
		}
	}
	if len(found.Filters)+len(found.Tests) > 0 {
		r.engine().AddRepositoryPlugins(found)
	}
	return nil
}

// pluginDirs are the folders named name Ansible searches (ansible.cfg's
// setting, beside each playbook, in each role a play runs), sorted and
// without repeats.
func (r *Repo) pluginDirs(name string) []string {
	dirs := slices.Clone(r.Config.pluginPaths(name))
	for _, pb := range r.Playbooks {
		dirs = append(dirs, filepath.Join(pb.Dir, name))
	}
	for _, run := range r.Runs {
		for _, role := range run.Roles {
			dirs = append(dirs, filepath.Join(role.Dir, name))
		}
	}
	slices.Sort(dirs)
	return slices.Compact(dirs)
}

// readPluginDir adds the names each .py file in dir defines to names,
// keyed to the file (relative to the repository); the first file to
// define a name keeps it. A folder that is not there adds nothing.
func (r *Repo) readPluginDir(dir, method string, names map[string]string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, entry := range entries {
		if entry.IsDir() || filepath.Ext(entry.Name()) != ".py" || strings.HasPrefix(entry.Name(), "_") {
			continue
		}
		path := filepath.Join(dir, entry.Name())
		src, err := os.ReadFile(path)
		if err != nil {
			continue
		}
		for _, name := range pluginNames(string(src), method) {
			if _, taken := names[name]; !taken {
				names[name] = RelTo(r.Root, path)
			}
		}
	}
}

// pluginMethod finds `def filters(self` or `def tests(self`.
var pluginMethod = lazyre.New(`(?m)^([ \t]*)def (filters|tests)\(\s*self`)

// pluginKey is a quoted key of the dict literal the method returns.
var pluginKey = lazyre.New(`['"]([A-Za-z_][A-Za-z0-9_.]*)['"]\s*:`)

// pluginNames are the names a plugin file's method (filters or tests)
// returns: the quoted keys in the method's body, which ends at the next
// line indented no deeper than its def. A method that builds its dict
// some other way gives no names, and its filters stay unknown names.
func pluginNames(src, method string) []string {
	for _, m := range pluginMethod().FindAllStringSubmatchIndex(src, -1) {
		if src[m[4]:m[5]] != method {
			continue
		}
		body := methodBody(src[m[1]:], src[m[2]:m[3]])
		var names []string
		for _, key := range pluginKey().FindAllStringSubmatch(body, -1) {
			names = append(names, key[1])
		}
		return names
	}
	return nil
}

// methodBody is src (what follows a def line's start) up to the first
// non-blank line indented no deeper than indent.
func methodBody(src, indent string) string {
	lines := strings.SplitAfter(src, "\n")
	end := len(lines[0])
	for _, line := range lines[1:] {
		trimmed := strings.TrimLeft(line, " \t")
		if trimmed != "" && trimmed != "\n" && !strings.HasPrefix(trimmed, "#") && len(line)-len(trimmed) <= len(indent) {
			break
		}
		end += len(line)
	}
	return src[:end]
}
