package demo

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"

	"github.com/straylight-fleet/straylight/remote/sim"
	"gopkg.in/yaml.v3"
)

// demoPassword is the example's vault_winrm_password (group_vars/all/vault.yml):
// the lab's WinRM endpoints accept exactly what the repository would send.
const demoPassword = "Wintermute-Armitage-2025!"

// rewriteInventory points every host of the copy at its lab address: host
// vars in the inventory file rank above group_vars, so the rest of the
// repository stays as checked in.
func (d *Demo) rewriteInventory(opts Options) error {
	path := filepath.Join(d.Dir, "inventory", "hosts.yml")
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return err
	}
	vars := d.hostVars(opts)
	setHostVars(&doc, vars)
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return err
	}
	header := "# Rewritten by straylight --demo: every host points at the simulated lab on loopback.\n"
	return os.WriteFile(path, append([]byte(header), out...), 0o644)
}

// hostVars are the variables each host gets in the copy.
func (d *Demo) hostVars(opts Options) map[string][][2]string {
	vars := map[string][][2]string{}
	for _, h := range d.Lab.Hosts() {
		vars[h.Name] = d.varsFor(h, opts)
	}
	for _, h := range d.Lab.LinuxHosts() {
		vars[h.Name] = d.linuxVars(h)
	}
	return vars
}

func (d *Demo) varsFor(h sim.HostInfo, opts Options) [][2]string {
	v := [][2]string{{"ansible_host", h.IP}}
	if h.Role == sim.RoleProxy {
		return append(v,
			[2]string{"litellm_config_dir", d.proxyConfigDir()},
			[2]string{"litellm_restart_command", restartCommand(h.IP, h.ProxyPort)})
	}
	// The example's ansible_winrm_transport (ntlm) stays: the lab speaks
	// NTLM, and seals it over plain HTTP as Windows requires.
	if opts.HTTP {
		return append(v, [2]string{"ansible_port", strconv.Itoa(h.WinRMPort)},
			[2]string{"ansible_winrm_scheme", "http"})
	}
	return append(v, [2]string{"ansible_port", strconv.Itoa(h.WinRMSPort)},
		[2]string{"ansible_winrm_ca_trust_path", d.caPath()})
}

func (d *Demo) caPath() string { return filepath.Join(d.Dir, ".lab", "lab-ca.pem") }

// setHostVars finds each host's entry under a hosts: mapping and sets vars.
func setHostVars(n *yaml.Node, vars map[string][][2]string) {
	for i := 0; i+1 < len(n.Content); i += 2 {
		key, val := n.Content[i], n.Content[i+1]
		if n.Kind == yaml.MappingNode && key.Value == "hosts" && val.Kind == yaml.MappingNode {
			setHosts(val, vars)
		}
	}
	for _, c := range n.Content {
		setHostVars(c, vars)
	}
}

func setHosts(hosts *yaml.Node, vars map[string][][2]string) {
	for i := 0; i+1 < len(hosts.Content); i += 2 {
		kv, ok := vars[hosts.Content[i].Value]
		if !ok {
			continue
		}
		if hosts.Content[i+1].Kind != yaml.MappingNode {
			hosts.Content[i+1] = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		}
		for _, pair := range kv {
			setKey(hosts.Content[i+1], pair[0], pair[1])
		}
	}
}

func setKey(m *yaml.Node, key, value string) {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			m.Content[i+1] = &yaml.Node{Kind: yaml.ScalarNode, Value: value}
			return
		}
	}
	m.Content = append(m.Content, &yaml.Node{Kind: yaml.ScalarNode, Value: key}, &yaml.Node{Kind: yaml.ScalarNode, Value: value})
}

func sortedHosts[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// restartCommand is the demo's LiteLLM restart handler: a POST to the lab
// proxy's restart endpoint (a real repository runs `docker restart litellm`).
// It uses bash's /dev/tcp rather than curl, so the demo needs nothing that a
// Debian machine may lack; it fails unless the proxy answers 200.
func restartCommand(ip string, port int) string {
	request := `POST /_lab/restart HTTP/1.1\r\nHost: lab\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`
	return fmt.Sprintf(`bash -c 'exec 3<>/dev/tcp/%s/%d && printf "%s" >&3 && head -n 1 <&3 | grep -q " 200 "'`, ip, port, request)
}
