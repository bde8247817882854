package inventory

import (
	"fmt"
	"sort"
)

// model is the inventory graph, built the way ansible/inventory/data.py
// builds it: hosts and groups in order of first appearance, 'all' and
// 'ungrouped' always present, every group under 'all'.
type model struct {
	hosts       []*host
	hostByName  map[string]*host
	groups      []*group
	groupByName map[string]*group
	warnings    []string
}

type host struct {
	name   string
	vars   varSet
	direct []*group // groups the host was put in, in order
	places []HostPlace
	// Filled by finalize:
	precedence []*group // its groups but 'all', lowest precedence first
	groupNames []string // the group_names magic variable
}

type group struct {
	name     string
	vars     varSet
	priority int
	hosts    []*host
	children []*group
	parents  []*group
	// Filled by finalize:
	depth    int
	allHosts []string // hosts of the group and its descendants (the 'groups' magic variable)
}

func newModel() *model {
	m := &model{hostByName: map[string]*host{}, groupByName: map[string]*group{}}
	all, _ := m.addGroup("all")
	ungrouped, _ := m.addGroup("ungrouped")
	_ = m.addChildGroup(all, ungrouped)
	return m
}

func (m *model) warn(format string, args ...any) {
	m.warnings = append(m.warnings, fmt.Sprintf(format, args...))
}

func (m *model) addGroup(name string) (*group, error) {
	if name == "" {
		return nil, fmt.Errorf("invalid empty group name")
	}
	if g := m.groupByName[name]; g != nil {
		return g, nil
	}
	g := &group{name: name, vars: varSet{}, priority: 1}
	m.groups = append(m.groups, g)
	m.groupByName[name] = g
	return g, nil
}

// addHost creates the host on first sight (a port becomes ansible_port then
// only, as in Ansible) and puts it in the group, if any.
func (m *model) addHost(name, groupName string, port int, at Origin) error {
	if name == "" {
		return fmt.Errorf("invalid empty host name")
	}
	var g *group
	if groupName != "" {
		if g = m.groupByName[groupName]; g == nil {
			return fmt.Errorf("could not find group %s in inventory", groupName)
		}
	}
	h := m.hostByName[name]
	if h == nil {
		h = m.newHost(name, port, at)
	}
	if at.File != "" {
		h.places = append(h.places, HostPlace{File: at.File, Line: at.Line, Group: groupName, Encrypted: at.Secret})
	}
	if g != nil {
		g.addHost(h)
	}
	return nil
}

func (m *model) newHost(name string, port int, at Origin) *host {
	h := &host{name: name, vars: varSet{}}
	if port != 0 {
		h.vars.set("ansible_port", &varEntry{value: port, origins: []pathOrigin{{path: "ansible_port", origin: at}}})
	}
	m.hosts = append(m.hosts, h)
	m.hostByName[name] = h
	return h
}

func (g *group) addHost(h *host) {
	for _, x := range g.hosts {
		if x == h {
			return
		}
	}
	g.hosts = append(g.hosts, h)
	h.direct = append(h.direct, g)
}

func (g *group) removeHost(h *host) {
	g.hosts = removeFrom(g.hosts, h)
	h.direct = removeFrom(h.direct, g)
}

func removeFrom[T comparable](list []T, x T) []T {
	out := list[:0]
	for _, e := range list {
		if e != x {
			out = append(out, e)
		}
	}
	return out
}

// setGroupVar stores a group variable; ansible_group_priority set in the
// inventory file is not a variable but the group's sort priority.
func (m *model) setGroupVar(g *group, name string, e *varEntry) error {
	if name != "ansible_group_priority" {
		g.vars.set(name, e)
		return nil
	}
	p, err := priorityValue(e.value)
	if err != nil {
		return err
	}
	g.priority = p
	return nil
}

// priorityValue is Python's int(value).
func priorityValue(v any) (int, error) {
	switch t := v.(type) {
	case int:
		return t, nil
	case float64:
		return int(t), nil
	case bool:
		if t {
			return 1, nil
		}
		return 0, nil
	case string:
		if n, ok := pyInt(t); ok {
			return n, nil
		}
	}
	return 0, fmt.Errorf("invalid ansible_group_priority %v", v)
}

// addChild makes child (a group, or else a host) a member of parent.
func (m *model) addChild(parentName, childName string) error {
	parent := m.groupByName[parentName]
	if parent == nil {
		return fmt.Errorf("%s is not a known group", parentName)
	}
	if child := m.groupByName[childName]; child != nil {
		return m.addChildGroup(parent, child)
	}
	if h := m.hostByName[childName]; h != nil {
		parent.addHost(h)
		return nil
	}
	return fmt.Errorf("%s is not a known host nor group", childName)
}

