package ansible

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/fleet/inventory"
	"github.com/straylight-fleet/straylight/internal/memo"
	"github.com/straylight-fleet/straylight/render"
)

// magic builds a host's magic variables. hostvars[other] is that host's
// inventory variables (host_vars/group_vars beside the inventory and the
// playbook, extra vars), templated lazily: Ansible's hostvars holds no role
// defaults or play vars of the current play.
func (r *Repo) magic(host, playbookDir string) render.Magic {
	return render.Magic{
		InventoryHostname: host,
		GroupNames:        r.Inventory.GroupNames(host),
		Groups:            r.groups(),
		HostVars:          r.hostvarsFor(playbookDir),
		PlaybookDir:       playbookDir,
		Options:           r.optionMagic,
	}
}

// optionMagic gives the magic variables Ansible sets from its command line
// and configuration for the ansible-playbook run a plan describes
// (load_options_vars, lib/ansible/utils/vars.py:213-235, the tags in
// CLI.post_process_args, lib/ansible/cli/__init__.py:395-432, and
// VariableManager._get_magic_variables, lib/ansible/vars/manager.py:446-447,
// at c9ac477e): ansible_version, ansible_run_tags, ansible_skip_tags,
// ansible_limit (undefined without --limit), ansible_forks,
// ansible_verbosity, ansible_inventory_sources and ansible_config_file.
// ansible_playbook_python, the Python ansible-playbook runs on, is not
// known here: reading it hands the task to Ansible.
func (r *Repo) optionMagic(name string) (any, bool) {
	switch name {
	case "ansible_version":
		return r.ansibleVersion(), true
	case "ansible_run_tags":
		return r.runTags(), true
	case "ansible_skip_tags":
		return anyStrings(r.skipTags), true
	case "ansible_limit":
		return r.limit, r.limit != ""
	case "ansible_forks":
		return r.Config.integer("forks", r.Config.Forks, 5), true
	case "ansible_verbosity":
		return r.Config.integer("verbosity", r.Config.Verbosity, 0), true
	case "ansible_inventory_sources":
		return anyStrings(r.inventorySources), true
	case "ansible_config_file":
		return r.configFile(), true
	case "ansible_playbook_python":
		return errors.New("ansible_playbook_python (the Python ansible-playbook runs on) is not supported by straylight"), true
	}
	return nil, false
}

// ansibleVersion is ansible_version as CLI.version_info builds it
// (lib/ansible/cli/__init__.py:461-485 at c9ac477e) for the ansible-core
// straylight follows, when it knows the full release.
func (r *Repo) ansibleVersion() any {
	release := r.CoreRelease()
	if release == "" {
		return fmt.Errorf("ansible_version is not supported by straylight without the full ansible-core release (it follows %s): install Ansible here (straylight reads `ansible --version`) or write the release whole in straylight.yml's ansible_core_version, e.g. \"%s.0\"", r.CoreVersion(), r.CoreVersion())
	}
	parts := make([]any, 3)
	for i, part := range strings.SplitN(release, ".", 3) {
		parts[i] = part
		if n, err := strconv.Atoi(part); err == nil {
			parts[i] = n
		}
	}
	v := render.NewMap()
	for _, kv := range []struct {
		k string
		v any
	}{{"string", release}, {"full", release}, {"major", parts[0]}, {"minor", parts[1]}, {"revision", parts[2]}} {
		v.Set(kv.k, kv.v)
	}
	return v
}

// runTags is ansible_run_tags: --tags, ["all"] without. Ansible keeps them
// in a set (their order varies from one run to the next when there are
// several); straylight gives them in command-line order.
func (r *Repo) runTags() []any {
	if len(r.tags) == 0 {
		return []any{"all"}
	}
	return anyStrings(r.tags)
}

