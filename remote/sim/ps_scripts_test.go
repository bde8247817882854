package sim

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// The lab refuses a contract script whose body is not the one straylight
// ships: replacing a body with something destructive fails the command
// instead of being "performed" by the lab on the strength of its marker.
func TestLabRefusesABrokenContractBody(t *testing.T) {
	broken := []string{
		"Remove-Item -Recurse -Force C:\\ ; exit 1\n",
		"", // the body left out
		strings.Replace(psKnownScript("read-file.ps1"), "exit 0", "exit 3", 1), // one changed word
	}
	for _, op := range []string{"read-file", "write-file", "host-status", "host-info", "remove-temp", "path-kind", "set-path"} {
		for i, body := range broken {
			h := newPSTestHost(&winrmFakeRuntime{})
			h.fs.WriteFile(winrmConfigPath, []byte("vllm:\r\n"))
			script := contractHeader(op) + body
			code, out := psRun(h, psScriptLine(script), "QUJD\n")
			if code != 1 || !strings.Contains(out.stderr.String(), "is not the one straylight ships") || out.stdout.Len() != 0 {
				t.Errorf("%s, broken body %d: exit %d stdout %q stderr %q", op, i, code, out.stdout.String(), out.stderr.String())
			}
			if (op == "write-file" || op == "set-path") && string(mustRead(t, h.fs, winrmConfigPath)) != "vllm:\r\n" {
				t.Errorf("%s, broken body %d: the lab wrote the file anyway", op, i)
			}
		}
	}
}

func contractHeader(op string) string {
	header := contractScript(op, "Path", winrmConfigPath, "Sha256", strings.Repeat("0", 64), "Backup", winrmConfigPath+".bak")
	if op == "host-status" {
		header = contractScript(op, "Container", "vllm-wintermute")
	}
	switch op {
	case "read-file":
		header = contractScript(op, "Path", winrmConfigPath)
	case "path-kind":
		header = contractScript(op, "Paths", winrmConfigPath)
	case "set-path":
		header = contractScript(op, "Path", winrmConfigPath, "State", "absent", "Kind", "file")
	case "remove-temp":
		header = contractScript(op, "Path", `C:\Users\mdt\AppData\Local\Temp\straylight-doctor-1`)
	case "host-info":
		header = contractScript(op)
	}
	return strings.TrimSuffix(header, psKnownScript(op+".ps1"))
}

func mustRead(t *testing.T, fs *FS, path string) []byte {
	t.Helper()
	b, ok := fs.ReadFile(path)
	if !ok {
		t.Fatalf("%s is missing", path)
	}
	return b
}

// The shipped bodies themselves run (the contract tests use them too).
func TestLabRunsTheShippedBodies(t *testing.T) {
	h := newPSTestHost(&winrmFakeRuntime{})
	code, out := psRun(h, psScriptLine(readFileScript(winrmConfigPath)), "")
	if code != 0 || strings.TrimSpace(out.stdout.String()) != `{"exists":false}` {
		t.Errorf("read-file: exit %d %q %q", code, out.stdout.String(), out.stderr.String())
	}
}

// A Start-VLLM.ps1 that differs from the reviewed copy (here: `throw`) is
// not restarted by the lab: the handler fails.
func TestLabRefusesAnUnreviewedStartVLLM(t *testing.T) {
	rt := &winrmFakeRuntime{}
	h := newPSTestHost(rt)
	seedStartVLLM(h.fs, winrmScriptPath)
	h.fs.WriteFile(winrmScriptPath, []byte("throw 'broken'\r\n"))
	code, out := psRun(h, psScriptLine(seedHandler(winrmScriptPath)+"exit $LASTEXITCODE\n"), "")
	if code != 1 || rt.restarts.Load() != 0 || !strings.Contains(out.stderr.String(), "is not the Start-VLLM.ps1 the lab simulates") {
		t.Errorf("exit %d, %d restarts, stderr %q", code, rt.restarts.Load(), out.stderr.String())
	}
}

