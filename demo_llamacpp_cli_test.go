package main

import (
	"slices"
	"strings"
	"testing"
)

// TestDemoCheckJSONListsTheLlamaCppBackend: --demo's fleet is mixed. dixie's
// role renders a systemd unit running llama-server; straylight's llama.cpp
// recogniser finds it there (no vllm mapping, no special case), with the
// rendered file and the ExecStart line, and motoko's route to it lints ok.
func TestDemoCheckJSONListsTheLlamaCppBackend(t *testing.T) {
	r := runCLI(t, "--demo", "--check", "--json")
	plan := chkParsePlan(t, r.stdout)
	kinds := map[string]string{}
	for _, b := range plan.Backends {
		kinds[b.Host] = b.Kind
		if b.Host != "dixie" {
			continue
		}
		if b.Kind != "llama.cpp" || !b.Discovered || !slices.Equal(b.ServedNames, []string{"llama32-3b-dixie"}) ||
			!strings.HasSuffix(b.APIBase, ":8081/v1") ||
			!strings.HasSuffix(b.Source, "/.lab/linux/dixie/etc/systemd/system/llama-server.service:9") ||
			b.Template != "roles/llama-server-deploy/templates/llama-server.service.j2" {
			t.Errorf("dixie's backend %+v", b)
		}
	}
	want := map[string]string{"wintermute": "vllm", "armitage": "vllm", "case": "vllm", "riviera": "vllm", "dixie": "llama.cpp"}
	if len(kinds) != len(want) {
		t.Errorf("backends %v, want %v", kinds, want)
	}
	for host, kind := range want {
		if kinds[host] != kind {
			t.Errorf("%s: kind %q, want %q", host, kinds[host], kind)
		}
	}
	found := false
	for _, rc := range plan.Routes {
		if rc.Route == "local/dixie" {
			found = true
			if rc.Status != "ok" || rc.Host != "dixie" || rc.Model != "openai/llama32-3b-dixie" {
				t.Errorf("route local/dixie: %+v", rc)
			}
		}
	}
	if !found {
		t.Errorf("no route local/dixie among %+v", plan.Routes)
	}
}
