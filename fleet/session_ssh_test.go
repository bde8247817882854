package fleet_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/status"
)

// The demo's Linux hosts over SSH in the live status: case's vLLM is the
// systemd unit vllm.service, reported as active (running) in the same
// round trip as its GPUs; riviera's is the container vllm-riviera. Both are
// reached through the session's pooled SSH connections and are not marked
// insecure (host keys are checked against the demo's known_hosts).
func TestLiveStatusOverSSH(t *testing.T) {
	d, err := demo.Start(demo.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	sess := fleet.NewSession(fleet.Config{Repo: d.Dir})
	defer sess.Close()
	repo, err := sess.Open()
	if err != nil {
		t.Fatal(err)
	}
	targets, _ := sess.StatusTargets(repo, []string{"case", "riviera"})
	if len(targets) != 2 {
		t.Fatalf("targets %+v", targets)
	}
	m := status.New(status.Config{Hosts: targets, Timeout: 20 * time.Second})
	defer m.Close()
	snap := m.Refresh(context.Background())
	rows := map[string]status.HostStatus{}
	for _, h := range snap.Hosts {
		rows[h.Host] = h
	}
	c, mo := rows["case"], rows["riviera"]
	if c.HostError != "" || !c.Unit.Found || c.Unit.ActiveState != "active" || c.Unit.SubState != "running" || len(c.GPUs) == 0 {
		t.Errorf("case: host error %q, unit %+v (%s), %d GPUs", c.HostError, c.Unit, c.UnitError, len(c.GPUs))
	}
	if mo.HostError != "" || !mo.Container.Found || mo.Container.Name != "vllm-riviera" || mo.Container.State != "running" {
		t.Errorf("riviera: host error %q, container %+v (%s)", mo.HostError, mo.Container, mo.DockerError)
	}
	for _, row := range []status.HostStatus{c, mo} {
		if row.Insecure != "" || row.State != status.StateUp || !strings.HasPrefix(row.URL, "http://127.") {
			t.Errorf("%s: state %s, insecure %q, url %s", row.Host, row.State, row.Insecure, row.URL)
		}
	}
}

// HostLogs reads case's vLLM from its systemd unit's journal (over SSH),
// riviera's from its container.
func TestHostLogsOverSSH(t *testing.T) {
	d, err := demo.Start(demo.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	sess := fleet.NewSession(fleet.Config{Repo: d.Dir})
	defer sess.Close()
	repo, err := sess.Open()
	if err != nil {
		t.Fatal(err)
	}
	for _, host := range []string{"case", "riviera"} {
		var lines []string
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		err := sess.HostLogs(ctx, repo, host, 5, false, func(l string) { lines = append(lines, l) })
		cancel()
		if err != nil || len(lines) == 0 {
			t.Errorf("%s: %d log lines, %v", host, len(lines), err)
		}
	}
}
