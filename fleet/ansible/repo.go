package ansible

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"github.com/straylight-fleet/straylight/fleet/inventory"
	"github.com/straylight-fleet/straylight/internal/memo"
	"github.com/straylight-fleet/straylight/render"
)

// Options say which repository to open and how.
type Options struct {
	Repo      string   // repository root
	Inventory string   // -i; empty: ansible.cfg's, else the default names
	Limit     string   // -l host pattern
	ExtraVars []string // -e values
	Decrypter Decrypter
	Playbooks []string // playbooks named on the command line; none: those found
	Tags      []string // --tags
	SkipTags  []string // --skip-tags
	// CoreVersion is the ansible-core whose semantics apply ("2.14",
	// "2.19"); empty: DetectCoreVersion's answer, else straylight.yml's
	// ansible_core_version, else the newest straylight knows.
	CoreVersion string
	// DetectCoreVersion returns the ansible-core the operator runs, ""
	// when unknown (DetectCoreVersion). It is asked at most once, and only
	// when a condition's meaning depends on the version or a template reads
	// ansible_version: running `ansible --version` costs a Python start
	// (0.3 s or more), many times a whole plan of a small fleet. It may
	// give a full release ("2.19.4"). nil: nothing is detected.
	DetectCoreVersion func() string
	// Facts gathers a host's facts when a play that gathers them reads
	// one (fleet/facts); nil: no host is asked, and facts stay undefined.
	Facts FactGatherer
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
	// inventorySources is ansible_inventory_sources: -i's source, else
	// ansible.cfg's inventory list, else the one found by default names.
	inventorySources []string
	Playbooks        []*Playbook
	Runs             []*PlayRun // every play of every top-level playbook, in order
	ExtraVars        map[string]any
	extraArgs        []string
	Findings         []Finding // lint warnings found while loading
	core             coreVersion
	limit            string
	tags             []string
	skipTags         []string
	engine           func() *render.Engine // startEngine
	facts            FactGatherer
	decrypter        Decrypter // opens vault-encrypted copy sources
	taskFiles        taskFileCache
	roles            roleCache

	groupsOnce sync.Once
	groupsMap  map[string][]string
	hostvarsMu sync.Mutex
	hostvars   map[string]*hostvarsCache
	sources    sourceCache
	renders    renderCache
	scopes     scopeCache
	layers     runLayerCache
	discovered memo.Map[*Task, *discoveredTask] // each file task as discovery runs it
}

// PlayRun is a play ready to plan: its roles loaded and its hosts matched.
type PlayRun struct {
	Playbook *Playbook
	Play     *Play
	Roles    []*Role
	Entries  []RoleRef // aligned with Roles: the entry (params, when, tags) each came from
	// Parents is aligned with Roles: the roles whose meta/main.yml
	// dependency each is, outermost first (Ansible's dep chain, which
	// Role.compile builds); empty for the play's own entries.
	Parents [][]*Role
	// inherited is aligned with Roles: the entries of the roles each is a
	// meta dependency of, folded outermost first (RoleRef.Under); zero
	// for the play's own entries. EntryAt joins it to the role's entry.
	inherited []RoleRef
	// Imported are the roles import_role brings into the play
	// (Repo.importedRoles): their defaults and vars are play-wide.
	Imported []*Role
	// roleNames are the play's role names once the playbook is loaded
	// (roleNamesOf).
	roleNames playRoleNames
	Hosts     []string // matched and within --limit
	AllHosts  []string // matched, ignoring --limit

	// hosts and allHosts are Hosts and AllHosts as sets: every host asks
	// which plays target it, and a search per host grew as hosts².
	hosts, allHosts map[string]bool
}

// Targets reports whether the play matches host, ignoring --limit.
func (run *PlayRun) Targets(host string) bool {
	if run.allHosts == nil {
		return slices.Contains(run.AllHosts, host)
	}
	return run.allHosts[host]
}

// TargetsWithinLimit reports whether the play matches host within --limit.
func (run *PlayRun) TargetsWithinLimit(host string) bool {
	if run.hosts == nil {
		return slices.Contains(run.Hosts, host)
	}
	return run.hosts[host]
}

