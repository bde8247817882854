//go:build !unix

package state

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// acquire creates path exclusively, recording the holder. Without flock a
// lock left by a process that no longer runs on this machine is taken over.
func acquire(path string) (*Lock, error) {
	for attempt := 0; attempt < 2; attempt++ {
		f, err := os.OpenFile(path, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
		if err == nil {
			_, werr := f.Write(holderJSON())
			f.Close()
			return &Lock{path: path}, werr
		}
		if !errors.Is(err, os.ErrExist) {
			return nil, err
		}
		if holder, alive := readHolder(path); alive {
			return nil, heldError(path, holder)
		}
		os.Remove(path) // stale: its process is gone
	}
	return nil, fmt.Errorf("could not take the repository lock %s", path)
}

func readHolder(path string) (lockHolder, bool) {
	data, err := os.ReadFile(path)
	h, ok := parseHolder(data)
	if err != nil || !ok {
		return h, true // unreadable: assume held rather than break a live lock
	}
	myHost, _ := os.Hostname()
	if h.Hostname != myHost {
		return h, true
	}
	return h, processAlive(h.PID)
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	return err == nil && p.Signal(syscall.Signal(0)) == nil
}

// Release drops the lock.
func (l *Lock) Release() { os.Remove(l.path) }
