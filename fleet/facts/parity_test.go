package facts

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/internal/oracle"
	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/render"
)

// TestLocalFactsEqualAnsibleSetup gathers this machine's facts over the
// local transport and compares every one, name and value, with what
// `ansible -m setup localhost -c local` reports, for each ansible-core
// installed (Debian's and pip's newest, found as fleet/plan's parity tests
// find them).
func TestLocalFactsEqualAnsibleSetup(t *testing.T) {
	oracles := oracle.Cores(t)
	// As this process's user, and as a login name with no passwd entry
	// (the lab's SSH sessions have one): the user facts then come from the
	// real uid's entry.
	for _, login := range []string{"", "straylight-no-such-user"} {
		if login != "" {
			t.Setenv("LOGNAME", login)
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		ours, err := Gather(ctx, remote.NewLocal(remote.LocalConfig{}), false)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range oracles {
			t.Run(fmt.Sprintf("ansible-core %s, LOGNAME %q", o.Version, login), func(t *testing.T) {
				theirs := ansibleSetup(t, o)
				equal := compareFacts(t, ours, theirs)
				t.Logf("ansible-core %s: %d of %d gathered facts equal, name and value", o.Version, equal, len(ours))
			})
		}
	}
}

// compareFacts checks every gathered fact against setup's and counts the
// equal ones.
func compareFacts(t *testing.T, ours, theirs map[string]any) int {
	t.Helper()
	equal := 0
	for _, name := range sortedNames(ours) {
		want, ok := theirs["ansible_"+name]
		if !ok {
			t.Errorf("ansible_%s: setup gives no such fact; straylight gathers %v", name, jsonOf(ours[name]))
			continue
		}
		if name == "env" {
			want = onlyEnvNames(want)
		}
		if got := jsonOf(ours[name]); !reflect.DeepEqual(got, jsonOf(want)) {
			t.Errorf("ansible_%s: straylight %v, setup %v", name, got, jsonOf(want))
			continue
		}
		equal++
	}
	if equal != len(Names(false)) {
		t.Errorf("%d facts compared equal, straylight gathers %d names", equal, len(Names(false)))
	}
	return equal
}

// onlyEnvNames keeps HOME, PATH and USER of setup's ansible_env: the
// variables straylight reads (and the only ones a test may print).
func onlyEnvNames(env any) map[string]any {
	m, _ := env.(map[string]any)
	out := map[string]any{}
	for _, k := range envNames {
		if v, ok := m[k]; ok {
			out[k] = v
		}
	}
	return out
}

// jsonOf is a value as JSON reads it back: ordered maps become maps,
// numbers float64, so that straylight's values and setup's compare.
func jsonOf(v any) any {
	if m, ok := v.(*render.Map); ok {
		v = m.Values
	}
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("unmarshalable %T", v)
	}
	var out any
	_ = json.Unmarshal(b, &out)
	return out
}

// ansibleSetup runs the setup module on this machine with the local
// connection, in the test's own environment (ansible_env is compared).
func ansibleSetup(t *testing.T, o oracle.Core) map[string]any {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(filepath.Join(o.Bin, "ansible"), "localhost", "-m", "setup", "-c", "local", "-o")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, "tmp"), "ANSIBLE_REMOTE_TEMP="+filepath.Join(dir, "tmp"),
		"ANSIBLE_NOCOLOR=1", "ANSIBLE_LOCALHOST_WARNING=False", "ANSIBLE_INVENTORY_UNPARSED_WARNING=False", "ANSIBLE_CONFIG=")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: ansible -m setup: %v", o.Full, err)
	}
	_, js, ok := strings.Cut(string(out), "=> ")
	var reply struct {
		Facts map[string]any `json:"ansible_facts"`
	}
	if !ok || json.Unmarshal([]byte(js), &reply) != nil || len(reply.Facts) == 0 {
		t.Fatalf("%s: ansible -m setup printed no facts (%d bytes)", o.Full, len(out))
	}
	return reply.Facts
}
