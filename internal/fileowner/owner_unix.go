//go:build unix

package fileowner

import (
	"os"
	"os/user"
	"strconv"
	"syscall"
)

// Of is the name of the file's owner, or its uid when the user database
// has none; "" when the system says nothing of owners.
func Of(st os.FileInfo) string {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok {
		return ""
	}
	uid := strconv.FormatUint(uint64(sys.Uid), 10)
	if u, err := user.LookupId(uid); err == nil {
		return u.Username
	}
	return uid
}
