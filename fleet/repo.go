package fleet

import (
	"sync"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/discover"
	"github.com/straylight-fleet/straylight/fleet/inventory"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/state"
)

// Types the faces meet, re-exported from the stages that define them.
type (
	Decrypter  = ansible.Decrypter
	Settings   = ansible.Settings
	Connection = ansible.Connection
	Fleet      = discover.Fleet
	GPUHost    = discover.GPUHost
	ProxyHost  = discover.ProxyHost
	AuditEntry = state.AuditEntry
	AuditFile  = state.AuditFile
)

// SecretMask replaces secret values wherever output could show them.
const SecretMask = plan.SecretMask

// Repo is an opened repository as the faces see it: what Ansible reads, the
// fleet it describes (read once), and straylight's state beside it.
type Repo struct {
	repo      *ansible.Repo
	state     *state.Store
	fleetOnce sync.Once
	fleet     *discover.Fleet
}

func newRepo(r *ansible.Repo) *Repo {
	return &Repo{repo: r, state: state.Open(r.Root)}
}

// Root is the repository's root directory.
func (r *Repo) Root() string { return r.repo.Root }

// Settings are straylight.yml's options.
func (r *Repo) Settings() Settings { return r.repo.Settings }

// Fleet is the GPU hosts and the proxy the repository configures, ignoring
// --limit.
func (r *Repo) Fleet() *Fleet {
	r.fleetOnce.Do(func() { r.fleet = discover.Read(r.repo) })
	return r.fleet
}

// PlannedHosts lists the hosts some play targets within --limit.
func (r *Repo) PlannedHosts() []string { return r.repo.PlannedHosts() }

// HostVarOrigins is a host's merged variables, untemplated, with the place
// each was set, as the first play that targets it sees them.
func (r *Repo) HostVarOrigins(host string) (inventory.Vars, error) {
	return r.repo.HostVarOrigins(host)
}

// RenderedFiles renders a host's file tasks, unmasked: dest → content.
func (r *Repo) RenderedFiles(host string) (map[string]string, error) {
	return r.repo.RenderedFiles(host)
}

// Audit appends an entry to the repository's audit log.
func (r *Repo) Audit(e AuditEntry) error { return r.state.Audit(e) }

// Hosts lists every host of the inventory.
func (r *Repo) Hosts() []string { return r.repo.Inventory.Hosts() }
