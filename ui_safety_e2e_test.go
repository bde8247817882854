package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/demo"
)

// The terminal UI off the happy path (issue 16): a deploy outlives a quit,
// a kill, a second deploy and a closed view. Each test drives the real
// binary in tmux against the lab running in the test process.

// slowLab is the lab in the seed's state with a model load slow enough to
// act during wintermute's health gate.
func slowLab(t *testing.T, faults ...string) *demo.Demo {
	t.Helper()
	d, err := demo.Start(demo.Options{Dir: t.TempDir(), Faults: faults, LoadDelay: 4 * time.Second, TokenRate: 400})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// deployWintermute starts wintermute's deploy (the first row) and waits
// for its health gate.
func deployWintermute(s *tmuxSession) {
	s.t.Helper()
	s.waitText("wintermute", "1 change")
	s.keys("a")
	s.waitText("Deploy wintermute? y/N")
	s.keys("y")
	s.waitText("waiting up to")
}

// TestTmuxQuitDuringDeployRollsBack: q during the health gate asks; y rolls
// wintermute back to its old config and name, then exits 0.
func TestTmuxQuitDuringDeployRollsBack(t *testing.T) {
	d := slowLab(t)
	before := labFile(t, d, "wintermute", wintermuteCfg)
	s := startTmux(t, 120, 40, buildBinary(t)+" -C "+d.Dir)
	deployWintermute(s)
	s.keys("q")
	s.waitText("A deploy of wintermute is running — y: quit and roll it back · w: wait for it, then quit · esc: stay")
	s.keys("y")
	if code := s.exitCode(); code != "0" {
		t.Fatalf("exit %s after a rollback that worked", code)
	}
	if after := labFile(t, d, "wintermute", wintermuteCfg); after != before {
		t.Errorf("wintermute's config was not restored:\n%s", after)
	}
	wantServed(t, d, "wintermute", oldServedName)
	if _, err := os.Stat(pendingRecordPath(d.Dir, "wintermute")); err == nil {
		t.Error("a restart is still recorded as owed after the rollback")
	}
}

// TestTmuxQuitAndWaitFinishesTheDeploy: w waits for the deploy to finish,
// then quits with the host on its new config.
func TestTmuxQuitAndWaitFinishesTheDeploy(t *testing.T) {
	d := slowLab(t)
	s := startTmux(t, 100, 30, buildBinary(t)+" -C "+d.Dir)
	deployWintermute(s)
	s.keys("q")
	s.waitText("w: wait for it")
	s.keys("w")
	if code := s.exitCode(); code != "0" {
		t.Fatalf("exit %s", code)
	}
	wantServed(t, d, "wintermute", newServedName)
}

// TestTmuxKillMidDeployShowsBannerOnRestart: kill -9 of the UI during the
// health gate; the next start names the host and what is owed.
func TestTmuxKillMidDeployShowsBannerOnRestart(t *testing.T) {
	d := slowLab(t)
	bin := buildBinary(t)
	s := startTmux(t, 120, 40, bin+" -C "+d.Dir)
	deployWintermute(s)
	s.killProgram()
	again := startTmux(t, 120, 40, bin+" -C "+d.Dir)
	scr := again.waitText("a deploy of wintermute was cut short")
	if !strings.Contains(strings.Join(strings.Fields(scr), " "), "never finished") {
		t.Fatalf("the banner does not say the deploy never finished:\n%s", scr)
	}
	again.keys("q")
	if code := again.exitCode(); code != "0" {
		t.Fatalf("exit %s", code)
	}
}

// TestTmuxSecondDeployRefusedWhileBusy: a second a while wintermute deploys
// is refused without a question; p shows the running deploy.
func TestTmuxSecondDeployRefusedWhileBusy(t *testing.T) {
	d := slowLab(t)
	s := startTmux(t, 120, 40, buildBinary(t)+" -C "+d.Dir)
	deployWintermute(s)
	s.keys("Escape", "a")
	scr := s.waitText("wintermute is busy: its deploy is running")
	if strings.Contains(scr, "Deploy wintermute? y/N") {
		t.Fatalf("a busy host is asked about again:\n%s", scr)
	}
	s.keys("p")
	s.waitText("Deploy wintermute", "waiting up to")
	s.waitText("✓ Deploy wintermute")
	s.keys("q")
	if code := s.exitCode(); code != "0" {
		t.Fatalf("exit %s", code)
	}
	wantServed(t, d, "wintermute", newServedName)
}

// TestTmuxFailedDeployNotifiedAfterEsc: the deploy fails its health gate
// after the operator left its view; the status line and the row say it
// failed and was rolled back.
func TestTmuxFailedDeployNotifiedAfterEsc(t *testing.T) {
	d := slowLab(t, "wintermute:never-healthy")
	setHealthTimeout(t, d.Dir, 6) // the new config never loads; the old one does in 4 s
	s := startTmux(t, 120, 40, buildBinary(t)+" -C "+d.Dir)
	deployWintermute(s)
	s.keys("Escape")
	scr := s.waitText("✗ deploy wintermute failed, rolled back", "✗ reverted")
	if !strings.Contains(lineWith(scr, "wintermute "), "✗ reverted") {
		t.Fatalf("the row does not keep the outcome:\n%s", scr)
	}
	s.keys("p")
	s.waitText("↺ rollback")
	s.keys("Escape")
	s.waitFor("the outcome acknowledged", func(scr string) bool { return !strings.Contains(scr, "✗ reverted") })
	s.keys("q")
	if code := s.exitCode(); code != "0" {
		t.Fatalf("exit %s", code)
	}
	wantServed(t, d, "wintermute", oldServedName)
}

// killProgram sends SIGKILL to the program running in the pane (the
// shell's child), as a power loss or kill -9 would end it.
func (s *tmuxSession) killProgram() {
	s.t.Helper()
	pid := s.programPID()
	if out, err := exec.Command("kill", "-9", pid).CombinedOutput(); err != nil {
		s.t.Fatalf("kill -9 %s: %v %s", pid, err, out)
	}
	s.exitCode()
}

// pendingRecordPath is where the state keeps a host's owed restart.
func pendingRecordPath(dir, host string) string {
	return filepath.Join(dir, ".straylight", "pending", host+".json")
}

// TestTmuxHangupRollsBack: closing the terminal (SIGHUP) during the health
// gate rolls wintermute back before the process ends.
func TestTmuxHangupRollsBack(t *testing.T) {
	d := slowLab(t)
	before := labFile(t, d, "wintermute", wintermuteCfg)
	s := startTmux(t, 120, 40, buildBinary(t)+" -C "+d.Dir)
	deployWintermute(s)
	pid := s.programPID()
	if out, err := s.tmux("kill-session", "-t", s.name).CombinedOutput(); err != nil {
		t.Fatalf("tmux kill-session: %v %s", err, out)
	}
	waitGone(t, pid)
	if after := labFile(t, d, "wintermute", wintermuteCfg); after != before {
		t.Errorf("wintermute's config was not restored:\n%s", after)
	}
	wantServed(t, d, "wintermute", oldServedName)
}

// TestTmuxHangupRemovesTheDemoRepository: closing the terminal of
// `straylight --demo` removes its temporary repository (and the vault
// password file in it).
func TestTmuxHangupRemovesTheDemoRepository(t *testing.T) {
	s := startTmux(t, 200, 30, buildBinary(t)+" --demo")
	scr := s.waitText("wintermute", "litellm motoko up")
	fields := strings.Fields(lineWith(scr, "straylight "))
	if len(fields) < 2 || !filepath.IsAbs(fields[1]) {
		t.Fatalf("the header names no repository path:\n%s", scr)
	}
	repo := fields[1]
	if _, err := os.Stat(repo); err != nil {
		t.Fatalf("the demo repository %s: %v", repo, err)
	}
	pid := s.programPID()
	if out, err := s.tmux("kill-session", "-t", s.name).CombinedOutput(); err != nil {
		t.Fatalf("tmux kill-session: %v %s", err, out)
	}
	waitGone(t, pid)
	if _, err := os.Stat(repo); !os.IsNotExist(err) {
		t.Fatalf("the demo repository %s is left behind (%v)", repo, err)
	}
}

// programPID is the pid of the program in the pane (the shell's child).
func (s *tmuxSession) programPID() string {
	s.t.Helper()
	out, err := s.tmux("display-message", "-p", "-t", s.name, "#{pane_pid}").Output()
	if err != nil {
		s.t.Fatalf("tmux pane pid: %v", err)
	}
	children, err := exec.Command("pgrep", "-P", strings.TrimSpace(string(out))).Output()
	if err != nil || len(strings.Fields(string(children))) == 0 {
		s.t.Fatalf("pgrep: %v", err)
	}
	return strings.Fields(string(children))[0]
}

// waitGone waits for a process to end (it rolls back first: up to the
// health timeout and a margin).
func waitGone(t *testing.T, pid string) {
	t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for exec.Command("kill", "-0", pid).Run() == nil {
		if time.Now().After(deadline) {
			t.Fatalf("process %s still runs", pid)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestTmuxRouteErrorAsksWithTheRoute: after wintermute's deploy, clearing
// served_model_name in the form makes the static lint fail local/reasoner:
// the header counts it, and a names the route and the reason.
func TestTmuxRouteErrorAsksWithTheRoute(t *testing.T) {
	d := startUILab(t)
	s := startTmux(t, 120, 40, buildBinary(t)+" -C "+d.Dir)
	s.waitText("wintermute", "1 change")
	s.keys("a")
	s.waitText("Deploy wintermute? y/N")
	s.keys("y")
	s.waitText("✓ Deploy wintermute")
	s.keys("Escape")
	s.waitText("routes ok 5/5") // with the Linux hosts case, riviera and dixie
	s.keys("e")
	s.waitText("served_model_name")
	for i := 0; !strings.HasPrefix(strings.TrimSpace(lineWith(s.screen(), "served_model_name")), "›"); i++ {
		if i == 30 {
			t.Fatalf("the form never selected served_model_name:\n%s", s.screen())
		}
		s.keys("Down")
	}
	s.keys("C-u", "Enter")
	s.waitText("-  served_model_name:", "routes ok 4/5")
	s.keys("a")
	s.waitText("Deploy wintermute? It breaks route local/reasoner:")
	s.keys("n")
	s.waitText("cancelled")
	s.keys("q")
	if code := s.exitCode(); code != "0" {
		t.Fatalf("exit %s", code)
	}
	wantServed(t, d, "wintermute", newServedName)
}

// TestTmuxUnsavedPortEditLeavesTheRowUp: the port changed to 8001 and saved
// (not deployed): the monitor keeps probing the deployed port 8000, so the
// row stays up while the drift says the repository differs; quit and
// started again, the UI reads the deployed port from armitage's config.yml
// and the row is up from the start.
func TestTmuxUnsavedPortEditLeavesTheRowUp(t *testing.T) {
	d := startUILab(t)
	bin := buildBinary(t)
	s := startTmux(t, 120, 40, bin+" -C "+d.Dir)
	s.waitText("armitage", "qwen2.5-7b-armitage")
	s.keys("j", "e")
	s.waitText("Edit armitage")
	for i := 0; !strings.HasPrefix(strings.TrimSpace(lineWith(s.screen(), " port ")), "›"); i++ {
		if i == 30 {
			t.Fatalf("the form never selected port:\n%s", s.screen())
		}
		s.keys("Down")
	}
	s.keys("C-u")
	s.literal("8001")
	s.keys("Enter")
	s.waitText("+  port: 8001")
	s.keys("Escape")
	s.waitFor("armitage's drift", func(scr string) bool { return strings.Contains(lineWith(scr, "armitage "), "1 change") })
	for end := time.Now().Add(8 * time.Second); time.Now().Before(end); time.Sleep(500 * time.Millisecond) {
		row := lineWith(s.screen(), "armitage ")
		if !strings.Contains(row, " up ") || strings.Contains(row, "refused") {
			t.Fatalf("armitage looks down after an undeployed port edit: %q", row)
		}
	}
	s.keys("Enter")
	s.waitText("repository differs: not deployed yet: port 8000 → 8001")
	s.keys("q")
	if code := s.exitCode(); code != "0" {
		t.Fatalf("exit %s", code)
	}
	restartWithUndeployedPort(t, bin, d.Dir)
}

// restartWithUndeployedPort starts the UI again on a repository whose
// armitage port (8001) was saved and never deployed (the host runs 8000):
// from its first frame to well after the first plan, armitage's row is
// never loading or refused, ends up, and its detail says what the
// repository would change.
func restartWithUndeployedPort(t *testing.T, bin, dir string) {
	s := startTmux(t, 120, 40, bin+" -C "+dir)
	planned := time.Time{}
	for end := time.Now().Add(60 * time.Second); planned.IsZero() || time.Since(planned) < 8*time.Second; time.Sleep(300 * time.Millisecond) {
		scr := s.screen()
		row := lineWith(scr, "armitage ")
		if strings.Contains(row, "refused") || strings.Contains(row, "loading") || strings.Contains(row, " down ") {
			t.Fatalf("armitage looks down on restart with an undeployed port: %q\n%s", row, scr)
		}
		if planned.IsZero() && strings.Contains(row, " up ") && strings.Contains(row, "1 change") {
			planned = time.Now()
		}
		if time.Now().After(end) {
			t.Fatalf("armitage never showed up with its change after the restart:\n%s", scr)
		}
	}
	if row := lineWith(s.screen(), "armitage "); !strings.Contains(row, " up ") {
		t.Fatalf("armitage after the restart: %q", row)
	}
	s.keys("j", "Enter")
	s.waitText("repository differs: not deployed yet: port 8000 → 8001", "live state is compared with what is deployed")
	s.keys("q")
	if code := s.exitCode(); code != "0" {
		t.Fatalf("exit %s", code)
	}
}
