// Package atomicfile is straylight's one way to replace a file on this
// machine so that a crash leaves the old file or the new one, never a mix,
// and a completed write survives power loss: write a temporary file in the
// same directory, fsync it, rename it over the path, fsync the directory.
//
// The repository's state (fleet/state), saved plans (fleet/plan) and edited
// vars files (fleet/hvedit) are written through it.
package atomicfile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// Write replaces path with data, with permission bits mode.
func Write(path string, data []byte, mode fs.FileMode) error {
	tmp, err := Stage(path, data, mode)
	if err != nil {
		return err
	}
	return tmp.Commit()
}

// Staged is a synced temporary file beside its destination, not yet renamed
// over it: the caller may check it (or back the old file up) first.
type Staged struct {
	Path string // the temporary file
	dest string
}

// Stage writes data to a temporary file in path's directory, gives it mode
// and fsyncs it.
func Stage(path string, data []byte, mode fs.FileMode) (*Staged, error) {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return nil, err
	}
	if err := errors.Join(writeSynced(f, data, mode), f.Close()); err != nil {
		os.Remove(f.Name())
		return nil, err
	}
	return &Staged{Path: f.Name(), dest: path}, nil
}

func writeSynced(f *os.File, data []byte, mode fs.FileMode) error {
	if _, err := f.Write(data); err != nil {
		return err
	}
	if err := f.Chmod(mode); err != nil {
		return err
	}
	return f.Sync()
}

// Commit renames the staged file over its destination and fsyncs the
// directory, so that the rename itself is durable.
func (s *Staged) Commit() error {
	if err := os.Rename(s.Path, s.dest); err != nil {
		s.Discard()
		return err
	}
	return SyncDir(filepath.Dir(s.dest))
}

// Discard removes the staged file.
func (s *Staged) Discard() { os.Remove(s.Path) }

// SyncDir fsyncs a directory, making the entries created or renamed in it
// durable. A file system that cannot sync directories at all (EINVAL,
// ENOTSUP) is not an error: there is nothing more to make durable there.
func SyncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	d.Close()
	if errors.Is(err, syscall.EINVAL) || errors.Is(err, syscall.ENOTSUP) {
		return nil
	}
	return err
}
