package render

import (
	"fmt"
	"os"
	"testing"
)

// fleetOf builds n GPU hosts with the seed's role defaults and a host_vars
// like wintermute's, sharing groups and a hostvars lookup as a real
// inventory would.
func fleetOf(b *testing.B, n int) []*Scope {
	defaults := loadVars(b, "testdata/seed/roles/windows-vllm-deploy/defaults/main.yml")
	hosts := make([]string, n)
	for i := range hosts {
		hosts[i] = fmt.Sprintf("gpu%04d", i)
	}
	groups := map[string][]string{"all": hosts, "gpu": hosts}
	scopes := map[string]*Scope{}
	lookup := func(host string) (*Scope, bool) { s, ok := scopes[host]; return s, ok }
	out := make([]*Scope, n)
	for i, host := range hosts {
		vars := parseVars(b, fmt.Sprintf("vllm:\n  model: org/model-%d\n  served_model_name: served-%d\n  port: %d\n  max_model_len: 9000\n  gpu_memory_utilization: 0.88\n  quantization: awq\n", i, i, 8000+i%100))
		out[i] = NewScope(merged(defaults, vars), Magic{InventoryHostname: host, GroupNames: []string{"gpu"}, Groups: groups, HostVars: lookup})
		scopes[host] = out[i]
	}
	return out
}

// BenchmarkSeedTemplate1000Hosts renders the seed's vllm_config.yml.j2 (as
// win_template) for 1,000 hosts with fresh scopes each iteration, so every
// host's variables are templated from scratch; the template is parsed once
// per engine.
func BenchmarkSeedTemplate1000Hosts(b *testing.B) {
	src, err := os.ReadFile("testdata/seed/roles/windows-vllm-deploy/templates/vllm_config.yml.j2")
	if err != nil {
		b.Fatal(err)
	}
	e := NewEngine(Options{})
	opts := WinTemplateDefaults()
	b.ReportAllocs()
	for b.Loop() {
		b.StopTimer()
		scopes := fleetOf(b, 1000)
		b.StartTimer()
		for _, scope := range scopes {
			if _, err := e.RenderTemplate("vllm_config.yml.j2", src, scope, opts); err != nil {
				b.Fatal(err)
			}
		}
	}
}
