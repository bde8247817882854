package testfixture

import (
	"strings"
	"testing"
)

func TestFindsTheRepositoryFixtures(t *testing.T) {
	if dir := Dir(t, "wire"); !strings.HasSuffix(dir, "testdata/wire") {
		t.Errorf("Dir(wire) = %s", dir)
	}
	if b := Read(t, "winrm", "README.md"); !strings.Contains(string(b), "WinRM") {
		t.Errorf("winrm/README.md reads %q", b[:min(len(b), 80)])
	}
}

// A missing fixture fails the test rather than skipping it.
func TestMissingFixtureFails(t *testing.T) {
	probe := &failRecorder{TB: t}
	func() {
		defer func() { recover() }() // Fatalf stops the caller; see failRecorder
		Read(probe, "wire", "no-such-file.json")
	}()
	if !probe.failed || probe.skipped {
		t.Errorf("missing fixture: failed=%v skipped=%v, want a failure", probe.failed, probe.skipped)
	}
}

// failRecorder records Fatalf/Skip instead of ending the real test; it
// panics to stop the helper as runtime.Goexit would.
type failRecorder struct {
	testing.TB
	failed, skipped bool
}

func (r *failRecorder) Helper() {}

func (r *failRecorder) Fatalf(string, ...any) { r.failed = true; panic("fatal") }

func (r *failRecorder) Fatal(...any) { r.failed = true; panic("fatal") }

func (r *failRecorder) Skip(...any) { r.skipped = true; panic("skip") }

func (r *failRecorder) Skipf(string, ...any) { r.skipped = true; panic("skip") }
