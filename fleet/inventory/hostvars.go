package inventory

import (
	"fmt"
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
func (inv *Inventory) HostVars(name string, l Layers) (Vars, error) {
	h := inv.m.hostByName[name]
	if h == nil {
		return Vars{}, fmt.Errorf("unknown host %q", name)
	}
	mg := merger{inv: inv, entries: map[string]layered{}}
	mg.playbookDir = absOrEmpty(l.PlaybookDir)
	mg.add(varSetFromVars(l.RoleDefaults, LayerRoleDefault), LayerRoleDefault)
	mg.inventoryGroupVars(h)
	mg.groupVarsFiles(h)
	mg.add(h.vars, LayerInventoryHost)
	mg.hostVarsFiles(h)
	mg.add(varSetFromVars(l.PlayVars, LayerPlayVars), LayerPlayVars)
	mg.add(varSetFromVars(l.RoleVars, LayerRoleVars), LayerRoleVars)
	mg.add(varSetFromVars(l.ExtraVars, LayerExtraVars), LayerExtraVars)
	if mg.err != nil {
		return Vars{}, mg.err
	}
	return toVars(mg.entries), nil
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
