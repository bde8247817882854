package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/url"
	"os/exec"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/oracle"
)

// requireTool skips without the tool, or fails under STRAYLIGHT_REQUIRE_ORACLES=1.
func requireTool(t *testing.T, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	oracle.Missing(t, "%s is not installed", what)
}

// serveLab runs `straylight --serve-lab DIR` in-process until the test ends
// and returns the endpoints it printed before "ready".
func serveLab(t *testing.T, extra ...string) map[string]endpoint {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	dir := t.TempDir()
	go func() {
		done <- run(ctx, append([]string{"--serve-lab", dir}, extra...), strings.NewReader(""), pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return readEndpoints(t, pr)
}

func readEndpoints(t *testing.T, r io.Reader) map[string]endpoint {
	t.Helper()
	eps := map[string]endpoint{}
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		if sc.Text() == "ready" {
			go io.Copy(io.Discard, r)
			return eps
		}
		var ep endpoint
		if err := json.Unmarshal(sc.Bytes(), &ep); err != nil {
			t.Fatalf("serve-lab printed %q: %v", sc.Text(), err)
		}
		eps[ep.Host] = ep
	}
	t.Fatal("serve-lab ended before printing ready")
	return nil
}

func TestServeLabPrintsLoopbackEndpointsOnly(t *testing.T) {
	eps := serveLab(t)
	for _, name := range []string{"wintermute", "armitage", "motoko", "case", "riviera", "dixie"} {
		if _, ok := eps[name]; !ok {
			t.Fatalf("no endpoint for %s in %v", name, eps)
		}
	}
	for host, ep := range eps {
		for _, u := range []string{ep.WinRMURL, ep.WinRMHTTPSURL, ep.VLLMURL, ep.LlamaCppURL, ep.LiteLLMURL} {
			if u != "" {
				assertLoopbackURL(t, host, u)
			}
		}
		if ep.SSHHost != "" {
			assertLoopbackURL(t, host, fmt.Sprintf("ssh://%s:%d", ep.SSHHost, ep.SSHPort))
		}
	}
	if c := eps["case"]; c.SSHPort == 0 || c.SSHUser == "" || c.SSHKey == "" || c.KnownHosts == "" {
		t.Fatalf("case's endpoint lacks its SSH login: %+v", c)
	}
}

func assertLoopbackURL(t *testing.T, host, raw string) {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatalf("%s: %q: %v", host, raw, err)
	}
	ip := net.ParseIP(u.Hostname())
	if ip == nil || !ip.IsLoopback() {
		t.Fatalf("%s: %s is not a loopback IP literal", host, raw)
	}
}

func TestPywinrmRunsAgainstServeLab(t *testing.T) {
	requireTool(t, exec.Command("/usr/bin/python3", "-c", "import winrm").Run() == nil, "Debian's python3-winrm")
	ep := serveLab(t)["wintermute"]
	script := `
import sys, winrm
s = winrm.Session(sys.argv[1], auth=(sys.argv[2], sys.argv[3]), transport="basic")
r = s.run_cmd("hostname")
assert r.status_code == 0, r
print("cmd:" + r.std_out.decode().strip())
r = s.run_ps("nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw --format=csv,noheader,nounits")
assert r.status_code == 0, r
print("ps:" + r.std_out.decode().strip())
`
	out, err := exec.Command("/usr/bin/python3", "-c", script, ep.WinRMURL, ep.WinRMUser, ep.WinRMPassword).CombinedOutput()
	if err != nil {
		t.Fatalf("pywinrm: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "cmd:wintermute") || !strings.Contains(string(out), "ps:0,") {
		t.Fatalf("pywinrm output:\n%s", out)
	}
}

func TestCurlStreamsFromServeLabVLLMAndLiteLLM(t *testing.T) {
	_, err := exec.LookPath("curl")
	requireTool(t, err == nil, "curl")
	eps := serveLab(t)
	body := `{"model":"%s","stream":true,"max_tokens":8,"messages":[{"role":"user","content":"hi"}]}`
	cases := []struct{ url, model, key string }{
		{eps["armitage"].VLLMURL, "qwen2.5-7b-armitage", ""},
		{eps["motoko"].LiteLLMURL, "local/fast", eps["motoko"].LiteLLMKey},
	}
	for _, c := range cases {
		args := []string{"-sN", "--max-time", "20", "-H", "Content-Type: application/json",
			"-d", strings.Replace(body, "%s", c.model, 1), c.url + "/v1/chat/completions"}
		if c.key != "" {
			args = append(args, "-H", "Authorization: Bearer "+c.key)
		}
		out, err := exec.Command("curl", args...).Output()
		if err != nil {
			t.Fatalf("curl %s: %v", c.url, err)
		}
		if !strings.HasSuffix(strings.TrimRight(string(out), "\n"), "data: [DONE]") {
			t.Fatalf("%s: stream does not end in data: [DONE]:\n%s", c.url, out)
		}
	}
}
