package main

// End-to-end tests of discovery from rendered artifacts: testdata/discovery
// is a small repository whose roles render a compose file (vLLM), a systemd
// unit (vLLM), a start script with `docker run` (SGLang), a vLLM --config
// YAML with the unit that loads it, a llama-swap config and a LiteLLM config
// with os.environ/ keys. No host has a vllm: or litellm: mapping: every
// backend and route below is found in what the templates render, and
// reported with the rendered file and line. The unit's task has owner and
// mode (a task straylight leaves to Ansible): its content is still read.

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
)

// discoveryKey is the compose host's VLLM_API_KEY (inventory/host_vars).
const discoveryKey = "compose-test-key-not-a-secret-anywhere"

const discoveryRoot = "/opt/straylight-discovery-test"

func discoveryCopy(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "discovery")
	if err := chkCopyTree(filepath.Join("testdata", "discovery"), dir); err != nil {
		t.Fatal(err)
	}
	return dir
}

// wantBackend: what each artifact kind yields, with its source file:line.
type wantBackend struct {
	host, kind, apiBase, source string
	served                      []string
}

var discoveryBackends = []wantBackend{
	{"gpu-compose", "vllm", "http://127.0.0.1:18001/v1", discoveryRoot + "/compose/docker-compose.yml:7", []string{"qwen-7b"}},
	{"gpu-unit", "vllm", "http://127.0.0.1:18002/v1", discoveryRoot + "/systemd/vllm-llama.service:6", []string{"llama-8b", "llama3.1"}},
	{"gpu-docker", "ollama", "http://127.0.0.1:11434/v1", "straylight.yml:5", []string{"llama3.2:1b", "nomic-embed-text"}},
	{"gpu-docker", "sglang", "http://127.0.0.1:18003/v1", discoveryRoot + "/bin/start-sglang.sh:4", []string{"qwen-coder"}},
	{"gpu-config", "vllm", "http://127.0.0.1:18004/v1", discoveryRoot + "/systemd/vllm-config.service:2", []string{"mistral-7b", "mistral"}},
	{"gpu-swap", "llama-swap", "http://127.0.0.1:8080/v1", discoveryRoot + "/llama-swap/config.yaml:3", []string{"gemma-2b", "gemma", "phi-3"}},
}

func TestCheckJSONReportsDiscoveredBackendsWithSources(t *testing.T) {
	dir := discoveryCopy(t)
	r := chkRun(t, "-C", dir, "--check", "--json")
	chkWantExit(t, r, exitFailure) // the stale route is an error
	plan := chkParsePlan(t, r.stdout)
	if len(plan.Backends) != len(discoveryBackends) {
		t.Fatalf("got %d backends, want %d: %+v", len(plan.Backends), len(discoveryBackends), plan.Backends)
	}
	for i, want := range discoveryBackends {
		got := plan.Backends[i]
		if got.Host != want.host || got.Kind != want.kind || got.APIBase != want.apiBase || got.Source != want.source ||
			strings.Join(got.ServedNames, ",") != strings.Join(want.served, ",") || !got.Discovered {
			t.Errorf("backend %d:\n got %+v\nwant %+v", i, got, want)
		}
	}
	if plan.Backends[0].Template != "roles/compose/templates/docker-compose.yml.j2" || plan.Backends[4].Template != "" { // gpu-config's unit is copy content:
		t.Errorf("templates: %q, %q", plan.Backends[0].Template, plan.Backends[4].Template)
	}
	if plan.Backends[0].APIKey != "${VLLM_API_KEY}" || plan.Backends[0].Container != "vllm-qwen" {
		t.Errorf("compose backend: key ref %q, container %q", plan.Backends[0].APIKey, plan.Backends[0].Container)
	}
	if strings.Contains(r.stdout+r.stderr, discoveryKey) {
		t.Errorf("the API key's value reached the output")
	}
}

