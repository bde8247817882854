package ansible

import (
	"fmt"
	"path/filepath"
	"slices"
	"sync"

	"github.com/straylight-fleet/straylight/fleet/inventory"
	"github.com/straylight-fleet/straylight/render"
)

// Options say which repository to open and how.
type Options struct {
	Repo      string   // repository root
	Inventory string   // -i; empty: ansible.cfg's, else the default names
	Limit     string   // -l host pattern
	ExtraVars []string // -e values
	Decrypter Decrypter
}

// Decrypter opens vault-encrypted files and values (fleet/vault.Keyring).
type Decrypter interface {
	Decrypt(data []byte, file string) ([]byte, error)
}

// Repo is an Ansible repository as straylight reads it: the same files
// ansible-playbook would read, with Ansible's meaning.
type Repo struct {
	Root          string
	Config        AnsibleConfig
	Settings      Settings
	InventoryPath string
	Inventory     *Inventory
	Playbooks     []*Playbook
	Runs          []*PlayRun // every play of every top-level playbook, in order
	ExtraVars     map[string]any
	Findings      []Finding // lint warnings found while loading
	limit         string
	engine        *render.Engine

	groupsOnce sync.Once
	groupsMap  map[string][]string
	hostvarsMu sync.Mutex
	hostvars   map[string]*hostvarsCache
	sources    sourceCache
	renders    renderCache
	scopes     scopeCache
}

// PlayRun is a play ready to plan: its roles loaded and its hosts matched.
type PlayRun struct {
	Playbook *Playbook
	Play     *Play
	Roles    []*Role
	Hosts    []string // matched and within --limit
	AllHosts []string // matched, ignoring --limit
}

// Open reads the repository: ansible.cfg, straylight.yml, the inventory, the
// playbooks and their roles. It does not template anything yet.
func Open(opts Options) (*Repo, error) {
	root, err := filepath.Abs(opts.Repo)
	if err != nil {
		return nil, err
	}
	r := &Repo{Root: root, limit: opts.Limit}
	steps := []func(Options) error{r.loadConfig, r.loadInventory, r.loadPlaybooks, r.loadRuns, r.lintVarDirs}
	for _, step := range steps {
		if err := step(opts); err != nil {
			return nil, err
		}
	}
	return r, nil
}

func (r *Repo) loadConfig(opts Options) error {
	var err error
	if r.Config, err = LoadAnsibleConfig(r.Root); err != nil {
		return err
	}
	if r.Settings, err = LoadSettings(r.Root); err != nil {
		return err
	}
	r.engine = render.NewEngine(render.Options{AnsibleManaged: r.Config.AnsibleManaged})
	r.ExtraVars, err = parseExtraVars(opts.ExtraVars)
	return err
}

func (r *Repo) loadInventory(opts Options) error {
	path := opts.Inventory
	if path == "" {
		var err error
		if path, err = findInventory(r.Root, r.Config); err != nil {
			return err
		}
	} else if !filepath.IsAbs(path) {
		path = filepath.Join(r.Root, path)
	}
	r.InventoryPath = path
	inv, err := LoadInventory(path, opts.Decrypter)
	r.Inventory = inv
	return err
}

func (r *Repo) loadPlaybooks(Options) error {
	paths, err := findPlaybooks(r.Root)
	if err != nil {
		return err
	}
	for _, p := range paths {
		pb, err := LoadPlaybook(r.Root, p)
		if err != nil {
			return relabel(err, p, RelTo(r.Root, p))
		}
		r.Playbooks = append(r.Playbooks, pb)
	}
	return nil
}

// topLevel drops playbooks that another playbook imports: they run through
// their importer, not twice.
func (r *Repo) topLevel() []*Playbook {
	imported := map[string]bool{}
	for _, pb := range r.Playbooks {
		for _, imp := range pb.Imports {
			imported[imp] = true
		}
	}
	var out []*Playbook
	for _, pb := range r.Playbooks {
		if !imported[filepath.Join(r.Root, pb.Path)] {
			out = append(out, pb)
		}
	}
	return out
}

