//go:build unix

package main

// The real LiteLLM proxy as an oracle (docs/lab.md, "The real LiteLLM"):
// pip's litellm[proxy], in the virtual environment .ci/venvs makes, runs on
// loopback in place of the lab's LiteLLM, with the config straylight renders
// for the lab's repository, and routes to the lab's vLLM servers. straylight
// then reads the real proxy's route list, streams a route test through it,
// and meets the seed's bug (LiteLLM asks wintermute for a name it does not
// serve) live through the real proxy and, after the fix, statically.

import (
	"bytes"
	"context"
	"encoding/json"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/apply"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/remote/api"
	"github.com/straylight-fleet/straylight/remote/sim"
	"gopkg.in/yaml.v3"
)

// litellmStartup bounds the real proxy's start (about 10 s here: Python
// imports, then uvicorn); past it the test fails with the proxy's log.
const litellmStartup = 120 * time.Second

// litellmBinary is the `litellm` command of .ci/venvs' venv-litellm.
func litellmBinary(t *testing.T) string {
	t.Helper()
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		home, _ := os.UserHomeDir()
		cache = filepath.Join(home, ".cache")
	}
	bin := filepath.Join(cache, "straylight", "venv-litellm", "bin", "litellm")
	_, err := os.Stat(bin)
	requireTool(t, err == nil, "the real LiteLLM proxy ("+bin+"; `sh .ci/venvs` installs litellm[proxy] there)")
	return bin
}

// realLiteLLM is one run of the real proxy.
type realLiteLLM struct {
	url     string
	log     string
	cmd     *exec.Cmd
	done    chan error
	stopped bool
}

// startRealLiteLLM starts `litellm --config config` on ip:port, offline, and
// waits until /health/liveliness answers; the test's end stops it.
func startRealLiteLLM(t *testing.T, bin, config, ip string, port int) *realLiteLLM {
	t.Helper()
	p := &realLiteLLM{url: "http://" + net.JoinHostPort(ip, strconv.Itoa(port)),
		log: filepath.Join(t.TempDir(), "litellm.log"), done: make(chan error, 1)}
	logFile, err := os.Create(p.log)
	if err != nil {
		t.Fatal(err)
	}
	p.cmd = exec.Command(bin, "--config", config, "--host", ip, "--port", strconv.Itoa(port), "--num_workers", "1")
	p.cmd.Env = offlineLiteLLMEnv(t.TempDir())
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	p.cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := p.cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", bin, err)
	}
	go func() { p.done <- p.cmd.Wait(); logFile.Close() }()
	t.Cleanup(p.stop)
	p.waitLive(t)
	return p
}

// offlineLiteLLMEnv is the proxy's whole environment: no database (no
// DATABASE_URL), the model cost map shipped in the wheel instead of the one
// on GitHub, no telemetry, no proxy, a home of its own.
func offlineLiteLLMEnv(home string) []string {
	return []string{"PATH=/usr/bin:/bin", "HOME=" + home, "LANG=C.UTF-8",
		"LITELLM_LOCAL_MODEL_COST_MAP=True", "LITELLM_TELEMETRY=False",
		"NO_PROXY=*", "no_proxy=*", "PYTHONUNBUFFERED=1"}
}

func (p *realLiteLLM) waitLive(t *testing.T) {
	t.Helper()
	client := api.NewLiteLLM(p.url, nil)
	deadline := time.Now().Add(litellmStartup)
	for time.Now().Before(deadline) {
		select {
		case err := <-p.done:
			p.stopped = true // it is gone: nothing to stop
			t.Fatalf("LiteLLM exited before it listened (%v):\n%s", err, p.logTail())
		default:
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err := client.Liveliness(ctx)
		cancel()
		if err == nil {
			return
		}
		time.Sleep(250 * time.Millisecond)
	}
	t.Fatalf("LiteLLM did not answer /health/liveliness within %s:\n%s", litellmStartup, p.logTail())
}

// stop ends the proxy's process group (SIGTERM, then SIGKILL after 10 s)
// once; a later call does nothing, so no other process is ever signalled.
func (p *realLiteLLM) stop() {
	if p.stopped || p.cmd.Process == nil {
		return
	}
	p.stopped = true
	_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGTERM)
	select {
	case <-p.done:
	case <-time.After(10 * time.Second):
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
		<-p.done
	}
}

func (p *realLiteLLM) logTail() string {
	data, _ := os.ReadFile(p.log)
	if len(data) > 4000 {
		data = data[len(data)-4000:]
	}
	return string(data)
}

