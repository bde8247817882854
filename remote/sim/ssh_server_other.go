//go:build !unix

package sim

import (
	"os"
	"syscall"
)

// ownProcessGroup: process groups are POSIX's; elsewhere the command is
// started as it is (the lab's Linux hosts run /bin/sh, which a system
// without it cannot give them).
func ownProcessGroup() *syscall.SysProcAttr { return nil }

// signalGroup: only KILL and TERM can be delivered, both as a kill of the
// command itself.
func signalGroup(p *os.Process, name string) bool {
	if name != "KILL" && name != "TERM" {
		return false
	}
	_ = p.Kill()
	return true
}

func killGroup(p *os.Process) { _ = p.Kill() }
