package apply_test

// Benchmarks of the apply engine on a simulated fleet of 50 GPU hosts
// (README, "Performance": measured with go test -bench, never with timed tests). Each
// iteration changes every host's config.yml, so every host is backed up,
// written, restarted and health-gated. Planning is outside the timer.
//
//	go test ./fleet -run '^$' -bench BenchmarkApply -benchtime 3x

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/apply"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/remote/sim"
)

const benchHosts = 50

// benchPassword is the generated lab's WinRM password; the inventory's host
// vars rank above the example's vaulted one.
const benchPassword = "bench-lab-password"

// benchFleet is a generated repository of GPU hosts and its lab.
type benchFleet struct {
	dir     string
	lab     *sim.Lab
	hosts   []string
	variant int // which gpu_memory_utilization the repository says now
}

func benchHostName(i int) string { return fmt.Sprintf("gpu-%02d", i) }

// newBenchFleet copies the homelab's roles, replaces its hosts with n
// generated GPU hosts, and starts a lab whose hosts run variant 0.
func newBenchFleet(b *testing.B, n int, load time.Duration) *benchFleet {
	b.Helper()
	f := &benchFleet{dir: b.TempDir()}
	for i := range n {
		f.hosts = append(f.hosts, benchHostName(i))
	}
	if err := demo.CopyHomelab(f.dir); err != nil {
		b.Fatal(err)
	}
	for _, old := range []string{"host_vars/wintermute.yml", "host_vars/armitage.yml"} {
		os.Remove(filepath.Join(f.dir, old))
	}
	f.writeInventory(b, nil)
	f.writeHostVars(b, 0)
	f.startLab(b, load)
	f.writeInventory(b, f.lab)
	return f
}

// writeInventory lists the hosts, with their lab addresses once the lab runs.
func (f *benchFleet) writeInventory(b *testing.B, lab *sim.Lab) {
	b.Helper()
	var sb strings.Builder
	sb.WriteString("all:\n  children:\n    windows_vllm:\n      hosts:\n")
	for _, h := range f.hosts {
		fmt.Fprintf(&sb, "        %s:\n", h)
		if lab == nil {
			continue
		}
		info, _ := lab.Host(h)
		fmt.Fprintf(&sb, "          ansible_host: %s\n          ansible_port: %d\n", info.IP, info.WinRMSPort)
		fmt.Fprintf(&sb, "          ansible_winrm_transport: basic\n          ansible_winrm_ca_trust_path: %s\n", f.caPath())
		fmt.Fprintf(&sb, "          ansible_password: %s\n", benchPassword)
	}
	f.write(b, "inventory/hosts.yml", sb.String())
}

func (f *benchFleet) caPath() string { return filepath.Join(f.dir, ".lab", "lab-ca.pem") }

// writeHostVars gives every host its vllm mapping; variants differ in one
// value, so switching variant changes every host's config.yml.
func (f *benchFleet) writeHostVars(b *testing.B, variant int) {
	b.Helper()
	for i, h := range f.hosts {
		f.write(b, "host_vars/"+h+".yml", fmt.Sprintf(`vllm:
  enabled: true
  model: "Qwen/Qwen2.5-7B-Instruct-AWQ"
  served_model_name: "qwen-%02d"
  port: 8000
  container_name: "vllm-%s"
  max_model_len: 16384
  gpu_memory_utilization: 0.8%d
  quantization: "awq"
  idle_threshold_minutes: 5
`, i, h, variant))
	}
	f.variant = variant
}

func (f *benchFleet) write(b *testing.B, rel, content string) {
	b.Helper()
	path := filepath.Join(f.dir, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		b.Fatal(err)
	}
}