func (r *Repo) loadRuns(Options) error {
	limited, err := r.limitHosts()
	if err != nil {
		return err
	}
	for _, pb := range r.expandImports(r.topLevel()) {
		for _, play := range pb.Plays {
			run, err := r.newRun(pb, play, limited)
			if err != nil {
				return err
			}
			r.Runs = append(r.Runs, run)
		}
	}
	return nil
}

// expandImports replaces each playbook by itself followed by what it imports.
func (r *Repo) expandImports(pbs []*Playbook) []*Playbook {
	byPath := map[string]*Playbook{}
	for _, pb := range r.Playbooks {
		byPath[filepath.Join(r.Root, pb.Path)] = pb
	}
	var out []*Playbook
	for _, pb := range pbs {
		out = append(out, pb)
		for _, imp := range pb.Imports {
			if sub := byPath[imp]; sub != nil {
				out = append(out, r.expandImports([]*Playbook{sub})...)
			}
		}
	}
	return out
}

// limitHosts resolves --limit; nil means no limit.
func (r *Repo) limitHosts() (map[string]bool, error) {
	if r.limit == "" {
		return nil, nil
	}
	hosts, err := r.Inventory.Match(r.limit)
	if err != nil {
		return nil, fmt.Errorf("--limit %q: %w", r.limit, err)
	}
	set := make(map[string]bool, len(hosts))
	for _, h := range hosts {
		set[h] = true
	}
	return set, nil
}

func (r *Repo) newRun(pb *Playbook, play *Play, limited map[string]bool) (*PlayRun, error) {
	run := &PlayRun{Playbook: pb, Play: play}
	hosts, err := r.Inventory.MatchPlay(play.Hosts)
	if err != nil {
		return nil, &InputError{At: play.At, Key: "hosts", Msg: err.Error()}
	}
	run.AllHosts = hosts
	for _, h := range hosts {
		if limited == nil || limited[h] {
			run.Hosts = append(run.Hosts, h)
		}
	}
	search := roleSearchPath(pb.Dir, r.Config.RolesPath)
	for _, ref := range play.Roles {
		role, err := r.loadRoleRef(ref, search)
		if err != nil {
			return nil, err
		}
		run.Roles = append(run.Roles, role)
	}
	return run, nil
}

func (r *Repo) loadRoleRef(ref RoleRef, search []string) (*Role, error) {
	dir, err := findRole(ref, search)
	if err != nil {
		return nil, err
	}
	return loadRole(r.Root, ref.Name, dir)
}

// PlannedHosts lists the hosts some play targets within --limit, in the order
// the plays first reach them.
func (r *Repo) PlannedHosts() []string {
	var out []string
	for _, run := range r.Runs {
		out = AppendUnique(out, run.Hosts...)
	}
	return out
}

// FirstRun is the first play that targets host (ignoring --limit), or nil.
func (r *Repo) FirstRun(host string) *PlayRun {
	for _, run := range r.Runs {
		if slices.Contains(run.AllHosts, host) {
			return run
		}
	}
	return nil
}

// HostVarOrigins is a host's merged variables, untemplated, with the place
// each was set (role default, group_vars, host_vars, …), as the first play
// that targets it sees them: what the UI's host detail shows.
func (r *Repo) HostVarOrigins(host string) (inventory.Vars, error) {
	run := r.FirstRun(host)
	if run == nil {
		return inventory.Vars{}, fmt.Errorf("no play targets %s", host)
	}
	hs, err := r.ScopeOf(host, run)
	if err != nil {
		return inventory.Vars{}, err
	}
	return hs.vars, nil
}

// Limit is the --limit pattern the repository was opened with.
func (r *Repo) Limit() string { return r.limit }
