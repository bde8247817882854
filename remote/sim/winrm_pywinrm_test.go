package sim

import (
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/oracle"
)

// debianPython is Debian's interpreter, the one with python3-winrm installed
// (the python3 on PATH may be another one without it).
const debianPython = "/usr/bin/python3"

// pywinrmScript runs commands through pywinrm's public Session API and
// prints one JSON object of results.
const pywinrmScript = `
import json, os, winrm
from winrm.exceptions import InvalidCredentialsError

url = "http://127.0.0.1:%s/wsman" % os.environ["WINRM_PORT"]
user, password = os.environ["WINRM_USER"], os.environ["WINRM_PASSWORD"]

def result(r):
    err = r.std_err.decode("utf-8", "replace") if isinstance(r.std_err, bytes) else r.std_err
    return {"out": r.std_out.decode("utf-8", "replace"), "err": err, "code": r.status_code}

s = winrm.Session(url, auth=(user, password), transport="basic", operation_timeout_sec=1, read_timeout_sec=5)
out = {
    "hostname": result(s.run_cmd("hostname")),
    "exit": result(s.run_cmd("exit 3")),
    "unknown": result(s.run_cmd("dir")),
    "ps": result(s.run_ps("$n = 'lab'; Write-Output \"hello $n\"")),
    "read": result(s.run_ps(os.environ["READ_SCRIPT"])),
    "sleep": result(s.run_ps("Start-Sleep -Seconds 2")),
}
try:
    winrm.Session(url, auth=(user, "wrong"), transport="basic").run_cmd("hostname")
    out["auth"] = "no error"
except InvalidCredentialsError as e:
    out["auth"] = type(e).__name__
print(json.dumps(out))
`

type pywinrmResult struct {
	Out  string `json:"out"`
	Err  string `json:"err"`
	Code int    `json:"code"`
}

// requirePywinrm skips the test when Debian's pywinrm is missing, unless
// STRAYLIGHT_REQUIRE_ORACLES=1 makes that a failure.
func requirePywinrm(t *testing.T) {
	t.Helper()
	if err := exec.Command(debianPython, "-c", "import winrm").Run(); err != nil {
		msg := debianPython + " cannot import winrm (Debian package python3-winrm): " + err.Error()
		oracle.Missing(t, "%s", msg)
	}
}

// pywinrmEnv is the environment for the client: no proxy may see loopback traffic.
func pywinrmEnv(lab *winrmLab, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.Contains(strings.ToLower(strings.SplitN(kv, "=", 2)[0]), "proxy") {
			env = append(env, kv)
		}
	}
	env = append(env, "NO_PROXY=127.0.0.1,localhost", "WINRM_PORT="+strconv.Itoa(lab.port),
		"WINRM_USER="+winrmTestUser, "WINRM_PASSWORD="+winrmTestPassword)
	return append(env, extra...)
}

// TestWinRMPywinrm checks the lab against an independent client: Debian's
// pywinrm runs cmd and PowerShell commands, reads a file through the
// contract script, polls through OperationTimeout faults, asserts RelatesTo
// on Signal and Delete, and reports bad credentials as such.
func TestWinRMPywinrm(t *testing.T) {
	requirePywinrm(t)
	lab := startWinRMLab(t, &winrmFakeRuntime{}, false)
	lab.fs.WriteFile(winrmConfigPath, []byte("vllm:\r\n  port: 8000\r\n"))
	cmd := exec.CommandContext(winrmTestContext(t), debianPython, "-c", pywinrmScript)
	cmd.Env = pywinrmEnv(lab, "READ_SCRIPT="+readFileScript(winrmConfigPath))
	output, err := cmd.Output()
	if err != nil {
		t.Fatalf("pywinrm: %v\n%s", err, pywinrmStderr(err))
	}
	var res map[string]json.RawMessage
	if err := json.Unmarshal(output, &res); err != nil {
		t.Fatalf("%v in %q", err, output)
	}
	checkPywinrmResults(t, res)
	if lab.faults.Load() == 0 {
		t.Error("Start-Sleep 2 with a 1 s OperationTimeout drew no OperationTimeout fault")
	}
}

func pywinrmStderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

func checkPywinrmResults(t *testing.T, res map[string]json.RawMessage) {
	t.Helper()
	want := map[string]pywinrmResult{
		"hostname": {Out: "wintermute\r\n"},
		"exit":     {Code: 3},
		"unknown":  {Err: "not simulated: dir\r\n", Code: 1},
		"ps":       {Out: "hello lab\r\n"},
		"sleep":    {},
	}
	for name, w := range want {
		var got pywinrmResult
		if err := json.Unmarshal(res[name], &got); err != nil || got != w {
			t.Errorf("%s: got %+v (%v), want %+v", name, got, err, w)
		}
	}
	checkPywinrmRead(t, res["read"])
	if string(res["auth"]) != `"InvalidCredentialsError"` {
		t.Errorf("bad credentials: %s", res["auth"])
	}
}

func checkPywinrmRead(t *testing.T, raw json.RawMessage) {
	t.Helper()
	var got pywinrmResult
	var file psFilePresent
	if err := json.Unmarshal(raw, &got); err != nil || got.Code != 0 {
		t.Fatalf("read-file: %s", raw)
	}
	if err := json.Unmarshal([]byte(got.Out), &file); err != nil {
		t.Fatalf("read-file output %q: %v", got.Out, err)
	}
	content, _ := base64.StdEncoding.DecodeString(file.Content)
	if !file.Exists || string(content) != "vllm:\r\n  port: 8000\r\n" || file.SHA256 != psSHA256Hex(content) {
		t.Errorf("read-file: %+v", file)
	}
}