// startLab seeds each lab host with what the repository renders now.
func (f *benchFleet) startLab(b *testing.B, load time.Duration) {
	b.Helper()
	repo := openRepo(b, f.dir)
	var spec sim.LabSpec
	for _, h := range f.hosts {
		files, err := repo.RenderedFiles(h)
		if err != nil {
			b.Fatal(err)
		}
		spec.GPUHosts = append(spec.GPUHosts, sim.GPUHostSpec{Name: h, WinRMUser: "mdt", WinRMPassword: benchPassword,
			Files: files, ConfigPath: `C:\Users\mdt\dev\` + h + `\config.yml`, LoadDelay: load, TokenRate: 2000})
	}
	lab, err := sim.StartLab(spec)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { lab.Close() })
	f.lab = lab
	f.write(b, ".lab/lab-ca.pem", string(lab.CACertPEM()))
}

// changeAndPlan flips every host's config and plans it (untimed).
func (f *benchFleet) changeAndPlan(b *testing.B) (*ansible.Repo, *fleetplan.Plan) {
	b.Helper()
	f.writeHostVars(b, 1-f.variant)
	repo, plan := planRepo(b, f.dir)
	if plan.Summary.Changed != len(f.hosts) {
		b.Fatalf("plan changes %d files, want %d: %+v", plan.Summary.Changed, len(f.hosts), plan.Summary)
	}
	return repo, plan
}

// benchApply times applies of a full change to every host.
func benchApply(b *testing.B, f *benchFleet, forks int) {
	var busy time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		repo, plan := f.changeAndPlan(b)
		rec := &recorder{}
		b.StartTimer()
		run := applyPlan(b, context.Background(), repo, plan, apply.Options{Forks: forks}, rec)
		b.StopTimer()
		if run.sum.OK != len(f.hosts) {
			b.Fatalf("apply: %+v", run.sum)
		}
		busy += engineBusy(run.evs)
		b.StartTimer()
	}
	perHost := float64(b.N * len(f.hosts))
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/perHost, "ns/host")
	b.ReportMetric(float64(busy.Nanoseconds())/perHost, "busy-ns/host")
}

// engineBusy sums, over hosts, the time from a host's first event to its
// result, minus the health gate's wait for the model to load: the engine's
// own work per host (backup, write, verify, handler, reporting).
func engineBusy(evs []apply.Event) time.Duration {
	first := map[string]time.Time{}
	gate := map[string]time.Time{}
	var total time.Duration
	for _, ev := range evs {
		if ev.Host == "" {
			continue
		}
		if _, ok := first[ev.Host]; !ok {
			first[ev.Host] = ev.Time
		}
		switch {
		case ev.Kind == apply.EvStep && ev.Step == apply.StepHealth && ev.Status == apply.StatusStart:
			gate[ev.Host] = ev.Time
		case ev.Kind == apply.EvStep && ev.Step == apply.StepHealth && ev.Status == apply.StatusOK:
			total -= ev.Time.Sub(gate[ev.Host])
		case ev.Kind == apply.EvHostResult:
			total += ev.Time.Sub(first[ev.Host])
		}
	}
	return total
}

// BenchmarkApply50Hosts: forks 1 deploys the hosts one after another, forks
// 10 ten at a time; each host's model loads for 200 ms.
func BenchmarkApply50Hosts(b *testing.B) {
	f := newBenchFleet(b, benchHosts, 200*time.Millisecond)
	for _, forks := range []int{1, 10} {
		b.Run(fmt.Sprintf("forks=%d", forks), func(b *testing.B) { benchApply(b, f, forks) })
	}
}

// BenchmarkApplyOverhead50Hosts: the model loads in 1 ms, so what remains is
// the engine's own cost per host (pending record, backup read, write and
// verify over WinRM, handler, audit) and the health gate's probes;
// busy-ns/host leaves the gate's wait out. Forks 1, so no host's latency is
// inflated by the others sharing the CPU with the in-process lab.
func BenchmarkApplyOverhead50Hosts(b *testing.B) {
	f := newBenchFleet(b, benchHosts, time.Millisecond)
	benchApply(b, f, 1)
}

// BenchmarkApplyNothingToDo50Hosts: an apply whose plan changes nothing
// (the cost of confirming 50 hosts are in sync, planning excluded).
func BenchmarkApplyNothingToDo50Hosts(b *testing.B) {
	f := newBenchFleet(b, benchHosts, time.Millisecond)
	repo, plan := planRepo(b, f.dir)
	b.ResetTimer()
	for range b.N {
		run := applyPlan(b, context.Background(), repo, plan, apply.Options{}, nil)
		if run.sum.Unchanged != len(f.hosts) {
			b.Fatalf("apply: %+v", run.sum)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(f.hosts)), "ns/host")
}