func anyStrings(values []string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

// configFile is ansible_config_file: the ansible.cfg Ansible run from the
// repository root reads — ANSIBLE_CONFIG's, else the root's (under the
// working directory's physical path, os.getcwd()'s), else ~/.ansible.cfg
// or /etc/ansible/ansible.cfg when one exists (find_ini_config_file,
// lib/ansible/config/manager.py:228 at c9ac477e) — nil (None) when none does.
func (r *Repo) configFile() any {
	if r.Config.Path != "" && os.Getenv("ANSIBLE_CONFIG") != "" {
		abs, _ := filepath.Abs(r.Config.Path)
		return abs
	}
	if r.Config.Path != "" {
		root, err := filepath.EvalSymlinks(r.Root)
		if err != nil {
			root = r.Root
		}
		return filepath.Join(root, "ansible.cfg")
	}
	return existingConfig()
}

func existingConfig() any {
	home, _ := os.UserHomeDir()
	for _, path := range []string{filepath.Join(home, ".ansible.cfg"), "/etc/ansible/ansible.cfg"} {
		if info, err := os.Stat(path); home != "" && err == nil && !info.IsDir() {
			return path
		}
	}
	return nil
}

// withInventorySource gives a host's variables inventory_file and
// inventory_dir: the inventory file that first declares the host, and its
// folder, as InventoryData.add_host sets them on the host
// (lib/ansible/inventory/data.py:190-213 at c9ac477e) — host variables,
// so the inventory's own host vars, host_vars and what ranks above them
// override them, group variables and role defaults do not. The implicit
// localhost and a host of a "host1,host2," list have none.
func (r *Repo) withInventorySource(raw map[string]any, vars inventory.Vars, host string) map[string]any {
	places := r.Inventory.HostPlaces(host)
	if len(places) == 0 {
		return raw
	}
	file := places[0].File
	for name, value := range map[string]any{"inventory_file": file, "inventory_dir": filepath.Dir(file)} {
		if _, set := raw[name]; !set || ranksBelowHostVars(vars.Origin(name).Layer) {
			raw[name] = value
		}
	}
	return raw
}

// ranksBelowHostVars: a variable of this layer is one a host variable
// overrides (role defaults, the inventory's group vars, group_vars files).
func ranksBelowHostVars(layer string) bool {
	return layer == inventory.LayerRoleDefault || strings.HasPrefix(layer, inventory.LayerInventoryGroup) || strings.HasPrefix(layer, inventory.LayerGroupVars)
}

// groups is computed once per repository and shared by every scope.
func (r *Repo) groups() map[string][]string {
	r.groupsOnce.Do(func() { r.groupsMap = r.Inventory.Groups() })
	return r.groupsMap
}

// hostvarsFor returns the hostvars lookup for plays of one playbook dir,
// caching each other host's scope.
func (r *Repo) hostvarsFor(playbookDir string) func(string) (*render.Scope, bool) {
	return r.hostvarsOf(playbookDir).lookup
}

// hostvarsOf is the cache of hostvars scopes and inventory layers for plays
// of one playbook dir.
func (r *Repo) hostvarsOf(playbookDir string) *hostvarsCache {
	r.hostvarsMu.Lock()
	defer r.hostvarsMu.Unlock()
	if hv, ok := r.hostvars[playbookDir]; ok {
		return hv
	}
	hv := &hostvarsCache{repo: r, dir: playbookDir, scopes: map[string]*render.Scope{}}
	if r.hostvars == nil {
		r.hostvars = map[string]*hostvarsCache{}
	}
	r.hostvars[playbookDir] = hv
	return hv
}

type hostvarsCache struct {
	repo   *Repo
	dir    string
	mu     sync.Mutex
	scopes map[string]*render.Scope
	layers memo.Map[string, inventoryLayer]
	extra  extraLayer
}

func (c *hostvarsCache) lookup(host string) (*render.Scope, bool) {
	c.mu.Lock()
	s, ok := c.scopes[host]
	c.mu.Unlock()
	if ok {
		return s, true
	}
	if !c.repo.Inventory.HasHost(host) {
		return nil, false
	}
	values, err := c.hostvarsValues(host)
	if err != nil {
		return nil, false
	}
	m := c.repo.magic(host, c.dir)
	m.Facts = c.repo.hostvarsFacts(host)
	s = render.NewLayeredScope(m, values...)
	c.mu.Lock() // built without the lock: its connection may read hostvars
	defer c.mu.Unlock()
	if got, ok := c.scopes[host]; ok {
		return got, true
	}
	c.scopes[host] = s
	return s, true
}

// hostvarsValues are hostvars[host]'s raw variables, the highest first: the
// extra vars laid over the host's inventory layer, which every play's scope
// of the host shares.
func (c *hostvarsCache) hostvarsValues(host string) ([]map[string]any, error) {
	inv, extra := c.inventoryLayer(host), c.extraLayer()
	if inv.err != nil {
		return nil, inv.err
	}
	if !inv.dotted && !extra.dotted {
		return []map[string]any{extra.values, inv.values}, nil
	}
	vars, err := c.repo.Inventory.HostVars(host, inventory.Layers{ExtraVars: extra.vars, PlaybookDir: c.dir})
	if err != nil {
		return nil, err
	}
	return []map[string]any{c.repo.withInventorySource(orderedValues(vars), vars, host)}, nil
}

// inventoryLayer is a host's inventory variables (Inventory.InventoryVars)
// as a templating scope has them: mappings in file order (orderedValues),
// with inventory_file and inventory_dir. Made once per host and playbook
// dir, it is shared, read-only, by hostvars[host] and every play's scope
// of the host (both made it for every GPU host of a 1,000-host check).
type inventoryLayer struct {
	values map[string]any
	vars   inventory.Vars
	// dotted: a variable's name has a dot. A merge's origins of
	// "a.b" are then those of the variable "a.b", not of the key b of a,
	// whichever layer each is in: the scope is made of the whole merge.
	dotted bool
	err    error
}

func (c *hostvarsCache) inventoryLayer(host string) inventoryLayer {
	return c.layers.Get(host, func() inventoryLayer { return newInventoryLayer(c.repo, host, c.dir) })
}

func newInventoryLayer(r *Repo, host, dir string) inventoryLayer {
	vars, err := r.Inventory.InventoryVars(host, dir)
	if err != nil {
		return inventoryLayer{err: err}
	}
	return inventoryLayer{vars: vars, values: r.withInventorySource(orderedValues(vars), vars, host), dotted: hasDottedName(vars.Values)}
}

// extraLayer is the extra vars as a layer of hostvars scopes, made once.
type extraLayer struct {
	once   sync.Once
	vars   inventory.Vars
	values map[string]any
	dotted bool
}

func (c *hostvarsCache) extraLayer() *extraLayer {
	e := &c.extra
	e.once.Do(func() {
		e.vars = inventory.AsLayer(c.repo.layer(c.repo.ExtraVars, inventory.LayerExtraVars), inventory.LayerExtraVars)
		e.values, e.dotted = orderedValues(e.vars), hasDottedName(e.vars.Values)
	})
	return e
}

// hasDottedName: one of the variables' names has a dot in it.
func hasDottedName(values map[string]any) bool {
	for name := range values {
		if strings.Contains(name, ".") {
			return true
		}
	}
	return false
}

// hostvarsFacts are another host's facts in hostvars[host]: those of its
// first play that gathers facts, reached over that play's connection.
// (Ansible has them once that play has gathered; straylight gathers them
// when a template first reads them.)
func (r *Repo) hostvarsFacts(host string) render.FactSource {
	run := r.firstGatheringRun(host, nil)
	if r.facts == nil || run == nil {
		return nil
	}
	if hs, err := r.ScopeOf(host, run); err == nil {
		return hs.facts
	}
	return nil
}

// FactGatherer gathers hosts' facts (fleet/facts) for the plays that
// gather them: Facts returns the host's source, which asks the host once,
// on the first fact a template or condition reads — over conn, with the
// gathering play's become keywords and environment, as Ansible's setup
// runs — and keeps the answer for every play and for the apply of the
// plan made from it.
type FactGatherer interface {
	Facts(host string, conn Connection, become BecomeSpec, env []filemod.EnvVar) render.FactSource
}

// factsFor is the fact source of a host's scope in a play, nil when the
// play sees no gathered facts: as in Ansible, a host has them once a play
// gathering facts ran on it (this one, or an earlier one: facts outlive
// their play).
func (r *Repo) factsFor(hs *HostScope) render.FactSource {
	host, run := hs.host, hs.run
	if r.facts == nil || !r.factsGatheredBy(host, run) {
		return nil
	}
	play := r.gatheringPlay(host, run)
	return r.injected(r.facts.Facts(host, hs.conn, play.Become, hs.gatheringEnvironment(play)))
}

// gatheringEnvironment is the environment the gathering play's setup runs
// with: its environment keyword templated before any fact is known
// (hs has none yet). Ansible applies a play's environment to its fact
// gathering, and gathers without it when it cannot be templated then
// (PATH: "/opt/bin:{{ ansible_env.PATH }}", the usual form, needs the
// facts it is for): checked with ansible-core 2.14 and 2.19,
// fleet/plan/moduleparity/factsenv_test.go.
func (hs *HostScope) gatheringEnvironment(play *Play) []filemod.EnvVar {
	if len(play.Environment) == 0 {
		return nil
	}
	env, err := hs.environment(play.Environment)
	if err != nil {
		return nil
	}
	return env
}

// GatheringEnvironment is the environment the host's facts are gathered
// with in the scope's play (gatheringEnvironment).
func (hs *HostScope) GatheringEnvironment() []filemod.EnvVar {
	return hs.gatheringEnvironment(hs.repo.gatheringPlay(hs.host, hs.run))
}

// gatheringPlay is the host's first play that gathers facts (factsFor
// knows there is one no later than run).
func (r *Repo) gatheringPlay(host string, run *PlayRun) *Play {
	if first := r.firstGatheringRun(host, nil); first != nil {
		return first.Play
	}
	return run.Play
}

// factsGatheredBy reports whether a play gathering facts for host runs
// no later than run's play (run may be a copy: an included role's).
func (r *Repo) factsGatheredBy(host string, run *PlayRun) bool {
	return r.firstGatheringRun(host, run.Play) != nil
}

// firstGatheringRun is the host's first play run that gathers facts, nil
// when none does up to and including the play until (any play when until
// is nil). A play gathering them with a setup task (setupGathersAll) gives
// them to the later plays only: its own tasks have them from that task on
// (the walker's gathered).
func (r *Repo) firstGatheringRun(host string, until *Play) *PlayRun {
	for _, run := range r.Runs {
		if run.Targets(host) && (r.gathers(run) || (run.Play != until && r.setupGathersAll(run))) {
			return run
		}
		if run.Play == until {
			break
		}
	}
	return nil
}

// GathersFacts reports whether the play gathers facts (gathers).
func (r *Repo) GathersFacts(run *PlayRun) bool { return r.gathers(run) }

// gathers is Ansible's choice for a play: gather_facts when set, else
// ansible.cfg's gathering — implicit (the default) and smart gather,
// explicit does not.
func (r *Repo) gathers(run *PlayRun) bool {
	if g := run.Play.GatherFacts; g != nil {
		return *g
	}
	return strings.ToLower(strings.TrimSpace(r.Config.Gathering)) != "explicit"
}

// onlyFactsDict is inject_facts_as_vars = False: facts only under
// ansible_facts.
type onlyFactsDict struct{ render.FactSource }

func (o onlyFactsDict) Var(name string) (any, bool, error) {
	if name != "ansible_facts" {
		return nil, false, nil
	}
	return o.FactSource.Var(name)
}

// GatherErr passes on the source's failed gathering (execute.go).
func (o onlyFactsDict) GatherErr() error {
	if g, ok := o.FactSource.(interface{ GatherErr() error }); ok {
		return g.GatherErr()
	}
	return nil
}

// setupArgNames are the arguments of setup and gather_facts straylight
// reads: gather_subset and filter choose the facts it gives;
// gather_timeout, fact_path (the ansible_local facts, which straylight
// does not gather) and gather_facts' parallel change none it gives.
var setupArgNames = map[string]bool{"gather_subset": true, "filter": true, "gather_timeout": true, "fact_path": true}

// setupArgs are a setup task's arguments, k=v free form included.
func (t *Task) setupArgs() map[string]any { return mergeMaps(t.Args, kvArgs(t.FreeForm)) }

// setupArgUnsupported says why a setup or gather_facts task's arguments
// keep straylight from running it ("" when they do not).
func (t *Task) setupArgUnsupported() string {
	for _, k := range slices.Sorted(maps.Keys(t.setupArgs())) {
		if !setupArgNames[k] && !(k == "parallel" && strings.HasSuffix(t.ModuleName, "gather_facts")) {
			return fmt.Sprintf("%s argument %q is not supported (straylight reads gather_subset, filter, gather_timeout and fact_path)", t.ModuleName, k)
		}
	}
	return ""
}

// factSelection is which facts one run of setup gives: those of the
// collectors its gather_subset selects (nil: all of them) that its filter
// patterns match (none: every name).
type factSelection struct {
	collectors map[string]bool
	filters    []string
}

// admits reports whether the selection gives the fact (named without
// ansible_). A fact straylight does not gather is left to the source,
// which says so, unless the filter leaves it out.
func (s factSelection) admits(fact string) bool {
	if owner, known := factCollector[fact]; known && s.collectors != nil && !s.collectors[owner] {
		return false
	}
	return filtersMatch(s.filters, "ansible_"+fact)
}

// filtersMatch is AnsibleFactCollector._filter for one name
// (lib/ansible/module_utils/facts/ansible_collector.py:57-76 at
// c9ac477e, the same in 2.14): no pattern, or an empty one, keeps every
// fact; a pattern not starting with ansible_, facter or ohai is also
// tried with ansible_ before it.
func filtersMatch(filters []string, name string) bool {
	if len(filters) == 0 {
		return true
	}
	for _, f := range filters {
		if f == "" || fnmatch(f, name) {
			return true
		}
		if !strings.HasPrefix(f, "ansible_") && !strings.HasPrefix(f, "facter") && !strings.HasPrefix(f, "ohai") && fnmatch("ansible_"+f, name) {
			return true
		}
	}
	return false
}

// fnmatch is Python's fnmatch.fnmatchcase (render.Fnmatch): * and ?,
// [seq] and [!seq] with fnmatch.translate's ranges.
func fnmatch(pattern, name string) bool { return render.Fnmatch(pattern, name) }

// factCollector is the fact collector of setup on Linux that gives each
// fact straylight gathers (lib/ansible/module_utils/facts/system/
// platform.py, distribution.py, user.py, env.py, hardware/linux.py,
// network/linux.py at c9ac477e).
var factCollector = func() map[string]string {
	m := map[string]string{}
	for collector, facts := range map[string][]string{
		"platform":     {"hostname", "nodename", "fqdn", "domain", "system", "kernel", "machine", "architecture"},
		"distribution": {"distribution", "distribution_version", "distribution_major_version", "distribution_release", "os_family"},
		"hardware":     {"processor_count", "processor_cores", "processor_threads_per_core", "processor_vcpus", "processor_nproc", "memtotal_mb", "swaptotal_mb"},
		"network":      {"default_ipv4"},
		"user":         {"user_id", "user_uid", "user_gid", "user_gecos", "user_dir", "user_shell", "real_user_id", "effective_user_id", "real_group_id", "effective_group_id"},
		"env":          {"env"},
	} {
		for _, f := range facts {
			m[f] = collector
		}
	}
	return m
}()

// minimalGatherSubset is setup's minimal_gather_subset
// (lib/ansible/modules/setup.py:201-204 at c9ac477e, the same in 2.14).
var minimalGatherSubset = []string{"apparmor", "caps", "cmdline", "date_time", "distribution", "dns", "env", "fips", "local",
	"lsb", "pkg_mgr", "platform", "python", "selinux", "service_mgr", "ssh_pub_keys", "user"}

// collectorFactIDs are the _fact_ids of the collectors whose facts
// straylight gathers: gather_subset may name them, and `!collector`
// excludes them with it (build_fact_id_to_collector_map).
var collectorFactIDs = map[string][]string{
	"platform":     {"system", "kernel", "kernel_version", "machine", "python_version", "architecture", "machine_id"},
	"distribution": {"distribution_version", "distribution_release", "distribution_major_version", "os_family"},
	"user":         {"user_id", "user_uid", "user_gid", "user_gecos", "user_dir", "user_shell", "real_user_id", "effective_user_id", "effective_group_ids"},
	"hardware":     {"processor", "processor_cores", "processor_count", "mounts", "devices"},
	"network":      {"interfaces", "default_ipv4", "default_ipv6", "all_ipv4_addresses", "all_ipv6_addresses"},
	"env":          nil,
}

// collectorRequires are the required_facts of Linux's collectors
// (hardware/linux.py:927, network/linux.py:362, system/pkg_mgr.py:65,
// system/service_mgr.py:42 at c9ac477e): a selected collector brings them.
var collectorRequires = map[string][]string{
	"hardware": {"platform"}, "network": {"distribution", "platform"},
	"pkg_mgr": {"distribution"}, "service_mgr": {"platform", "distribution"},
}

// otherCollectors are the other collectors of setup on Linux that a
// gather_subset may name: they give none of the facts straylight gathers
// and require none of their collectors.
var otherCollectors = []string{"virtual", "facter", "ohai", "chroot", "loadavg", "systemd", "fibre_channel_wwn", "iscsi", "nvme"}

// subsetNames are the names gather_subset takes that straylight knows
// the collector of: collector names and their fact ids.
func subsetNames() map[string]string {
	owner := map[string]string{}
	for _, c := range append(slices.Clone(minimalGatherSubset), append(otherCollectors, "hardware", "network")...) {
		owner[c] = c
	}
	for c, ids := range collectorFactIDs {
		for _, id := range ids {
			owner[id] = c
		}
	}
	return owner
}

// collectorsFor is the set of collectors a gather_subset selects, as
// get_collector_names and _solve_deps compute it
// (lib/ansible/module_utils/facts/collector.py:123-200, 325-340 at
// c9ac477e): min always, then what it adds, less what it excludes but
// names explicitly, then the collectors those require. A name whose
// collector straylight does not know is an error (Ansible's may be
// valid).
func collectorsFor(subset []string) (map[string]bool, error) {
	owner := subsetNames()
	add, exclude, explicit := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, s := range append([]string{"min"}, subset...) {
		switch name, negated := strings.CutPrefix(s, "!"); {
		case s == "min":
			setAll(add, minimalGatherSubset)
		case s == "!min":
			setAll(exclude, minimalGatherSubset)
		case name == "all" && !negated:
			setAll(add, slices.Collect(maps.Keys(owner)))
		case name == "all":
			setAll(exclude, nonMinimal(owner))
		case negated:
			exclude[name] = true
			setAll(exclude, collectorFactIDs[name])
		case owner[name] == "":
			return nil, fmt.Errorf("gather_subset %q: straylight does not know which facts it gives", s)
		default:
			add[name], explicit[name] = true, true
		}
	}
	selected := map[string]bool{}
	for name := range add {
		if !exclude[name] || explicit[name] {
			selected[owner[name]] = true
		}
	}
	return withRequired(selected), nil
}

func setAll(set map[string]bool, names []string) {
	for _, n := range names {
		set[n] = true
	}
}

func nonMinimal(owner map[string]string) []string {
	var out []string
	for name := range owner {
		if !slices.Contains(minimalGatherSubset, name) {
			out = append(out, name)
		}
	}
	return out
}

func withRequired(selected map[string]bool) map[string]bool {
	for changed := true; changed; {
		changed = false
		for c := range selected {
			for _, req := range collectorRequires[c] {
				changed = changed || !selected[req]
				selected[req] = true
			}
		}
	}
	return selected
}

// setupSelection is the facts a setup task's templated arguments select.
// gather_subset and filter are lists, a string split at commas (the
// module's type='list').
func setupSelection(args map[string]any) (factSelection, error) {
	sel := factSelection{filters: listArg(args["filter"])}
	subset := listArg(args["gather_subset"])
	if len(subset) == 0 || (len(subset) == 1 && subset[0] == "all") {
		return sel, nil
	}
	var err error
	sel.collectors, err = collectorsFor(subset)
	return sel, err
}

func listArg(v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case string:
		return strings.Split(x, ",")
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = render.PyStr(e)
		}
		return out
	}
	return []string{render.PyStr(v)}
}

