package demo

import (
	"net"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestEveryAddressIsLoopback proves the demo cannot reach another network:
// after the rewrite every address straylight would dial — each host's
// connection, each vLLM API, the proxy, every route's api_base — is a
// loopback IP literal (no name left to resolve), and no file of the copy
// holds an IP address outside 127.0.0.0/8.
func TestEveryAddressIsLoopback(t *testing.T) {
	d, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	repo, err := d.open()
	if err != nil {
		t.Fatal(err)
	}
	f := repo.Fleet()
	for host, c := range f.Conns {
		assertLoopback(t, host+" connection", c.Address)
	}
	for _, g := range f.GPU {
		assertLoopback(t, g.Name+" vLLM", g.Address)
	}
	if f.Proxy == nil || len(f.Proxy.Routes) == 0 {
		t.Fatal("the demo has no proxy routes")
	}
	assertLoopback(t, "proxy", f.Proxy.Address)
	for _, r := range f.Proxy.Routes {
		u, err := url.Parse(r.APIBase)
		if err != nil {
			t.Fatal(err)
		}
		assertLoopback(t, "route "+r.Alias, u.Hostname())
	}
	assertNoOtherIPs(t, d.Dir)
}

func assertLoopback(t *testing.T, what, addr string) {
	t.Helper()
	ip := net.ParseIP(addr)
	if ip == nil || !ip.IsLoopback() {
		t.Errorf("%s: %q is not a loopback IP literal", what, addr)
	}
}

var ipLiteral = regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`)

func assertNoOtherIPs(t *testing.T, dir string) {
	t.Helper()
	filepath.WalkDir(dir, func(p string, e os.DirEntry, err error) error {
		if err != nil || e.IsDir() || strings.HasSuffix(p, ".pem") {
			return err
		}
		data, _ := os.ReadFile(p)
		for _, m := range ipLiteral.FindAllString(string(data), -1) {
			if ip := net.ParseIP(m); ip != nil && !ip.IsLoopback() {
				t.Errorf("%s holds a non-loopback address %s", p, m)
			}
		}
		return nil
	})
}

// TestSeedBrokenState: the repository is fixed, wintermute is not.
func TestSeedBrokenState(t *testing.T) {
	d, err := Start(Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	served := d.Lab.VLLM("wintermute").ServedModels()
	if len(served) != 1 || served[0] != "casperhansen/llama-3-8b-instruct-awq" {
		t.Fatalf("wintermute serves %v", served)
	}
	if got := d.Lab.VLLM("armitage").ServedModels(); len(got) != 1 || got[0] != "qwen2.5-7b-armitage" {
		t.Fatalf("armitage serves %v", got)
	}
	cfg, err := os.ReadFile(d.proxyConfigPath())
	if err != nil || !strings.Contains(string(cfg), "model: openai/llama31-8b-wintermute") {
		t.Fatalf("LiteLLM's deployed config should already route to the new name: %v\n%s", err, cfg)
	}
}
