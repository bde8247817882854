package facts

import (
	_ "embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/render"
)

// posixScript prints the raw data (posix.sh); parsePOSIX computes the facts.
//
//go:embed posix.sh
var posixScript string

// rawData is the script's output: each key's values in the order printed.
type rawData map[string][]string

func (d rawData) first(key string) string {
	if v := d[key]; len(v) > 0 {
		return v[0]
	}
	return ""
}

func (d rawData) has(key string) bool { return len(d[key]) > 0 }

// readRaw splits the script's "key=value" lines. Output that does not end
// with the script's last line was cut short.
func readRaw(out string) (rawData, error) {
	d := rawData{}
	for line := range strings.SplitSeq(out, "\n") {
		key, value, ok := strings.Cut(line, "=")
		if ok {
			d[key] = append(d[key], value)
		}
	}
	if !d.has("end") {
		return nil, fmt.Errorf("the facts script's output is incomplete (%d bytes, no end line)", len(out))
	}
	return d, nil
}

// parsePOSIX computes the facts a Linux host's script output gives, as
// Ansible's setup module computes them from the same sources.
func parsePOSIX(out string) (map[string]any, error) {
	d, err := readRaw(out)
	if err != nil {
		return nil, err
	}
	f := map[string]any{}
	for _, part := range []func(rawData, map[string]any){
		platformFacts, distributionFacts, cpuFacts, memoryFacts, networkFacts, userFacts, envFacts,
	} {
		part(d, f)
	}
	return f, nil
}

// platformFacts: names (socket.gethostname, platform.node, socket.getfqdn)
// and uname.
func platformFacts(d rawData, f map[string]any) {
	node := d.first("uname.n")
	f["nodename"] = node
	f["hostname"], _, _ = strings.Cut(node, ".")
	fqdn := fqdnFrom(node, d.first("byaddr"))
	f["fqdn"] = fqdn
	_, f["domain"], _ = strings.Cut(fqdn, ".")
	f["system"] = d.first("uname.s")
	f["kernel"] = d.first("uname.r")
	machine := d.first("uname.m")
	f["machine"] = machine
	f["architecture"] = architecture(machine)
}

// fqdnFrom is Python's socket.getfqdn: the host's name looked up by
// address ("ADDRESS NAME ALIAS..."), the first of the name and aliases
// holding a dot, else the name; the node name when the lookup failed.
func fqdnFrom(node, byaddr string) string {
	names := strings.Fields(byaddr)
	if len(names) < 2 {
		return node
	}
	for _, n := range names[1:] {
		if strings.Contains(n, ".") {
			return n
		}
	}
	return names[1]
}

// architecture: Ansible's i?86 is i386; other machines are themselves.
func architecture(machine string) string {
	if len(machine) == 4 && machine[0] == 'i' && strings.HasSuffix(machine, "86") {
		return "i386"
	}
	return machine
}

// memoryFacts: /proc/meminfo's kB in MB, rounded down as Ansible does.
func memoryFacts(d rawData, f map[string]any) {
	for key, name := range map[string]string{"mem.MemTotal": "memtotal_mb", "mem.SwapTotal": "swaptotal_mb"} {
		if kb, err := strconv.Atoi(d.first(key)); err == nil {
			f[name] = kb / 1024
		}
	}
}

// userFacts: Ansible's user facts (getpass.getuser() and its passwd entry,
// else the real uid's; the process's real and effective uid, and its real
// gid as both group ids, as Ansible reports them).
func userFacts(d rawData, f map[string]any) {
	f["user_id"] = d.first("user")
	if pw := strings.Split(d.first("passwd"), ":"); len(pw) == 7 {
		f["user_uid"], f["user_gid"] = atoiOr(pw[2]), atoiOr(pw[3])
		f["user_gecos"], f["user_dir"], f["user_shell"] = pw[4], pw[5], pw[6]
	}
	for key, name := range map[string]string{"id.ru": "real_user_id", "id.u": "effective_user_id",
		"id.rg": "real_group_id"} {
		if v, err := strconv.Atoi(d.first(key)); err == nil {
			f[name] = v
		}
	}
	if v, ok := f["real_group_id"]; ok {
		f["effective_group_id"] = v // os.getgid() in Ansible's collector
	}
}

func atoiOr(s string) any {
	if v, err := strconv.Atoi(s); err == nil {
		return v
	}
	return s
}

// envFacts: ansible_env holds only HOME, PATH and USER here (what the
// script reads), those the host sets.
func envFacts(d rawData, f map[string]any) {
	env := render.NewMap()
	for _, k := range envNames {
		if d.has("env." + k) {
			env.Set(k, d.first("env."+k))
		}
	}
	f["env"] = env
}

// envNames are the environment variables gathered into ansible_env.
var envNames = []string{"HOME", "PATH", "USER"}
