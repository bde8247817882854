package plan

import (
	"encoding/json"
	"fmt"
	"github.com/straylight-fleet/straylight/internal/atomicfile"
	"os"
)

// SavePlan writes the plan as JSON, atomically. Secret values are already
// masked in the plan; apply re-renders and checks the recorded hashes.
func SavePlan(path string, p *Plan) error {
	data, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(path, append(data, '\n'), 0o600)
}

// LoadPlan reads a plan saved by SavePlan.
func LoadPlan(path string) (*Plan, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p Plan
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("%s: not a straylight plan: %w", path, err)
	}
	return &p, nil
}
