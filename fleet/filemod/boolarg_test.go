package filemod

import (
	"strings"
	"testing"
)

// BoolArg takes what ansible-core's check_type_bool takes (every word of
// BOOLEANS_TRUE and BOOLEANS_FALSE in any case and with spaces around,
// the numbers 1 and 0, bools) and refuses the rest by name, "" and 2
// included; absent or null is the default. LooseBoolArg is boolean(v,
// strict=False): true only for BOOLEANS_TRUE. WinBoolArg adds "1.0" and
// "0.0", as Ansible.Basic's ParseBool does.
func TestBoolArgReadsAsAnsible(t *testing.T) {
	cases := []struct {
		v    any
		want bool
		ok   bool
	}{
		{true, true, true}, {false, false, true},
		{"y", true, true}, {"Yes", true, true}, {"ON", true, true}, {"1", true, true}, {"True", true, true}, {"t", true, true}, {" yes ", true, true},
		{"n", false, true}, {"NO", false, true}, {"off", false, true}, {"0", false, true}, {"false", false, true}, {"F", false, true},
		{1, true, true}, {0, false, true}, {int64(1), true, true}, {1.0, true, true}, {0.0, false, true},
		{"", false, false}, {"maybe", false, false}, {"1.0", false, false}, {2, false, false}, {0.5, false, false}, {[]any{true}, false, false},
	}
	for _, c := range cases {
		args := map[string]any{"restart": c.v}
		got, err := BoolArg(args, "restart", true)
		if c.ok && (err != nil || got != c.want) {
			t.Errorf("%#v: %v, %v; want %v", c.v, got, err, c.want)
		}
		if !c.ok && (err == nil || !strings.Contains(err.Error(), "restart: ") || !strings.Contains(err.Error(), "is not a boolean")) {
			t.Errorf("%#v: %v, %v; want an error naming restart", c.v, got, err)
		}
		if loose := LooseBoolArg(args, "restart", true); loose != (c.ok && c.want) {
			t.Errorf("%#v loosely: %v, want %v", c.v, loose, c.ok && c.want)
		}
	}
	for _, args := range []map[string]any{{}, {"restart": nil}} {
		if got, err := BoolArg(args, "restart", true); err != nil || !got || !LooseBoolArg(args, "restart", true) {
			t.Errorf("%v: %v, %v; want the default", args, got, err)
		}
	}
	for v, want := range map[string]bool{"1.0": true, " 0.0": false, "Yes": true} {
		if got, err := WinBoolArg(map[string]any{"create": v}, "create", false); err != nil || got != want {
			t.Errorf("win %q: %v, %v; want %v", v, got, err, want)
		}
	}
	if _, err := WinBoolArg(map[string]any{"create": "2.0"}, "create", false); err == nil {
		t.Error(`win "2.0": no error`)
	}
}