func TestRouteLintOnDiscoveredLiteLLMConfig(t *testing.T) {
	dir := discoveryCopy(t)
	plan := chkParsePlan(t, chkRun(t, "-C", dir, "--check", "--json").stdout)
	want := map[string]string{"qwen": "ok gpu-compose", "llama": "ok gpu-unit", "coder": "ok gpu-docker",
		"mistral": "ok gpu-config", "gemma": "ok gpu-swap", "tiny": "ok gpu-docker", "stale": "error gpu-compose"}
	if len(plan.Routes) != len(want) {
		t.Fatalf("got %d routes: %+v", len(plan.Routes), plan.Routes)
	}
	for _, rc := range plan.Routes {
		if got := rc.Status + " " + rc.Host; got != want[rc.Route] {
			t.Errorf("route %s: %s (%s), want %s", rc.Route, got, rc.Detail, want[rc.Route])
		}
		if rc.Proxy != "router" || !strings.HasPrefix(rc.Source, discoveryRoot+"/litellm/config.yaml:") {
			t.Errorf("route %s: proxy %q source %q", rc.Route, rc.Proxy, rc.Source)
		}
	}
	stale := plan.Routes[len(plan.Routes)-1]
	if stale.Source != discoveryRoot+"/litellm/config.yaml:28" || !strings.Contains(stale.Detail, `configured to serve "qwen-7b"`) {
		t.Errorf("stale route: %+v", stale)
	}
}

func TestCheckHumanPrintsBackendsAndFlagsTheStaleRoute(t *testing.T) {
	dir := discoveryCopy(t)
	r := chkRun(t, "-C", dir, "--check")
	chkWantExit(t, r, exitFailure)
	chkWantMatch(t, "stdout", r.stdout, `(?m)^BACKENDS \*+$`,
		`(?m)^vllm +\[gpu-compose\] http://127\.0\.0\.1:18001/v1 serves "qwen-7b" \(from /opt/straylight-discovery-test/compose/docker-compose\.yml:7 rendered from roles/compose/templates/docker-compose\.yml\.j2; api key \$\{VLLM_API_KEY\}\)$`,
		`(?m)^sglang +\[gpu-docker\] http://127\.0\.0\.1:18003/v1 serves "qwen-coder" \(from /opt/straylight-discovery-test/bin/start-sglang\.sh:4 rendered from roles/dockerrun/templates/start-sglang\.sh\.j2\)$`,
		`(?m)^error +stale -> openai/Qwen/Qwen2\.5-7B-Instruct: route stale asks gpu-compose for "Qwen/Qwen2\.5-7B-Instruct", but gpu-compose is configured to serve "qwen-7b" \(router /opt/straylight-discovery-test/litellm/config\.yaml:28\)$`,
		`(?m)^ollama +\[gpu-docker\] http://127\.0\.0\.1:11434/v1 serves "llama3\.2:1b", "nomic-embed-text" \(from straylight\.yml:5\)$`,
		`routes ok 6/7`)
	chkWantMatch(t, "stderr", r.stderr, `(?m)^error: route stale: `)
}

