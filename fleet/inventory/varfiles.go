package inventory

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/straylight-fleet/straylight/internal/growstack"
	"github.com/straylight-fleet/straylight/internal/memo"
	"gopkg.in/yaml.v3"
)

// varExtensions are the names Ansible tries for group_vars/<name> and
// host_vars/<name>, in order; the first that exists is the only one read.
var varExtensions = []string{"", ".yml", ".yaml", ".json"}

// varFiles finds and parses group_vars and host_vars files, each directory
// listed once and each file parsed once however many hosts share it.
type varFiles struct {
	mu       sync.Mutex
	dec      Decrypter
	dirs     map[string]*varDir // by <base>/<subdir>
	found    map[foundKey][]string
	parsed   memo.Map[string, parsed] // by file path
	warnings []string
}

// foundKey names the files of one entity: <base>/<subdir>/<entity>. It is
// looked up for every host and group of each host's merge, so it is the
// three strings as given, not a joined path: joining cleaned the path and
// allocated on every lookup (4 % of discovery at 1,000 hosts). Two
// spellings of one folder are two keys and find the same files.
type foundKey struct{ base, subdir, entity string }

// varDir is one group_vars or host_vars directory, listed.
type varDir struct {
	path    string              // symlinks resolved, as Ansible's realpath; "" when absent
	entries map[string]fileKind // what is directly inside
}

type fileKind int

const (
	kindOther fileKind = iota
	kindFile
	kindDir
)

// parsed is one file's variables, parsed once by whichever host needs it
// first while other hosts' files are parsed alongside.
type parsed struct {
	vars varSet
	err  error
}

func newVarFiles(dec Decrypter) *varFiles {
	return &varFiles{dec: dec, dirs: map[string]*varDir{}, found: map[foundKey][]string{}}
}

// varSets returns the variables of <base>/<subdir>/<entity> (file or
// directory), one set per file, in the order Ansible merges them.
func (f *varFiles) varSets(base, subdir, entity string) ([]varSet, error) {
	f.mu.Lock()
	files := f.filesFor(base, subdir, entity)
	f.mu.Unlock()
	var out []varSet
	for _, file := range files {
		vs, err := f.load(file)
		if err != nil {
			return nil, err
		}
		if len(vs) > 0 {
			out = append(out, vs)
		}
	}
	return out, nil
}

func (f *varFiles) filesFor(base, subdir, entity string) []string {
	key := foundKey{base, subdir, entity}
	if files, ok := f.found[key]; ok {
		return files
	}
	files := f.findVarsFiles(f.dir(base, subdir), entity)
	f.found[key] = files
	return files
}

// dir lists <base>/<subdir> once; Ansible reads it through realpath, so a
// symlinked inventory/host_vars -> ../host_vars works.
func (f *varFiles) dir(base, subdir string) *varDir {
	key := filepath.Join(base, subdir)
	if d, ok := f.dirs[key]; ok {
		return d
	}
	d := &varDir{}
	f.dirs[key] = d
	real, err := filepath.EvalSymlinks(key)
	if err != nil {
		return d
	}
	if info, err := os.Stat(real); err != nil || !info.IsDir() {
		f.warnings = append(f.warnings, fmt.Sprintf("found %s that is not a directory, skipping: %s", subdir, real))
		return d
	}
	d.path, d.entries = real, listKinds(real)
	return d
}

// listKinds names what a directory holds, following symlinks.
func listKinds(dir string) map[string]fileKind {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	kinds := make(map[string]fileKind, len(entries))
	for _, e := range entries {
		if k, ok := entryKind(dir, e); ok {
			kinds[e.Name()] = k
		}
	}
	return kinds
}

// entryKind avoids a stat per entry: only symlinks need following.
func entryKind(dir string, e os.DirEntry) (fileKind, bool) {
	switch t := e.Type(); {
	case t&os.ModeSymlink != 0:
		return kindOf(filepath.Join(dir, e.Name()))
	case t.IsDir():
		return kindDir, true
	case t.IsRegular():
		return kindFile, true
	}
	return kindOther, true
}

// kindOf stats a path; ok is false when it does not exist (a broken link).
func kindOf(path string) (fileKind, bool) {
	info, err := os.Stat(path)
	switch {
	case err != nil:
		return kindOther, false
	case info.IsDir():
		return kindDir, true
	case info.Mode().IsRegular():
		return kindFile, true
	}
	return kindOther, true
}

// findVarsFiles is DataLoader.find_vars_files: <name>, <name>.yml,
// <name>.yaml, <name>.json; the first that exists wins, and a directory
// contributes all its files.
func (f *varFiles) findVarsFiles(d *varDir, entity string) []string {
	if d.path == "" || strings.HasPrefix(entity, string(filepath.Separator)) {
		return nil
	}
	for _, ext := range varExtensions {
		kind, ok := d.kind(entity + ext)
		if !ok {
			continue
		}
		full := filepath.Join(d.path, entity+ext)
		if kind == kindDir {
			return dirVarsFiles(full)
		}
		return []string{full}
	}
	return nil
}

