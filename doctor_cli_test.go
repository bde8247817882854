package main

// End-to-end tests of `straylight --doctor` on the simulated lab (the
// checks in docs/windows-verification.md; the lab's faults in docs/lab.md):
// the command line builds each host's checks from the repository, runs
// them over the engine's transports, and exits 0 only when no step failed.

import (
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet/doctor"
	"github.com/straylight-fleet/straylight/remote/sim"
)

// doctorJSON is --doctor --json's document.
type doctorJSON struct {
	OK    bool
	Hosts []doctor.Report
}

func decodeDoctor(t *testing.T, r cliResult) doctorJSON {
	t.Helper()
	var d doctorJSON
	if err := json.Unmarshal([]byte(r.stdout), &d); err != nil {
		t.Fatalf("--doctor --json printed %q: %v", r.stdout, err)
	}
	return d
}

// failedSteps lists "host: step" for every failed step.
func failedSteps(d doctorJSON) []string {
	var out []string
	for _, h := range d.Hosts {
		for _, s := range h.Steps {
			if s.Status == doctor.Fail {
				out = append(out, h.Host+": "+s.Name)
			}
		}
	}
	return out
}

func stepOf(t *testing.T, d doctorJSON, host, step string) doctor.Step {
	t.Helper()
	for _, h := range d.Hosts {
		for _, s := range h.Steps {
			if h.Host == host && s.Name == step {
				return s
			}
		}
	}
	t.Fatalf("no step %q for %s in %+v", step, host, d)
	return doctor.Step{}
}

// noDoctorScratchLeft: nothing named straylight-doctor-* is left on the
// lab host, nor in this machine's temporary directory (the local proxy).
func noDoctorScratchLeft(t *testing.T, d *demo.Demo, host, tmp string) {
	t.Helper()
	for _, p := range d.Lab.FS(host).List() {
		if strings.Contains(strings.ToLower(p), "straylight-doctor-") {
			t.Errorf("left behind on %s: %s", host, p)
		}
	}
	left, err := filepath.Glob(filepath.Join(tmp, "straylight-doctor-*"))
	if err != nil || len(left) > 0 {
		t.Errorf("left behind here: %v %v", left, err)
	}
}

