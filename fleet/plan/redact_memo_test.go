package plan

import (
	"strings"
	"sync"
	"testing"
)

// maskCases are texts and diffs of several hosts: the same script and
// diff body under other paths, with and without the host's secret values,
// secret-named lines and bearer tokens, and diffs without a header.
func maskCases() (texts, diffs []string, secrets [][]string) {
	script := "#!/bin/sh\nexport HF_TOKEN=hf_abcdefgh\nvllm serve m --api-key sk-host-secret\ncurl -H 'Authorization: Bearer abcd1234' x\n"
	plain := "port: 8000\nmodel: m\n"
	texts = []string{script, plain, script, "api_key: sk-host-secret\n", plain, ""}
	for _, dest := range []string{"/srv/a/start.sh", "/srv/sk-host-secret/start.sh", "/srv/b/start.sh"} {
		diffs = append(diffs,
			"--- before\n+++ after: "+dest+"\n@@ -0,0 +1,4 @@\n+"+strings.ReplaceAll(strings.TrimSuffix(script, "\n"), "\n", "\n+")+"\n",
			"--- before: "+dest+"\n+++ after: "+dest+"\n@@ -1,2 +1,2 @@\n model_list: []\n-  master_key: sk-old-secret\n+  master_key: sk-host-secret\n",
			"--- before: "+dest+"\n+++ after: "+dest+"\n@@ -1 +1 @@\n-port: 8000\n+port: 8001\n")
	}
	diffs = append(diffs, "@@ -1 +1 @@\n-  port: 8000\n+  port: 8001\n", "--- before\n", "", "--- before\n+++ after: x")
	secrets = [][]string{nil, {"sk-host-secret", "sk-old-secret"}, {"hf_abcdefgh"}, {"sk-host-secret"}, nil}
	return texts, diffs, secrets
}

// TestRememberedMaskingAnswersAsMasking: a plan's texts mask every text
// and diff as MaskText and maskDiff do, whatever was masked before with
// other hosts' secrets: a text first masked without secrets and then with
// a secret it holds has that secret masked.
func TestRememberedMaskingAnswersAsMasking(t *testing.T) {
	ts := newTextSet()
	texts, diffs, secrets := maskCases()
	for _, sec := range secrets {
		for _, s := range texts {
			if got, want := ts.maskText(s, sec), MaskText(s, sec); got != want {
				t.Errorf("maskText(%q, %q) = %q, MaskText: %q", s, sec, got, want)
			}
		}
		for _, d := range diffs {
			if got, want := ts.maskDiff(d, sec), maskDiff(d, sec); got != want {
				t.Errorf("maskDiff(%q, %q) = %q, the package's: %q", d, sec, got, want)
			}
		}
	}
	if len(ts.masked) == 0 || len(ts.maskedDiffs) == 0 {
		t.Errorf("nothing was remembered: %d texts, %d diffs", len(ts.masked), len(ts.maskedDiffs))
	}
	if got := ts.maskText(texts[0], []string{"sk-host-secret"}); strings.Contains(got, "sk-host-secret") {
		t.Errorf("a secret remembered unmasked leaked:\n%s", got)
	}
}

// TestRememberedMaskingInParallel: hosts mask in parallel (run with
// -race) and each gets what masking alone gives.
func TestRememberedMaskingInParallel(t *testing.T) {
	ts := newTextSet()
	texts, diffs, secrets := maskCases()
	var wg sync.WaitGroup
	for _, sec := range secrets {
		wg.Go(func() {
			for _, d := range diffs {
				if got, want := ts.maskDiff(d, sec), maskDiff(d, sec); got != want {
					t.Errorf("maskDiff(%q, %q) = %q, the package's: %q", d, sec, got, want)
				}
			}
			for _, s := range texts {
				if got, want := ts.maskText(s, sec), MaskText(s, sec); got != want {
					t.Errorf("maskText(%q, %q) = %q, MaskText: %q", s, sec, got, want)
				}
			}
		})
	}
	wg.Wait()
}

// TestDiffHeaderEnd: the body starts after the "--- " and "+++ " lines.
func TestDiffHeaderEnd(t *testing.T) {
	for diff, want := range map[string]int{
		"--- before\n+++ after: /x\n@@ -0,0 +1 @@\n+a\n": len("--- before\n+++ after: /x\n"),
		"--- before\n+++ after: /x\n":                    len("--- before\n+++ after: /x\n"),
		"--- before\n+++ after: /x":                      0,
		"@@ -1 +1 @@\n-a\n+b\n":                          0,
		"--- before\n-a\n":                               0,
	} {
		if got := diffHeaderEnd(diff); got != want {
			t.Errorf("diffHeaderEnd(%q) = %d, want %d", diff, got, want)
		}
	}
}
