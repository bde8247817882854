package filemod

import (
	"cmp"
	"fmt"
	"net"
	"slices"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
	"github.com/straylight-fleet/straylight/internal/shquote"
)

// docker_container's published_ports and volumes, as community.docker
// 3.13.3 reads, sets and compares them (all citations are at tag 3.13.3,
// commit 1c1a6aec3b28b1bd6ceee3f5a06eb376eb545e0b, under
// plugins/module_utils/).
//
// published_ports (alias ports) is read by module_container/base.py
// :686-777 _preprocess_ports into container port → (host IP, host port);
// the default IP, with neither default_host_ip nor networks given, is
// 0.0.0.0 (module_container/docker_api.py:617-631, :1245-1259). The
// module creates the container with those bindings in
// HostConfig.PortBindings and the ports in ExposedPorts
// (docker_api.py:1223-1242; _api/utils/utils.py:94-133
// convert_port_bindings), and expects the container's PortBindings to
// hold, for each of the task's ports, exactly [{"HostIp": IP,
// "HostPort": PORT}] (docker_api.py:1186-1205) and its ExposedPorts the
// port (:1207-1217). Both options are compared allow_more_present
// (base.py:1187-1193 types dict and set; :107-112 the default comparison
// for them; util.py:126-135, :194-205): the container may publish and
// expose more, a port the task no longer gives is no difference.
//
// volumes is read by base.py:614-652 _preprocess_mounts: "HOST:CONTAINER"
// becomes the bind "HOST:CONTAINER:rw", "HOST:CONTAINER:MODE" stays as it
// is; the module creates the container with them in HostConfig.Binds
// (docker_api.py:1058-1074) and expects the container's Binds to hold
// each (:1002-1008; base.py:1183-1184 a set, compared allow_more_present).
//
// straylight passes the same values to `docker create` (-p
// IP:HOSTPORT:PORT/PROTO, -v BIND), which stores them as the module's
// request would, and compares the container's with the same rules. What
// the module reads in ways straylight does not reproduce is refused, with
// the reason: a port range, an IPv6 address, a container port given
// twice, a relative or home-relative host path (resolved on the host,
// base.py:620-629), an anonymous volume.
//
// restart_policy (base.py:1086-1090, a value compared strict) is set at
// creation (HostConfig.RestartPolicy, docker_api.py:1148-1157) and, unlike
// the options above, can be updated in place (:1160-1166, :1416-1420): a
// container whose policy alone differs is not recreated
// (module_container/module.py:565-579 records such a difference apart,
// and counts it only beside another) but updated (:374, :599-609, :839-850:
// POST /containers/ID/update), changed; straylight runs `docker update
// --restart POLICY`. restart_retries is left to Ansible.

// DockerPort is one published port: the container's port with its
// protocol ("8000/tcp") and the host's address and port ("" when the
// daemon picks one).
type DockerPort struct {
	Port     string `json:"port"`
	HostIP   string `json:"host_ip"`
	HostPort string `json:"host_port,omitempty"`
}

// ParsePublishedPorts reads published_ports as the module does
// (base.py:686-745), refusing what straylight does not run.
func ParsePublishedPorts(values []string) ([]DockerPort, error) {
	ports := make([]DockerPort, 0, len(values))
	for _, v := range values {
		p, err := parsePublishedPort(v)
		if err != nil {
			return nil, err
		}
		if slices.ContainsFunc(ports, func(q DockerPort) bool { return q.Port == p.Port }) {
			return nil, fmt.Errorf("published_ports %q: container port %s is published twice, which the module binds as a list whose default addresses it does not fill in (docker_api.py:1245-1259); Ansible runs the task", v, p.Port)
		}
		ports = append(ports, p)
	}
	return ports, nil
}

// parsePublishedPort reads "[[IP:]HOSTPORT:]PORT[/PROTO]".
func parsePublishedPort(v string) (DockerPort, error) {
	switch {
	case v == "all":
		return DockerPort{}, fmt.Errorf(`published_ports "all": the module fails (Specifying "all" in published_ports is no longer allowed, base.py:688-691)`)
	case strings.Contains(v, "["):
		return DockerPort{}, fmt.Errorf("published_ports %q: an IPv6 address; straylight publishes on IPv4 addresses, Ansible runs the task", v)
	case strings.Contains(v, "-"):
		return DockerPort{}, fmt.Errorf("published_ports %q: a port range; straylight publishes single ports, Ansible runs the task", v)
	}
	parts := strings.Split(v, ":")
	port, err := containerPort(v, parts[len(parts)-1])
	if err != nil {
		return DockerPort{}, err
	}
	switch len(parts) {
	case 1:
		return DockerPort{Port: port, HostIP: "0.0.0.0"}, nil
	case 2:
		return hostPort(v, DockerPort{Port: port, HostIP: "0.0.0.0"}, parts[0])
	case 3:
		if ip := net.ParseIP(parts[0]); ip == nil || ip.To4() == nil || ip.String() != parts[0] {
			return DockerPort{}, fmt.Errorf("published_ports %q: %q is not an IPv4 address (the module takes no host names, base.py:711-717); Ansible runs the task", v, parts[0])
		}
		return hostPort(v, DockerPort{Port: port, HostIP: parts[0]}, parts[1])
	}
	return DockerPort{}, fmt.Errorf("published_ports %q: the module fails (expected 1 to 3 colon-separated parts, base.py:727-731)", v)
}

