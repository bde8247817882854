//go:build unix

package sim

import (
	"os"
	"syscall"
)

// ownProcessGroup starts a session's command in a process group of its
// own, so a signal or a kill reaches everything it started.
func ownProcessGroup() *syscall.SysProcAttr { return &syscall.SysProcAttr{Setpgid: true} }

// signalNames maps SSH signal names (RFC 4254 §6.10) to signals.
var signalNames = map[string]syscall.Signal{
	"HUP": syscall.SIGHUP, "INT": syscall.SIGINT, "KILL": syscall.SIGKILL, "TERM": syscall.SIGTERM,
	"QUIT": syscall.SIGQUIT, "USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2,
}

// signalGroup sends the named signal to the command's process group and
// reports whether the name is one it knows.
func signalGroup(p *os.Process, name string) bool {
	sig, ok := signalNames[name]
	if ok {
		_ = syscall.Kill(-p.Pid, sig)
	}
	return ok
}

func killGroup(p *os.Process) { _ = syscall.Kill(-p.Pid, syscall.SIGKILL) }
