package facts

import (
	"encoding/binary"
	"net"
	"strings"

	"github.com/straylight-fleet/straylight/render"
)

// networkFacts: default_ipv4 as Ansible's Linux network facts build it
// from the default route, the interface's address line and
// /sys/class/net. Ansible asks `ip -4 route get` for a public address;
// the script reads the default route and asks the route to its gateway,
// which leaves through the same interface with the same source address.
func networkFacts(d rawData, f map[string]any) {
	def := render.NewMap()
	f["default_ipv4"] = def
	route := strings.Fields(d.first("route"))
	if len(route) == 0 {
		return
	}
	gateway, dev := word(route, "via"), word(route, "dev")
	got := strings.Fields(d.first("routeget"))
	address := word(got, "src")
	if gateway != "" {
		def.Set("gateway", gateway)
	}
	if dev != "" {
		def.Set("interface", dev)
	}
	line := addressLine(d["inet"], address)
	if line == nil {
		if address != "" {
			def.Set("address", address)
		}
		return
	}
	def.Set("address", line.address)
	addInterface(def, line, d)
}

// word is the word after key in a route line.
func word(words []string, key string) string {
	for i := 0; i+1 < len(words); i++ {
		if words[i] == key {
			return words[i+1]
		}
	}
	return ""
}

// inetLine is one "inet ADDR/PREFIX [brd BROADCAST] ... LABEL" line.
type inetLine struct {
	address, prefix, broadcast, label string
}

// addressLine is the line of the route's source address; without one (a
// default route with no gateway), the interface's first address.
func addressLine(lines []string, address string) *inetLine {
	for i, l := range lines {
		parsed := parseInet(l)
		if parsed != nil && (parsed.address == address || (address == "" && i == 0)) {
			return parsed
		}
	}
	return nil
}

func parseInet(l string) *inetLine {
	words := strings.Fields(l)
	if len(words) < 2 {
		return nil
	}
	out := &inetLine{label: words[len(words)-1], prefix: "32"}
	addr, prefix, ok := strings.Cut(words[0], "/")
	out.address = addr
	if ok {
		out.prefix = prefix
		if len(words) > 2 && words[1] == "brd" {
			out.broadcast = words[2]
		}
	}
	return out
}

// addInterface adds what Ansible adds once the route's address is found:
// broadcast, netmask, network, prefix, then the interface's macaddress,
// mtu, type and the address's label (alias).
func addInterface(def *render.Map, l *inetLine, d rawData) {
	netmask, network := maskAndNetwork(l.address, l.prefix)
	def.Set("broadcast", l.broadcast)
	def.Set("netmask", netmask)
	def.Set("network", network)
	def.Set("prefix", l.prefix)
	def.Set("macaddress", d.first("net.address"))
	if d.has("net.mtu") {
		def.Set("mtu", atoiOr(d.first("net.mtu")))
	}
	def.Set("type", interfaceType(d))
	def.Set("alias", l.label)
}

func maskAndNetwork(address, prefix string) (string, string) {
	ip := net.ParseIP(address).To4()
	bits := atoi(prefix)
	if ip == nil || bits < 0 || bits > 32 {
		return "", ""
	}
	mask := uint32(0xffffffff) << (32 - bits)
	if bits == 0 {
		mask = 0
	}
	network := binary.BigEndian.Uint32(ip) & mask
	return ipv4(mask), ipv4(network)
}

func ipv4(v uint32) string {
	b := make(net.IP, 4)
	binary.BigEndian.PutUint32(b, v)
	return b.String()
}

// interfaceType is Ansible's INTERFACE_TYPE of /sys/class/net/DEV/type,
// bridge and bonding winning.
func interfaceType(d rawData) string {
	switch {
	case d.has("net.bonding"):
		return "bonding"
	case d.has("net.bridge"):
		return "bridge"
	}
	if t, ok := interfaceTypes[strings.TrimSpace(d.first("net.type"))]; ok {
		return t
	}
	return "unknown"
}

var interfaceTypes = map[string]string{"1": "ether", "32": "infiniband", "512": "ppp", "772": "loopback", "65534": "tunnel"}
