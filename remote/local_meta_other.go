//go:build !unix

package remote

import (
	"errors"
	"io/fs"
)

// localMeta: modes and owners are POSIX's; elsewhere they stay unknown.
func (l *Local) meta(fs.FileInfo) FileMeta { return FileMeta{Umask: 0o022} }

type localNames struct{}

func lookupUID(string) (int, error) { return 0, errors.New("owners need a Unix system") }

func lookupGID(string) (int, error) { return 0, errors.New("groups need a Unix system") }

func ownerOf(fs.FileInfo) (int, int, bool) { return 0, 0, false }

// localUmask: no umask outside POSIX; the meta above reports the common 022.
func localUmask() uint32 { return 0o022 }