// Open reads the repository: ansible.cfg, straylight.yml, the inventory, the
// playbooks and their roles. It does not template anything yet.
func Open(opts Options) (*Repo, error) {
	root, err := filepath.Abs(opts.Repo)
	if err != nil {
		return nil, err
	}
	r := &Repo{Root: root, limit: opts.Limit, tags: splitTags(opts.Tags), skipTags: splitTags(opts.SkipTags), facts: opts.Facts, decrypter: opts.Decrypter}
	steps := []func(Options) error{r.loadConfig, r.loadInventory, r.loadPlaybooks, r.loadRuns, r.loadPlugins, r.lintVarDirs}
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
	r.core = coreVersion{given: opts.CoreVersion, detect: opts.DetectCoreVersion, configured: r.Settings.AnsibleCoreVersion}
	r.engine = startEngine(render.Options{AnsibleManaged: r.Config.AnsibleManaged, DataTagging: r.DataTagging})
	r.extraArgs = opts.ExtraVars
	r.ExtraVars, err = parseExtraVars(opts.ExtraVars)
	return err
}

// startEngine builds the template engine while the inventory, playbooks
// and roles are read: the walk is the first to template. Building it (its
// filter, test and statement sets) is about a quarter of a millisecond in
// a fresh process, a twentieth of a 10-host check (README.md,
// "Performance").
func startEngine(opts render.Options) func() *render.Engine {
	built := make(chan *render.Engine, 1)
	go func() { built <- render.NewEngine(opts) }()
	return sync.OnceValue(func() *render.Engine { return <-built })
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
	r.InventoryPath, r.inventorySources = path, []string{path}
	if opts.Inventory == "" && len(r.Config.Inventory) > 0 {
		r.inventorySources = r.Config.Inventory
	}
	inv, err := LoadInventory(path, opts.Decrypter)
	r.Inventory = inv
	if err == nil {
		inv.Preload() // while the playbooks and roles are read
	}
	return err
}

func (r *Repo) loadPlaybooks(opts Options) error {
	paths, err := r.playbookPaths(opts.Playbooks)
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
	hosts, unmatched, err := r.Inventory.MatchDetail(play.Hosts)
	if err != nil {
		return nil, &InputError{At: play.At, Key: "hosts", Msg: err.Error()}
	}
	hosts = append(hosts, r.implicitLocalhost(unmatched)...)
	r.warnUnmatched(play, unmatched)
	run.AllHosts, run.allHosts, run.hosts = hosts, make(map[string]bool, len(hosts)), map[string]bool{}
	for _, h := range hosts {
		run.allHosts[h] = true
		if limited == nil || limited[h] {
			run.Hosts, run.hosts[h] = append(run.Hosts, h), true
		}
	}
	search := r.roleSearchPath(pb.Dir)
	for _, ref := range play.Roles {
		if err := r.addRole(run, ref, search, nil, RoleRef{}); err != nil {
			return nil, err
		}
	}
	run.Imported = r.importedRoles(run, search)
	run.roleNames = r.roleNamesOf(run)
	return run, nil
}

// addRole adds a role entry after its meta dependencies. An entry already
// in the play with the same params runs once, as in Ansible, unless its
// meta/main.yml allows duplicates. outer is what the role inherits from
// the roles it is a dependency of (parents).
func (r *Repo) addRole(run *PlayRun, ref RoleRef, search []string, parents []*Role, outer RoleRef) error {
	if len(parents) > 20 {
		return &InputError{At: ref.At, Key: "dependencies", Msg: fmt.Sprintf("role dependencies nest too deep at %q", ref.Name)}
	}
	role, err := r.loadRoleRef(ref, search)
	if err != nil {
		return err
	}
	chain := append(slices.Clip(parents), role)
	for _, dep := range role.Deps {
		if err := r.addRole(run, dep, search, chain, outer.Under(ref)); err != nil {
			return err
		}
	}
	if run.hasEntry(role, ref) {
		return nil
	}
	run.Roles = append(run.Roles, role)
	run.Entries = append(run.Entries, ref)
	run.Parents = append(run.Parents, parents)
	run.inherited = append(run.inherited, outer)
	return nil
}

// EntryAt is Entries[i] as the role's tasks and handlers see it: under the
// entries of the roles it is a meta dependency of (RoleRef.Under).
func (run *PlayRun) EntryAt(i int) RoleRef {
	if len(run.parentsAt(i)) == 0 || i >= len(run.inherited) { // a play's own entry inherits nothing
		return run.Entries[i]
	}
	return run.inherited[i].Under(run.Entries[i])
}

// parentsAt is Parents[i]: nil for a PlayRun built without them.
func (run *PlayRun) parentsAt(i int) []*Role {
	if i < len(run.Parents) {
		return run.Parents[i]
	}
	return nil
}

func (run *PlayRun) hasEntry(role *Role, ref RoleRef) bool {
	if role.AllowDuplicates {
		return false
	}
	for i, have := range run.Roles {
		if have.Dir == role.Dir && fmt.Sprint(run.Entries[i].Params) == fmt.Sprint(ref.Params) {
			return true
		}
	}
	return false
}

