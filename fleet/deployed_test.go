package fleet_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/remote/sim"
)

// The live monitor compares what is served with what is deployed, from the
// first plan on (issue 16): each test starts the lab, plans once as the UI
// does at startup, and probes the targets the plan gives.

// deployedSnapshot plans the demo's repository and probes the deployed
// targets once; it also returns the targets.
func deployedSnapshot(t *testing.T, d *demo.Demo) (map[string]status.HostStatus, map[string]status.Target, map[string]status.Target) {
	t.Helper()
	sess := fleet.NewSession(fleet.Config{Repo: d.Dir})
	t.Cleanup(func() { sess.Close() })
	repo, err := sess.Open()
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := sess.Plan(ctx, repo)
	if err != nil {
		t.Fatal(err)
	}
	deployed, proxy := sess.DeployedTargets(repo, p)
	repoTargets, _ := sess.StatusTargets(repo, nil)
	m := status.New(status.Config{Hosts: fleet.WithoutHostProbes(deployed), Proxy: proxy, Timeout: 10 * time.Second})
	defer m.Close()
	rows := map[string]status.HostStatus{}
	for _, h := range m.Refresh(ctx).Hosts {
		rows[h.Host] = h
	}
	return rows, byHost(deployed), byHost(repoTargets)
}

func byHost(targets []status.Target) map[string]status.Target {
	out := map[string]status.Target{}
	for _, t := range targets {
		out[t.Host] = t
	}
	return out
}

func startDemo(t *testing.T, opts demo.Options) *demo.Demo {
	t.Helper()
	opts.Dir = t.TempDir()
	d, err := demo.Start(opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(d.Close)
	return d
}

// setPort rewrites a host's vllm port in its host_vars file (the
// repository now says port; the host still runs what was deployed).
func setPort(t *testing.T, dir, host string, port string) {
	t.Helper()
	path := filepath.Join(dir, "host_vars", host+".yml")
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	edited := strings.Replace(string(data), "port: 8000", "port: "+port, 1)
	if edited == string(data) {
		t.Fatalf("%s has no port: 8000", path)
	}
	if err := os.WriteFile(path, []byte(edited), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestStartupProbesTheDeployedPort: armitage runs the config deployed with
// port 8000 and the repository says 8001. At startup the monitor probes
// 8000: armitage is up, and the note says the repository differs. The
// repository's own target (port 8001) is refused: probing it is the bug.
func TestStartupProbesTheDeployedPort(t *testing.T) {
	d := startDemo(t, demo.Options{})
	setPort(t, d.Dir, "armitage", "8001")
	rows, deployed, repo := deployedSnapshot(t, d)
	a := rows["armitage"]
	if !strings.HasSuffix(deployed["armitage"].VLLMURL, ":8000") || !strings.HasSuffix(repo["armitage"].VLLMURL, ":8001") {
		t.Fatalf("deployed target %s, repository target %s", deployed["armitage"].VLLMURL, repo["armitage"].VLLMURL)
	}
	if a.State != status.StateUp || a.Mismatch {
		t.Fatalf("armitage: %s (%s), mismatch %v, served %v", a.State, a.Reason, a.Mismatch, a.Served)
	}
	if want := "repository differs: not deployed yet: port 8000 → 8001"; a.Undeployed != want || a.Basis != "" {
		t.Fatalf("armitage: undeployed %q, basis %q; want %q", a.Undeployed, a.Basis, want)
	}
	m := status.New(status.Config{Hosts: fleet.WithoutHostProbes([]status.Target{repo["armitage"]}), Timeout: 10 * time.Second})
	defer m.Close()
	if got := m.Refresh(context.Background()).Hosts[0]; got.State == status.StateUp {
		t.Fatalf("the repository's port 8001 answers: the test proves nothing (%+v)", got)
	}
}

// TestWintermuteIsComparedWithItsDeployedConfig: the seed's wintermute runs
// the config deployed without served_model_name, so it serves the model's
// path. That is what is deployed: no mismatch, and the note names the
// served name the repository would deploy.
func TestWintermuteIsComparedWithItsDeployedConfig(t *testing.T) {
	d := startDemo(t, demo.Options{})
	rows, deployed, repo := deployedSnapshot(t, d)
	w := rows["wintermute"]
	const model = "casperhansen/llama-3-8b-instruct-awq"
	if got := deployed["wintermute"].Expected; len(got) != 1 || got[0] != model {
		t.Fatalf("deployed target expects %v, want [%s]", got, model)
	}
	if got := repo["wintermute"].Expected; len(got) != 1 || got[0] != "llama31-8b-wintermute" {
		t.Fatalf("repository target expects %v", got)
	}
	if w.State != status.StateUp || w.Mismatch || len(w.Served) != 1 || w.Served[0] != model {
		t.Fatalf("wintermute: %s, mismatch %v, served %v, expected %v", w.State, w.Mismatch, w.Served, w.Expected)
	}
	want := `repository differs: not deployed yet: serves "` + model + `" → "llama31-8b-wintermute"`
	if w.Undeployed != want {
		t.Fatalf("wintermute's note %q, want %q", w.Undeployed, want)
	}
	if a := rows["armitage"]; a.Undeployed != "" || a.Basis != "" || a.State != status.StateUp {
		t.Fatalf("armitage is in sync: %s, undeployed %q, basis %q", a.State, a.Undeployed, a.Basis)
	}
}

// TestUnreadableDeployedConfigFallsBackAndSaysSo: armitage's WinRM refuses
// every credential, so its deployed config cannot be read: the monitor
// probes the repository's values and says why.
func TestUnreadableDeployedConfigFallsBackAndSaysSo(t *testing.T) {
	d := startDemo(t, demo.Options{Faults: []string{"armitage:" + string(sim.FaultWinRMAuth)}})
	rows, deployed, repo := deployedSnapshot(t, d)
	a := rows["armitage"]
	if deployed["armitage"].VLLMURL != repo["armitage"].VLLMURL {
		t.Fatalf("deployed %s, repository %s", deployed["armitage"].VLLMURL, repo["armitage"].VLLMURL)
	}
	if !strings.Contains(a.Basis, "could not be read") || !strings.HasSuffix(a.Basis, "compared with the repository") || a.Undeployed != "" {
		t.Fatalf("armitage: basis %q, undeployed %q", a.Basis, a.Undeployed)
	}
	if strings.Contains(a.Basis, "Wintermute-Armitage-2025") { // the demo's WinRM password (demo/inventory.go)
		t.Fatalf("the note shows a credential: %q", a.Basis)
	}
}