// narrows reports whether the selection may leave out a fact.
func (s factSelection) narrows() bool {
	return s.collectors != nil || !filtersMatch(s.filters, "ansible_any")
}

// selectedFacts are a host's facts as the setup runs so far give them:
// a fact is there when one of them selected it (Ansible merges each
// run's facts into the host's).
type selectedFacts struct {
	render.FactSource
	runs []factSelection
}

func (s selectedFacts) admits(fact string) bool {
	return slices.ContainsFunc(s.runs, func(sel factSelection) bool { return sel.admits(fact) })
}

// Var is the source's fact when a run selected it, undefined when none
// did; ansible_facts holds the selected ones.
func (s selectedFacts) Var(name string) (any, bool, error) {
	fact, ok := strings.CutPrefix(name, "ansible_")
	switch {
	case !ok:
		return s.FactSource.Var(name)
	case fact == "facts":
		return s.factsDict()
	case !s.admits(fact):
		return nil, false, nil
	}
	return s.FactSource.Var(name)
}

func (s selectedFacts) factsDict() (any, bool, error) {
	v, ok, err := s.FactSource.Var("ansible_facts")
	all, isMap := v.(*render.Map)
	if err != nil || !ok || !isMap {
		return v, ok, err
	}
	out := render.NewMap()
	for _, k := range all.Keys {
		if s.admits(k) {
			out.Set(k, all.Values[k])
		}
	}
	return out, true, nil
}