func (r *Repo) loadRoleRef(ref RoleRef, search []string) (*Role, error) {
	dir, err := findRole(ref, search)
	if err != nil {
		return nil, err
	}
	return r.roles.loadDir(r, ref.Name, dir, RoleFiles{})
}

// PlannedHosts lists the hosts some play targets within --limit, in the order
// the plays first reach them.
func (r *Repo) PlannedHosts() []string {
	var out []string
	seen := map[string]bool{}
	for _, run := range r.Runs {
		for _, h := range run.Hosts {
			if h != "" && !seen[h] {
				out, seen[h] = append(out, h), true
			}
		}
	}
	return out
}

// FirstRun is the first play that targets host (ignoring --limit), or nil.
func (r *Repo) FirstRun(host string) *PlayRun {
	for _, run := range r.Runs {
		if run.Targets(host) {
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

// Tags is --tags, as given.
func (r *Repo) Tags() []string { return r.tags }

// SkipTags is --skip-tags, as given.
func (r *Repo) SkipTags() []string { return r.skipTags }

// ExtraVarArgs are the -e arguments as given (ansible-playbook takes them
// again when a task is delegated to it).
func (r *Repo) ExtraVarArgs() []string { return r.extraArgs }

// playbookPaths are the playbooks named (made absolute, each one checked),
// or those found in the repository, with the ones they import.
func (r *Repo) playbookPaths(named []string) ([]string, error) {
	if len(named) == 0 {
		return findPlaybooks(r.Root, r.Config)
	}
	var out []string
	for _, p := range named {
		abs, err := filepath.Abs(p)
		if err != nil {
			return nil, err
		}
		if !isFile(abs) {
			return nil, fmt.Errorf("the playbook: %s could not be found", p)
		}
		out = append(out, importedPaths(abs, map[string]bool{})...)
	}
	return out, nil
}

// importedPaths is a playbook followed by what it imports, recursively.
func importedPaths(path string, seen map[string]bool) []string {
	if seen[path] {
		return nil
	}
	seen[path] = true
	out := []string{path}
	pb, err := LoadPlaybook(filepath.Dir(path), path)
	if err != nil {
		return out
	}
	for _, imp := range pb.Imports {
		if isFile(imp) {
			out = append(out, importedPaths(imp, seen)...)
		}
	}
	return out
}

func isFile(p string) bool {
	st, err := os.Stat(p)
	return err == nil && !st.IsDir()
}

// implicitLocalhost: a play naming localhost (or 127.0.0.1, ::1) that
// the inventory does not define runs on the implicit localhost, as in
// Ansible (inventory.AddImplicitLocalhost).
func (r *Repo) implicitLocalhost(unmatched []string) []string {
	var out []string
	for _, part := range unmatched {
		if slices.Contains(inventory.LocalhostNames, part) {
			r.Inventory.AddImplicitLocalhost(part)
			out = append(out, part)
		}
	}
	return out
}

// warnUnmatched: a part of a play's hosts: that matches no host or group is
// skipped, as Ansible skips it with a warning; straylight warns too (the
// implicit localhost is a match).
func (r *Repo) warnUnmatched(play *Play, unmatched []string) {
	for _, part := range unmatched {
		if r.Inventory.IsImplicit(part) {
			continue
		}
		msg := fmt.Sprintf("Could not match supplied host pattern, ignoring: %s", part)
		r.Findings = append(r.Findings, Finding{Severity: SevWarning, At: play.At, Key: "hosts", Message: msg})
	}
}

// Inventory is the Ansible inventory with variable files, read by
// fleet/inventory with Ansible's meaning.
type Inventory = inventory.Inventory

// LoadInventory reads one inventory source.
func LoadInventory(path string, dec Decrypter) (*Inventory, error) {
	var d inventory.Decrypter
	if dec != nil {
		d = dec
	}
	return inventory.Load([]string{path}, d)
}

// lintVarDirs warns about group_vars/host_vars directories that no playbook
// run would read (the seed's own layout has that flaw).
func (r *Repo) lintVarDirs(Options) error {
	var pbDirs []string
	for _, pb := range r.Playbooks {
		pbDirs = AppendUnique(pbDirs, pb.Dir)
	}
	for _, f := range inventory.UnreadVarDirs(r.Root, r.Inventory.SourceDirs(), pbDirs) {
		r.Findings = append(r.Findings, Finding{Severity: SevWarning, At: Located{f.File, f.Line}, Message: f.Message})
	}
	for _, w := range r.Inventory.Warnings() {
		r.Findings = append(r.Findings, Finding{Severity: SevWarning, At: Located{File: RelTo(r.Root, r.InventoryPath)}, Message: w})
	}
	return nil
}