// The live view: the compose host's vLLM runs on loopback (a fake that
// wants the key from the host's variables and serves the old name), and
// --check --json carries its state, served names and mismatch beside the
// static lint; the human --check words it as warnings.
func TestCheckJSONCarriesTheLiveView(t *testing.T) {
	var authorized atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/health":
		case r.URL.Path == "/metrics":
			_, _ = w.Write([]byte("# no vllm series: started with --disable-log-stats\npython_info{version=\"3.12\"} 1\n"))
		case r.Header.Get("Authorization") != "Bearer "+discoveryKey:
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		default:
			authorized.Add(1)
			_, _ = w.Write([]byte(`{"object":"list","data":[{"id":"Qwen/Qwen2.5-7B-Instruct"}]}`))
		}
	}))
	defer srv.Close()
	port := srv.URL[strings.LastIndex(srv.URL, ":")+1:]
	proxyURL, proxyAuthorized := fakeLiteLLM(t)
	dir := discoveryCopy(t)
	chkEdit(t, dir, "roles/compose/templates/docker-compose.yml.j2", `"18001:8000"`, `"`+port+`:8000"`)
	for range 2 { // qwen and stale
		chkEdit(t, dir, "roles/litellm/templates/litellm.yaml.j2", "http://127.0.0.1:18001/v1", "http://127.0.0.1:"+port+"/v1")
	}
	chkEdit(t, dir, "straylight.yml", "    master_key:", "    api_base: "+proxyURL+"\n    master_key:")
	r := chkRun(t, "-C", dir, "--check", "--json", "--limit", "gpu-compose,router")
	if strings.Contains(r.stdout+r.stderr, "sk-router-master-not-a-secret-anywhere") {
		t.Errorf("the master key reached the output")
	}
	plan := chkParsePlan(t, r.stdout)
	if plan.Live == nil || len(plan.Live.Hosts) != 1 {
		t.Fatalf("live view: %+v", plan.Live)
	}
	h := plan.Live.Hosts[0]
	if h.Host != "gpu-compose" || h.Kind != "vllm" || h.State != "up" || !h.Mismatch ||
		strings.Join(h.Served, ",") != "Qwen/Qwen2.5-7B-Instruct" || strings.Join(h.Expected, ",") != "qwen-7b" {
		t.Errorf("live host: %+v", h)
	}
	if !strings.Contains(h.Metrics, "no metrics") {
		t.Errorf("metrics: %q", h.Metrics)
	}
	if authorized.Load() == 0 {
		t.Errorf("the probe never sent the key resolved from the host's VLLM_API_KEY")
	}
	if proxyAuthorized.Load() == 0 {
		t.Errorf("the proxy probe never sent the master key straylight.yml templates from the router's vars")
	}
	live := map[string]string{}
	for _, lr := range plan.Live.Routes {
		live[lr.Route] = lr.State + " " + lr.Host
	}
	// configured right, served wrong: the static lint passes qwen and fails
	// stale; the live fleet says the opposite.
	if live["qwen"] != "mismatch gpu-compose" || live["stale"] != "ok gpu-compose" {
		t.Errorf("live routes: %v", live)
	}
	r = chkRun(t, "-C", dir, "--check", "--limit", "gpu-compose")
	chkWantMatch(t, "stderr", r.stderr, "(?m)^warning: live: \\[gpu-compose\\] serves `Qwen/Qwen2.5-7B-Instruct`; the repository configures `qwen-7b`$")
}

// fakeLiteLLM answers LiteLLM's liveliness and, with the router's master
// key, its model list; it counts the authorized model-list calls.
func fakeLiteLLM(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	var authorized atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.URL.Path == "/health/liveliness":
			_, _ = w.Write([]byte(`"I'm alive!"`))
		case r.Header.Get("Authorization") != "Bearer sk-router-master-not-a-secret-anywhere":
			http.Error(w, "unauthorized", http.StatusUnauthorized)
		default:
			authorized.Add(1)
			_, _ = w.Write([]byte(`{"object":"list","data":[{"id":"qwen"},{"id":"stale"}]}`))
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &authorized
}

func chkParsePlan(t *testing.T, stdout string) fleetplan.Plan {
	t.Helper()
	var plan fleetplan.Plan
	if err := json.Unmarshal([]byte(stdout), &plan); err != nil {
		t.Fatalf("--json output is not a plan: %v\n%s", err, stdout)
	}
	return plan
}

// A straylight.yml field that does not template in a host's scope is a
// warning naming straylight.yml's line, the entry and the field; the entry
// is left out for that host and the rest is discovered as before.
func TestHandEntryThatDoesNotTemplateIsAWarning(t *testing.T) {
	dir := discoveryCopy(t)
	chkEdit(t, dir, "straylight.yml", `served_names: "{{ ollama_models }}"`, `served_names: "{{ no_such_var }}"`)
	r := chkRun(t, "-C", dir, "--check")
	chkWantMatch(t, "stderr", r.stderr, `(?m)^warning: \[gpu-docker\] discovery: straylight\.yml:5: backends\[0\]: served_names: .*no_such_var`)
	if strings.Contains(r.stdout, "ollama ") {
		t.Errorf("the entry should be left out:\n%s", r.stdout)
	}
	chkWantMatch(t, "stdout", r.stdout, `(?m)^sglang +\[gpu-docker\] `)
}
