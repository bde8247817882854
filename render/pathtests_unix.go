//go:build unix

package render

import (
	"io/fs"
	"syscall"
)

// statFD is os.stat of a file descriptor (fstat), of this process.
func statFD(fd int) (pathInfo, error) {
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		return pathInfo{}, pyOSError(err, fd)
	}
	kinds := map[uint32]fs.FileMode{syscall.S_IFREG: 0, syscall.S_IFDIR: fs.ModeDir, syscall.S_IFLNK: fs.ModeSymlink}
	kind, ok := kinds[uint32(st.Mode)&syscall.S_IFMT]
	if !ok {
		kind = fs.ModeIrregular
	}
	return pathInfo{kind: kind, dev: uint64(st.Dev), ino: uint64(st.Ino), hasID: true}, nil
}

// fileID is a stat's device and inode.
func fileID(fi fs.FileInfo) (dev, ino uint64, ok bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return uint64(st.Dev), uint64(st.Ino), true
}