// The lab's Start-VLLM.ps1 is the example repository's, byte for byte.
func TestLabStartVLLMIsTheExamplesScript(t *testing.T) {
	example, err := os.ReadFile(filepath.Join("..", "..", "examples", "homelab", "roles", "windows-vllm-deploy", "files", "Start-VLLM.ps1"))
	if err != nil {
		t.Fatal(err)
	}
	if !psSameText(string(example), psKnownScript("Start-VLLM.ps1")) {
		t.Error("examples/homelab's Start-VLLM.ps1 differs from remote/sim/scripts/Start-VLLM.ps1: review the change and copy it")
	}
}

// Fix 4: a failed restart reaches the caller as a non-zero exit code through
// win_shell's trailer `exit $LASTEXITCODE`, with the script's one stderr line.
func TestLabFailedRestartExitsNonZero(t *testing.T) {
	for name, setup := range map[string]func(h *psHost, rt *winrmFakeRuntime){
		"restart fails":      func(_ *psHost, rt *winrmFakeRuntime) { rt.restartErr = errors.New("port is already allocated") },
		"docker not running": func(h *psHost, _ *winrmFakeRuntime) { h.faults.dockerDown.Store(true) },
		"config.yml missing": func(h *psHost, _ *winrmFakeRuntime) { h.fs.Remove(`C:\Users\mdt\dev\wintermute\config.yml`) },
	} {
		t.Run(name, func(t *testing.T) {
			rt := &winrmFakeRuntime{}
			h := newPSTestHost(rt)
			h.faults = &psHostFaults{}
			seedStartVLLM(h.fs, winrmScriptPath)
			setup(h, rt)
			code, out := psRun(h, psScriptLine(seedHandler(winrmScriptPath)+"exit $LASTEXITCODE\n"), "")
			if code != 1 || !strings.HasPrefix(out.stderr.String(), "Start-VLLM.ps1 -Action Restart failed: ") {
				t.Errorf("exit %d stderr %q", code, out.stderr.String())
			}
		})
	}
}

func TestLabSucceededRestartExitsZero(t *testing.T) {
	rt := &winrmFakeRuntime{}
	h := newPSTestHost(rt)
	seedStartVLLM(h.fs, winrmScriptPath)
	code, out := psRun(h, psScriptLine(seedHandler(winrmScriptPath)+"exit $LASTEXITCODE\n"), "")
	if code != 0 || rt.restarts.Load() != 1 || out.stderr.Len() != 0 {
		t.Errorf("exit %d, %d restarts, stderr %q", code, rt.restarts.Load(), out.stderr.String())
	}
}

// The new faults show in host-status the way the real script reports them.
func TestLabHostStatusFaults(t *testing.T) {
	h := newPSTestHost(&winrmFakeRuntime{})
	h.faults, h.user = &psHostFaults{}, "mdt"
	h.faults.dockerDown.Store(true)
	h.faults.noNvidiaSMI.Store(true)
	code, out := psRun(h, psScriptLine(hostStatusScript("vllm-wintermute")), "")
	var st psHostStatus
	if err := json.Unmarshal([]byte(strings.TrimSpace(out.stdout.String())), &st); err != nil || code != 0 {
		t.Fatalf("exit %d %v %q", code, err, out.stdout.String())
	}
	if st.GPUExit != 127 || st.DockerExit != 1 || st.DockerErr != psDockerDownMessage || st.Docker != "" || st.User != "mdt" {
		t.Errorf("%+v", st)
	}
}

// Fix 1, checked statically (no Windows PowerShell here): the reviewed
// Start-VLLM.ps1 assigns no automatic variable, throws no native stderr away
// under 'Stop', runs docker only through Invoke-Native (which sets
// 'Continue' in its own scope) and ends every path with an exit code.
func TestStartVLLMScriptRules(t *testing.T) {
	script := psKnownScript("Start-VLLM.ps1")
	automatic := regexp.MustCompile(`(?i)\$(args|input|_|psitem|matches|error|host|this|lastexitcode|pscmdlet|myinvocation|psboundparameters|true|false|null)\s*(\+|-)?=[^=]`)
	if m := automatic.FindString(script); m != "" {
		t.Errorf("assigns an automatic variable: %q", m)
	}
	if strings.Contains(script, "2>$null") {
		t.Error("throws a native command's stderr away (2>$null), which Windows PowerShell 5.1 turns into a terminating error under 'Stop'")
	}
	direct := regexp.MustCompile(`(?m)^\s*(&\s*)?docker(\.exe)?\s`)
	if m := direct.FindString(script); m != "" {
		t.Errorf("runs docker outside Invoke-Native: %q", m)
	}
	for _, want := range []string{"$ErrorActionPreference = 'Continue'", "2>&1", "exit 0", "exit 1", "[Console]::Error.WriteLine"} {
		if !strings.Contains(script, want) {
			t.Errorf("lacks %q", want)
		}
	}
}

