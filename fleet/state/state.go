package state

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/straylight-fleet/straylight/internal/atomicfile"
	"os"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"time"
)

// stateDir holds straylight's durable state inside the repository: the apply
// lock, pending restarts and the audit log. It is not part of what Ansible
// reads; operators usually list it in .gitignore.
const stateDir = ".straylight"

// Store is a repository's durable state: the apply lock, the pending
// restarts and the audit log, under .straylight/ at the repository root.
type Store struct {
	root    string
	auditMu sync.Mutex
}

// Open returns the state of the repository at root; nothing is read yet.
func Open(root string) *Store { return &Store{root: root} }

func (s *Store) statePath(name string) string { return filepath.Join(s.root, stateDir, name) }

// makeStateDir creates the state directory (dir) with a .gitignore that
// ignores everything in it, so `git status` stays clean: the lock, the
// pending restarts and the audit log are this machine's, not the
// repository's.
func makeStateDir(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	ignore := filepath.Join(dir, ".gitignore")
	if _, err := os.Stat(ignore); err == nil {
		return nil
	}
	return os.WriteFile(ignore, []byte("# straylight's state on this machine (lock, pending restarts, audit log)\n*\n"), 0o644)
}

func currentUser() string {
	if u := os.Getenv("USER"); u != "" {
		return u
	}
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return "uid " + strconv.Itoa(os.Getuid())
}

// PutPending records the restart a host is owed, before its files change:
// a notified handler not yet run (ansible#10498: Ansible loses handlers when
// a run dies in between). record is stored as JSON.
func (s *Store) PutPending(host string, record any) error {
	dir := s.statePath("pending")
	if err := makeStateDir(filepath.Dir(dir)); err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	data, err := json.MarshalIndent(record, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(s.pendingPath(host), data, 0o600)
}

func (s *Store) pendingPath(host string) string {
	return filepath.Join(s.statePath("pending"), host+".json")
}

// GetPending reads a host's pending-restart record into into; found is false
// when the host owes nothing.
func (s *Store) GetPending(host string, into any) (found bool, err error) {
	path := s.pendingPath(host)
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if err := json.Unmarshal(data, into); err != nil {
		return false, fmt.Errorf("%s: %w", path, err)
	}
	return true, nil
}

// ClearPending drops a host's pending-restart record, once its restart ran.
func (s *Store) ClearPending(host string) error {
	err := os.Remove(s.pendingPath(host))
	if os.IsNotExist(err) {
		return nil
	}
	return err
}

// AuditEntry is one line of the audit log.
type AuditEntry struct {
	Time   time.Time   `json:"time"`
	User   string      `json:"user"`
	Host   string      `json:"host,omitempty"`
	Action string      `json:"action"` // apply, restart, rollback, edit, route-test
	Files  []AuditFile `json:"files,omitempty"`
	// ViaAnsible are the tasks ansible-playbook ran for straylight.
	ViaAnsible []AuditTask `json:"via_ansible,omitempty"`
	Result     string      `json:"result"` // started, ok, failed, skipped
	Message    string      `json:"message,omitempty"`
}

// AuditTask records a task ansible-playbook ran for straylight.
type AuditTask struct {
	Playbook string `json:"playbook"`
	Task     string `json:"task"`
	Module   string `json:"module,omitempty"`
	At       string `json:"at"` // file:line
}

// AuditFile records a file by hash only: contents may hold secrets.
type AuditFile struct {
	Dest      string `json:"dest"`
	OldSHA256 string `json:"old_sha256,omitempty"`
	NewSHA256 string `json:"new_sha256,omitempty"`
}

// Audit appends an entry to the repository's audit log and fsyncs it.
func (s *Store) Audit(e AuditEntry) error {
	s.auditMu.Lock()
	defer s.auditMu.Unlock()
	path := s.statePath("audit.jsonl")
	if err := makeStateDir(filepath.Dir(path)); err != nil {
		return err
	}
	if e.Time.IsZero() {
		e.Time = time.Now().UTC()
	}
	if e.User == "" {
		e.User = currentUser()
	}
	return appendSynced(path, e)
}

// ResultStarted marks the entry written when a host's deploy or restart
// begins; its end writes another. A host whose last such entry is a start
// was cut short (killed, power lost).
const ResultStarted = "started"

// ReadAudit reads the audit log, oldest first; no log is an empty one.
func (s *Store) ReadAudit() ([]AuditEntry, error) {
	path := s.statePath("audit.jsonl")
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var out []AuditEntry
	for i, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		var e AuditEntry
		if err := json.Unmarshal(line, &e); err != nil {
			return out, fmt.Errorf("%s:%d: %w", path, i+1, err)
		}
		out = append(out, e)
	}
	return out, nil
}

// Unfinished are the hosts' deploys and restarts whose start is the last
// entry the log has of them: the process died before they ended.
func Unfinished(entries []AuditEntry) []AuditEntry {
	last := map[string]AuditEntry{}
	var order []string
	for _, e := range entries {
		if e.Action != "apply" && e.Action != "restart" {
			continue
		}
		if _, seen := last[e.Host]; !seen {
			order = append(order, e.Host)
		}
		last[e.Host] = e
	}
	var out []AuditEntry
	for _, h := range order {
		if last[h].Result == ResultStarted {
			out = append(out, last[h])
		}
	}
	return out
}

func appendSynced(path string, v any) error {
	line, err := json.Marshal(v)
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
