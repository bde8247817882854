package ansible

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/fleet/inventory"
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
	r.hostvarsMu.Lock()
	defer r.hostvarsMu.Unlock()
	if hv, ok := r.hostvars[playbookDir]; ok {
		return hv.lookup
	}
	hv := &hostvarsCache{repo: r, dir: playbookDir, scopes: map[string]*render.Scope{}}
	if r.hostvars == nil {
		r.hostvars = map[string]*hostvarsCache{}
	}
	r.hostvars[playbookDir] = hv
	return hv.lookup
}

type hostvarsCache struct {
	repo   *Repo
	dir    string
	mu     sync.Mutex
	scopes map[string]*render.Scope
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
	vars, err := c.repo.Inventory.HostVars(host, inventory.Layers{
		ExtraVars: c.repo.layer(c.repo.ExtraVars, inventory.LayerExtraVars), PlaybookDir: c.dir})
	if err != nil {
		return nil, false
	}
	m := c.repo.magic(host, c.dir)
	m.Facts = c.repo.hostvarsFacts(host)
	s = render.NewScope(c.repo.withInventorySource(orderedValues(vars), vars, host), m)
	c.mu.Lock() // built without the lock: its connection may read hostvars
	defer c.mu.Unlock()
	if got, ok := c.scopes[host]; ok {
		return got, true
	}
	c.scopes[host] = s
	return s, true
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
	src := r.facts.Facts(host, hs.conn, play.Become, hs.gatheringEnvironment(play))
	if asVars, ok := ansibleBool(r.Config.InjectFactsAsVars); ok && !asVars {
		return onlyFactsDict{src}
	}
	return src
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
// is nil).
func (r *Repo) firstGatheringRun(host string, until *Play) *PlayRun {
	for _, run := range r.Runs {
		if run.Targets(host) && r.gathers(run) {
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
