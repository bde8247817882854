package filemod

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestServiceDecidesAsTheModule: the decision table of systemd_service's
// main() (lib/ansible/modules/systemd_service.py:497-575 at c9ac477e),
// without Ansible: fleet/plan/unitparity/units_test.go checks the same against
// ansible-playbook.
func TestServiceDecidesAsTheModule(t *testing.T) {
	unit := func(active, enabled string, rc int) UnitState {
		return UnitState{Show: map[string]string{"LoadState": "loaded", "ActiveState": active}, Enabled: enabled, EnabledRC: rc}
	}
	yes, no := true, false
	for _, c := range []struct {
		args    ServiceArgs
		st      UnitState
		actions string
		changed bool
		err     string
	}{
		{ServiceArgs{Name: "u", State: "started"}, unit("active", "enabled", 0), "", false, ""},
		{ServiceArgs{Name: "u", State: "started"}, unit("activating", "enabled", 0), "", false, ""},
		{ServiceArgs{Name: "u", State: "started"}, unit("inactive", "enabled", 0), "start", true, ""},
		{ServiceArgs{Name: "u", State: "stopped"}, unit("deactivating", "enabled", 0), "stop", true, ""},
		{ServiceArgs{Name: "u", State: "stopped"}, unit("failed", "enabled", 0), "", false, ""},
		{ServiceArgs{Name: "u", State: "restarted"}, unit("active", "enabled", 0), "restart", true, ""},
		{ServiceArgs{Name: "u", State: "reloaded"}, unit("inactive", "enabled", 0), "start", true, ""},
		{ServiceArgs{Name: "u", State: "reloaded"}, unit("active", "enabled", 0), "reload", true, ""},
		{ServiceArgs{Name: "u", Enabled: &yes}, unit("active", "disabled", 1), "enable", true, ""},
		{ServiceArgs{Name: "u", Enabled: &yes}, unit("active", "indirect", 0), "enable", true, ""},
		{ServiceArgs{Name: "u", Enabled: &no}, unit("active", "static", 0), "disable", true, ""},
		{ServiceArgs{Name: "u", Enabled: &no, State: "stopped", DaemonReload: true}, unit("active", "enabled", 0), "daemon-reload disable stop", true, ""},
		{ServiceArgs{DaemonReload: true}, UnitState{}, "daemon-reload", false, ""},
		{ServiceArgs{Name: "u", State: "started"}, UnitState{Show: map[string]string{"LoadState": "not-found", "ActiveState": "inactive"}, EnabledRC: 1},
			"", false, "Could not find the requested service u: host"},
		{ServiceArgs{Name: "u", State: "started"}, UnitState{Show: map[string]string{"LoadState": "loaded", "ActiveState": "inactive", "LoadError": "bad"}},
			"", false, "Error loading unit file 'u': bad"},
		{ServiceArgs{Name: "u", State: "started"}, UnitState{ShowRC: 1, Enabled: "enabled"}, "", false, "Service is in unknown state"},
	} {
		res, err := Service(c.args, c.st)
		if got := strings.Join(res.Actions, " "); (err == nil && (got != c.actions || res.Changed != c.changed)) || (err != nil) != (c.err != "") || (err != nil && err.Error() != c.err) {
			t.Errorf("%+v on %+v: %q changed %v, %v; want %q changed %v, %q", c.args, c.st, got, res.Changed, err, c.actions, c.changed, c.err)
		}
	}
}

// TestParseServiceArgsRefusesWhatItDoesNotRun: masked and the rest are
// left to Ansible by name; the argument spec's requirements hold.
func TestParseServiceArgsRefusesWhatItDoesNotRun(t *testing.T) {
	for args, want := range map[string]map[string]any{
		`argument "masked" of systemd is not supported`:    {"name": "u", "masked": true},
		"one of state, enabled, daemon_reload is required": {"name": "u"},
		"state and enabled require name":                   {"state": "started"},
		`state "running" is not one of`:                    {"name": "u", "state": "running"},
		`name "u*" is not a unit name`:                     {"name": "u*", "state": "started"},
	} {
		if _, err := ParseServiceArgs("systemd", want); err == nil || !strings.Contains(err.Error(), args) {
			t.Errorf("%v: %v, want %q", want, err, args)
		}
	}
	a, err := ParseServiceArgs("systemd", map[string]any{"unit": "u", "daemon-reload": "yes", "enabled": "no"})
	if err != nil || a.Name != "u" || !a.DaemonReload || a.Enabled == nil || *a.Enabled {
		t.Errorf("aliases: %+v %v", a, err)
	}
}

// TestQueryScriptReadsSystemctl runs QueryScript with a systemctl on PATH
// that records its arguments: the commands are show with the properties
// and is-enabled -l, and ParseQuery reads the answers and exit codes.
func TestQueryScriptReadsSystemctl(t *testing.T) {
	bin := t.TempDir()
	calls := filepath.Join(bin, "calls")
	stub := "#!/bin/sh\necho \"$*\" >> " + calls + "\ncase \"$1\" in show) printf 'LoadState=loaded\\nActiveState=active\\n' ;; is-enabled) echo disabled; exit 1 ;; esac\n"
	if err := os.WriteFile(filepath.Join(bin, "systemctl"), []byte(stub), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("sh", "-c", QueryScript([]string{"vllm", "a@b.service"}))
	cmd.Env = append(os.Environ(), "PATH="+bin+":"+os.Getenv("PATH"))
	out, err := cmd.Output()
	if err != nil {
		t.Fatal(err)
	}
	states, sections, err := ParseQuery(string(out))
	want := UnitState{Show: map[string]string{"LoadState": "loaded", "ActiveState": "active"}, Enabled: "disabled", EnabledRC: 1}
	for _, u := range []string{"vllm", "a@b.service"} {
		if st := states[u]; err != nil || st.Show["ActiveState"] != "active" || st.Enabled != want.Enabled || st.EnabledRC != 1 || sections[u] == "" {
			t.Errorf("%s: %+v %v", u, st, err)
		}
	}
	got, _ := os.ReadFile(calls)
	if string(got) != "show --property=LoadState,ActiveState,LoadError vllm\nis-enabled vllm -l\nshow --property=LoadState,ActiveState,LoadError a@b.service\nis-enabled a@b.service -l\n" {
		t.Errorf("systemctl ran with:\n%s", got)
	}
}
