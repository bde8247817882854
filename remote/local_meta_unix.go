//go:build unix

package remote

import (
	"bytes"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"sync"
	"syscall"
)

// meta is a file's mode and ownership, from the stat the read made.
func (l *Local) meta(info fs.FileInfo) FileMeta {
	st, ok := info.Sys().(*syscall.Stat_t)
	if !ok {
		return FileMeta{Umask: l.umask()}
	}
	m := FileMeta{Known: true, Mode: permBits(info.Mode()), UID: int(st.Uid), GID: int(st.Gid), Umask: l.umask()}
	m.Owner, m.Group = l.names.owner(m.UID), l.names.group(m.GID)
	return m
}

// localNames remembers the user and group names of ids: the lookups read
// /etc/passwd and /etc/group, and every file of a host has the same few
// owners. A name not found is remembered as "".
type localNames struct {
	mu             sync.Mutex
	owners, groups map[int]string
}

func (n *localNames) owner(uid int) string {
	return n.remember(&n.owners, uid, func(id string) (string, error) {
		u, err := user.LookupId(id)
		if err != nil {
			return "", err
		}
		return u.Username, nil
	})
}

func (n *localNames) group(gid int) string {
	return n.remember(&n.groups, gid, func(id string) (string, error) {
		g, err := user.LookupGroupId(id)
		if err != nil {
			return "", err
		}
		return g.Name, nil
	})
}

func (n *localNames) remember(names *map[int]string, id int, lookup func(string) (string, error)) string {
	n.mu.Lock()
	defer n.mu.Unlock()
	if name, ok := (*names)[id]; ok {
		return name
	}
	name, _ := lookup(strconv.Itoa(id)) // not found: no name, as before
	if *names == nil {
		*names = map[int]string{}
	}
	(*names)[id] = name
	return name
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
