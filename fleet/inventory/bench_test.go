package inventory

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

// writeBigRepo generates n GPU hosts in 10 groups under two parents, with
// group_vars for every group and a seed-like host_vars file per host.
func writeBigRepo(b *testing.B, n int) string {
	dir := b.TempDir()
	files := map[string]string{
		"inventory/group_vars/all.yml":  "ansible_connection: winrm\nansible_winrm_transport: ntlm\nlitellm_url: http://motoko:8000\n",
		"playbooks/group_vars/all.yml":  "deploy_root: C:\\\\Users\\\\mdt\\\\dev\n",
		"inventory/group_vars/east.yml": "region: east\n",
		"inventory/group_vars/west.yml": "region: west\n",
	}
	var inv strings.Builder
	inv.WriteString("all:\n  children:\n    east:\n      children:\n")
	for g := 0; g < 10; g++ {
		if g == 5 {
			inv.WriteString("    west:\n      children:\n")
		}
		fmt.Fprintf(&inv, "        rack%d:\n          hosts:\n", g)
		for h := g; h < n; h += 10 {
			fmt.Fprintf(&inv, "            gpu%04d:\n              ansible_host: gpu%04d\n", h, h)
		}
		files[fmt.Sprintf("inventory/group_vars/rack%d/main.yml", g)] = fmt.Sprintf("rack: %d\nvllm_image: vllm/vllm-openai:latest\nlimits: {gpus: 1, mem: 24}\n", g)
	}
	files["inventory/hosts.yml"] = inv.String()
	for h := 0; h < n; h++ {
		files[fmt.Sprintf("inventory/host_vars/gpu%04d.yml", h)] = fmt.Sprintf(`vllm:
  enabled: true
  model: "casperhansen/llama-3-8b-instruct-awq"
  served_model_name: "llama31-8b-gpu%04d"
  port: 8000
  container_name: "vllm-gpu%04d"
  image: "vllm/vllm-openai:latest"
  max_model_len: 9000
  gpu_memory_utilization: 0.88
  quantization: "awq"
  tensor_parallel_size: 1
  auto_switch: true
  check_interval_minutes: 5
  idle_threshold_minutes: 5
`, h, h)
	}
	writeTree(b, dir, files)
	return dir
}

// BenchmarkLoadAndMerge1000Hosts loads a 1,000-host inventory with
// group_vars and host_vars and merges every host's variables.
func BenchmarkLoadAndMerge1000Hosts(b *testing.B) {
	dir := writeBigRepo(b, 1000)
	src := filepath.Join(dir, "inventory", "hosts.yml")
	layers := Layers{PlaybookDir: filepath.Join(dir, "playbooks"), RoleDefaults: Vars{Values: map[string]any{
		"vllm_port": "{{ vllm.port | default(8000) }}", "vllm_model": "{{ vllm.model }}",
	}}}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		inv, err := Load([]string{src}, nil)
		if err != nil {
			b.Fatal(err)
		}
		for _, h := range inv.Hosts() {
			if _, err := inv.HostVars(h, layers); err != nil {
				b.Fatal(err)
			}
		}
	}
}
