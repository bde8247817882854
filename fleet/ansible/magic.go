package ansible

import (
	"sync"

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
	defer c.mu.Unlock()
	if s, ok := c.scopes[host]; ok {
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
	s := render.NewScope(orderedValues(vars), c.repo.magic(host, c.dir))
	c.scopes[host] = s
	return s, true
}