// renderedProxyConfig is motoko's LiteLLM config as straylight renders it
// from the repository at dir.
func renderedProxyConfig(t *testing.T, dir, path string) []byte {
	t.Helper()
	s := fleet.NewSession(fleet.Config{Repo: dir})
	defer s.Close()
	repo, err := s.Open()
	if err != nil {
		t.Fatal(err)
	}
	files, err := repo.RenderedFiles("motoko")
	if err != nil {
		t.Fatal(err)
	}
	content, ok := files[path]
	if !ok {
		t.Fatalf("motoko renders no %s", path)
	}
	return []byte(content)
}

// configRoute is one model_list entry of a LiteLLM config.
type configRoute struct {
	Alias  string `yaml:"model_name"`
	Params struct {
		Model   string `yaml:"model"`
		APIBase string `yaml:"api_base"`
	} `yaml:"litellm_params"`
}

func configRoutes(t *testing.T, config []byte) []configRoute {
	t.Helper()
	var doc struct {
		ModelList []configRoute `yaml:"model_list"`
	}
	if err := yaml.Unmarshal(config, &doc); err != nil {
		t.Fatalf("the rendered LiteLLM config: %v", err)
	}
	return doc.ModelList
}

// withoutRoute is config less the model_list entry named alias.
func withoutRoute(t *testing.T, config []byte, alias string) []byte {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(config, &doc); err != nil {
		t.Fatal(err)
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "model_list" {
			list := root.Content[i+1]
			list.Content = slices.DeleteFunc(list.Content, func(n *yaml.Node) bool { return mapValue(n, "model_name") == alias })
		}
	}
	out, err := yaml.Marshal(&doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func mapValue(m *yaml.Node, key string) string {
	for i := 0; i+1 < len(m.Content); i += 2 {
		if m.Content[i].Value == key {
			return m.Content[i+1].Value
		}
	}
	return ""
}

func writeTemp(t *testing.T, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// realProxyLab is the lab in the seed's state with the real LiteLLM in
// place of the lab's, loaded with loaded (the rendered config, or a variant).
func realProxyLab(t *testing.T) (*demo.Demo, sim.HostInfo) {
	t.Helper()
	d := startCLILab(t)
	motoko, ok := d.Lab.Host("motoko")
	if !ok {
		t.Fatal("the lab has no motoko")
	}
	d.Lab.Proxy().Close() // frees motoko's address for the real proxy
	return d, motoko
}

// TestRealLiteLLMReadsRoutesStreamsAndMeetsTheSeedBug: the real proxy runs
// the config straylight renders, less local/riviera. straylight's client
// reads its /v1/models and /model/info as the config says; --check's live
// view marks local/riviera not loaded by the running proxy and local/reasoner
// a mismatch (wintermute still serves the old name); a route test streams
// tokens from armitage through it; local/reasoner's fails with the 404 that
// vLLM answers and the real LiteLLM passes on.
func TestRealLiteLLMReadsRoutesStreamsAndMeetsTheSeedBug(t *testing.T) {
	bin := litellmBinary(t)
	d, motoko := realProxyLab(t)
	rendered := renderedProxyConfig(t, d.Dir, motoko.ConfigFile)
	loaded := withoutRoute(t, rendered, "local/riviera")
	proxy := startRealLiteLLM(t, bin, writeTemp(t, "config.yaml", loaded), motoko.IP, motoko.ProxyPort)

	checkRealRouteList(t, proxy.url, motoko.MasterKey, configRoutes(t, loaded))
	live := checkJSONLive(t, d.Dir)
	wantRouteStates(t, live, map[string]string{"local/reasoner": "mismatch", "local/fast": "ok",
		"local/case": "ok", "local/riviera": "not-loaded"})

	fast := runCLI(t, "-C", d.Dir, "--test-route", "local/fast", "--json")
	wantExit(t, fast, exitOK)
	wantStreamed(t, decodeEvents(t, fast.stdout), "qwen2.5-7b-armitage")

	seed := runCLI(t, "-C", d.Dir, "--test-route", "local/reasoner")
	wantExit(t, seed, exitFailure)
	wantContains(t, "stdout", seed.stdout, "[wintermute] route local/reasoner FAILED: ", "(404)")
}

// checkRealRouteList: straylight's LiteLLM client reads the real proxy's
// aliases and deployments exactly as the loaded config lists them.
func checkRealRouteList(t *testing.T, url, key string, want []configRoute) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	client := api.NewLiteLLM(url, nil)
	aliases, err := client.Models(ctx, key)
	if err != nil {
		t.Fatalf("/v1/models of the real LiteLLM: %v", err)
	}
	deployments, err := client.ModelInfo(ctx, key)
	if err != nil {
		t.Fatalf("/model/info of the real LiteLLM: %v", err)
	}
	if len(aliases) != len(want) || len(deployments) != len(want) {
		t.Fatalf("the real LiteLLM lists %q and %+v; the config it loaded has %+v", aliases, deployments, want)
	}
	for i, r := range want {
		dep := deployments[i]
		if aliases[i] != r.Alias || dep.Alias != r.Alias || dep.Model != r.Params.Model || dep.APIBase != r.Params.APIBase || dep.ID == "" {
			t.Errorf("route %d: /v1/models %q, /model/info %+v; the config says %+v", i, aliases[i], dep, r)
		}
	}
	if ready, err := client.Readiness(ctx); err != nil || ready.Status != "healthy" {
		t.Errorf("/health/readiness of the real LiteLLM: %+v, %v", ready, err)
	}
}

// checkJSONLive runs --check --json and returns its live view.
func checkJSONLive(t *testing.T, dir string) *fleetplan.Live {
	t.Helper()
	r := runCLI(t, "-C", dir, "--check", "--json")
	var plan fleetplan.Plan
	if err := json.Unmarshal([]byte(r.stdout), &plan); err != nil || plan.Live == nil {
		t.Fatalf("--check --json (exit %d) gave no live view: %v\n%s", r.code, err, r.stderr)
	}
	return plan.Live
}

func wantRouteStates(t *testing.T, live *fleetplan.Live, want map[string]string) {
	t.Helper()
	got := map[string]string{}
	for _, r := range live.Routes {
		got[r.Route] = r.State
	}
	for alias, state := range want {
		if got[alias] != state {
			t.Errorf("live route %s is %q, want %q (all: %+v)", alias, got[alias], state, live.Routes)
		}
	}
}

// wantStreamed: more than one chunk arrived before the result, and together
// they are the text the result reports, from the model asked for.
func wantStreamed(t *testing.T, evs []apply.Event, model string) {
	t.Helper()
	var text bytes.Buffer
	chunks := 0
	for _, ev := range evs {
		if ev.Kind == apply.EvRouteChunk {
			chunks++
			text.WriteString(ev.Chunk)
		}
	}
	res := evs[len(evs)-1]
	if res.Kind != apply.EvRouteResult || !res.Result.OK || chunks < 2 || res.Result.Text != text.String() ||
		!bytes.Contains(text.Bytes(), []byte(model)) {
		t.Fatalf("route test through the real LiteLLM: %d chunks %q, result %+v", chunks, text.String(), res.Result)
	}
}

// TestRealLiteLLMConfirmsTheStaticLint: the seed's bug the other way round.
// wintermute is fixed by an apply whose route test runs through the real
// proxy; then motoko's route is edited back to the model's repository name.
// The static lint of --check says local/reasoner will 404 before anything
// runs; the real proxy, restarted on the config straylight renders from
// that repository, then does exactly that, and straylight's live view and
// route test say so.
func TestRealLiteLLMConfirmsTheStaticLint(t *testing.T) {
	bin := litellmBinary(t)
	d, motoko := realProxyLab(t)
	config := writeTemp(t, "config.yaml", renderedProxyConfig(t, d.Dir, motoko.ConfigFile))
	proxy := startRealLiteLLM(t, bin, config, motoko.IP, motoko.ProxyPort)

	fix := runCLI(t, "-C", d.Dir, "--apply", "--yes", "--limit", "wintermute")
	wantExit(t, fix, exitOK)
	wantContains(t, "stdout", fix.stdout, "[wintermute] route local/reasoner ok: first token", "[wintermute] OK")

	editRepo(t, d.Dir, "group_vars/motoko.yml", "\nwintermute_model_display: openai/"+newServedName+"\n",
		"\nwintermute_model_display: openai/"+oldServedName+"\n")
	static := runCLI(t, "-C", d.Dir, "--check", "--limit", "motoko")
	wantExit(t, static, exitFailure)
	chkWantMatch(t, "--check", static.stdout+static.stderr, `(?m)^error .*`+regexp.QuoteMeta(oldServedName)+`.*`+newServedName)

	proxy.stop()
	if err := os.WriteFile(config, renderedProxyConfig(t, d.Dir, motoko.ConfigFile), 0o600); err != nil {
		t.Fatal(err)
	}
	startRealLiteLLM(t, bin, config, motoko.IP, motoko.ProxyPort)
	wantRouteStates(t, checkJSONLive(t, d.Dir), map[string]string{"local/reasoner": "mismatch", "local/fast": "ok"})
	seed := runCLI(t, "-C", d.Dir, "--test-route", "local/reasoner")
	wantExit(t, seed, exitFailure)
	wantContains(t, "stdout", seed.stdout, "LiteLLM asked wintermute for `"+oldServedName+"`, which it does not serve (404)")
}
