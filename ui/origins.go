package ui

import (
	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/ui/detail"
)

// configuredValues lists a GPU host's values with where each was set, as
// the detail view shows them: a template (a role default's
// `{{ vllm.port | default(8000) }}`) as it evaluates for the host, with
// the expression kept for v.
func configuredValues(repo *fleet.Repo, g fleet.GPUHost) ([]detail.Value, error) {
	vals, err := repo.ConfiguredValues(g)
	evaluated, evalErr := repo.EvaluatedValues(g.Name, vals)
	out := make([]detail.Value, len(vals))
	for i, v := range vals {
		out[i] = detail.Value{Key: v.Key, Text: v.Text, Origin: v.Origin}
		if e, ok := evaluated[v.Key]; ok {
			out[i].Text, out[i].Raw, out[i].EvalErr = e.Text, v.Text, e.Err
		}
	}
	if err == nil {
		err = evalErr
	}
	return out, err
}
