package ui

import (
	"os/exec"
	"strconv"
	"strings"
)

// gitState is the repository's working-tree state for the header.
type gitState struct {
	known   bool
	isRepo  bool
	changed int // files with uncommitted changes (tracked ones)
}

func (g gitState) String() string {
	switch {
	case !g.known:
		return "git …"
	case !g.isRepo:
		return "not in git"
	case g.changed == 0:
		return "git clean"
	case g.changed == 1:
		return "1 uncommitted edit"
	}
	return strconv.Itoa(g.changed) + " uncommitted edits"
}

// readGitState asks git for the tracked files with uncommitted changes.
// (Workaround: fleet/hvedit has GitCommit but no status; see the report.)
func readGitState(root string) gitState {
	cmd := exec.Command("git", "status", "--porcelain", "--untracked-files=no")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		return gitState{known: true}
	}
	n := 0
	for _, line := range strings.Split(string(out), "\n") {
		if strings.TrimSpace(line) != "" {
			n++
		}
	}
	return gitState{known: true, isRepo: true, changed: n}
}