// GatherErr passes on the source's failed gathering (execute.go).
func (s selectedFacts) GatherErr() error {
	if g, ok := s.FactSource.(interface{ GatherErr() error }); ok {
		return g.GatherErr()
	}
	return nil
}

// setupGathersAll reports whether the play runs, at the top of its task
// lists, a setup task that gathers every fact for each of its hosts: no
// condition, loop, delegation or narrowing argument, selected by the
// tags. Its facts stay with the hosts for the later plays (a setup task
// that may not run, or gathers part of them, gives later plays none:
// what reads them there fails as undefined).
func (r *Repo) setupGathersAll(run *PlayRun) bool {
	for _, list := range [][]*Task{run.Play.PreTasks, run.Play.Tasks, run.Play.PostTasks} {
		if slices.ContainsFunc(list, func(t *Task) bool { return r.gathersAll(run, t) }) {
			return true
		}
	}
	return false
}

func (r *Repo) gathersAll(run *PlayRun, t *Task) bool {
	if t.Module != ModSetup || len(t.When) > 0 || t.Loop != nil || t.DelegateTo != "" || !r.selected(AppendUnique(slices.Clone(run.Play.Tags), t.Tags...)) {
		return false
	}
	sel, err := setupSelection(t.setupArgs()) // a template in them errs or narrows
	return err == nil && !sel.narrows()
}

