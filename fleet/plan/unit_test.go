package plan

import (
	"slices"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/discover"
)

func TestMaskDiffSaysASecretChangedWithoutEitherValue(t *testing.T) {
	diff := "--- before: c.yaml\n+++ after: c.yaml\n@@ -1,2 +1,2 @@\n model_list: []\n-  master_key: sk-old-secret\n+  master_key: sk-new-secret\n"
	got := maskDiff(diff, []string{"sk-old-secret", "sk-new-secret"})
	if strings.Contains(got, "sk-old") || strings.Contains(got, "sk-new") {
		t.Fatalf("a secret leaked:\n%s", got)
	}
	if !strings.Contains(got, "~  master_key: ********    # secret value changed (not shown)") {
		t.Fatalf("the change is hidden:\n%s", got)
	}
}

// A diff line's key may start right after its + or - marker: a created
// .env file, a top-level YAML key. Seen in the corpus: a lineinfile of
// VLLM_API_KEY= handed to Ansible came back with the key in its diff.
func TestMaskDiffMasksKeysRightAfterTheMarker(t *testing.T) {
	cases := map[string]string{
		"--- before: /opt/vllm/.env (content)\n+++ after: /opt/vllm/.env (content)\n@@ -0,0 +1 @@\n+VLLM_API_KEY=api-token-abc\n": "--- before: /opt/vllm/.env (content)\n+++ after: /opt/vllm/.env (content)\n@@ -0,0 +1 @@\n+VLLM_API_KEY=********\n",
		"@@ -1,2 +1 @@\n-master_key: sk-old\n-port: 1\n+port: 2\n":                                                                "@@ -1,2 +1 @@\n-master_key: ********\n-port: 1\n+port: 2\n",
		"@@ -1 +1 @@\n-master_key: sk-old\n+master_key: sk-new\n":                                                                 "@@ -1 +1 @@\n~master_key: ********    # secret value changed (not shown)\n",
		"@@ -0,0 +1,2 @@\n+hf_token: hf_abc\n+port: 8000\n":                                                                       "@@ -0,0 +1,2 @@\n+hf_token: ********\n+port: 8000\n",
	}
	for in, want := range cases {
		if got := maskDiff(in, nil); got != want {
			t.Errorf("maskDiff(%q)\n = %q\nwant %q", in, got, want)
		}
	}
}

func TestMaskDiffKeepsOrdinaryChanges(t *testing.T) {
	diff := "@@ -1 +1 @@\n-  port: 8000\n+  port: 8001\n"
	if got := maskDiff(diff, []string{"hunter22"}); got != diff {
		t.Fatalf("changed a diff without secrets:\n%s", got)
	}
}

func TestMaskSecretsLongestFirst(t *testing.T) {
	secrets := []string{"change-me", "sk-change-me"}
	ansible.SortLongestFirst(secrets)
	if got := MaskSecrets("key sk-change-me pw change-me", secrets); got != "key ******** pw ********" {
		t.Fatalf("got %q", got)
	}
}

func TestValidateVLLMValues(t *testing.T) {
	cases := []struct {
		key   string
		value any
		ok    bool
	}{
		{"gpu_memory_utilization", 0.88, true},
		{"gpu_memory_utilization", 1.0, true},
		{"gpu_memory_utilization", 0.0, false},
		{"gpu_memory_utilization", 1.5, false},
		{"gpu_memory_utilization", "high", false},
		{"port", 8000, true},
		{"port", 0, false},
		{"port", 70000, false},
		{"max_model_len", 9000, true},
		{"max_model_len", "32k", true},
		{"max_model_len", 0, false},
		{"tensor_parallel_size", 1, true},
		{"tensor_parallel_size", 0, false},
		{"max_num_seqs", nil, true},
		{"max_num_seqs", 0, false},
		{"quantization", "awq", true},
		{"quantization", nil, true},
		{"quantization", "awk", false},
		{"served_model_name", "llama31-8b-wintermute", true},
		{"served_model_name", []any{"a", "a"}, false},
		{"served_model_name", "", false},
		{"enabled", "yes", true}, // the bool filter reads these as booleans
		{"enabled", "no", true},
		{"auto_switch", "On", true},
		{"auto_switch", 1, true},
		{"auto_switch", "0", true},
		{"enabled", "maybe", false},
		{"enabled", 2, false},
		{"port", "8000", true}, // a number written as a string, which the template passes through | int
		{"port", "80x", false},
		{"port", 8001.0, false}, // a float renders as 8001.0
		{"container_name", "vllm-wintermute", true},
		{"container_name", "bad name", false},
	}
	for _, c := range cases {
		msg := ValidateVLLMValue(c.key, c.value)
		if (msg == "") != c.ok {
			t.Errorf("%s=%v: got %q, want ok=%v", c.key, c.value, msg, c.ok)
		}
	}
}

