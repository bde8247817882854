package plan

import (
	"github.com/straylight-fleet/straylight/render"
)

// Diff is the unified diff of a file task, like `ansible --check --diff`
// (a new file diffs against nothing, with Ansible's bare "--- before").
func Diff(dest string, old, new []byte, existed bool) string {
	if existed {
		return render.Diff(dest, old, new)
	}
	return render.DiffNew(dest, new)
}
