package addhost

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/straylight-fleet/straylight/internal/atomicfile"
)

// Write writes every file or none: each is staged beside its destination
// first; then the inventory files are checked to hold the bytes Prepare
// read and a new file not to exist yet, and the staged files are renamed
// in. When a rename fails, those already made are undone (a created file
// removed, an inventory file put back).
func (r *Result) Write() error {
	staged, err := r.stage()
	if err != nil {
		return err
	}
	if err := r.checkUnchanged(); err != nil {
		discard(staged)
		return err
	}
	for i, s := range staged {
		if err := s.Commit(); err != nil {
			discard(staged[i+1:])
			return errors.Join(fmt.Errorf("%s: %w (nothing was kept)", r.Files[i].Name, err), r.undo(i))
		}
	}
	return nil
}

func (r *Result) stage() ([]*atomicfile.Staged, error) {
	var staged []*atomicfile.Staged
	for _, f := range r.Files {
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
			discard(staged)
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		s, err := atomicfile.Stage(f.Path, f.New, modeOr(f.mode))
		if err != nil {
			discard(staged)
			return nil, fmt.Errorf("%s: %w", f.Name, err)
		}
		staged = append(staged, s)
	}
	return staged, nil
}

func modeOr(m fs.FileMode) fs.FileMode {
	if m == 0 {
		return 0o644
	}
	return m
}

func discard(staged []*atomicfile.Staged) {
	for _, s := range staged {
		s.Discard()
	}
}

// checkUnchanged refuses when a file changed on disk since Prepare read it.
func (r *Result) checkUnchanged() error {
	for _, f := range r.Files {
		current, err := os.ReadFile(f.Path)
		switch {
		case f.Created && !errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("%s appeared meanwhile: nothing was written", f.Name)
		case !f.Created && err != nil:
			return fmt.Errorf("%s: %w", f.Name, err)
		case !f.Created && !bytes.Equal(current, f.Old):
			return fmt.Errorf("%s changed on disk since it was read: nothing was written, try again", f.Name)
		}
	}
	return nil
}

// undo reverts the first n files written.
func (r *Result) undo(n int) error {
	var errs []error
	for _, f := range r.Files[:n] {
		if f.Created {
			errs = append(errs, os.Remove(f.Path))
			os.Remove(filepath.Dir(f.Path)) // a host_vars directory made for it, when empty
			continue
		}
		errs = append(errs, atomicfile.Write(f.Path, f.Old, modeOr(f.mode)))
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("undoing the files already written failed: %w", err)
	}
	return nil
}

// Paths are the files written, absolute.
func (r *Result) Paths() []string {
	out := make([]string, len(r.Files))
	for i, f := range r.Files {
		out[i] = f.Path
	}
	return out
}