// TestCLIDoctorDemoNamesTheSeedMismatch: the demo starts in the seed's
// broken state, and the doctor finds exactly it: wintermute serves the
// old name, so its backend check and the route local/reasoner fail (on
// wintermute and on the proxy); every other step passes or does not apply.
func TestCLIDoctorDemoNamesTheSeedMismatch(t *testing.T) {
	t.Setenv("TMPDIR", t.TempDir())
	r := runCLI(t, "--demo", "--doctor", "--json")
	wantExit(t, r, exitFailure)
	d := decodeDoctor(t, r)
	want := []string{"motoko: " + doctor.StepProxyRoutes, "wintermute: " + doctor.StepBackendModels,
		"wintermute: " + doctor.StepProxyRoutes}
	if got := failedSteps(d); strings.Join(got, "\n") != strings.Join(want, "\n") || d.OK {
		t.Errorf("failed steps:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	s := stepOf(t, d, "wintermute", doctor.StepProxyRoutes)
	wantContains(t, "route cause", s.Cause, "local/reasoner", "serves "+oldServedName+", not "+newServedName)
	if len(d.Hosts) != 6 {
		t.Errorf("%d hosts reported, want wintermute, armitage, case, riviera, dixie, motoko", len(d.Hosts))
	}
}

// TestCLIDoctorPassesOnTheFixedLab: after the fix is deployed, every step
// on every host passes (the proxy's Windows-only and GPU steps skip, and
// the Linux hosts' Windows-only ones), the table says so, and the exit code
// is 0. Nothing is left behind.
func TestCLIDoctorPassesOnTheFixedLab(t *testing.T) {
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	d := startCLILab(t)
	wantExit(t, runCLI(t, "-C", d.Dir, "--apply", "--yes"), exitOK)

	r := runCLI(t, "-C", d.Dir, "--doctor", "--json")
	wantExit(t, r, exitOK)
	doc := decodeDoctor(t, r)
	for _, h := range doc.Hosts {
		for _, s := range h.Steps {
			windowsOnly := s.Name == doctor.StepPowerShell || s.Name == doctor.StepStderr
			linux := h.Host == "case" || h.Host == "riviera" || h.Host == "dixie"
			llamaMetrics := h.Host == "dixie" && s.Name == doctor.StepBackendMetrics // vLLM's families only
			if s.Status == doctor.Fail || (h.Host != "motoko" && s.Status != doctor.Pass && !(linux && windowsOnly) && !llamaMetrics) {
				t.Errorf("%s: %s: %s %s%s", h.Host, s.Name, s.Status, s.Detail, s.Cause)
			}
		}
	}
	if !doc.OK || len(doc.Hosts) != 6 {
		t.Errorf("ok %v, %d hosts", doc.OK, len(doc.Hosts))
	}
	table := runCLI(t, "-C", d.Dir, "--doctor", "-l", "wintermute")
	wantExit(t, table, exitOK)
	wantContains(t, "table", table.stdout, "HOST", "wintermute  "+doctor.StepDocker, "doctor: all 1 host(s) passed")
	noDoctorScratchLeft(t, d, "wintermute", tmp)
}

// TestCLIDoctorNamesEachLabFault: with each fault on wintermute, the doctor
// fails the step it concerns with the cause, and only the steps that depend
// on it; it exits 1 and leaves nothing behind. One lab serves every fault,
// turned on and off in turn.
func TestCLIDoctorNamesEachLabFault(t *testing.T) {
	d := startCLILab(t)
	wantExit(t, runCLI(t, "-C", d.Dir, "--apply", "--yes"), exitOK)
	tests := []struct {
		fault       sim.FaultKind
		step, cause string
	}{
		{sim.FaultWinRMAuth, doctor.StepConnect, "the host refused the credentials"},
		{sim.FaultSlowWinRM, doctor.StepConnect, "no answer before the step's deadline"},
		{sim.FaultBadGPUCSV, doctor.StepNvidiaSMI, "nvidia-smi printed output straylight cannot read"},
		{sim.FaultDockerNotRunning, doctor.StepDocker, "Docker Desktop is not running for user mdt"},
		{sim.FaultNvidiaSMIMissing, doctor.StepNvidiaSMI, "nvidia-smi not found"},
		{sim.FaultDown, doctor.StepConnect, "the host does not answer"}, // last: vLLM stays down
	}
	for _, tt := range tests {
		t.Run(string(tt.fault), func(t *testing.T) {
			if tt.fault == sim.FaultSlowWinRM { // the lab delays each reply 3 s
				writeSettings(t, d.Dir, "doctor_step_timeout_seconds: 1.5\n")
			}
			if err := d.Lab.SetFault("wintermute", tt.fault); err != nil {
				t.Fatal(err)
			}
			r := runCLI(t, "-C", d.Dir, "--doctor", "-l", "wintermute", "--json")
			if tt.fault != sim.FaultDown {
				if err := d.Lab.ClearFault("wintermute", tt.fault); err != nil {
					t.Fatal(err)
				}
			}
			wantExit(t, r, exitFailure)
			checkFaultReport(t, decodeDoctor(t, r), tt.fault, tt.step, tt.cause)
			noDoctorScratchLeft(t, d, "wintermute", t.TempDir())
		})
	}
}

func checkFaultReport(t *testing.T, d doctorJSON, fault sim.FaultKind, step, cause string) {
	t.Helper()
	s := stepOf(t, d, "wintermute", step)
	if s.Status != doctor.Fail || !strings.Contains(s.Cause, cause) || s.Fix == "" {
		t.Errorf("%s: %s, cause %q, fix %q; want a failure naming %q", step, s.Status, s.Cause, s.Fix, cause)
	}
	for _, f := range failedSteps(d) {
		name := strings.TrimPrefix(f, "wintermute: ")
		if name != step && !(fault == sim.FaultDown && strings.HasPrefix(name, "backend")) &&
			!(fault == sim.FaultDown && name == doctor.StepProxyRoutes) {
			t.Errorf("%s failed too", f)
		}
	}
}

// writeSettings replaces the repository's straylight.yml until the test ends.
func writeSettings(t *testing.T, dir, body string) {
	t.Helper()
	path := filepath.Join(dir, "straylight.yml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Remove(path) })
}

// Every flag of --help is in README's "Command line" block.
func TestREADMEListsEveryFlag(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, block, ok := strings.Cut(string(readme), "## Command line\n\n```\n")
	block, _, _ = strings.Cut(block, "```")
	if !ok {
		t.Fatal("README has no Command line block")
	}
	var o options
	newFlagSet(&o, io.Discard).VisitAll(func(f *flag.Flag) {
		dash := "--"
		if len(f.Name) == 1 {
			dash = "-"
		}
		if !regexp.MustCompile(`(^|\s)` + regexp.QuoteMeta(dash+f.Name) + `[ ,\n]`).MatchString(block) {
			t.Errorf("README's command line lacks %s%s (%s)", dash, f.Name, f.Usage)
		}
	})
}
