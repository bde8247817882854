package inventory

// LocalhostNames are the names Ansible reads as the implicit localhost
// (constants.LOCALHOST) when the inventory has no such host.
var LocalhostNames = []string{"localhost", "127.0.0.1", "::1"}

// AddImplicitLocalhost adds the implicit localhost Ansible creates when a
// play names it and the inventory does not define it
// (InventoryData._create_implicit_localhost): a host in no group, not in
// 'all' or any pattern but its own name, with ansible_connection=local; it
// still reads the vars of 'all' and host_vars/<name>. Returns false when
// name is not a localhost name or the inventory already has a host of
// that name.
func (inv *Inventory) AddImplicitLocalhost(name string) bool {
	if inv.m.hostByName[name] != nil || !isLocalhostName(name) {
		return false
	}
	h := &host{name: name, vars: varSet{}}
	origin := Origin{Layer: LayerInventoryHost}
	h.vars.set("ansible_connection", &varEntry{value: "local", origins: []pathOrigin{{path: "ansible_connection", origin: origin}}})
	inv.m.hostByName[name] = h
	return true
}

// IsImplicit reports whether the host is the implicit localhost.
func (inv *Inventory) IsImplicit(name string) bool {
	h := inv.m.hostByName[name]
	return h != nil && !inv.listed(h)
}

func (inv *Inventory) listed(h *host) bool {
	for _, l := range inv.m.hosts {
		if l == h {
			return true
		}
	}
	return false
}

func isLocalhostName(name string) bool {
	for _, n := range LocalhostNames {
		if n == name {
			return true
		}
	}
	return false
}
