//go:build !unix

package render

import (
	"errors"
	"io/fs"
	"strconv"
)

// statFD: a file descriptor is not a path here; like an OSError, the
// path tests read it as False and same_file raises it.
func statFD(fd int) (pathInfo, error) {
	return pathInfo{}, errors.New("stat of file descriptor " + strconv.Itoa(fd) + ": not supported on this system")
}

// fileID: this system's stat gives no device and inode.
func fileID(fs.FileInfo) (dev, ino uint64, ok bool) {
	return 0, 0, false
}
