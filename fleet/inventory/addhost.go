package inventory

import (
	"fmt"
	"net/netip"
	"reflect"
	"slices"
	"strings"
)

// HostPlace is one place an inventory file puts a host in a group: the
// line of its host line (INI) or of its key under a group's hosts (YAML).
type HostPlace struct {
	File      string // absolute path
	Line      int    // 1-based
	Group     string
	Encrypted bool // the file is vault-encrypted
}

// HostPlaces lists where the inventory declares a host, in reading order;
// none for an unknown host or one from a "host1,host2," list.
func (inv *Inventory) HostPlaces(name string) []HostPlace {
	h := inv.m.hostByName[name]
	if h == nil {
		return nil
	}
	return slices.Clone(h.places)
}

// HasGroup reports whether the inventory defines the group.
func (inv *Inventory) HasGroup(name string) bool { return inv.m.groupByName[name] != nil }

// maxHostName is DNS's limit on a whole name.
const maxHostName = 253

// CheckHostName says why name cannot be a new inventory hostname ("" when
// it can): letters, digits, '-', '_' and '.', starting with a letter or
// digit, at most 253 characters. Ansible accepts more (its INI plugin
// reads "[1:3]" as a range, ":22" as a port, "#" as a comment), so only
// names every inventory format keeps as written are offered.
func CheckHostName(name string) string {
	switch {
	case name == "":
		return "the name is empty"
	case len(name) > maxHostName:
		return fmt.Sprintf("the name is longer than %d characters", maxHostName)
	case !isAlnum(rune(name[0])):
		return "the name must start with a letter or a digit"
	}
	if i := strings.IndexFunc(name, func(r rune) bool { return !isAlnum(r) && !strings.ContainsRune("-_.", r) }); i >= 0 {
		return fmt.Sprintf("%q is not allowed in a host name (letters, digits, '-', '_' and '.')", name[i:i+1])
	}
	return ""
}

// CheckAddress says why addr cannot be a host's ansible_host ("" when it
// can): an IPv4 or IPv6 address, or a DNS name (letters, digits and '-'
// in dot-separated labels).
func CheckAddress(addr string) string {
	if addr == "" {
		return "the address is empty"
	}
	if _, err := netip.ParseAddr(addr); err == nil {
		return ""
	}
	if len(addr) > maxHostName {
		return fmt.Sprintf("the address is longer than %d characters", maxHostName)
	}
	for _, label := range strings.Split(strings.TrimSuffix(addr, "."), ".") {
		if !validLabel(label) {
			return fmt.Sprintf("%q is neither an IP address nor a DNS name (labels of letters, digits and '-')", addr)
		}
	}
	return ""
}

func validLabel(l string) bool {
	if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
		return false
	}
	return !strings.ContainsFunc(l, func(r rune) bool { return !isAlnum(r) && r != '-' })
}

func isAlnum(r rune) bool {
	return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
}

// HostCopy is a new host to add to one inventory file like a template host
// that the file declares.
type HostCopy struct {
	File     string // the file's path, as messages name it
	Template string
	Name     string
	// Address is the new host's ansible_host: it replaces the template's
	// in the copied entry; with SetAddress it is added when the template's
	// entry has none.
	Address    string
	SetAddress bool
	Lines      []int // 1-based lines where the file declares the template (HostPlace.Line)
}

// InsertHost adds the new host to an inventory file's text: after each
// declaration of the template a copy of it, renamed, with the address.
// Every other byte stays as it was. The result is read back: the new host
// must be in the template's groups with the template's variables (but
// ansible_host), and every other host and group as before, or nothing is
// returned but an error naming the file and line. dec opens vault values
// for that check; it may be nil when the file has none.
func InsertHost(data []byte, c HostCopy, dec Decrypter) ([]byte, error) {
	if bad := CheckHostName(c.Name); bad != "" {
		return nil, errorAt(c.File, 0, "host %q: %s", c.Name, bad)
	}
	if bad := CheckAddress(c.Address); bad != "" {
		return nil, errorAt(c.File, 0, "ansible_host of %s: %s", c.Name, bad)
	}
	out, err := insertInFormat(data, c)
	if err != nil {
		return nil, err
	}
	return out, verifyInsert(data, out, c, dec)
}

func insertInFormat(data []byte, c HostCopy) ([]byte, error) {
	if isYAMLInventory(data, c.File) {
		return insertYAMLHost(data, c)
	}
	return insertINIHost(data, c)
}

// verifyInsert reads both texts and compares them host by host.
func verifyInsert(old, new []byte, c HostCopy, dec Decrypter) error {
	before, err := readModel(old, c.File, dec)
	if err != nil {
		return err
	}
	after, err := readModel(new, c.File, dec)
	if err != nil {
		return errorAt(c.File, 0, "the new entry for %s does not read back: %v", c.Name, err)
	}
	if before.hostByName[c.Name] != nil {
		return errorAt(c.File, 0, "host %s is already in the inventory", c.Name)
	}
	if msg := compareModels(before, after, c); msg != "" {
		return errorAt(c.File, 0, "adding %s did not verify, nothing was written: %s", c.Name, msg)
	}
	return nil
}

func readModel(data []byte, file string, dec Decrypter) (*model, error) {
	m := newModel()
	if err := loadInventoryBytes(m, data, file, dec); err != nil {
		return nil, err
	}
	m.reconcile()
	return m, nil
}

// compareModels says what differs beyond the new host ("" when nothing).
func compareModels(before, after *model, c HostCopy) string {
	for _, h := range before.hosts {
		if msg := sameHost(h, after.hostByName[h.name]); msg != "" {
			return msg
		}
	}
	if len(after.hosts) != len(before.hosts)+1 || after.hostByName[c.Name] == nil {
		return fmt.Sprintf("expected exactly one new host, %s", c.Name)
	}
	want := before.hostByName[c.Template]
	if msg := sameGroups(want, after.hostByName[c.Name]); msg != "" {
		return msg
	}
	return sameVarsBut(want, after.hostByName[c.Name], c)
}

func sameHost(want, got *host) string {
	if got == nil {
		return want.name + " is missing"
	}
	if msg := sameGroups(want, got); msg != "" {
		return msg
	}
	if !reflect.DeepEqual(varValues(want.vars), varValues(got.vars)) {
		return want.name + "'s variables changed"
	}
	return ""
}

func sameGroups(want, got *host) string {
	if !slices.Equal(groupNamesOf(want.direct), groupNamesOf(got.direct)) {
		return fmt.Sprintf("%s is in groups %v, expected %v", got.name, groupNamesOf(got.direct), groupNamesOf(want.direct))
	}
	return ""
}

// sameVarsBut compares a copy's variables with the template's, ansible_host
// set to the address where the template has one or the copy must.
func sameVarsBut(template, copy *host, c HostCopy) string {
	want, got := varValues(template.vars), varValues(copy.vars)
	if _, had := want["ansible_host"]; had || c.SetAddress {
		want["ansible_host"] = c.Address
	}
	if !reflect.DeepEqual(want, got) {
		return copy.name + "'s variables are not the template's"
	}
	return ""
}

func varValues(vs varSet) map[string]any {
	out := make(map[string]any, len(vs))
	for k, e := range vs {
		out[k] = e.value
	}
	return out
}
