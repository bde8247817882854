//go:build unix

package state

import (
	"errors"
	"io"
	"os"
	"syscall"
)

// acquire takes an exclusive flock on path without waiting. The file
// stays: removing it would let a later apply lock a new file while an
// older one still holds the old.
func acquire(path string) (*Lock, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, err
	}
	if err := flock(f, syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			data, _ := io.ReadAll(f)
			h, _ := parseHolder(data)
			return nil, heldError(path, h)
		}
		return nil, err
	}
	if err := recordHolder(f); err != nil {
		f.Close() // closing drops the flock
		return nil, err
	}
	return &Lock{path: path, file: f}, nil
}

func flock(f *os.File, how int) error {
	for {
		err := syscall.Flock(int(f.Fd()), how)
		if !errors.Is(err, syscall.EINTR) {
			return err
		}
	}
}

// recordHolder writes who holds the lock, for the message another apply
// prints.
func recordHolder(f *os.File) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	_, err := f.WriteAt(holderJSON(), 0)
	return err
}

// Release drops the lock. (The kernel drops it too if the process dies.)
func (l *Lock) Release() {
	_ = flock(l.file, syscall.LOCK_UN)
	l.file.Close()
}