func TestLintRoute(t *testing.T) {
	hosts := []GPUHost{{Name: "wintermute", Address: "wintermute", Port: 8000, Served: []string{"llama31-8b-wintermute"}}}
	cases := []struct {
		route  Route
		status string
		detail string
	}{
		{Route{Alias: "local/reasoner", Model: "openai/llama31-8b-wintermute", APIBase: "http://wintermute:8000/v1"}, "ok", ""},
		{Route{Alias: "local/reasoner", Model: "openai/casperhansen/llama-3-8b-instruct-awq", APIBase: "http://wintermute:8000/v1"}, "error", `"casperhansen/llama-3-8b-instruct-awq", but wintermute is configured to serve "llama31-8b-wintermute"`},
		{Route{Alias: "local/reasoner", Model: "openai/llama31-8b-wintermute", APIBase: "http://wintermute:8000"}, "error", "does not end in /v1"},
		{Route{Alias: "local/reasoner", Model: "openai/x", APIBase: "http://elsewhere:8000/v1"}, "warning", "not a host of this repository"},
		{Route{Alias: "gpt-4.1", Model: "azure/gpt-4.1", APIBase: "os.environ/AZURE_OPENAI_API_BASE"}, "ok", "a provider route (azure/gpt-4.1)"},
		{Route{Alias: "local/env", Model: "openai/x", APIBase: "os.environ/VLLM_BASE"}, "warning", "from the proxy's environment (VLLM_BASE)"},
	}
	for _, c := range cases {
		got := LintRoute(c.route, discover.NewHostIndex(hosts))
		if got.Status != c.status || !strings.Contains(got.Detail, c.detail) {
			t.Errorf("%+v: got %s %q", c.route, got.Status, got.Detail)
		}
	}
}

func TestMaskTextByKeyAndBearer(t *testing.T) {
	cases := map[string]string{
		"  master_key: sk-rotated-old":                        "  master_key: ********",
		`  api_key: "abc123"`:                                 "  api_key: ********",
		"  api_key: os.environ/WINTERMUTE_VLLM_KEY":           "  api_key: os.environ/WINTERMUTE_VLLM_KEY",
		"  HUGGING_FACE_HUB_TOKEN: ${HUGGING_FACE_HUB_TOKEN}": "  HUGGING_FACE_HUB_TOKEN: ${HUGGING_FACE_HUB_TOKEN}",
		"      - 'OPENAI_API_KEY=${VLLM_API_KEY}'":            "      - 'OPENAI_API_KEY=${VLLM_API_KEY}'",
		"API_KEY=${API_KEY:-sk-default-123}":                  "API_KEY=********}",
		"curl -H 'Authorization: Bearer sk-abc123def' x":      "curl -H 'Authorization: Bearer ********' x",
		"  port: 8000":               "  port: 8000",
		"REDIS_PASSWORD=s3cr3t-pw\n": "REDIS_PASSWORD=********\n",
		"  hf_token: hf_abcdef":      "  hf_token: ********",
		"  max_tokens: 512":          "  max_tokens: 512",
		"  token_file: /run/token":   "  token_file: /run/token",
		"keys below\nport: 1\n  api_key: \"abc\"\nafter: 2\n  token: t0k\n": "keys below\nport: 1\n  api_key: ********\nafter: 2\n  token: ********\n",
		"keys below\nport: 1\n": "keys below\nport: 1\n",
		"  API_KEY: abc123":     "  API_KEY: ********",
		"{api_key: os.environ/K, password: hunter2, token: ''}": "{api_key: os.environ/K, password: ********, token: ''}",
		"# café\n  Api_Key: abc123":                             "# café\n  Api_Key: ********",
		// U+212A KELVIN SIGN lowers to an ASCII k: Unicode's cases still apply.
		"# café\n  TO\u212aEN: abc123": "# café\n  TO\u212aEN: ********",
	}
	for in, want := range cases {
		if got := MaskText(in, nil); got != want {
			t.Errorf("MaskText(%q) = %q, want %q", in, got, want)
		}
	}
}

// A LiteLLM route without api_base goes to a provider (Bedrock, OpenAI...):
// nothing in the fleet serves it, and it is not an error.
func TestLintRouteWithoutAPIBaseIsAProviderRoute(t *testing.T) {
	rc := LintRoute(discover.Route{Alias: "claude", Model: "bedrock/anthropic.claude"}, discover.NewHostIndex(nil))
	if rc.Status != "ok" || !strings.Contains(rc.Detail, "provider route") {
		t.Fatalf("%+v", rc)
	}
}

// TestNamesAnyWordAsLoweredText: the one-pass search answers as lowering
// the whole text and searching it for each word does — at the start, the
// end, across case, next to the characters that ASCII lowering must leave
// alone ("_" is not "\x7f"), in text beyond ASCII (the Kelvin sign lowers
// to k), and for a prefix of a word at the end of the text.
func TestNamesAnyWordAsLoweredText(t *testing.T) {
	texts := []string{"", "t", "toke", "token", "TOKEN", "x-ToKeN=1", "Bearer abc", "a\nb\nbearer", "mASTER_KEY: x",
		"master\x7fkey", "masterkey", "api-key", "API_KEY=1", "pass word", "PASSWD", "passw0rd", "secre", "sEcReT\n",
		"to\u212aen", "\u212aEY token", "naïve token", "naïve", "tokén", "ﬁle api_key", strings.Repeat("ab", 500) + "Password"}
	for _, words := range [][]string{secretWords, {"k"}, {"zz", "a_b"}} {
		for _, s := range texts {
			want := containsAnyWord(strings.ToLower(s), words)
			if got := namesAnyWord(s, words); got != want {
				t.Errorf("namesAnyWord(%q, %q) = %v, want %v", s, words, got, want)
			}
		}
	}
}

func TestPathBatchesStayWithinTheLimit(t *testing.T) {
	paths := []string{"aaaa", "bbbb", "cccc", "dddddddddddd", "e"}
	got := pathBatches(paths, 10)
	want := [][]string{{"aaaa", "bbbb"}, {"cccc"}, {"dddddddddddd"}, {"e"}}
	if len(got) != len(want) {
		t.Fatalf("%q, want %q", got, want)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Errorf("batch %d: %q, want %q", i, got[i], want[i])
		}
	}
}