// setup runs a setup or gather_facts task: the host's facts, as its
// arguments select them, are there for the play's later tasks (added to
// what earlier setup runs gave), gathered now — over the host's
// connection, with the task's become keywords and environment — so that
// a host that cannot be reached fails this task. It reports ok, as
// Ansible's setup does. What straylight cannot select exactly (a
// gather_subset naming a collector it does not know, a narrowing
// selection on a Windows host) is Ansible's to run.
func (wk *walker) setup(f frame, t *Task, hs *HostScope) error {
	if t.DelegateTo != "" && t.DelegateTo != wk.w.Host {
		return wk.handOver(t, fmt.Sprintf("delegate_to %q: the facts would be another host's", t.DelegateTo))
	}
	args, err := hs.moduleArgs(t.setupArgs())
	if err != nil {
		return atTask(t, err)
	}
	sel, err := setupSelection(args.(map[string]any))
	if err == nil && sel.narrows() && hs.conn.Kind == "winrm" {
		err = errors.New("gather_subset and filter on a Windows host: straylight selects facts on POSIX hosts only")
	}
	if err != nil {
		return wk.handOver(t, err.Error())
	}
	if wk.repo.facts == nil {
		return nil
	}
	src := wk.repo.facts.Facts(wk.w.Host, hs.conn, f.keywords(t).Become, wk.setupEnvironment(f, t, hs))
	wk.runs = append(wk.runs, sel)
	wk.gathered = wk.repo.injected(selectedFacts{src, slices.Clone(wk.runs)})
	if wk.discovery {
		return nil
	}
	_, _, err = src.Var("ansible_facts")
	return err
}

