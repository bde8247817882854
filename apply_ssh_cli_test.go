package main

import (
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/apply"
)

// TestCLINeverHealthyShowsLinuxLogs: case (over SSH, vLLM as a systemd
// unit) never becomes healthy on its new config; the failure report carries
// the unit's last journal lines, as a logs event in --json and as lines in
// the human output, and the host is rolled back.
func TestCLINeverHealthyShowsLinuxLogs(t *testing.T) {
	d := startCLILab(t, "case:never-healthy")
	setHealthTimeout(t, d.Dir, 1.5)
	editRepo(t, d.Dir, "host_vars/case.yml", "max_model_len: 8192", "max_model_len: 6144")

	r := runCLI(t, "-C", d.Dir, "-l", "case", "--apply", "--yes", "--json")
	wantExit(t, r, exitFailure)
	var logs *apply.Event
	for _, ev := range decodeEvents(t, r.stdout) {
		if ev.Kind == apply.EvLogs && ev.Host == "case" && logs == nil {
			logs = &ev
		}
	}
	if logs == nil || len(logs.Logs) == 0 || !strings.Contains(logs.Message, "unit vllm") {
		t.Fatalf("no logs event with the unit's journal for case: %+v", logs)
	}

	h := runCLI(t, "-C", d.Dir, "-l", "case", "--apply", "--yes")
	wantExit(t, h, exitFailure)
	wantContains(t, "stdout", h.stdout, "[case] logs: last ", "of unit vllm", "[case] | ", "[case] rollback")
}

// TestCLIFailedLlamaServerShowsUnitLogs: dixie's llama-server (over SSH,
// a systemd unit discovery found, no vllm.systemd_unit) is given a unit it
// cannot run; the health gate's failure report reads that unit's journal,
// which says why, and the host is rolled back.
func TestCLIFailedLlamaServerShowsUnitLogs(t *testing.T) {
	d := startCLILab(t)
	setHealthTimeout(t, d.Dir, 1.5)
	editRepo(t, d.Dir, "roles/llama-server-deploy/templates/llama-server.service.j2", "-m {{ llama_server.model_path }} ", "")

	r := runCLI(t, "-C", d.Dir, "-l", "dixie", "--apply", "--yes")
	wantExit(t, r, exitFailure)
	wantContains(t, "stdout", r.stdout, "[dixie] logs: last ", "of unit llama-server", "no -m/--model", "[dixie] rollback ok")
}
