package ansible

import (
	"bufio"
	"cmp"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// AnsibleConfig holds the few ansible.cfg settings straylight honours.
type AnsibleConfig struct {
	Path      string   // the file read, empty when none
	Inventory []string // [defaults] inventory, resolved against the file's dir
	RolesPath []string // [defaults] roles_path, resolved against the file's dir
	// CollectionsPath is [defaults] collections_path (or the older
	// collections_paths), resolved; nil: Ansible's default,
	// ~/.ansible/collections:/usr/share/ansible/collections.
	CollectionsPath []string
	PlaybookDir     string // [defaults] playbook_dir, resolved: playbooks are looked for there too
	AnsibleManaged  string // [defaults] ansible_managed
	VaultPassword   string // [defaults] vault_password_file, resolved
	// HostKeyChecking is [defaults] host_key_checking as written ("" when
	// unset); HostKeyCheckingValue parses it.
	HostKeyChecking string
	// Gathering is [defaults] gathering (ANSIBLE_GATHERING beats it):
	// implicit (the default), explicit or smart.
	Gathering string
	// InjectFactsAsVars is [defaults] inject_facts_as_vars as written
	// (ANSIBLE_INJECT_FACT_VARS beats it); "" is Ansible's default, true.
	InjectFactsAsVars string
	// Forks and Verbosity are [defaults] forks and verbosity as written
	// (ANSIBLE_FORKS, ANSIBLE_VERBOSITY beat them); "" is Ansible's
	// default, 5 and 0: ansible_forks and ansible_verbosity.
	Forks, Verbosity string
	// FilterPlugins and TestPlugins are [defaults] filter_plugins and
	// test_plugins, resolved: folders of the repository's own plugins
	// (plugins.go).
	FilterPlugins, TestPlugins []string
	// ErrorOnMissingHandler is [defaults] error_on_missing_handler as
	// written (ANSIBLE_ERROR_ON_MISSING_HANDLER beats it); "" is
	// Ansible's default, true: a notification no handler answers fails
	// the run.
	ErrorOnMissingHandler string
}

// pluginPaths is the setting for the plugin folder named dir
// (filter_plugins, test_plugins).
func (c AnsibleConfig) pluginPaths(dir string) []string {
	if dir == "test_plugins" {
		return c.TestPlugins
	}
	return c.FilterPlugins
}

// integer is the integer setting key written as value, def when unset; an
// error naming the file and key when it is not an integer.
func (c AnsibleConfig) integer(key, value string, def int) any {
	if value == "" {
		return def
	}
	n, err := strconv.Atoi(value)
	if err != nil {
		return fmt.Errorf("%s: [defaults] %s: %q is not an integer", c.Path, key, value)
	}
	return n
}

// HostKeyCheckingValue is host_key_checking as a boolean: nil when unset,
// an error naming the file and key when it is not one of Ansible's booleans.
func (c AnsibleConfig) HostKeyCheckingValue() (*bool, error) {
	if c.HostKeyChecking == "" {
		return nil, nil
	}
	switch strings.ToLower(c.HostKeyChecking) {
	case "yes", "y", "true", "t", "on", "1":
		v := true
		return &v, nil
	case "no", "n", "false", "f", "off", "0":
		v := false
		return &v, nil
	}
	return nil, fmt.Errorf("%s: [defaults] host_key_checking: %q is not a boolean", c.Path, c.HostKeyChecking)
}

// LoadAnsibleConfig reads ANSIBLE_CONFIG or repo/ansible.cfg, as ansible-playbook
// run from the repository root would. A missing file is not an error.
func LoadAnsibleConfig(repo string) (AnsibleConfig, error) {
	path := os.Getenv("ANSIBLE_CONFIG")
	if path == "" {
		path = filepath.Join(repo, "ansible.cfg")
	}
	f, err := os.Open(path)
	if os.IsNotExist(err) {
		return withEnvironment(AnsibleConfig{}), nil
	}
	if err != nil {
		return AnsibleConfig{}, err
	}
	defer f.Close()
	cfg, err := parseAnsibleConfig(path, bufio.NewScanner(f))
	return withEnvironment(cfg), err
}

// withEnvironment applies the environment variables that beat ansible.cfg
// in Ansible: ANSIBLE_ROLES_PATH (a ':' list, relative entries taken from
// the working directory, as Ansible takes them).
func withEnvironment(cfg AnsibleConfig) AnsibleConfig {
	if v := os.Getenv("ANSIBLE_ROLES_PATH"); v != "" {
		cwd, _ := os.Getwd()
		cfg.RolesPath = resolvePathList(cwd, v, ":")
	}
	if v := cmp.Or(os.Getenv("ANSIBLE_COLLECTIONS_PATH"), os.Getenv("ANSIBLE_COLLECTIONS_PATHS")); v != "" {
		cwd, _ := os.Getwd()
		cfg.CollectionsPath = resolvePathList(cwd, v, ":")
	}
	if v := os.Getenv("ANSIBLE_GATHERING"); v != "" {
		cfg.Gathering = v
	}
	if v := os.Getenv("ANSIBLE_INJECT_FACT_VARS"); v != "" {
		cfg.InjectFactsAsVars = v
	}
	if v := os.Getenv("ANSIBLE_FORKS"); v != "" {
		cfg.Forks = v
	}
	if v := os.Getenv("ANSIBLE_VERBOSITY"); v != "" {
		cfg.Verbosity = v
	}
	if v := os.Getenv("ANSIBLE_ERROR_ON_MISSING_HANDLER"); v != "" {
		cfg.ErrorOnMissingHandler = v
	}
	return cfg
}

func parseAnsibleConfig(path string, sc *bufio.Scanner) (AnsibleConfig, error) {
	cfg := AnsibleConfig{Path: path}
	dir := filepath.Dir(path)
	section := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
			section = strings.TrimSpace(line[1 : len(line)-1])
			continue
		}
		key, value, ok := strings.Cut(line, "=")
		if !ok || section != "defaults" {
			continue
		}
		cfg.set(dir, strings.TrimSpace(key), strings.TrimSpace(value))
	}
	return cfg, sc.Err()
}

