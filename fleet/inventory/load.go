package inventory

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
	"github.com/straylight-fleet/straylight/internal/memo"
)

// Inventory is a loaded inventory: hosts, groups and the variables set on
// them, plus what is needed to read group_vars and host_vars on demand.
// Its methods are safe for concurrent use.
type Inventory struct {
	m          *model
	sources    []string // as Ansible resolves them: absolute, symlinks kept
	sourceDirs []string // the directory beside each source ("" for a host list)
	files      *varFiles
	merges     memo.Map[hostMergeKey, hostMerge]
}

// Load reads inventory sources as `ansible-playbook -i SRC -i SRC2` does:
// each a YAML/JSON/INI file, a directory of them, or a "host1,host2," list.
// dec opens vault-encrypted content and may be nil.
func Load(sources []string, dec Decrypter) (*Inventory, error) {
	if len(sources) == 0 {
		return nil, errors.New("no inventory source given")
	}
	inv := &Inventory{m: newModel(), files: newVarFiles(dec)}
	for _, src := range sources {
		if err := inv.loadSource(src, dec); err != nil {
			return nil, err
		}
	}
	inv.m.reconcile()
	inv.m.finalize()
	return inv, nil
}

func (inv *Inventory) loadSource(src string, dec Decrypter) error {
	if strings.Contains(src, ",") && !exists(src) {
		inv.sources, inv.sourceDirs = append(inv.sources, src), append(inv.sourceDirs, "")
		return parseHostList(inv.m, src)
	}
	abs, err := filepath.Abs(src)
	if err != nil {
		return err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return fmt.Errorf("inventory source %s: %w", src, err)
	}
	dir := filepath.Dir(abs)
	if info.IsDir() {
		dir = abs
	}
	inv.sources, inv.sourceDirs = append(inv.sources, abs), append(inv.sourceDirs, dir)
	if info.IsDir() {
		return inv.loadDir(abs, dec)
	}
	return inv.loadFile(abs, dec)
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// ignoredInInventoryDir is InventoryManager's IGNORED: hidden files, the
// vars directories, and the default INVENTORY_IGNORE_EXTS (.ini included).
var ignoredInInventoryDir = lazyre.New(`^\.|^host_vars$|^group_vars$|^vars_plugins$` +
	`|\.pyc$|\.pyo$|\.swp$|\.bak$|~$|\.rpm$|\.md$|\.txt$|\.rst$|\.orig$|\.ini$|\.cfg$|\.retry$`)

// loadDir reads every inventory file of a directory source, sorted, walking
// subdirectories.
func (inv *Inventory) loadDir(dir string, dec Decrypter) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if ignoredInInventoryDir().MatchString(e.Name()) {
			continue
		}
		if err := inv.loadDirEntry(filepath.Join(dir, e.Name()), dec); err != nil {
			return err
		}
	}
	return nil
}

func (inv *Inventory) loadDirEntry(path string, dec Decrypter) error {
	kind, ok := kindOf(path)
	switch {
	case !ok:
		return nil
	case kind == kindDir:
		return inv.loadDir(path, dec)
	}
	return inv.loadFile(path, dec)
}

// loadFile tries the plugins Ansible would, in its order: yaml (for .yml,
// .yaml, .json and extension-less files), then ini.
func (inv *Inventory) loadFile(path string, dec Decrypter) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	return loadInventoryBytes(inv.m, data, path, dec)
}

func loadInventoryBytes(m *model, data []byte, path string, dec Decrypter) error {
	ext := strings.ToLower(filepath.Ext(path))
	if ext == ".toml" {
		return errorAt(path, 0, "TOML inventories are not supported; use YAML or INI")
	}
	plain, secret, err := openVault(data, path, dec)
	if err != nil {
		return err
	}
	ops, looksYAML, yamlErr := tryYAMLInventory(plain, path, dec, secret, ext)
	if yamlErr == nil {
		return m.apply(ops)
	}
	iniErr := parseINIInventory(m, plain, path, secret)
	switch {
	case iniErr == nil:
		return nil
	case looksYAML:
		return yamlErr
	}
	return iniErr
}

// tryYAMLInventory reports errTriedNothing for extensions the yaml plugin
// refuses; looksYAML says a failure should be reported as a YAML error.
func tryYAMLInventory(data []byte, path string, dec Decrypter, secret bool, ext string) (ops []invOp, looksYAML bool, err error) {
	if ext != "" && ext != ".yml" && ext != ".yaml" && ext != ".json" {
		return nil, false, errTriedNothing
	}
	ops, isMapping, err := parseYAMLInventory(data, path, dec, secret)
	return ops, isMapping || ext != "", err
}

var errTriedNothing = errors.New("not tried")

// DefaultSources finds the inventory of a repository when -i is not given:
// ansible.cfg's [defaults] inventory (what Ansible itself reads), else the
// first of inventory/hosts.yml, inventory/hosts, hosts.yml, hosts.
func DefaultSources(repoRoot string) ([]string, error) {
	if srcs := configInventory(filepath.Join(repoRoot, "ansible.cfg")); len(srcs) > 0 {
		return srcs, nil
	}
	for _, name := range []string{"inventory/hosts.yml", "inventory/hosts", "hosts.yml", "hosts"} {
		if p := filepath.Join(repoRoot, name); exists(p) {
			return []string{p}, nil
		}
	}
	return nil, fmt.Errorf("no inventory found in %s: pass -i, or create inventory/hosts.yml", repoRoot)
}

// configInventory reads [defaults] inventory= from an ansible.cfg, paths
// relative to the file's directory.
func configInventory(cfg string) []string {
	data, err := os.ReadFile(cfg)
	if err != nil {
		return nil
	}
	section := ""
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			section = strings.TrimSpace(line[1 : len(line)-1])
		case section == "defaults":
			if k, v, ok := strings.Cut(line, "="); ok && isInventoryKey(k) {
				return resolveConfigPaths(filepath.Dir(cfg), v)
			}
		}
	}
	return nil
}

func isInventoryKey(k string) bool {
	k = strings.ToLower(strings.TrimSpace(k))
	return k == "inventory" || k == "hostfile"
}

func resolveConfigPaths(dir, value string) []string {
	if i := strings.Index(value, " ;"); i >= 0 {
		value = value[:i]
	}
	var out []string
	for _, p := range strings.Split(value, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if strings.HasPrefix(p, "~/") {
			home, _ := os.UserHomeDir()
			p = filepath.Join(home, p[2:])
		}
		if !filepath.IsAbs(p) {
			p = filepath.Join(dir, p)
		}
		out = append(out, p)
	}
	return out
}
