package filemod

import (
	"strings"
	"testing"
)

// TestWinFileDecidesAsTheModule: win_file.ps1's decision for each state
// and kind (ansible.windows a1e2a842ab8fd9db7108e0fda80dbb36ee04c07e,
// plugins/modules/win_file.ps1, the lines cited).
func TestWinFileDecidesAsTheModule(t *testing.T) {
	cases := []struct {
		state, kind   string
		changed       bool
		script, after string
		err           string
	}{
		{"directory", "absent", true, "directory", "directory", ""},          // :234-253
		{"directory", "directory", false, "", "directory", ""},               // :210
		{"directory", "file", false, "", "", `path C:\p is not a directory`}, // :210-212
		{"file", "file", false, "", "file", ""},                              // :214
		{"file", "directory", false, "", "", `path C:\p is not a file`},      // :214-216
		{"file", "absent", false, "", "", `path C:\p will not be created`},   // :260-262
		{"absent", "file", true, "absent", "absent", ""},                     // :205-208
		{"absent", "directory", true, "absent", "absent", ""},                // :205-208
		{"absent", "absent", false, "", "absent", ""},                        // :220-264: nothing
		{"touch", "absent", true, "touch", "file", ""},                       // :188-192
		{"touch", "file", true, "touch", "file", ""},                         // :185-187: new times
		{"touch", "directory", true, "touch", "directory", ""},               // :185-187
		{"", "directory", false, "", "directory", ""},                        // :203-219
		{"", "absent", false, "", "", `path C:\p will not be created`},       // :224-228, :260-262
	}
	for _, c := range cases {
		r, err := WinFile(FileArgs{Path: `C:\p`, State: c.state, Windows: true}, c.kind)
		switch {
		case c.err != "" && (err == nil || err.Error() != c.err):
			t.Errorf("%s on %s: error %v, want %q", c.state, c.kind, err, c.err)
		case c.err == "" && (err != nil || r.Changed != c.changed || r.Script != c.script || r.After != c.after):
			t.Errorf("%s on %s: %+v %v, want changed %v script %q after %q", c.state, c.kind, r, err, c.changed, c.script, c.after)
		}
	}
}

func TestWinFileArgs(t *testing.T) {
	a, err := ParseWinFileArgs(map[string]any{"dest": `C:\x`, "state": "touch"})
	if err != nil || a.Path != `C:\x` || a.State != "touch" || !a.Windows {
		t.Errorf("%+v %v", a, err)
	}
	for _, args := range []map[string]any{
		{"path": `C:\x`, "state": "link"},
		{"path": `C:\x`, "state": "touch", "modification_time": "now"},
		{"path": `%TEMP%\x`, "state": "directory"},
		{"state": "directory"},
	} {
		if _, err := ParseWinFileArgs(args); err == nil {
			t.Errorf("%v: accepted", args)
		}
	}
	if _, err := WinFile(FileArgs{Path: `C:\d\`, Windows: true}, "absent"); err == nil || !strings.Contains(err.Error(), "Split-Path") {
		t.Errorf("no state, path ending in a separator: %v", err)
	}
}
