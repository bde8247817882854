package fleet

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/discover"
	"github.com/straylight-fleet/straylight/fleet/githistory"
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

// CutShort is a deploy or restart a dead straylight left unfinished: from
// the audit log (its start is the host's last entry) and the pending-restart
// record (the restart the host is owed, if its files were written).
type CutShort struct {
	Host   string
	Action string    // apply or restart
	Since  time.Time // when it started
	User   string
	Owed   []string // restart handlers owed; none when the files were not written or the restart ran
}

// CutShort lists the deploys and restarts that never ended, and the hosts
// owed a restart without one in the log.
func (r *Repo) CutShort() ([]CutShort, error) {
	entries, err := r.state.ReadAudit()
	if err != nil {
		return nil, err
	}
	var out []CutShort
	var errs []error
	seen := map[string]bool{}
	for _, e := range state.Unfinished(entries) {
		owed, oerr := r.owed(e.Host)
		out, seen[e.Host] = append(out, CutShort{Host: e.Host, Action: e.Action, Since: e.Time, User: e.User, Owed: owed}), true
		errs = append(errs, oerr)
	}
	for _, h := range r.Hosts() {
		owed, oerr := r.owed(h)
		if len(owed) > 0 && !seen[h] {
			out = append(out, CutShort{Host: h, Action: "apply", Owed: owed})
		}
		errs = append(errs, oerr)
	}
	return out, errors.Join(errs...)
}

func (r *Repo) owed(host string) ([]string, error) {
	p, err := plan.ReadPending(r.state, host)
	if p == nil || err != nil {
		return nil, err
	}
	var names []string
	for _, h := range p.Handlers {
		names = append(names, h.Name)
	}
	return names, nil
}

// HostSources are the repository files and directories that feed a host,
// relative to the root: its host_vars, every group_vars file one of its
// variables comes from, and every role (as a directory) that sets one or
// that renders one of its files. The git history view lists the commits
// that touched them.
func HostSources(repo *Repo, host string) ([]string, error) {
	vars, err := repo.HostVarOrigins(host)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", host, err)
	}
	root := realPath(repo.Root())
	seen := map[string]bool{}
	add := func(abs string) {
		if rel, ok := sourceOf(root, abs); ok {
			seen[rel] = true
		}
	}
	for _, o := range vars.Origins() {
		add(o.File)
	}
	for _, hv := range []string{"host_vars/" + host + ".yml", "host_vars/" + host} {
		if _, err := os.Stat(filepath.Join(root, hv)); err == nil {
			seen[hv] = true
		}
	}
	for _, dir := range repo.hostRoleDirs(host) {
		add(dir)
	}
	out := make([]string, 0, len(seen))
	for s := range seen {
		out = append(out, s)
	}
	slices.Sort(out)
	return out, nil
}

// sourceOf maps a file under root to what the history tracks: a role's
// directory for files inside a role, else the file itself.
func sourceOf(root, abs string) (string, bool) {
	if abs == "" {
		return "", false
	}
	rel, err := filepath.Rel(root, realPath(abs))
	if err != nil || strings.HasPrefix(rel, "..") {
		return "", false
	}
	rel = filepath.ToSlash(rel)
	parts := strings.Split(rel, "/")
	if i := slices.Index(parts, "roles"); i >= 0 && i+1 < len(parts) {
		return strings.Join(parts[:i+2], "/"), true
	}
	return rel, true
}

// realPath resolves symbolic links (an inventory's host_vars link to the
// root's), so one file has one name; a path that cannot be resolved stays.
func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}

// hostRoleDirs are the directories of the roles of every play that
// targets host.
func (r *Repo) hostRoleDirs(host string) []string {
	var dirs []string
	for _, run := range r.repo.Runs {
		if !run.Targets(host) {
			continue
		}
		for _, role := range run.Roles {
			dirs = append(dirs, role.Dir)
		}
	}
	return dirs
}

// GitCommit is one commit of the repository's history (fleet/githistory).
type GitCommit = githistory.Commit

// HostCommits are the sources feeding host (HostSources) and the commits
// that touched them, newest first, at most limit.
func (r *Repo) HostCommits(ctx context.Context, host string, limit int) ([]string, []GitCommit, error) {
	sources, err := HostSources(r, host)
	if err != nil {
		return nil, nil, err
	}
	if !githistory.IsRepo(ctx, r.Root()) {
		return sources, nil, fmt.Errorf("%s is not a git repository: there is no history to show", r.Root())
	}
	commits, err := githistory.Log(ctx, r.Root(), sources, limit)
	return sources, commits, err
}

// CommitDiff is a commit's message and diff.
func (r *Repo) CommitDiff(ctx context.Context, hash string) (string, error) {
	return githistory.Show(ctx, r.Root(), hash)
}

// Uncommitted lists the paths among paths with uncommitted changes.
func (r *Repo) Uncommitted(ctx context.Context, paths []string) ([]string, error) {
	return githistory.Uncommitted(ctx, r.Root(), paths)
}

// Revert undoes a commit with a new one (git revert) and returns its hash.
func (r *Repo) Revert(ctx context.Context, hash string) (string, error) {
	return githistory.Revert(ctx, r.Root(), hash)
}