// containerPort is "PORT/PROTO", tcp when no protocol is given.
func containerPort(v, s string) (string, error) {
	port, proto, ok := strings.Cut(s, "/")
	if !ok {
		proto = "tcp"
	}
	if !canonicalPort(port) || !slices.Contains([]string{"tcp", "udp", "sctp"}, proto) {
		return "", fmt.Errorf("published_ports %q: %q is not a port number with protocol tcp, udp or sctp", v, s)
	}
	return port + "/" + proto, nil
}

// hostPort sets the host's port: "" leaves it to the daemon.
func hostPort(v string, p DockerPort, s string) (DockerPort, error) {
	if s != "" && !canonicalPort(s) {
		return DockerPort{}, fmt.Errorf("published_ports %q: host port %q is not a port number", v, s)
	}
	p.HostPort = s
	return p, nil
}

// canonicalPort: 1 to 65535 written without leading zeros, so that the
// module's text and the daemon's are the same.
func canonicalPort(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 1 && n <= 65535 && strconv.Itoa(n) == s
}

// bindingJSON is the container's PortBindings entry for the port as the
// docker CLI's json function writes it.
func (p DockerPort) bindingJSON() string {
	return fmt.Sprintf(`[{"HostIp":%q,"HostPort":%q}]`, p.HostIP, p.HostPort)
}

// ParseVolumes reads volumes as the module does (base.py:614-652) into
// binds, refusing what straylight does not run and failing as the module
// fails on a mount point given twice (base.py:567-573).
func ParseVolumes(values []string) ([]string, error) {
	binds := make([]string, 0, len(values))
	targets := map[string]bool{}
	for _, v := range values {
		bind, err := parseVolume(v)
		if err != nil {
			return nil, err
		}
		target := strings.Split(bind, ":")[1]
		if targets[target] {
			return nil, fmt.Errorf("volumes %q: the module fails (The mount point %q appears twice in the volumes option)", v, target)
		}
		targets[target] = true
		binds = append(binds, bind)
	}
	return binds, nil
}

// parseVolume reads "HOST:CONTAINER[:MODE]" into the bind the module
// sends: mode rw when none is given.
func parseVolume(v string) (string, error) {
	parts := strings.Split(v, ":")
	switch {
	case len(parts) == 1:
		return "", fmt.Errorf("volumes %q: an anonymous volume; straylight runs binds (HOST:CONTAINER[:MODE]), Ansible runs the task", v)
	case len(parts) > 3:
		return "", fmt.Errorf("volumes %q: more than three colon-separated parts, which the module passes on as an anonymous volume; Ansible runs the task", v)
	case len(parts) == 2 && volumeMode(parts[1]):
		return "", fmt.Errorf("volumes %q: a container path followed by a mode, which the module passes on as an anonymous volume; Ansible runs the task", v)
	case len(parts) == 3 && !volumeMode(parts[2]):
		return "", fmt.Errorf("volumes %q: the module fails (Found invalid volumes mode: %s)", v, parts[2])
	case strings.HasPrefix(parts[0], ".") || strings.HasPrefix(parts[0], "~"):
		return "", fmt.Errorf("volumes %q: the module makes %q absolute on the host (base.py:620-629); straylight runs absolute host paths and volume names, Ansible the task", v, parts[0])
	case !volumeSource(parts[0]) || !strings.HasPrefix(parts[1], "/") || !volumePath().MatchString(parts[1]):
		return "", fmt.Errorf("volumes %q: straylight runs an absolute host path or a volume name and an absolute container path, without spaces, quotes or shell characters; Ansible runs the task", v)
	}
	return strings.Join(append(parts, "rw")[:3], ":"), nil
}

// volumeMode is base.py:347-351 _is_volume_permissions.
func volumeMode(mode string) bool {
	for _, part := range strings.Split(mode, ",") {
		if !slices.Contains([]string{"rw", "ro", "z", "Z", "consistent", "delegated", "cached", "rprivate", "private", "rshared", "shared", "rslave", "slave", "nocopy"}, part) {
			return false
		}
	}
	return true
}

// volumePath is an absolute path straylight passes in a bind: nothing a
// shell, docker's colon syntax or JSON would read otherwise.
var volumePath = lazyre.New(`^/[A-Za-z0-9_./@+,=-]*$`)