// remove-temp deletes only a straylight-doctor-* directory in the temp
// directory; any other path is refused with exit 2 and nothing removed.
func TestLabRemoveTempRefusesOtherPaths(t *testing.T) {
	h := newPSTestHost(&winrmFakeRuntime{})
	h.user = "mdt"
	scratch := `C:\Users\mdt\AppData\Local\Temp\straylight-doctor-01`
	h.fs.WriteFile(scratch+`\a.txt`, []byte("a"))
	h.fs.WriteFile(winrmConfigPath, []byte("keep"))
	for _, path := range []string{`C:\Users\mdt\dev`, `C:\Users\mdt\AppData\Local\Temp`, `C:\Users\mdt\AppData\Local\Temp\other`,
		`C:\Users\mdt\AppData\Local\Temp\straylight-doctor-01\..\..\..`} {
		code, out := psRun(h, psScriptLine(contractScript("remove-temp", "Path", path)), "")
		if code != 2 || !strings.Contains(out.stderr.String(), "refused") {
			t.Errorf("%s: exit %d %q", path, code, out.stderr.String())
		}
	}
	code, _ := psRun(h, psScriptLine(contractScript("remove-temp", "Path", scratch)), "")
	if _, left := h.fs.ReadFile(scratch + `\a.txt`); code != 0 || left || !h.fs.Exists(winrmConfigPath) {
		t.Errorf("exit %d, scratch left %v, config kept %v", code, left, h.fs.Exists(winrmConfigPath))
	}
}

// set-path checks the kind first (exit 3, nothing changed), then makes a
// directory with its parents, removes a tree, or touches a file in an
// existing directory; path-kind reads what it left.
func TestLabSetPathAndPathKind(t *testing.T) {
	h := newPSTestHost(&winrmFakeRuntime{})
	h.fs.WriteFile(`C:\v\logs\a.log`, []byte("a"))
	run := func(path, state, kind string) (int, string) {
		code, out := psRun(h, psScriptLine(contractScript("set-path", "Path", path, "State", state, "Kind", kind)), "")
		return code, out.stdout.String() + out.stderr.String()
	}
	kind := func(path string) string {
		_, out := psRun(h, psScriptLine(contractScript("path-kind", "Paths", path+`|C:\nothing`)), "")
		var k struct{ Kinds []string }
		if err := json.Unmarshal([]byte(out.stdout.String()), &k); err != nil || len(k.Kinds) != 2 || k.Kinds[1] != "absent" {
			t.Fatalf("path-kind %s: %q", path, out.stdout.String())
		}
		return k.Kinds[0]
	}
	if code, out := run(`C:\v\logs`, "absent", "file"); code != 3 || !strings.Contains(out, "the plan saw file") || kind(`C:\v\logs\a.log`) != "file" {
		t.Errorf("kind mismatch: exit %d %q", code, out)
	}
	if code, out := run(`C:\v\new\deep`, "directory", "absent"); code != 0 || kind(`C:\v\new`) != "directory" || kind(`C:\v\new\deep`) != "directory" {
		t.Errorf("directory: exit %d %q", code, out)
	}
	if code, out := run(`C:\v\nowhere\t.txt`, "touch", "absent"); code != 1 || !strings.Contains(out, "Could not find a part of the path") {
		t.Errorf("touch without a parent: exit %d %q", code, out)
	}
	if code, out := run(`C:\v\new\t.txt`, "touch", "absent"); code != 0 || string(mustRead(t, h.fs, `C:\v\new\t.txt`)) != "" {
		t.Errorf("touch: exit %d %q", code, out)
	}
	if code, out := run(`C:\v\logs`, "absent", "directory"); code != 0 || kind(`C:\v\logs`) != "absent" || kind(`C:\v\logs\a.log`) != "absent" {
		t.Errorf("absent: exit %d %q", code, out)
	}
}
