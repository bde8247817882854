package sim

import (
	"sort"
	"strings"
	"sync"
)

// FS is a simulated Windows filesystem: paths are case-insensitive and both
// separators are accepted, as on NTFS.
type FS struct {
	mu    sync.Mutex
	files map[string]fsEntry
}

type fsEntry struct {
	path    string // as first written, for listings
	content []byte
}

// NewFS returns an empty filesystem.
func NewFS() *FS { return &FS{files: map[string]fsEntry{}} }

func fsKey(path string) string {
	return strings.ToLower(strings.ReplaceAll(path, "/", `\`))
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
