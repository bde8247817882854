package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// The operator's tools end to end: the real binary in tmux against the lab
// running in the test process.

var linesCount = regexp.MustCompile(`(\d+) lines`)

// logLineCount reads the log view's "N lines".
func logLineCount(scr string) int {
	m := linesCount.FindStringSubmatch(scr)
	if m == nil {
		return -1
	}
	n, _ := strconv.Atoi(m[1])
	return n
}

// TestTmuxLogsFollow: l on wintermute shows its vLLM log (the lab's real
// start-up lines) and, while following, new lines arrive (uvicorn's access
// lines for straylight's own probes), at 120×40 and 80×24.
func TestTmuxLogsFollow(t *testing.T) {
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		t.Run(strconv.Itoa(size[0])+"x"+strconv.Itoa(size[1]), func(t *testing.T) {
			d := startUILab(t)
			s := startTmux(t, size[0], size[1], buildBinary(t)+" -C "+d.Dir)
			s.waitText("wintermute", "llama-3-8b-instruct-awq")
			s.keys("l")
			scr := s.waitText("Logs wintermute", "Application startup complete.")
			first := logLineCount(scr)
			s.waitFor("new log lines while following", func(scr string) bool {
				return logLineCount(scr) > first && strings.Contains(scr, "follow on")
			})
			s.keys("/")
			s.literal("Starting vLLM")
			s.keys("Enter")
			s.waitText("Starting vLLM API server 0 on http://", "follow off")
			s.keys("Escape", "q")
			if code := s.exitCode(); code != "0" {
				t.Fatalf("exit %s", code)
			}
		})
	}
}

// TestTmuxFailedGateShowsTheLog: with the lab's never-healthy fault the
// deploy's health gate fails, and its view shows the host's last log
// lines: vLLM's own reason for not starting.
func TestTmuxFailedGateShowsTheLog(t *testing.T) {
	d := slowLab(t, "wintermute:never-healthy")
	setHealthTimeout(t, d.Dir, 6)
	s := startTmux(t, 120, 40, buildBinary(t)+" -C "+d.Dir)
	deployWintermute(s)
	s.waitText("last lines of wintermute's vLLM log", "Engine core initialization failed")
	s.waitText("rolled back")
	s.keys("Escape", "q")
	if code := s.exitCode(); code != "0" {
		t.Fatalf("exit %s", code)
	}
}

// TestTmuxHistoryRevertBringsBackTheMismatch: after the fix is deployed,
// h on wintermute lists the seed's commit adding served_model_name; R
// reverts it (a new commit) and the plan shows the line going; deploying
// it is flagged as breaking local/reasoner, and the routes pane shows the
// mismatch the revert brought back.
func TestTmuxHistoryRevertBringsBackTheMismatch(t *testing.T) {
	d := startUILab(t)
	s := startTmux(t, 120, 40, buildBinary(t)+" -C "+d.Dir)
	deployAndWait(s)
	s.keys("h")
	s.waitText("History wintermute", "wintermute: serve the model as llama31-8b-wintermute", `+  served_model_name: "llama31-8b-wintermute"`)
	s.keys("R")
	s.waitText("Revert")
	s.keys("y")
	s.waitText(`-  served_model_name: "llama31-8b-wintermute"`)
	s.keys("a")
	s.waitText("Deploy wintermute? It breaks route local/reasoner")
	s.keys("n", "Escape", "Tab")
	s.waitFor("local/reasoner mismatched again", func(scr string) bool {
		return strings.Contains(lineWith(scr, "local/reasoner  "), "error") &&
			strings.Contains(scr, `wintermute is configured to serve`) && strings.Contains(scr, "casperhansen/llama-3-8b-instruct-awq")
	})
	s.keys("q")
	if code := s.exitCode(); code != "0" {
		t.Fatalf("exit %s", code)
	}
}

// deployAndWait deploys wintermute's fix and waits until it serves the new
// name, back on the fleet table.
func deployAndWait(s *tmuxSession) {
	s.t.Helper()
	s.waitText("wintermute", "1 change")
	s.keys("a")
	s.waitText("Deploy wintermute? y/N")
	s.keys("y")
	s.waitText("Hello!")
	s.keys("Escape")
	s.waitFor("the fleet row serving the new name", func(scr string) bool {
		return strings.Contains(lineWith(scr, "wintermute "), "llama31-8b-wintermute")
	})
}
