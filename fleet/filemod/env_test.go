package filemod

import (
	"os/exec"
	"strings"
	"testing"
)

// The run script exports the environment before the module's test and the
// command: sh sees each value byte for byte, quotes and newlines included.
func TestRunScriptExportsTheEnvironment(t *testing.T) {
	env, err := EnvVars([]EnvVar{{Name: "Z", Value: "None", Null: true}, {Name: "Q", Value: "it's \"q\"\n$HOME"}, {Name: "B", Value: "True"}, {Name: "N", Value: "7"}})
	if err != nil {
		t.Fatal(err)
	}
	a := CommandArgs{Shell: true, Line: `printf '%s|%s|%s|%s' "$Q" "$B" "$N" "$Z"`, Env: env}
	out, err := exec.Command("/bin/sh", "-c", a.RunScript()).Output()
	if err != nil {
		t.Fatal(err)
	}
	if want := "it's \"q\"\n$HOME|True|7|None"; string(out) != want {
		t.Errorf("sh printed %q, want %q", out, want)
	}
}

func TestEnvVarsRefusesWhatShCannotExport(t *testing.T) {
	for _, name := range []string{"A-B", "1A", ""} {
		env := []EnvVar{{Name: "OK", Value: "x"}, {Name: name, Value: "x"}}
		if _, err := EnvVars(env); err == nil || !strings.Contains(err.Error(), "environment variable") {
			t.Errorf("%v: error %v", env, err)
		}
	}
}