// setupEnvironment is the environment the setup task runs with; one that
// cannot be templated yet (it reads the facts being gathered) is left
// out, as Ansible leaves out a play's (gatheringEnvironment).
func (wk *walker) setupEnvironment(f frame, t *Task, hs *HostScope) []filemod.EnvVar {
	env, err := hs.environment(append(slices.Clip(f.env), t.Environment...))
	if err != nil {
		return nil
	}
	return env
}

// injected is src as the variables see it: only under ansible_facts with
// inject_facts_as_vars = False.
func (r *Repo) injected(src render.FactSource) render.FactSource {
	if asVars, ok := ansibleBool(r.Config.InjectFactsAsVars); ok && !asVars {
		return onlyFactsDict{src}
	}
	return src
}

// withGathered is hs with the facts the play's setup tasks gave, when its
// play gathers none itself (a play that gathers, or follows one that did,
// has every fact already).
func (wk *walker) withGathered(hs *HostScope) *HostScope {
	return hs.withFacts(wk.gathered)
}

// withFacts is hs with gathered as its facts, when its play gathers
// none itself (nil gathered: hs).
func (hs *HostScope) withFacts(gathered render.FactSource) *HostScope {
	if gathered == nil || hs.facts != nil {
		return hs
	}
	c := *hs
	c.facts = gathered
	c.scope = hs.scope.WithFacts(gathered)
	return &c
}

