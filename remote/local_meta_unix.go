//go:build unix

package remote

import (
	"bytes"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// localMeta is a file's mode and ownership, from the stat the read made.
func localMeta(info fs.FileInfo) FileMeta {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return FileMeta{Umask: localUmask()}
	}
	m := FileMeta{Known: true, Mode: permBits(info.Mode()), UID: int(st.Uid), GID: int(st.Gid), Umask: localUmask()}
	if u, err := user.LookupId(strconv.Itoa(m.UID)); err == nil {
		m.Owner = u.Username
	}
	if g, err := user.LookupGroupId(strconv.Itoa(m.GID)); err == nil {
		m.Group = g.Name
	}
	return m
}

// localUmask reads this process's umask from /proc (reading it with
// umask(2) would change it for a moment under every other goroutine);
// where /proc does not say, the common 022.
func localUmask() uint32 {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0o022
	}
	for line := range bytes.SplitSeq(status, []byte("\n")) {
		if rest, ok := bytes.CutPrefix(line, []byte("Umask:")); ok {
			if m, err := strconv.ParseUint(string(bytes.TrimSpace(rest)), 8, 32); err == nil {
				return uint32(m)
			}
		}
	}
	return 0o022
}

// lookupUID is a user name's or numeric id's uid.
func lookupUID(name string) (int, error) {
	if id, err := strconv.Atoi(name); err == nil {
		return id, nil
	}
	u, err := user.Lookup(name)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(u.Uid)
}

// lookupGID is a group name's or numeric id's gid.
func lookupGID(name string) (int, error) {
	if id, err := strconv.Atoi(name); err == nil {
		return id, nil
	}
	g, err := user.LookupGroup(name)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(g.Gid)
}

// ownerOf is the uid and gid of an existing file.
func ownerOf(info fs.FileInfo) (int, int, bool) {
	if info == nil {
		return 0, 0, false
	}
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return 0, 0, false
	}
	return int(st.Uid), int(st.Gid), true
}
