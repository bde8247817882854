package sim

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/internal/oracle"
)

// curlPath finds curl; without it the test skips, or fails when
// STRAYLIGHT_REQUIRE_ORACLES=1.
func curlPath(t *testing.T) string {
	t.Helper()
	return oracle.Tool(t, "curl", "apt-get install curl")
}

// curl runs curl with no proxy from the environment and a hard time limit.
func curl(t *testing.T, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	args = append([]string{"-sS", "--noproxy", "*", "--max-time", "30"}, args...)
	out, err := exec.CommandContext(ctx, curlPath(t), args...).Output()
	if err != nil {
		t.Fatalf("curl %s: %v (%s)", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func TestCurlStreamsFromVLLMAndThroughLiteLLM(t *testing.T) {
	curlPath(t)
	l := startFixtureLab(t)
	armitage, _ := l.Host("armitage")
	direct := curl(t, "-N", "-X", "POST", armitage.VLLMURL+"/v1/chat/completions",
		"-H", "Content-Type: application/json", "-d", chatBody(armitageServed, true, true))
	checkCurlStream(t, "vLLM", direct, `"model":"`+armitageServed+`"`)
	proxied := curl(t, "-N", "-X", "POST", l.proxyURL+"/v1/chat/completions", "-H", "Content-Type: application/json",
		"-H", "Authorization: Bearer "+labMasterKey, "-d", chatBody("local/fast", true, true))
	checkCurlStream(t, "LiteLLM", proxied, `"model":"local/fast"`)
}

func checkCurlStream(t *testing.T, who, out, model string) {
	t.Helper()
	if !strings.HasPrefix(out, "data: {") || !strings.HasSuffix(out, "\n\ndata: [DONE]\n\n") || !strings.Contains(out, model) {
		t.Fatalf("%s stream through curl:\n%s", who, out)
	}
	if strings.Contains(out, "\r") || strings.Count(out, "data: ") != strings.Count(out, "\n\n") {
		t.Fatalf("%s: events must be `data: …` lines each ended by a blank line:\n%q", who, out)
	}
}

func TestCurlRestartsTheProxy(t *testing.T) {
	curlPath(t)
	l := startFixtureLab(t)
	motoko, _ := l.Host("motoko")
	config := routeConfig("local/new", "openai/"+armitageServed, "http://armitage:8000/v1")
	if err := os.WriteFile(motoko.ConfigFile, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	if out := curl(t, "-X", "POST", motoko.RestartURL); out != `{"status":"restarting"}` {
		t.Fatalf("restart answered %q", out)
	}
	eventually(t, "the proxy to serve the new config", func() bool {
		body, ok := tryGet(motoko.ProxyURL+"/v1/models", bearer...)
		return ok && strings.Contains(body, `"local/new"`)
	})
}

// labPyWinRM is Debian's pywinrm, the independent WinRM client.
const labPyWinRM = `
import sys, winrm
url, user, password, ca = sys.argv[1:5]
s = winrm.Session(url, auth=(user, password), transport="basic", server_cert_validation="validate", ca_trust_path=ca)
r = s.run_cmd("hostname")
sys.stdout.write(r.std_out.decode())
sys.exit(r.status_code)
`

func TestPyWinRMTrustsTheLabOverHTTPS(t *testing.T) {
	python := "/usr/bin/python3"
	if err := exec.Command(python, "-c", "import winrm").Run(); err != nil {
		oracle.Missing(t, "%s cannot import winrm (python3-winrm): %v", python, err)
	}
	l := startFixtureLab(t)
	h, _ := l.Host("wintermute")
	ca := filepath.Join(t.TempDir(), "lab-ca.pem")
	if err := os.WriteFile(ca, l.CACertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, python, "-c", labPyWinRM, h.WinRMHTTPSURL, h.User, h.Password, ca)
	cmd.Env = append(os.Environ(), "NO_PROXY=*", "no_proxy=*")
	out, err := cmd.CombinedOutput()
	if err != nil || strings.TrimSpace(string(out)) != "wintermute" {
		t.Fatalf("pywinrm over HTTPS: %v\n%s", err, out)
	}
}
