package state

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"
)

// Lock is the repository's apply lock: one apply (or restart) at a time.
type Lock struct {
	path string
	file *os.File // held open while locked (the flock lives on it)
}

// lockHolder is what the lock file records about its holder, for the
// message another apply prints.
type lockHolder struct {
	PID      int       `json:"pid"`
	User     string    `json:"user"`
	Hostname string    `json:"hostname"`
	Since    time.Time `json:"since"`
}

func (h lockHolder) String() string {
	return fmt.Sprintf("pid %d (%s@%s) since %s", h.PID, h.User, h.Hostname, h.Since.Format(time.RFC3339))
}

func currentHolder() lockHolder {
	h := lockHolder{PID: os.Getpid(), User: currentUser(), Since: time.Now().UTC()}
	h.Hostname, _ = os.Hostname()
	return h
}

// AcquireLock takes the apply lock, or says who holds it. On unix systems it
// is an advisory lock (flock) on .straylight/apply.lock, which the kernel
// drops when its holder dies however it dies, so a killed apply never
// blocks the next one.
func (s *Store) AcquireLock() (*Lock, error) {
	path := s.statePath("apply.lock")
	if err := makeStateDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	return acquire(path)
}

func heldError(path string, h lockHolder) error {
	return fmt.Errorf("another apply holds the repository lock %s: %s", path, h)
}

func holderJSON() []byte {
	data, _ := json.Marshal(currentHolder())
	return data
}

func parseHolder(data []byte) (lockHolder, bool) {
	var h lockHolder
	err := json.Unmarshal(data, &h)
	return h, err == nil
}
