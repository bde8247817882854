package apply_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/apply"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
)

// unitTaskPlay adds a plain systemd_service task (not a handler) to
// case's play of examples/homelab-linux, after its role.
const unitTaskPlay = `  roles:
    - linux-vllm-deploy
  tasks:
    - name: Restart vLLM now
      ansible.builtin.systemd_service: {name: "{{ vllm_systemd_unit }}", state: restarted, enabled: true}
`

// TestApplyUnitTaskOnTheLab: on the lab's case (vLLM as vllm.service,
// over SSH with sudo), a plain systemd_service task is planned from what
// the lab's systemctl says — the unit is enabled and active, so enabled
// is ok and restarted restarts it — and --apply runs systemctl restart
// with the play's become, then gates on vLLM's health.
func TestApplyUnitTaskOnTheLab(t *testing.T) {
	d := startLab(t)
	path := filepath.Join(d.Dir, "playbooks", "linux-vllm-deploy.yml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "  roles:\n    - linux-vllm-deploy\n", unitTaskPlay, 1)
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
	repo, plan := planLimited(t, d.Dir, "case")
	var unit *fleetplan.FileChange
	for _, f := range plan.Host("case").Files {
		if f.Service != nil {
			unit = f
		}
	}
	if unit == nil || unit.Action != fleetplan.ActionUpdate || unit.Service.Summary != "restart (active → restarted)" || unit.Script != "systemctl restart 'vllm'" {
		t.Fatalf("case's unit task %+v (unsupported %+v)", unit, plan.Host("case").Unsupported)
	}
	run := applyPlan(t, context.Background(), repo, plan, apply.Options{}, nil)
	wantResult(t, run.evs, "case", "ok")
	if !hasStep(run.evs, "case", apply.StepWrite, apply.StatusOK, "systemd vllm") || !hasStep(run.evs, "case", apply.StepHealth, apply.StatusOK, "") {
		t.Errorf("case's events lack the unit task's restart and the health gate: %+v", run.evs)
	}
}

// planLimited plans the repository under --limit.
func planLimited(t *testing.T, dir, limit string) (*ansible.Repo, *fleetplan.Plan) {
	t.Helper()
	dec, _, err := fleet.LoadVault(dir, fleet.VaultOptions{})
	if err != nil {
		t.Fatal(err)
	}
	repo, err := ansible.Open(ansible.Options{Repo: dir, Decrypter: dec, Limit: limit})
	if err != nil {
		t.Fatal(err)
	}
	plan, err := (&fleetplan.Planner{Repo: repo, Transports: labTransports(t)}).Plan(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return repo, plan
}

func hasStep(evs []apply.Event, host string, step apply.Step, status apply.StepStatus, dest string) bool {
	for _, ev := range evs {
		if ev.Host == host && ev.Kind == apply.EvStep && ev.Step == step && ev.Status == status && (dest == "" || ev.Dest == dest) {
			return true
		}
	}
	return false
}
