//go:build !unix

package delegate

import (
	"os/exec"
	"time"
)

// setProcessGroup: Ansible's control node runs on Unix only; elsewhere the
// process alone is killed when cmd's context ends.
func setProcessGroup(cmd *exec.Cmd) { cmd.WaitDelay = 2 * time.Second }
