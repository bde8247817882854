package inventory

// GroupInfo describes one group as the inventory defines it.
type GroupInfo struct {
	Name     string
	Hosts    []string // hosts put directly in the group, in order
	Children []string // child groups, in order
	Parents  []string // parent groups, in order
	Depth    int      // longest path from 'all' (0 for 'all')
	Priority int      // ansible_group_priority (default 1)
}

// Hosts lists every host in order of first appearance in the sources.
func (inv *Inventory) Hosts() []string {
	out := make([]string, len(inv.m.hosts))
	for i, h := range inv.m.hosts {
		out[i] = h.name
	}
	return out
}

// HasHost reports whether the inventory defines the host.
func (inv *Inventory) HasHost(name string) bool {
	return inv.m.hostByName[name] != nil
}

// Groups is the 'groups' magic variable: every group, 'all' and
// 'ungrouped' included, with the hosts of the group and its descendants in
// Ansible's order.
func (inv *Inventory) Groups() map[string][]string {
	out := make(map[string][]string, len(inv.m.groups))
	for _, g := range inv.m.groups {
		out[g.name] = append([]string{}, g.allHosts...)
	}
	return out
}

// GroupNames is the 'group_names' magic variable of a host: its groups and
// their ancestors but 'all', sorted. Nil for an unknown host.
func (inv *Inventory) GroupNames(host string) []string {
	h := inv.m.hostByName[host]
	if h == nil {
		return nil
	}
	return append([]string{}, h.groupNames...)
}

// GroupOrder lists group names in order of first appearance ('all' and
// 'ungrouped' first).
func (inv *Inventory) GroupOrder() []string {
	out := make([]string, len(inv.m.groups))
	for i, g := range inv.m.groups {
		out[i] = g.name
	}
	return out
}

// Group describes one group; ok is false when there is no such group.
func (inv *Inventory) Group(name string) (GroupInfo, bool) {
	g := inv.m.groupByName[name]
	if g == nil {
		return GroupInfo{}, false
	}
	info := GroupInfo{Name: g.name, Depth: g.depth, Priority: g.priority}
	for _, h := range g.hosts {
		info.Hosts = append(info.Hosts, h.name)
	}
	info.Children = groupNamesOf(g.children)
	info.Parents = groupNamesOf(g.parents)
	return info, true
}

func groupNamesOf(groups []*group) []string {
	var out []string
	for _, g := range groups {
		out = append(out, g.name)
	}
	return out
}

// Sources lists the inventory sources read, absolute (host lists as given).
func (inv *Inventory) Sources() []string { return append([]string{}, inv.sources...) }

// SourceDirs lists the directories beside the sources, where Ansible looks
// for inventory-adjacent group_vars and host_vars (host lists have none).
func (inv *Inventory) SourceDirs() []string {
	var out []string
	for _, d := range inv.sourceDirs {
		if d != "" {
			out = append(out, d)
		}
	}
	return out
}

// Warnings lists what Ansible would warn about (skipped keys, a host_vars
// that is a file); they are not errors.
func (inv *Inventory) Warnings() []string {
	return append(append([]string{}, inv.m.warnings...), inv.files.takeWarnings()...)
}
