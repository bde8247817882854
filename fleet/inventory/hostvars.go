package inventory

import (
	"fmt"
	"maps"
	"path/filepath"
)

// Layers are the variables that do not come from the inventory: the
// caller reads them from the play and its roles and the command line.
// PlaybookDir is the directory of the playbook being run (ansible-playbook's
// basedir), where playbook-adjacent group_vars/host_vars live; empty for
// none, like ansible-inventory without --playbook-dir.
type Layers struct {
	RoleDefaults Vars
	PlayVars     Vars
	RoleVars     Vars
	ExtraVars    Vars
	PlaybookDir  string
}

// HostVars merges a host's variables with Ansible's precedence, lowest
// first: role defaults; the inventory file's vars of 'all', then of the
// host's groups; group_vars/all beside the inventory, then beside the
// playbook; group_vars/<group> beside the inventory, then beside the
// playbook (groups by depth, ansible_group_priority, name); the inventory
// file's host vars; host_vars/<host> beside the inventory, then beside the
// playbook; play vars; role vars; extra vars. Dicts are replaced, not
// merged. Magic variables (inventory_hostname, group_names, groups) are not
// included: see GroupNames and Groups.
//
// The inventory's part (InventoryVars) is merged once per host and
// playbook folder; the layers of l are laid on a fresh copy of it, so the
// result is the caller's own.
func (inv *Inventory) HostVars(name string, l Layers) (Vars, error) {
	base, err := inv.inventoryEntries(name, l.PlaybookDir)
	if err != nil {
		return Vars{}, err
	}
	defaults, play, role, extra := l.RoleDefaults.entries(LayerRoleDefault), l.PlayVars.entries(LayerPlayVars), l.RoleVars.entries(LayerRoleVars), l.ExtraVars.entries(LayerExtraVars)
	entries := make(map[string]layered, len(base)+len(defaults)+len(play)+len(role)+len(extra))
	for _, layer := range []map[string]layered{defaults, base, play, role, extra} {
		maps.Copy(entries, layer)
	}
	return toVars(entries), nil
}

// InventoryVars is the inventory's part of a host's variables (HostVars
// without role defaults, play vars, role vars and extra vars), merged once
// per host and playbook folder and shared by every caller: treat it as
// read-only.
func (inv *Inventory) InventoryVars(name, playbookDir string) (Vars, error) {
	m, err := inv.inventoryMerge(name, playbookDir)
	if err != nil {
		return Vars{}, err
	}
	return m.vars, nil
}

func (inv *Inventory) inventoryEntries(name, playbookDir string) (map[string]layered, error) {
	m, err := inv.inventoryMerge(name, playbookDir)
	if err != nil {
		return nil, err
	}
	return m.vars.merged, nil
}

// inventoryMerge merges a host's inventory layers once per playbook folder.
func (inv *Inventory) inventoryMerge(name, playbookDir string) (hostMerge, error) {
	h := inv.m.hostByName[name]
	if h == nil {
		return hostMerge{}, fmt.Errorf("unknown host %q", name)
	}
	m := inv.merges.Get(hostMergeKey{h, playbookDir}, func() hostMerge {
		vars, err := inv.mergeInventory(h, playbookDir)
		return hostMerge{vars, err}
	})
	return m, m.err
}

// mergeInventory merges the inventory's layers of a host, lowest first.
func (inv *Inventory) mergeInventory(h *host, playbookDir string) (Vars, error) {
	mg := merger{inv: inv, entries: map[string]layered{}}
	mg.playbookDir = absOrEmpty(playbookDir)
	mg.inventoryGroupVars(h)
	mg.groupVarsFiles(h)
	mg.add(h.vars, LayerInventoryHost)
	mg.hostVarsFiles(h)
	if mg.err != nil {
		return Vars{}, mg.err
	}
	return toVars(mg.entries), nil
}

// hostMergeKey names a host's inventory merge: the proxy's hostvars and
// each play's scope of a host share one per playbook folder (a 1,000-host
// check merged every GPU host's inventory layers twice).
type hostMergeKey struct {
	host        *host
	playbookDir string
}

// hostMerge is one merge, done by whichever caller needs it first; a file
// error is kept, as varFiles keeps it.
type hostMerge struct {
	vars Vars
	err  error
}

func absOrEmpty(dir string) string {
	if dir == "" {
		return ""
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return dir
	}
	return abs
}

// merger applies layers in order; a later layer's variable replaces an
// earlier one whole. The first file error stops it.
type merger struct {
	inv         *Inventory
	playbookDir string
	entries     map[string]layered
	err         error
}

func (mg *merger) add(vs varSet, layer string) {
	for name, e := range vs {
		mg.entries[name] = layered{entry: e, layer: layer}
	}
}

func (mg *merger) inventoryGroupVars(h *host) {
	mg.add(mg.inv.m.groupByName["all"].vars, LayerInventoryGroup+"all")
	for _, g := range h.precedence {
		mg.add(g.vars, LayerInventoryGroup+g.name)
	}
}

// groupVarsFiles follows VARIABLE_PRECEDENCE's all_plugins_inventory,
// all_plugins_play, groups_plugins_inventory, groups_plugins_play.
func (mg *merger) groupVarsFiles(h *host) {
	all := []*group{mg.inv.m.groupByName["all"]}
	for _, dir := range mg.inv.sourceDirs {
		mg.groupFiles(dir, all)
	}
	mg.groupFiles(mg.playbookDir, all)
	for _, dir := range mg.inv.sourceDirs {
		mg.groupFiles(dir, h.precedence)
	}
	mg.groupFiles(mg.playbookDir, h.precedence)
}

func (mg *merger) groupFiles(base string, groups []*group) {
	for _, g := range groups {
		mg.files(base, "group_vars", g.name, LayerGroupVars+g.name)
	}
}

func (mg *merger) hostVarsFiles(h *host) {
	for _, dir := range mg.inv.sourceDirs {
		mg.files(dir, "host_vars", h.name, LayerHostVars)
	}
	mg.files(mg.playbookDir, "host_vars", h.name, LayerHostVars)
}

func (mg *merger) files(base, subdir, entity, layer string) {
	if base == "" || mg.err != nil {
		return
	}
	sets, err := mg.inv.files.varSets(base, subdir, entity)
	if err != nil {
		mg.err = err
		return
	}
	for _, vs := range sets {
		mg.add(vs, layer)
	}
}
