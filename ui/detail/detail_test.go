package detail

import (
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/straylight-fleet/straylight/fleet"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/ui/theme"
)

func r(v float64) status.Reading { return status.Reading{Value: v, OK: true} }

func TestLinesShowValuesOriginsGPUsContainerAndErrors(t *testing.T) {
	at := time.Date(2025, 11, 12, 9, 30, 0, 0, time.UTC)
	in := Input{
		Host:       fleet.GPUHost{Name: "wintermute", Served: []string{"llama31-8b-wintermute"}, Model: "casperhansen/llama-3-8b-instruct-awq"},
		Connection: "winrm wintermute:5986",
		Values: []Value{
			{Key: "vllm.gpu_memory_utilization", Text: "0.88", Origin: "host_vars/wintermute.yml:10 (host_vars)"},
			{Key: "vllm_max_model_len", Text: "{{ vllm.max_model_len | default(8192) }}", Origin: "roles/windows-vllm-deploy/defaults/main.yml:5 (role default)"},
			{Key: "ansible_password", Text: "(secret)", Origin: "group_vars/windows_vllm.yml:7 (group_vars/windows_vllm)"},
		},
		Live: &status.HostStatus{Host: "wintermute", State: status.StateUp, Insecure: "Basic auth over plain HTTP",
			Served: []string{"casperhansen/llama-3-8b-instruct-awq"}, Expected: []string{"llama31-8b-wintermute"}, Mismatch: true,
			Missing: []string{"llama31-8b-wintermute"}, HostProbe: true,
			GPUs: []status.GPU{
				{Index: 0, Name: "NVIDIA GeForce RTX 4090", Util: r(45), MemUsedMiB: r(21913), MemTotalMiB: r(24564), TempC: r(61), PowerW: r(210)},
				{Index: 1, Name: "NVIDIA GeForce RTX 4090", Util: r(2), MemUsedMiB: r(412), MemTotalMiB: r(24564)},
			},
			Container: status.Container{Found: true, Name: "vllm-wintermute", State: "running", Status: "Up 3 hours", Image: "vllm/vllm-openai:latest"},
			Load:      status.Load{Known: true, Running: 1, KVCache: 0.12, RateKnown: true, TokensPerSecond: 40},
			Idle:      status.Idle{Activity: status.ActivityBusy},
			Errors:    []status.ErrorEvent{{At: at, Count: 3, Source: "models", Message: "served casperhansen/…, expected llama31-8b-wintermute"}},
		},
		Plan:   &fleetplan.HostPlan{Files: []*fleetplan.FileChange{{Dest: `C:\x\config.yml`, Action: fleetplan.ActionUpdate}}, Handlers: []fleetplan.HandlerRun{{Name: "Restart"}}},
		Routes: []string{"local/reasoner"},
	}
	got := ansi.Strip(strings.Join(Lines(in, theme.New(true)), "\n"))
	for _, want := range []string{
		"wintermute  winrm wintermute:5986", "! insecure transport: Basic auth over plain HTTP",
		"state up · serving ≠ casperhansen/llama-3-8b-instruct-awq · missing llama31-8b-wintermute",
		"vllm.gpu_memory_utilization  0.88  host_vars/wintermute.yml:10 (host_vars)",
		"(role default)", "ansible_password             (secret)",
		"0  NVIDIA GeForce RTX 4090  █████░░░░░  45%  VRAM 21913/24564 MiB  61°C  210W",
		"1  NVIDIA GeForce RTX 4090  ░░░░░░░░░░   2%  VRAM 412/24564 MiB  –  –",
		"vllm-wintermute  running  Up 3 hours  vllm/vllm-openai:latest",
		"running 1, waiting 0 · 40.0 tok/s · KV cache 12% · busy",
		"1 file to change · 1 restart · routes local/reasoner", "update  C:\\x\\config.yml",
		"09:30:00 ×3  models: served casperhansen/…, expected llama31-8b-wintermute",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("detail misses %q:\n%s", want, got)
		}
	}
}

func TestLinesBeforeAnyProbe(t *testing.T) {
	in := Input{Host: fleet.GPUHost{Name: "armitage", Served: []string{"qwen"}}, ValuesErr: "reading where each value comes from…"}
	got := ansi.Strip(strings.Join(Lines(in, theme.New(true)), "\n"))
	for _, want := range []string{"live state not known yet", "reading where each value comes from…", "no host-side probe", "/metrics not known", "not planned yet", "none"} {
		if !strings.Contains(got, want) {
			t.Errorf("misses %q:\n%s", want, got)
		}
	}
}
