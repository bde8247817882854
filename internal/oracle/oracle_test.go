package oracle

import "testing"

func TestMajorMinor(t *testing.T) {
	for line, want := range map[string]string{
		"ansible-playbook [core 2.19.14]": "2.19",
		"ansible-playbook [core 2.14.18]": "2.14",
		"ansible [core 2.20.0rc1]":        "2.20",
		"ansible-playbook 2.9.27":         "",
		"ansible-playbook [core 2]":       "",
		"ansible-playbook [core 2.19":     "",
	} {
		got, ok := majorMinor(line)
		if got != want || ok != (want != "") {
			t.Errorf("majorMinor(%q) = %q, %v; want %q", line, got, ok, want)
		}
	}
}

// recorder is a testing.TB that records how the test would have ended.
type recorder struct {
	testing.TB
	fatal, skip, logged string
}

func (r *recorder) Helper()                   {}
func (r *recorder) Fatalf(f string, a ...any) { r.fatal = f }
func (r *recorder) Skipf(f string, a ...any)  { r.skip = f }
func (r *recorder) Logf(f string, a ...any)   { r.logged = f }
func (r *recorder) ended() (fatal, skip, logged bool) {
	return r.fatal != "", r.skip != "", r.logged != ""
}

func TestMissingSkipsUnlessRequired(t *testing.T) {
	for _, required := range []string{"", "1"} {
		t.Setenv(RequireEnv, required)
		var missing, note recorder
		Missing(&missing, "curl is not installed")
		Note(&note, "pip's ansible-core: not found")
		fatal, skip, _ := missing.ended()
		nFatal, nSkip, nLogged := note.ended()
		if want := required == "1"; fatal != want || skip == want {
			t.Errorf("%s=%q: Missing fatal=%v skip=%v", RequireEnv, required, fatal, skip)
		}
		if want := required == "1"; nFatal != want || nLogged == want || nSkip {
			t.Errorf("%s=%q: Note fatal=%v logged=%v skip=%v", RequireEnv, required, nFatal, nLogged, nSkip)
		}
	}
}