// volumeName is a named volume as docker names one.
var volumeName = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9_.-]+$`)

// volumeSource: an absolute path, or a volume's name as docker takes it.
func volumeSource(s string) bool {
	if strings.HasPrefix(s, "/") {
		return volumePath().MatchString(s)
	}
	return volumeName().MatchString(s)
}

// publishFlags are the create options for the ports and the binds.
func (dc DockerContainer) publishFlags() string {
	var b strings.Builder
	for _, p := range dc.Ports {
		b.WriteString(" -p " + shquote.Always(p.HostIP+":"+p.HostPort+":"+p.Port))
	}
	for _, bind := range dc.Binds {
		b.WriteString(" -v " + shquote.Always(bind))
	}
	return b.String()
}

// hostConfigFormat prints the container's port bindings ("port PORT
// JSON"), exposed ports ("exposed PORT"), binds ("bind JSON") and restart
// policy ("restart NAME"), one a line, as the module reads them
// (docker_api.py:912-946, :1169-1183, :1140-1145).
const hostConfigFormat = `'{{range $p, $b := .HostConfig.PortBindings}}port {{$p}} {{json $b}}{{println}}{{end}}` +
	`{{range $p, $e := .Config.ExposedPorts}}exposed {{$p}}{{println}}{{end}}{{range .HostConfig.Binds}}bind {{json .}}{{println}}{{end}}` +
	`restart {{.HostConfig.RestartPolicy.Name}}{{println}}'`

// publishes: the task gives ports or binds, which the probe and the line
// compare.
func (dc DockerContainer) publishes() bool { return len(dc.Ports)+len(dc.Binds) > 0 }

// hostConfigProbe, with ports, binds or a restart policy given, prints
// the existing container's (hostConfigFormat).
func (dc DockerContainer) hostConfigProbe() string {
	if !dc.publishes() && dc.RestartPolicy == "" {
		return ""
	}
	return `; if [ "$c" != missing ]; then ` + DockerCLI + " container inspect --format " + hostConfigFormat + " " + dc.Name + " || exit; fi"
}

// portLines are the lines the container's hostConfigFormat must hold for
// published_ports to compare equal.
func (dc DockerContainer) portLines() []string {
	var lines []string
	for _, p := range dc.Ports {
		lines = append(lines, "port "+p.Port+" "+p.bindingJSON(), "exposed "+p.Port)
	}
	return lines
}

// bindLines are the lines it must hold for volumes to compare equal.
func (dc DockerContainer) bindLines() []string {
	return jsonLinesPrefixed("bind ", dc.Binds)
}

func jsonLinesPrefixed(prefix string, values []string) []string {
	lines := jsonLines(values)
	for i := range lines {
		lines[i] = prefix + lines[i]
	}
	return lines
}

// hostConfigDiffers, with ports or binds given, is the shell condition
// that the container's lines lack one of them.
func (dc DockerContainer) hostConfigDiffers() string {
	if !dc.publishes() {
		return ""
	}
	cond := " || ! { hc=$(" + DockerCLI + " container inspect --format " + hostConfigFormat + " " + dc.Name + ")"
	for _, line := range append(dc.portLines(), dc.bindLines()...) {
		cond += ` && printf '%s\n' "$hc" | grep -qxF -- ` + shquote.Always(line)
	}
	return cond + "; }"
}

// holdsAll: every line is among the probe's host configuration lines.
func (p dockerProbe) holdsAll(lines []string) bool {
	return !slices.ContainsFunc(lines, func(l string) bool { return !p.hostConfig[l] })
}

// ParseRestartPolicy reads restart_policy ("" when not given): one of the
// module's choices, a YAML false (or "False") read as "no", as Ansible
// maps a boolean back to the one choice it can mean (ansible-core
// v2.14.18 lib/ansible/module_utils/common/parameters.py:673-688).
func ParseRestartPolicy(v any) (string, error) {
	switch v {
	case nil:
		return "", nil
	case false, "False":
		return "no", nil
	}
	if s, ok := v.(string); ok && slices.Contains([]string{"no", "on-failure", "always", "unless-stopped"}, s) {
		return s, nil
	}
	return "", fmt.Errorf("restart_policy %v: the module fails (value of restart_policy must be one of: no, on-failure, always, unless-stopped)", v)
}

// restartPolicyDiffers: a restart policy is given and the container's is
// another.
func (dc DockerContainer) restartPolicyDiffers(p dockerProbe) bool {
	return dc.RestartPolicy != "" && p.restartPolicy != dc.RestartPolicy
}

// restartPolicyLine, with a restart policy given, updates the container's
// when it is another; a container the line created (n) has the task's.
func (dc DockerContainer) restartPolicyLine() string {
	if dc.RestartPolicy == "" {
		return ""
	}
	return `; if [ -z "$n" ] && [ "$(` + DockerCLI + " container inspect --format '{{.HostConfig.RestartPolicy.Name}}' " + dc.Name + `)" != ` + dc.RestartPolicy + " ]; then " +
		DockerCLI + " update --restart " + dc.RestartPolicy + " " + dc.Name + " || exit; fi"
}

// withPolicyUpdate: the restart policy is updated in place, then the
// state is brought as without it.
func (ct ContainerTask) withPolicyUpdate(p dockerProbe) (ContainerResult, error) {
	did := "update the restart policy to " + ct.Docker.RestartPolicy + " (it is " + cmp.Or(p.restartPolicy, "none") + ")"
	if ct.State != "present" {
		if res, err := ct.fromRunning(p.running, false); err == nil && res.Changed {
			_, then, _ := strings.Cut(res.Summary, ": ")
			did += ", then " + then
		}
	}
	return ct.result(true, did, "")
}
