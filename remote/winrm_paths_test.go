package remote

import (
	"slices"
	"strings"
	"testing"
)

// PathKinds sends the path-kind script with the paths (golden) and
// returns the host's answer, one kind per path; an answer it does not
// know, or one of another length, is an error; a path holding '|' is
// refused before anything is sent.
func TestWinRMPathKindsSendsThePathKindScript(t *testing.T) {
	f := newFakeWSMan(t, "basic")
	answer := `{"kinds":["directory","absent"]}`
	f.override = func(c *fakeCommand) int { c.writeStdout(answer + "\r\n"); return 0 }
	f.start()
	paths := []string{`C:\vllm\cache`, `C:\vllm\old.txt`}
	kinds, err := f.client(t, nil).PathKinds(testContext(t), paths)
	if err != nil || !slices.Equal(kinds, []string{"directory", "absent"}) {
		t.Fatalf("PathKinds = %q, %v", kinds, err)
	}
	golden(t, "scripts/path-kind.ps1", onlyCommand(t, f).Script)
	for _, bad := range []string{`{"kinds":["link","absent"]}`, `{"kinds":["file"]}`} {
		answer = bad
		if _, err := f.client(t, nil).PathKinds(testContext(t), paths); err == nil || !strings.Contains(err.Error(), "unexpected kinds") {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if _, err := f.client(t, nil).PathKinds(testContext(t), []string{`C:\a|b`}); err == nil || !strings.Contains(err.Error(), "holding '|'") {
		t.Errorf("a path with '|': %v", err)
	}
}

// SetPath sends set-path with the state and the kind the plan saw
// (golden); the host's refusal (exit 3) comes back readable, and a state
// set-path does not make is refused before anything is sent.
func TestWinRMSetPathSendsTheSetPathScript(t *testing.T) {
	f := newFakeWSMan(t, "basic")
	f.override = func(c *fakeCommand) int { c.writeStdout(`{"kind":"directory"}` + "\r\n"); return 0 }
	f.start()
	w := f.client(t, nil)
	if err := w.SetPath(testContext(t), `C:\vllm\cache`, "directory", "absent"); err != nil {
		t.Fatal(err)
	}
	golden(t, "scripts/set-path.ps1", onlyCommand(t, f).Script)
	if err := w.SetPath(testContext(t), `C:\vllm\cache`, "file", "absent"); err == nil || !strings.Contains(err.Error(), `state "file" is not directory, absent or touch`) {
		t.Errorf("state file: %v", err)
	}
	f.override = func(c *fakeCommand) int {
		c.writeStderr(`C:\vllm\cache is directory on the host, the plan saw absent`)
		return 3
	}
	err := w.SetPath(testContext(t), `C:\vllm\cache`, "directory", "absent")
	if err == nil || !strings.Contains(err.Error(), "exit code 3: C:\\vllm\\cache is directory on the host, the plan saw absent") {
		t.Errorf("a changed path: %v", err)
	}
}
