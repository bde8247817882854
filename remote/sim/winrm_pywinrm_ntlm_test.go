package sim

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/oracle"
)

// pywinrmNTLMScript speaks NTLM over plain HTTP with pywinrm's default
// message_encryption ("auto": sealed over http), as Ansible does.
const pywinrmNTLMScript = `
import json, os, winrm
from winrm.exceptions import InvalidCredentialsError

url = "http://127.0.0.1:%s/wsman" % os.environ["WINRM_PORT"]
user, password = os.environ["WINRM_USER"], os.environ["WINRM_PASSWORD"]

def result(r):
    err = r.std_err.decode("utf-8", "replace") if isinstance(r.std_err, bytes) else r.std_err
    return {"out": r.std_out.decode("utf-8", "replace"), "err": err, "code": r.status_code}

s = winrm.Session(url, auth=(user, password), transport="ntlm")
out = {
    "hostname": result(s.run_cmd("hostname")),
    "exit": result(s.run_cmd("exit 3")),
    "read": result(s.run_ps(os.environ["READ_SCRIPT"])),
    # run_cmd with straylight's command line (pywinrm 0.3.0's run_ps fails on
    # any stderr under Python 3: bytes.startswith(str) in _clean_error_msg).
    "restart": result(s.run_cmd(os.environ["RESTART_LINE"])),
}
try:
    winrm.Session(url, auth=(user, "wrong"), transport="ntlm").run_cmd("hostname")
    out["auth"] = "no error"
except InvalidCredentialsError as e:
    out["auth"] = type(e).__name__
print(json.dumps(out))
`

// pywinrmPythons are the interpreters with pywinrm: Debian's python3-winrm
// and the newest from PyPI in the venv .ci/venvs creates.
func pywinrmPythons(t *testing.T) map[string]string {
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	return map[string]string{
		"debian": debianPython,
		"pip":    filepath.Join(cache, "straylight", "venv-pywinrm", "bin", "python"),
	}
}

func requirePython(t *testing.T, python string) {
	t.Helper()
	if err := exec.Command(python, "-c", "import winrm").Run(); err != nil {
		msg := python + " cannot import winrm (Debian: python3-winrm; pip: run .ci/venvs): " + err.Error()
		oracle.Missing(t, "%s", msg)
	}
}

// TestWinRMPywinrmNTLM: pywinrm (Debian's and PyPI's newest) authenticates
// to the lab with NTLM and seals every message, the lab refusing unsealed
// ones (Windows' default AllowUnencrypted=false); a failed restart handler's
// exit code comes through.
func TestWinRMPywinrmNTLM(t *testing.T) {
	for name, python := range pywinrmPythons(t) {
		t.Run(name, func(t *testing.T) {
			requirePython(t, python)
			rt := &winrmFakeRuntime{restartErr: errWinRMTestRestart}
			lab := startWinRMLab(t, rt, false)
			lab.srv.SetDenyUnencrypted(true)
			seedStartVLLM(lab.fs, winrmScriptPath)
			cmd := exec.CommandContext(winrmTestContext(t), python, "-c", pywinrmNTLMScript)
			cmd.Env = pywinrmEnv(lab, "READ_SCRIPT="+readFileScript(winrmConfigPath),
				"RESTART_LINE="+psEncodedCommandLine(seedHandler(winrmScriptPath)+"exit $LASTEXITCODE\n"), "OPENSSL_CONF="+legacyOpenSSLConf(t))
			output, err := cmd.Output()
			if err != nil {
				t.Fatalf("pywinrm: %v\n%s", err, pywinrmStderr(err))
			}
			var res map[string]json.RawMessage
			if err := json.Unmarshal(output, &res); err != nil {
				t.Fatalf("%v in %q", err, output)
			}
			checkPywinrmNTLM(t, res)
		})
	}
}

func checkPywinrmNTLM(t *testing.T, res map[string]json.RawMessage) {
	t.Helper()
	var hostname, exit, read, restart pywinrmResult
	for name, into := range map[string]*pywinrmResult{"hostname": &hostname, "exit": &exit, "read": &read, "restart": &restart} {
		if err := json.Unmarshal(res[name], into); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
	}
	if hostname.Out != "wintermute\r\n" || exit.Code != 3 {
		t.Errorf("hostname %+v, exit %+v", hostname, exit)
	}
	if read.Code != 0 || !strings.Contains(read.Out, `"exists":true`) {
		t.Errorf("read-file %+v", read)
	}
	if restart.Code != 1 || !strings.Contains(restart.Err, "Start-VLLM.ps1 -Action Restart failed") {
		t.Errorf("failed restart %+v, want exit 1 and the script's message", restart)
	}
	if string(res["auth"]) != `"InvalidCredentialsError"` {
		t.Errorf("wrong password: %s", res["auth"])
	}
}

// legacyOpenSSLConf enables OpenSSL 3's legacy provider: Debian 12's
// python3-winrm computes NTLM's MD4 with hashlib (ntlm-auth), which OpenSSL 3
// serves only from that provider ("unsupported hash type md4" otherwise).
// pyspnego, in newer pywinrm, has its own MD4 and does not need it.
func legacyOpenSSLConf(t *testing.T) string {
	path := filepath.Join(t.TempDir(), "openssl-legacy.cnf")
	conf := "openssl_conf = openssl_init\n[openssl_init]\nproviders = provider_sect\n" +
		"[provider_sect]\ndefault = default_sect\nlegacy = legacy_sect\n" +
		"[default_sect]\nactivate = 1\n[legacy_sect]\nactivate = 1\n"
	if err := os.WriteFile(path, []byte(conf), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