func (m *model) addChildGroup(parent, child *group) error {
	if parent == child {
		return fmt.Errorf("can't add group %s to itself", parent.name)
	}
	for _, c := range parent.children {
		if c == child {
			return nil
		}
	}
	if parent.hasAncestor(child) {
		return fmt.Errorf("adding group '%s' as child to '%s' creates a recursive dependency loop", child.name, parent.name)
	}
	parent.children = append(parent.children, child)
	child.parents = append(child.parents, parent)
	return nil
}

func (g *group) hasAncestor(a *group) bool {
	seen := map[*group]bool{}
	stack := append([]*group(nil), g.parents...)
	for len(stack) > 0 {
		p := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if p == a {
			return true
		}
		if !seen[p] {
			seen[p] = true
			stack = append(stack, p.parents...)
		}
	}
	return false
}

// reconcile is InventoryData.reconcile_inventory: every group without a
// parent goes under 'all'; a host with no group but 'all' goes in
// 'ungrouped', and one with another group leaves 'ungrouped'.
func (m *model) reconcile() {
	all, ungrouped := m.groupByName["all"], m.groupByName["ungrouped"]
	for _, g := range m.groups {
		if g != all && len(g.parents) == 0 {
			_ = m.addChildGroup(all, g)
		}
	}
	for _, h := range m.hosts {
		if m.groupByName[h.name] != nil {
			m.warn("found both group and host with same name: %s", h.name)
		}
		groups := h.closure()
		_, inUngrouped := groups[ungrouped]
		switch {
		case inUngrouped && len(withoutAllAndUngrouped(groups, all, ungrouped)) > 0:
			ungrouped.removeHost(h)
		case !inUngrouped && len(withoutAllAndUngrouped(groups, all, ungrouped)) == 0:
			ungrouped.addHost(h)
		}
	}
}

func withoutAllAndUngrouped(groups map[*group]bool, all, ungrouped *group) []*group {
	var out []*group
	for g := range groups {
		if g != all && g != ungrouped {
			out = append(out, g)
		}
	}
	return out
}

// closure is every group the host belongs to, ancestors included.
func (h *host) closure() map[*group]bool {
	seen := map[*group]bool{}
	stack := append([]*group(nil), h.direct...)
	for len(stack) > 0 {
		g := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		if !seen[g] {
			seen[g] = true
			stack = append(stack, g.parents...)
		}
	}
	return seen
}

// finalize computes what the readers leave implicit: depths, each host's
// groups in precedence order and group_names, each group's host list.
func (m *model) finalize() {
	depths := map[*group]int{}
	for _, g := range m.groups {
		g.depth = groupDepth(g, depths)
	}
	all := m.groupByName["all"]
	for _, h := range m.hosts {
		h.precedence, h.groupNames = hostGroups(h, all)
	}
	for _, g := range m.groups {
		g.allHosts = descendantHosts(g)
	}
}

// groupDepth is the longest path from 'all', which is what Ansible's
// incremental depth bookkeeping (add_child_group) amounts to.
func groupDepth(g *group, memo map[*group]int) int {
	if d, ok := memo[g]; ok {
		return d
	}
	d := 0
	for _, p := range g.parents {
		if pd := groupDepth(p, memo) + 1; pd > d {
			d = pd
		}
	}
	memo[g] = d
	return d
}

// hostGroups sorts a host's groups as ansible's sort_groups does: by depth,
// then ansible_group_priority, then name.
func hostGroups(h *host, all *group) ([]*group, []string) {
	var groups []*group
	for g := range h.closure() {
		if g != all {
			groups = append(groups, g)
		}
	}
	sort.Slice(groups, func(i, j int) bool { return groupLess(groups[i], groups[j]) })
	names := make([]string, len(groups))
	for i, g := range groups {
		names[i] = g.name
	}
	sort.Strings(names)
	return groups, names
}

func groupLess(a, b *group) bool {
	if a.depth != b.depth {
		return a.depth < b.depth
	}
	if a.priority != b.priority {
		return a.priority < b.priority
	}
	return a.name < b.name
}

// descendantHosts is Group.get_hosts: the group's own hosts, then its
// children's, then deeper levels, each host once. (Ansible walks levels
// below the children in set order, which varies; here it is child order.)
func descendantHosts(g *group) []string {
	var out []string
	seen := map[*host]bool{}
	for _, kid := range descendantsBreadthFirst(g) {
		for _, h := range kid.hosts {
			if !seen[h] {
				seen[h] = true
				out = append(out, h.name)
			}
		}
	}
	return out
}

func descendantsBreadthFirst(g *group) []*group {
	order := []*group{g}
	seen := map[*group]bool{g: true}
	for i := 0; i < len(order); i++ {
		for _, c := range order[i].children {
			if !seen[c] {
				seen[c] = true
				order = append(order, c)
			}
		}
	}
	return order
}
