package remote

import (
	"strings"
	"testing"
)

// PathKind sends the path-kind script (golden) and returns the host's
// answer; an answer it does not know is an error.
func TestWinRMPathKindSendsThePathKindScript(t *testing.T) {
	f := newFakeWSMan(t, "basic")
	answer := `{"kind":"directory"}`
	f.override = func(c *fakeCommand) int { c.writeStdout(answer + "\r\n"); return 0 }
	f.start()
	kind, err := f.client(t, nil).PathKind(testContext(t), `C:\vllm\cache`)
	if err != nil || kind != "directory" {
		t.Fatalf("PathKind = %q, %v", kind, err)
	}
	golden(t, "scripts/path-kind.ps1", onlyCommand(t, f).Script)
	answer = `{"kind":"link"}`
	if _, err := f.client(t, nil).PathKind(testContext(t), `C:\vllm\cache`); err == nil || !strings.Contains(err.Error(), `unexpected kind "link"`) {
		t.Errorf("an unknown kind: %v", err)
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
