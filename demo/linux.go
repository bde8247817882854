package demo

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/examples"
	"github.com/straylight-fleet/straylight/remote/sim"
	"golang.org/x/crypto/ssh"
	"gopkg.in/yaml.v3"
)

// The Linux GPU hosts of examples/homelab-linux: case runs vLLM as the
// systemd unit vllm.service, riviera in the container vllm-riviera, dixie
// llama.cpp's llama-server as the systemd unit llama-server.service.
var linuxRuntimes = map[string]string{"case": sim.RuntimeSystemd, "riviera": sim.RuntimeDocker, "dixie": sim.RuntimeSystemd}

// llamaUnitName is the unit file dixie's role renders (llama-server-deploy).
const llamaUnitName = "llama-server.service"

// linuxGroups is what the demo adds to the inventory's all.children.
const linuxGroups = `linux_vllm:
  children:
    systemd_vllm:
      hosts:
        case:
    container_vllm:
      hosts:
        riviera:
    llamacpp_hosts:
      hosts:
        dixie:
`

const (
	// linuxUser is group_vars/linux_vllm/main.yml's ansible_user.
	linuxUser = "mdt"
	// linuxBecomePassword is the vault's vault_linux_become_password: what
	// the lab's sudo on case asks for.
	linuxBecomePassword = "Case-Molly-Sudo-2025!"
)

func isLinuxHost(name string) bool { return linuxRuntimes[name] != "" }

// addLinuxHosts copies examples/homelab-linux beside the home lab and adds
// its hosts to the inventory.
func addLinuxHosts(dir string) error {
	sub, err := fs.Sub(examples.HomelabLinux, "homelab-linux")
	if err != nil {
		return err
	}
	if err := os.CopyFS(dir, sub); err != nil {
		return fmt.Errorf("copy the Linux hosts to %s: %w", dir, err)
	}
	return addInventoryGroups(filepath.Join(dir, "inventory", "hosts.yml"), linuxGroups)
}

// addInventoryGroups appends groups (YAML) to the inventory's all.children.
func addInventoryGroups(path, groups string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc, extra yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := yaml.Unmarshal([]byte(groups), &extra); err != nil {
		return err
	}
	children := mappingAt(doc.Content[0], "all", "children")
	if children == nil {
		return fmt.Errorf("%s: no all.children mapping", path)
	}
	children.Content = append(children.Content, extra.Content[0].Content...)
	out, err := yaml.Marshal(&doc)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o644)
}

// mappingAt walks mapping keys down from n.
func mappingAt(n *yaml.Node, keys ...string) *yaml.Node {
	for _, key := range keys {
		next := (*yaml.Node)(nil)
		for i := 0; n.Kind == yaml.MappingNode && i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
			}
		}
		if next == nil || next.Kind != yaml.MappingNode {
			return nil
		}
		n = next
	}
	return n
}

// linuxLabDir holds the Linux hosts' directories (their filesystems).
func (d *Demo) linuxLabDir() string { return filepath.Join(d.Dir, ".lab", "linux") }

// SSHKeyPath is the private key the Linux hosts accept (generated per demo).
func (d *Demo) SSHKeyPath() string { return filepath.Join(d.Dir, ".lab", "ssh", "id_ed25519") }

// KnownHostsPath is the known_hosts file holding the Linux hosts' keys.
func (d *Demo) KnownHostsPath() string { return filepath.Join(d.Dir, ".lab", "ssh", "known_hosts") }

// newSSHKey writes a fresh ed25519 key for the demo's SSH logins and
// returns its authorized_keys line.
func (d *Demo) newSSHKey() ([]byte, error) {
	pub, private, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	block, err := ssh.MarshalPrivateKey(private, "straylight demo")
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Dir(d.SSHKeyPath()), 0o700); err != nil {
		return nil, err
	}
	if err := os.WriteFile(d.SSHKeyPath(), pem.EncodeToMemory(block), 0o600); err != nil {
		return nil, err
	}
	sshPub, err := ssh.NewPublicKey(pub)
	if err != nil {
		return nil, err
	}
	return ssh.MarshalAuthorizedKey(sshPub), nil
}

// linuxSpec is a Linux host's lab spec: its rendered files, seeded at the
// same paths inside its directory (the inventory's vllm_config_dir points
// there once the lab runs).
func linuxSpec(host string, files map[string]string, key []byte, opts Options) sim.LinuxHostSpec {
	spec := sim.LinuxHostSpec{Name: host, User: linuxUser, Keys: [][]byte{key}, Runtime: linuxRuntimes[host],
		Files: map[string]string{}, LoadDelay: opts.LoadDelay, TokenRate: opts.TokenRate}
	if host == "case" {
		spec.BecomePassword = linuxBecomePassword
	}
	for path, content := range files {
		rel := strings.TrimPrefix(path, "/")
		spec.Files[rel] = content
		if strings.HasSuffix(path, configName) {
			spec.ConfigPath = rel
		}
		if strings.HasSuffix(path, "/"+llamaUnitName) {
			spec.UnitPath = rel
		}
	}
	return spec
}

// writeKnownHosts records the lab's host keys for the inventory's
// UserKnownHostsFile: the demo checks host keys as a real fleet would.
func (d *Demo) writeKnownHosts() error {
	var b strings.Builder
	for _, h := range d.Lab.LinuxHosts() {
		b.WriteString(h.KnownHosts + "\n")
	}
	return os.WriteFile(d.KnownHostsPath(), []byte(b.String()), 0o600)
}

// linuxVars point a Linux host at its lab address and directory.
func (d *Demo) linuxVars(h sim.LinuxHostInfo) [][2]string {
	args := fmt.Sprintf("-F none -o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes -o IdentitiesOnly=yes", d.KnownHostsPath())
	dirVar := "vllm_config_dir"
	if h.LlamaCppURL != "" {
		dirVar = "llama_unit_dir" // ConfigPath is the unit file
	}
	return [][2]string{{"ansible_host", h.IP}, {"ansible_port", strconv.Itoa(h.SSHPort)},
		{"ansible_ssh_private_key_file", d.SSHKeyPath()}, {"ansible_ssh_common_args", args},
		{dirVar, filepath.Dir(h.ConfigPath)}}
}
