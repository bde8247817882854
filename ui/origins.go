package ui

import (
	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/ui/detail"
)

// configuredValues lists a GPU host's values with where each was set, as
// the detail view shows them.
func configuredValues(repo *fleet.Repo, g fleet.GPUHost) ([]detail.Value, error) {
	vals, err := repo.ConfiguredValues(g)
	out := make([]detail.Value, len(vals))
	for i, v := range vals {
		out[i] = detail.Value{Key: v.Key, Text: v.Text, Origin: v.Origin}
	}
	return out, err
}