// kind looks a name up in the listing; names reaching into subdirectories
// ("a/b", "..") are stat'ed instead.
func (d *varDir) kind(name string) (fileKind, bool) {
	if strings.ContainsRune(name, filepath.Separator) || name == "." || name == ".." {
		return kindOf(filepath.Join(d.path, name))
	}
	k, ok := d.entries[name]
	return k, ok
}

// dirVarsFiles is DataLoader._get_dir_vars_files: sorted, hidden files and
// backups~ skipped, subdirectories without an extension walked, files
// without an extension or with .yml/.yaml/.json read.
func dirVarsFiles(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var out []string
	for _, e := range entries {
		name := e.Name()
		if strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~") {
			continue
		}
		out = append(out, dirEntryFiles(filepath.Join(dir, name), filepath.Ext(name))...)
	}
	return out
}

func dirEntryFiles(full, ext string) []string {
	kind, ok := kindOf(full)
	switch {
	case !ok:
		return nil
	case kind == kindDir && ext == "":
		return dirVarsFiles(full)
	case kind == kindFile && (ext == "" || isVarExtension(ext)):
		return []string{full}
	}
	return nil
}

func isVarExtension(ext string) bool {
	return ext == ".yml" || ext == ".yaml" || ext == ".json"
}

// load parses a variables file once.
func (f *varFiles) load(path string) (varSet, error) {
	p := f.parsed.Get(path, func() parsed {
		vars, err := readVarFile(path, f.dec)
		return parsed{vars, err}
	})
	return p.vars, p.err
}

func (f *varFiles) takeWarnings() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.warnings...)
}

func readVarFile(path string, dec Decrypter) (varSet, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return parseVarFile(data, path, dec)
}

// parseVarFile reads a variables file: a mapping, or nothing (an empty or
// false-ish document is ignored, as Ansible ignores it).
func parseVarFile(data []byte, file string, dec Decrypter) (varSet, error) {
	doc, err := parseDocument(data, file, dec)
	if err != nil {
		return nil, err
	}
	if doc.root == nil {
		return varSet{}, nil
	}
	root := resolveAlias(doc.root)
	if root.Kind == yaml.MappingNode {
		return doc.dec.entries(root)
	}
	v, _, err := doc.dec.value(root, "", nil)
	if err != nil {
		return nil, err
	}
	if !truthy(v) {
		return varSet{}, nil
	}
	return nil, errorAt(file, root.Line, "a variables file must hold a mapping, got %s", describe(v))
}

// ParseVars reads variables from YAML or JSON text with Ansible's meaning,
// for role defaults/vars, vars files and -e @file. layer is stamped on the
// origins (e.g. LayerRoleDefault); dec may be nil when no vault is in use.
func ParseVars(data []byte, file, layer string, dec Decrypter) (Vars, error) {
	vs, err := parseVarFile(data, file, dec)
	if err != nil {
		return Vars{}, err
	}
	entries := make(map[string]layered, len(vs))
	for name, e := range vs {
		entries[name] = layered{entry: e, layer: layer}
	}
	return toVars(entries), nil
}

// ReadVarsFile is ParseVars on a file's content.
func ReadVarsFile(path, layer string, dec Decrypter) (Vars, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Vars{}, err
	}
	return ParseVars(data, path, layer, dec)
}

// Preload starts reading the group_vars and host_vars files beside the
// inventory's sources, for every group and host, in inventory order, on
// one goroutine; HostVars then finds them read, or waits for the one
// being read. Opening a repository reads its playbooks and roles on one
// CPU: this fills the other (at 10 hosts, their host_vars were a quarter
// of discovery's time). The folders are listed before Preload returns, so
// that Warnings does not depend on how far the reading got.
func (inv *Inventory) Preload() {
	files := inv.files.preloadList(inv.SourceDirs(), inv.m)
	go func() {
		growstack.Grow()
		for _, file := range files {
			_, _ = inv.files.load(file) // an error stays cached for HostVars to report
		}
	}()
}

// preloadList finds the files Preload reads: every host's host_vars,
// then every group's group_vars.
func (f *varFiles) preloadList(dirs []string, m *model) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for _, dir := range dirs {
		for _, h := range m.hosts {
			out = append(out, f.filesFor(dir, "host_vars", h.name)...)
		}
		for _, g := range m.groups {
			out = append(out, f.filesFor(dir, "group_vars", g.name)...)
		}
	}
	return out
}