func (c *AnsibleConfig) set(dir, key, value string) {
	switch key {
	case "inventory", "hostfile":
		c.Inventory = resolvePathList(dir, value, ",")
	case "roles_path":
		c.RolesPath = resolvePathList(dir, value, ":")
	case "collections_path", "collections_paths":
		c.CollectionsPath = resolvePathList(dir, value, ":")
	case "playbook_dir":
		if dirs := resolvePathList(dir, value, ","); len(dirs) > 0 {
			c.PlaybookDir = dirs[0]
		}
	case "host_key_checking":
		c.HostKeyChecking = value
	case "gathering":
		c.Gathering = value
	case "inject_facts_as_vars":
		c.InjectFactsAsVars = value
	case "forks":
		c.Forks = value
	case "verbosity":
		c.Verbosity = value
	case "filter_plugins":
		c.FilterPlugins = resolvePathList(dir, value, ":")
	case "test_plugins":
		c.TestPlugins = resolvePathList(dir, value, ":")
	case "error_on_missing_handler":
		c.ErrorOnMissingHandler = value
	case "ansible_managed":
		c.AnsibleManaged = value
	case "vault_password_file":
		if files := resolvePathList(dir, value, ","); len(files) > 0 {
			c.VaultPassword = files[0]
		}
	}
}

// resolvePathList splits a path list and makes relative entries relative to the
// config file's directory, as Ansible does for path-typed settings.
func resolvePathList(dir, value, sep string) []string {
	var out []string
	for _, p := range strings.Split(value, sep) {
		p = strings.TrimSpace(p)
		if p == "" {
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
