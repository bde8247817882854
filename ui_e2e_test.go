package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/demo"
)

// startUILab starts the lab in this test process; the binary in tmux talks to
// it over loopback through the repository copy.
func startUILab(t *testing.T) *demo.Demo {
	t.Helper()
	d, err := demo.Start(demo.Options{Dir: t.TempDir(), LoadDelay: 400 * time.Millisecond, TokenRate: 60})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// TestTmuxSeedStory drives the real binary at 120×40 through the seed's
// story: the mismatch visible, the diff, the deploy with the route test
// streaming, the row serving the new name, q exits 0.
func TestTmuxSeedStory(t *testing.T) {
	d := startUILab(t)
	bin := buildBinary(t)
	s := startTmux(t, 120, 40, bin+" -C "+d.Dir)
	// wintermute serves what its deployed config says (no served name, so
	// the model's path): up, no mismatch; the repository's fix is the one
	// change not deployed yet.
	s.waitFor("wintermute up on its deployed config, one change to deploy", func(scr string) bool {
		row := lineWith(scr, "wintermute ")
		return strings.Contains(row, "casperhansen/llama-3-8b-instruct-awq") && strings.Contains(row, " up ") &&
			!strings.Contains(row, "≠") && strings.Contains(row, "1 change")
	})
	s.keys("/")
	s.literal("wintermute")
	s.keys("Enter", "d")
	s.waitText(`+  served_model_name: "llama31-8b-wintermute"`)
	s.keys("Escape", "a")
	s.waitText("y")
	s.keys("y")
	s.waitText("Hello!")
	s.waitFor("wintermute serving llama31-8b-wintermute", func(scr string) bool {
		return strings.Contains(lineWith(scr, "wintermute "), "llama31-8b-wintermute") || strings.Contains(scr, "llama31-8b-wintermute on wintermute")
	})
	s.waitText("✓ Deploy wintermute") // q while it runs would ask first
	s.keys("Escape")
	s.waitFor("the fleet row serving the new name", func(scr string) bool {
		return strings.Contains(lineWith(scr, "wintermute "), "llama31-8b-wintermute")
	})
	s.keys("q")
	if code := s.exitCode(); code != "0" {
		t.Fatalf("exit %s", code)
	}
}

// TestTmuxEditForm sets gpu_memory_utilization to 0.9 on armitage through the
// edit form: exactly one line of host_vars/armitage.yml changes and its
// comments survive.
func TestTmuxEditForm(t *testing.T) {
	d := startUILab(t)
	path := filepath.Join(d.Dir, "host_vars", "armitage.yml")
	before := readAll(t, path)
	bin := buildBinary(t)
	s := startTmux(t, 120, 40, bin+" -C "+d.Dir)
	s.waitText("armitage", "qwen2.5-7b-armitage")
	s.keys("/")
	s.literal("armitage")
	s.keys("Enter", "e")
	s.waitText("gpu_memory_utilization")
	for i := 0; !strings.HasPrefix(strings.TrimSpace(lineWith(s.screen(), "gpu_memory_utilization")), "›"); i++ {
		if i == 30 {
			t.Fatalf("the form never selected gpu_memory_utilization:\n%s", s.screen())
		}
		s.keys("Down")
	}
	s.keys("BSpace", "BSpace", "BSpace", "BSpace")
	s.literal("0.9")
	s.waitText("was 0.85")
	s.keys("Enter")
	s.waitText("-  gpu_memory_utilization: 0.85", "+  gpu_memory_utilization: 0.9")
	s.keys("Escape", "q")
	if code := s.exitCode(); code != "0" {
		t.Fatalf("exit %s", code)
	}
	assertOneLineChanged(t, before, readAll(t, path), "  gpu_memory_utilization: 0.9")
}

func assertOneLineChanged(t *testing.T, before, after, want string) {
	t.Helper()
	b, a := strings.Split(before, "\n"), strings.Split(after, "\n")
	if len(a) != len(b) {
		t.Fatalf("line count changed %d → %d:\n%s", len(b), len(a), after)
	}
	changed := 0
	for i := range b {
		if a[i] != b[i] {
			changed++
			if a[i] != want {
				t.Errorf("line %d became %q, want %q", i+1, a[i], want)
			}
		}
	}
	if changed != 1 || !strings.Contains(after, "# vLLM Configuration") {
		t.Fatalf("%d lines changed (want 1), or the comment is gone:\n%s", changed, after)
	}
}

// TestTmuxDeploysLinuxHostOverSSH deploys case, a Linux host reached over
// SSH, from the UI: its stale config's diff, then the deploy — the write
// with sudo (the become password from the vault), `systemctl restart vllm`,
// the health gate and the route test through LiteLLM — and the lab host's
// config.yml is the repository's afterwards.
func TestTmuxDeploysLinuxHostOverSSH(t *testing.T) {
	d, err := demo.Start(demo.Options{Dir: t.TempDir(), LoadDelay: 400 * time.Millisecond, TokenRate: 60, StaleLinux: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	info, err := d.Lab.LinuxHost("case")
	if err != nil {
		t.Fatal(err)
	}
	bin := buildBinary(t)
	s := startTmux(t, 120, 40, bin+" -C "+d.Dir)
	s.waitText("case", "llama31-8b-case")
	s.keys("/")
	s.literal("case")
	s.keys("Enter", "d")
	s.waitText("-  max_model_len: 4096", "+  max_model_len: 8192")
	s.keys("Escape", "a")
	s.waitText("y")
	s.keys("y")
	s.waitText("llama31-8b-case on case")
	s.keys("Escape")
	s.quitAfterRunningTasks()
	if code := s.exitCode(); code != "0" {
		t.Fatalf("exit %s", code)
	}
	if cfg := readAll(t, info.ConfigPath); !strings.Contains(cfg, "max_model_len: 8192") {
		t.Fatalf("case's config.yml after the deploy:\n%s", cfg)
	}
	if st := d.Lab.VLLM("case"); st == nil || st.State() != "serving" {
		t.Fatalf("case's vLLM is not serving after the deploy")
	}
}
