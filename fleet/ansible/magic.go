package ansible

import (
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
	}
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
	s = render.NewScope(orderedValues(vars), m)
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
