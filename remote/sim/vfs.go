package sim

import (
	"sort"
	"strings"
	"sync"
)

// FS is a simulated Windows filesystem: paths are case-insensitive and both
// separators are accepted, as on NTFS. Directories are those made with
// MkdirAll and every parent of a file or directory.
type FS struct {
	mu    sync.Mutex
	files map[string]fsEntry
	dirs  map[string]string // key → path as made
}

type fsEntry struct {
	path    string // as first written, for listings
	content []byte
}

// NewFS returns an empty filesystem.
func NewFS() *FS { return &FS{files: map[string]fsEntry{}, dirs: map[string]string{}} }

func fsKey(path string) string {
	return strings.TrimRight(strings.ToLower(strings.ReplaceAll(path, "/", `\`)), `\`)
}

// ReadFile returns a copy of the file's content and whether it exists.
func (f *FS) ReadFile(path string) ([]byte, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.files[fsKey(path)]
	if !ok {
		return nil, false
	}
	return append([]byte(nil), e.content...), true
}

// WriteFile creates or replaces a file with a copy of content.
func (f *FS) WriteFile(path string, content []byte) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.files[fsKey(path)] = fsEntry{path: path, content: append([]byte(nil), content...)}
}

// Exists reports whether path is a file.
func (f *FS) Exists(path string) bool {
	_, ok := f.ReadFile(path)
	return ok
}

// Remove deletes a file; it reports whether it existed.
func (f *FS) Remove(path string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	_, ok := f.files[fsKey(path)]
	delete(f.files, fsKey(path))
	return ok
}

// Move renames src to dst, replacing dst (Move-Item -Force).
func (f *FS) Move(src, dst string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.files[fsKey(src)]
	if !ok {
		return false
	}
	delete(f.files, fsKey(src))
	f.files[fsKey(dst)] = fsEntry{path: dst, content: e.content}
	return true
}

// List returns every path, sorted.
func (f *FS) List() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]string, 0, len(f.files))
	for _, e := range f.files {
		out = append(out, e.path)
	}
	sort.Strings(out)
	return out
}

// Kind is "file", "directory" or "absent".
func (f *FS) Kind(path string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := fsKey(path)
	if _, ok := f.files[k]; ok {
		return "file"
	}
	if f.holdsLocked(k) || (len(k) == 2 && k[1] == ':') { // a drive's root is always there
		return "directory"
	}
	return "absent"
}

// holdsLocked: k was made a directory, or something lies below it.
func (f *FS) holdsLocked(k string) bool {
	if _, ok := f.dirs[k]; ok {
		return true
	}
	for key := range f.files {
		if strings.HasPrefix(key, k+`\`) {
			return true
		}
	}
	for key := range f.dirs {
		if strings.HasPrefix(key, k+`\`) {
			return true
		}
	}
	return false
}

// MkdirAll makes path a directory, with its parents
// ([System.IO.Directory]::CreateDirectory); it reports false when path is
// a file.
func (f *FS) MkdirAll(path string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.files[fsKey(path)]; ok {
		return false
	}
	f.dirs[fsKey(path)] = path
	return true
}

// RemoveAll deletes a file, or a directory with everything below it; it
// reports whether anything was there.
func (f *FS) RemoveAll(path string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := fsKey(path)
	files, dirs := removeUnder(f.files, k), removeUnder(f.dirs, k)
	return files || dirs
}

// removeUnder deletes k and the keys below it; it reports whether any was there.
func removeUnder[V any](m map[string]V, k string) bool {
	found := false
	for key := range m {
		if key == k || strings.HasPrefix(key, k+`\`) {
			delete(m, key)
			found = true
		}
	}
	return found
}
