package ui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestAddHostFormCancelsValidatesAndWrites: n on armitage opens the form;
// esc closes it; enter on a bad name says why; a good one writes molly
// through the Session into the example's copy, the diff lists the files
// written, and c commits them.
func TestAddHostFormCancelsValidatesAndWrites(t *testing.T) {
	f := newFixture(t)
	m := f.ready(100, 30)
	m, _ = pressKeys(m, "j", "n")
	if m.current() != viewAddHost {
		t.Fatalf("n opened %s", m.current())
	}
	mustContain(t, screen(m), "Add a host", "template host  armitage")
	m, cmd := pressKeys(m, "esc")
	m = settle(t, m, cmd)
	if m.current() != viewFleet {
		t.Fatalf("esc left the form for %s", m.current())
	}
	m, _ = pressKeys(m, "n", "w", "i", "n", "t", "e", "r", "m", "u", "t", "e", "enter")
	mustContain(t, screen(m), "✗ name: wintermute is already in the inventory")
	m, _ = pressKeys(m, "ctrl+u", "m", "o", "l", "l", "y", "tab", "1", "2", "7", ".", "0", ".", "0", ".", "9")
	m, cmd = pressKeys(m, "enter")
	m = settle(t, m, cmd)
	mustContain(t, screen(m), "Diff molly", "inventory/hosts.yml  added to in the repository", "+        molly:")
	if _, err := os.Stat(filepath.Join(f.dir, "host_vars", "molly.yml")); err != nil {
		t.Fatalf("host_vars/molly.yml was not written: %v", err)
	}
	m, cmd = pressKeys(m, "c")
	settle(t, m, cmd)
	if len(f.commits) != 1 || !strings.HasPrefix(f.commits[0], "Add host molly like armitage (ansible_host 127.0.0.9)") {
		t.Fatalf("commits %q", f.commits)
	}
}
