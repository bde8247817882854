//go:build !unix

package remote

import (
	"context"
	"errors"
	"os/exec"
)

// runProcess needs process groups to honour deadlines; straylight's local
// transport runs on Unix hosts only.
func runProcess(context.Context, []string, []byte) (CommandResult, error) {
	return CommandResult{}, errors.New("local commands need a Unix system")
}

// setProcessGroup has nothing to set outside Unix (runProcess refuses).
func setProcessGroup(*exec.Cmd) {}