// playRoleNames are the role names of a play's magic variables, as
// VariableManager._get_magic_variables reads them from play.roles
// (lib/ansible/vars/manager.py:458-474 at v2.14.18, :444-460 at v2.19.14):
// ansible_play_role_names and role_names, the play's roles in play.roles'
// order; ansible_dependent_role_names, the names of their meta
// dependencies, at any depth; ansible_role_names, both together. Ansible
// builds the last two from a Python set, whose order changes from one run
// to the next: straylight gives them sorted.
type playRoleNames struct {
	play []string
	deps []string
	err  error // why straylight cannot know them
	// vars are values(), made once per play run and shared, read-only, by
	// every host's scope (a map per host was 4.9 MB at 1,000 hosts).
	vars map[string]any
}

// values are the four variables, or errors saying why they are unknown.
func (n playRoleNames) values() map[string]any {
	if n.err != nil {
		return map[string]any{"ansible_play_role_names": n.err, "role_names": n.err, "ansible_dependent_role_names": n.err, "ansible_role_names": n.err}
	}
	all := slices.Compact(slices.Sorted(slices.Values(append(slices.Clone(n.play), n.deps...))))
	return map[string]any{"ansible_play_role_names": anyStrings(n.play), "role_names": anyStrings(n.play),
		"ansible_dependent_role_names": anyStrings(n.deps), "ansible_role_names": anyStrings(all)}
}

// roleScan finds the roles Ansible's play.roles holds once a playbook is
// loaded: the roles: entries (Play._load_roles prepends them,
// lib/ansible/playbook/play.py:210-231 at v2.14.18), after the roles
// import_role brings in while those roles load, then those the play's
// handlers, pre_tasks, post_tasks and tasks import, in the order Ansible
// loads those keywords (their FieldAttributes, play.py:76-79). An imported
// role joins after the roles its own tasks import (IncludeRole.get_block_list,
// lib/ansible/playbook/role_include.py:72-96 at v2.14.18, :67-91 at v2.19.14).
type roleScan struct {
	repo   *Repo
	run    *PlayRun
	search []string
	roles  []*Role
	deps   map[string]bool
	err    error
}

func (r *Repo) roleNamesOf(run *PlayRun) playRoleNames {
	rs := &roleScan{repo: r, run: run, search: r.roleSearchPath(run.Playbook.Dir), deps: map[string]bool{}}
	var entries []*Role
	for _, ref := range run.Play.Roles {
		if role := rs.load(ref, RoleFiles{}, 0); role != nil {
			entries = append(entries, role)
		}
	}
	rs.roles = append(entries, rs.roles...)
	for _, list := range [][]*Task{run.Play.Handlers, run.Play.PreTasks, run.Play.PostTasks, run.Play.Tasks} {
		rs.tasks(list, run.Playbook.Dir, "", 0)
	}
	names := rs.names()
	names.vars = names.values()
	return names
}

func (rs *roleScan) names() playRoleNames {
	if rs.err != nil {
		return playRoleNames{err: rs.err}
	}
	names := playRoleNames{}
	for _, role := range rs.roles {
		names.play = append(names.play, role.Name)
	}
	names.deps = slices.Sorted(maps.Keys(rs.deps))
	return names
}

// load loads a role and what its dependencies and tasks import, and notes
// its dependencies' names.
func (rs *roleScan) load(ref RoleRef, from RoleFiles, depth int) *Role {
	if rs.err != nil {
		return nil
	}
	if depth > 20 {
		rs.err = &InputError{At: ref.At, Key: "dependencies", Msg: fmt.Sprintf("roles nest too deep at %q", ref.Name)}
		return nil
	}
	role, err := rs.repo.roles.load(rs.repo, ref, rs.search, from)
	if err != nil {
		rs.err = err
		return nil
	}
	for _, dep := range role.Deps {
		if rs.load(dep, RoleFiles{}, depth+1) != nil {
			rs.deps[dep.Name] = true
		}
	}
	rs.tasks(role.Tasks, filepath.Join(role.Dir, "tasks"), role.Dir, depth+1)
	rs.tasks(role.Handlers, filepath.Join(role.Dir, "handlers"), role.Dir, depth+1)
	return role
}

