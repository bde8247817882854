package render

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// Ansible's tests of paths (lib/ansible/plugins/test/files.py:26-45 at
// v2.19.14, files.py:29-48 at v2.14.18: the same names, each Python's
// os.path function itself, imported at files.py:20 and :22). They look at the filesystem of the
// controller, the machine straylight (like ansible-playbook) runs on,
// with os.path's rules: no ~ expansion, a relative path from the working
// directory, exists, file and directory following symlinks and
// link_exists not, an OSError or ValueError (a missing path, a NUL byte)
// being False but a value that is no path an error. Python's os.stat
// takes an int (a bool too) as a file descriptor of its own process;
// so does this, of straylight's.
func addPathTests(tests map[string]test) {
	for names, fn := range map[[2]string]func(any, []any) (bool, error){
		{"directory", "is_dir"}:       statTest(func(p pathInfo) bool { return p.kind == fs.ModeDir }),
		{"file", "is_file"}:           statTest(func(p pathInfo) bool { return p.kind == 0 }),
		{"link", "is_link"}:           lstatTest(func(p pathInfo) bool { return p.kind == fs.ModeSymlink }),
		{"mount", "is_mount"}:         isMountTest,
		{"abs", "is_abs"}:             isAbsTest,
		{"same_file", "is_same_file"}: sameFileTest,
	} {
		tests[names[0]], tests[names[1]] = test{fn: fn}, test{fn: fn}
	}
	same := tests["same_file"]
	same.params = []string{"f2"}
	tests["same_file"], tests["is_same_file"] = same, same
	// exists and link_exists have no is_ alias.
	tests["exists"] = test{fn: statTest(func(pathInfo) bool { return true })}
	tests["link_exists"] = test{fn: lstatTest(func(pathInfo) bool { return true })}
}

// pathInfo is what a stat says of a path: its type bits
// (fs.FileMode.Type(): 0 for a regular file) and, where the system gives
// them, its device and inode.
type pathInfo struct {
	kind     fs.FileMode
	dev, ino uint64
	hasID    bool
	fi       fs.FileInfo // nil for a file descriptor
}

// statTest is genericpath's pattern (exists, isfile, isdir): os.stat, an
// OSError or ValueError is False.
func statTest(want func(pathInfo) bool) func(any, []any) (bool, error) {
	return func(in any, _ []any) (bool, error) {
		info, err := pyStat(in)
		if err != nil {
			return false, raised(err)
		}
		return want(info), nil
	}
}

// lstatTest is posixpath's islink and lexists: os.lstat, which takes no
// file descriptor.
func lstatTest(want func(pathInfo) bool) func(any, []any) (bool, error) {
	return func(in any, _ []any) (bool, error) {
		info, err := pyLstat(in)
		if err != nil {
			return false, raised(err)
		}
		return want(info), nil
	}
}

// isMountTest is posixpath.ismount: a path that is no symlink and whose
// parent (realpath of path/..) is on another device, or is itself (/).
func isMountTest(in any, _ []any) (bool, error) {
	info, err := pyLstat(in)
	if err != nil || info.kind == fs.ModeSymlink {
		return false, raised(err)
	}
	parent, err := filepath.EvalSymlinks(in.(string) + string(filepath.Separator) + "..")
	if err != nil {
		return false, nil
	}
	up, err := pyLstat(parent)
	if err != nil {
		return false, nil
	}
	if !info.hasID || !up.hasID {
		return false, errors.New("the mount test needs device and inode numbers, which this system does not give")
	}
	return info.dev != up.dev || info.ino == up.ino, nil
}

// sameFileTest is genericpath.samefile: os.stat of both (following
// symlinks), whose errors it raises, then the same device and inode.
func sameFileTest(in any, args []any) (bool, error) {
	if args[0] == notGiven {
		return false, errors.New("samefile() missing 1 required positional argument: 'f2'")
	}
	a, err := pyStat(in)
	if err != nil {
		return false, err
	}
	b, err := pyStat(args[0])
	if err != nil {
		return false, err
	}
	if a.hasID && b.hasID {
		return a.dev == b.dev && a.ino == b.ino, nil
	}
	return a.fi != nil && b.fi != nil && os.SameFile(a.fi, b.fi), nil
}

// raised is what genericpath lets through: a TypeError or OverflowError
// (a value that is no path); an OSError or ValueError is False (nil).
func raised(err error) error {
	var te pathTypeError
	if errors.As(err, &te) {
		return err
	}
	return nil
}

// pathTypeError is Python's TypeError or OverflowError for a value that
// os.stat or os.lstat does not take.
type pathTypeError struct{ msg string }

func (e pathTypeError) Error() string { return e.msg }

// pyStat is os.stat: a str is a path (symlinks followed), an int a file
// descriptor.
func pyStat(in any) (pathInfo, error) {
	switch v := in.(type) {
	case string:
		fi, err := os.Stat(v)
		return fileInfo(fi), pyOSError(err, v)
	case bool:
		return statFD(map[bool]int{false: 0, true: 1}[v])
	case int:
		if v > math.MaxInt32 || v < math.MinInt32 {
			return pathInfo{}, pathTypeError{fdOverflow(v)}
		}
		return statFD(v)
	}
	return pathInfo{}, pathTypeError{"stat: path should be string, bytes, os.PathLike or integer, not " + typeName(in)}
}

func fdOverflow(fd int) string {
	if fd > 0 {
		return "fd is greater than maximum"
	}
	return "fd is less than minimum"
}

// pyLstat is os.lstat: a str only.
func pyLstat(in any) (pathInfo, error) {
	path, ok := in.(string)
	if !ok {
		return pathInfo{}, pathTypeError{"lstat: path should be string, bytes or os.PathLike, not " + typeName(in)}
	}
	fi, err := os.Lstat(path)
	return fileInfo(fi), pyOSError(err, path)
}

func fileInfo(fi fs.FileInfo) pathInfo {
	if fi == nil {
		return pathInfo{}
	}
	dev, ino, ok := fileID(fi)
	return pathInfo{kind: fi.Mode().Type(), dev: dev, ino: ino, hasID: ok, fi: fi}
}

// pyOSError words a failed stat as Python's OSError does:
// "[Errno 2] No such file or directory: '/srv/x'"; a NUL in the path is
// Python's ValueError.
func pyOSError(err error, path any) error {
	if err == nil {
		return nil
	}
	if s, ok := path.(string); ok && strings.ContainsRune(s, 0) {
		return errors.New("embedded null byte")
	}
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err
	}
	text := errno.Error()
	if text != "" {
		text = strings.ToUpper(text[:1]) + text[1:]
	}
	return fmt.Errorf("[Errno %d] %s: %s", int(errno), text, pyRepr(path))
}

// isAbsTest is Ansible's abs test (and is_abs): os.path.isabs
// (lib/ansible/plugins/test/files.py:39-40 at ansible-core 2.19.14,
// files.py:42-43 at 2.14.18). Jinja2 has abs as a filter only. posixpath's
// isabs takes a str (a path) and refuses anything else.
func isAbsTest(in any, _ []any) (bool, error) {
	path, ok := in.(string)
	if !ok {
		return false, fmt.Errorf("expected str, bytes or os.PathLike object, not %s", typeName(in))
	}
	return strings.HasPrefix(path, "/"), nil
}
