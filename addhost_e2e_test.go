package main

import (
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// TestTmuxAddHostLikeArmitage is the seed's "Adding New Windows vLLM
// Hosts" in one flow, as an operator runs `straylight --demo`: n on
// armitage, the name molly and the address the demo's lab suggests; the
// diff shows the inventory entry and host_vars/molly.yml written; c
// commits them; a, y deploys molly to the machine the lab started for it;
// and molly is in the fleet table, up and in sync. At 120×40 and 80×24.
func TestTmuxAddHostLikeArmitage(t *testing.T) {
	bin := buildBinary(t)
	for _, size := range [][2]int{{120, 40}, {80, 24}} {
		t.Run(strconv.Itoa(size[0])+"x"+strconv.Itoa(size[1]), func(t *testing.T) {
			s := startTmux(t, size[0], size[1], bin+" --demo")
			s.waitText("armitage", "qwen2.5-7b-armitage")
			s.keys("j")
			s.waitFor("armitage selected", func(scr string) bool { return strings.HasPrefix(lineWith(scr, "armitage"), "›") })
			s.keys("n")
			scr := s.waitFor("the form with a suggested loopback address", func(scr string) bool {
				return suggestedAddress(scr) != "" && strings.Contains(scr, "armitage")
			})
			addr := suggestedAddress(scr)
			s.literal("molly")
			s.keys("Enter")
			scr = checkWrittenDiff(t, s, size[1], addr)
			s.keys("c")
			s.waitText("committed: Add host molly like armitage")
			if size[1] >= 40 {
				checkCommit(t, scr)
			}
			s.keys("a")
			s.waitText("Deploy molly?")
			s.keys("y")
			s.waitText(`molly serves "qwen2.5-7b-molly"`)
			s.keys("Escape", "Escape")
			// DRIFT says "✓ deployed" until the outcome is seen, then "in sync".
			s.waitFor("molly up and deployed in the fleet table", func(scr string) bool {
				row := lineWith(scr, "molly ")
				return strings.Contains(row, " up ") && strings.Contains(row, "qwen2.5-7b-molly") &&
					(strings.Contains(row, "in sync") || strings.Contains(row, "✓ deployed"))
			})
			s.keys("q")
			if code := s.exitCode(); code != "0" {
				t.Fatalf("exit %s", code)
			}
		})
	}
}

var addressField = regexp.MustCompile(`address\s+(127\.\d+\.\d+\.\d+)`)

// suggestedAddress is the address the form shows; only a loopback one
// counts.
func suggestedAddress(scr string) string {
	m := addressField.FindStringSubmatch(scr)
	if m == nil {
		return ""
	}
	return m[1]
}

// checkWrittenDiff: the diff view lists the files written; on the taller
// screen host_vars/molly.yml with the renamed values is in view too.
func checkWrittenDiff(t *testing.T, s *tmuxSession, height int, addr string) string {
	t.Helper()
	scr := s.waitText("Diff molly", "inventory/hosts.yml  added to in the repository", "+                molly:", "+                    ansible_host: "+addr)
	if height < 40 {
		return scr
	}
	return s.waitText("host_vars/molly.yml  created in the repository", `+  served_model_name: "qwen2.5-7b-molly"`, `+  container_name: "vllm-molly"`)
}

var demoDir = regexp.MustCompile(`(/\S*straylight-demo-\d+)`)

// checkCommit reads the last commit of the repository the header names
// (the demo removes it when it quits).
func checkCommit(t *testing.T, scr string) {
	t.Helper()
	m := demoDir.FindStringSubmatch(scr)
	if m == nil {
		t.Errorf("no demo directory in the header:\n%s", scr)
		return
	}
	out, err := exec.Command("git", "-C", m[1], "log", "-1", "--name-only", "--format=%s").CombinedOutput()
	if err != nil {
		t.Errorf("git log: %v\n%s", err, out)
		return
	}
	want := "Add host molly like armitage (ansible_host "
	if !strings.Contains(string(out), want) || !strings.Contains(string(out), "host_vars/molly.yml") || !strings.Contains(string(out), "inventory/hosts.yml") {
		t.Errorf("the last commit is\n%s\nwant %q with both files", out, want)
	}
}