// tasks follows a task list's import_role, import_tasks and include_tasks.
// A role imported from a file include_tasks brings in joins the play only
// when that include runs, which straylight does not follow: the names are
// then unknown, as they are with a file or role named by a template.
func (rs *roleScan) tasks(list []*Task, dir, roleDir string, depth int) {
	for _, t := range list {
		rs.tasks(t.Block, dir, roleDir, depth)
		rs.tasks(t.Rescue, dir, roleDir, depth)
		rs.tasks(t.Always, dir, roleDir, depth)
		switch moduleNames[t.ModuleName] {
		case ModImportRole:
			rs.importRole(t, depth)
		case ModImportTasks, ModIncludeTasks:
			rs.taskFile(t, dir, roleDir, depth)
		}
	}
}

func (rs *roleScan) importRole(t *Task, depth int) {
	name := argString(t.Args, "name")
	if strings.Contains(name, "{{") {
		rs.unknown(t, "imports a role named by a template")
		return
	}
	from := RoleFiles{Tasks: argString(t.Args, "tasks_from"), Vars: argString(t.Args, "vars_from"),
		Defaults: argString(t.Args, "defaults_from"), Handlers: argString(t.Args, "handlers_from")}
	if role := rs.load(RoleRef{Name: name, At: t.At}, from, depth+1); role != nil {
		rs.roles = append(rs.roles, role)
	}
}

func (rs *roleScan) taskFile(t *Task, dir, roleDir string, depth int) {
	name := argString(t.Args, "file")
	if name == "" {
		name = argString(t.Args, "_raw_params")
	}
	if name == "" {
		name = t.FreeForm
	}
	path := staticTaskFile(name, dir, roleDir, rs.run.Playbook.Dir)
	if path == "" || depth > 20 {
		rs.unknown(t, fmt.Sprintf("brings in tasks from %q, which it does not find before the play runs", name))
		return
	}
	tasks, err := rs.repo.taskFiles.load(rs.repo.Root, path, t.Role, t.RoleDir)
	if err != nil {
		rs.err = err
		return
	}
	before := len(rs.roles)
	rs.tasks(tasks, filepath.Dir(path), roleDir, depth+1)
	if moduleNames[t.ModuleName] == ModIncludeTasks && len(rs.roles) > before {
		rs.unknown(t, "includes tasks that import a role, which joins the play when the include runs")
	}
}

func (rs *roleScan) unknown(t *Task, why string) {
	if rs.err == nil {
		rs.err = fmt.Errorf("reading the play's role names (ansible_play_role_names, role_names, ansible_role_names, ansible_dependent_role_names) is not supported by straylight where %s (%s) %s", t.ModuleName, t.At, why)
	}
}

// staticTaskFile finds a task file named without a template where
// walker.findTaskFile would: beside the including file, in the role's
// tasks/, beside the playbook. "" when the name is a template or no file
// matches.
func staticTaskFile(name, dir, roleDir, playbookDir string) string {
	if name == "" || strings.Contains(name, "{{") {
		return ""
	}
	candidates := []string{name}
	if !filepath.IsAbs(name) {
		candidates = []string{filepath.Join(dir, name)}
		if roleDir != "" {
			candidates = append(candidates, filepath.Join(roleDir, "tasks", name))
		}
		candidates = append(candidates, filepath.Join(playbookDir, name))
	}
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c
		}
	}
	return ""
}

// includedRolesJoinPlay: a role include_role brings in joins play.roles
// (and so the role name variables) from ansible-core 2.17 on
// (lib/ansible/playbook/role_include.py:91 at v2.19.14; before, only with
// public: true, :95-96 at v2.14.18; changed by ansible/ansible 55065c00).
func (r *Repo) includedRolesJoinPlay() bool {
	return versionAtLeast(r.CoreVersion(), 2, 17)
}

// roleNamesLayer is the role name variables once include_role brought roles
// into the play; nil before.
func (wk *walker) roleNamesLayer() map[string]any {
	if len(wk.includedRoles) == 0 {
		return nil
	}
	if wk.namesFor != len(wk.includedRoles) {
		wk.namesLayer, wk.namesFor = wk.includedRoleNames(), len(wk.includedRoles)
	}
	return wk.namesLayer
}

func (wk *walker) includedRoleNames() map[string]any {
	rs := &roleScan{repo: wk.repo, run: wk.run, search: wk.repo.roleSearchPath(wk.run.Playbook.Dir), deps: map[string]bool{}}
	names := wk.run.roleNames
	for _, role := range wk.includedRoles {
		names.play = append(slices.Clip(names.play), role.Name)
		for _, dep := range role.Deps {
			if rs.load(dep, RoleFiles{}, 1) != nil {
				rs.deps[dep.Name] = true
			}
		}
	}
	for _, dep := range names.deps {
		rs.deps[dep] = true
	}
	names.deps = slices.Sorted(maps.Keys(rs.deps))
	if rs.err != nil && names.err == nil {
		names.err = rs.err
	}
	return names.values()
}
