// Package examples ships the example repositories inside the binary, so that
// `straylight --demo` works from any directory.
package examples

import "embed"

// Homelab is examples/homelab: the seed's repository. Its inventory/host_vars
// and inventory/group_vars links are not embedded (embed skips symlinks);
// CopyHomelab recreates them.
//
//go:embed homelab/ansible.cfg homelab/vault-password.txt homelab/README.md homelab/inventory/hosts.yml homelab/host_vars homelab/group_vars homelab/roles homelab/playbooks
var Homelab embed.FS

// HomelabLinux is examples/homelab-linux: the Linux GPU hosts (case, riviera,
// dixie)
// the demo adds to its copy of the home lab, reached over SSH. Its files
// are all new beside homelab's; the demo adds the hosts to the inventory.
//
//go:embed homelab-linux/host_vars homelab-linux/group_vars homelab-linux/roles homelab-linux/playbooks
var HomelabLinux embed.FS
