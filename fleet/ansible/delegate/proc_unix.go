//go:build unix

package delegate

import (
	"os/exec"
	"syscall"
	"time"
)

// setProcessGroup runs cmd in its own process group, all of it (Ansible's
// workers and the modules they start) killed when cmd's context ends.
func setProcessGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 2 * time.Second
}
