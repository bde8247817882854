package remote

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/internal/sshdtest"
)

const benchHosts = 200

// benchFleet is benchHosts "hosts": one real sshd reached through a
// forwarder on each of benchHosts loopback addresses.
func benchFleet(b *testing.B, opts sshdtest.Options) []SSHSettings {
	b.Helper()
	srv := sshdtest.StartWith(b, opts)
	home := b.TempDir()
	var known strings.Builder
	addrs := make([]string, benchHosts)
	for i := range addrs {
		f := sshdtest.Forward(b, fmt.Sprintf("127.77.%d.%d:0", i/250, i%250+1), srv.Addr())
		addrs[i] = f.Addr
		known.WriteString(srv.KnownHostsLine(f.Addr) + "\n")
	}
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".ssh", "known_hosts"), []byte(known.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	settings := make([]SSHSettings, benchHosts)
	for i, addr := range addrs {
		host, port, _ := strings.Cut(addr, ":")
		s, err := SSHSettingsFromVars(fmt.Sprintf("gpu%03d", i), MapVars(map[string]any{"ansible_host": host,
			"ansible_port": port, "ansible_user": sshdtest.KeyUser, "ansible_ssh_private_key_file": srv.ClientKeyFile}),
			SSHEnv{Home: home})
		if err != nil {
			b.Fatal(err)
		}
		settings[i] = s
	}
	return settings
}

// cpuTime is this process's user+system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkSSHRefresh200Hosts is one refresh round (Status on every host,
// 32 at a time) once the connections are up, through each connection's
// status shell and, for comparison in the same run, with a session per
// status as before. Every "host" is this machine, so the probes each host
// would run on its own CPU all run here: the round is measured with the
// programs this machine has on PATH (path-tools), with the stand-ins of
// testdata/sshtools (two GPUs, a container, a unit: one small script
// each) and with none (no-tools: the transport alone).
// client-cpu-µs/host is straylight's own CPU per host per refresh (sshd's
// and the probes' are not counted; the in-process forwarders are).
func BenchmarkSSHRefresh200Hosts(b *testing.B) {
	for _, probes := range []struct {
		name string
		opts func(b *testing.B) sshdtest.Options
	}{
		{"path-tools", func(*testing.B) sshdtest.Options { return sshdtest.Options{} }},
		{"stand-ins", func(b *testing.B) sshdtest.Options { return sshdtest.Options{PathPrefix: toolsDir(b)} }},
		{"no-tools", func(b *testing.B) sshdtest.Options { return sshdtest.Options{Path: emptyDir(b)} }},
	} {
		b.Run(probes.name, func(b *testing.B) { refreshModes(b, probes.opts(b)) })
	}
}

// refreshModes dials the fleet once and times both ways of asking.
func refreshModes(b *testing.B, opts sshdtest.Options) {
	settings := benchFleet(b, opts)
	pool := NewSSHPool()
	defer pool.Close()
	conns := make([]*SSH, len(settings))
	forEach(b, len(settings), func(i int) error {
		var err error
		conns[i], err = pool.Get(context.Background(), settings[i])
		return err
	})
	for _, mode := range []struct {
		name             string
		sessionPerStatus bool
	}{{"session-per-status", true}, {"status-shell", false}} {
		b.Run(mode.name, func(b *testing.B) {
			for _, c := range conns {
				c.conn.sessionPerStatus = mode.sessionPerStatus
			}
			refreshRounds(b, conns)
		})
	}
}

// emptyDir is a directory the test users can search that holds nothing.
func emptyDir(b *testing.B) string {
	dir, err := os.MkdirTemp("", "straylight-empty-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		b.Fatal(err)
	}
	return dir
}

// refreshRounds times b.N refresh rounds over conns.
func refreshRounds(b *testing.B, conns []*SSH) {
	refresh := func(i int) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := conns[i].Status(ctx, StatusQuery{Container: "vllm", Unit: "vllm.service"})
		return err
	}
	forEach(b, len(conns), refresh) // warm: the status shells start here
	start := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		forEach(b, len(conns), refresh)
	}
	b.StopTimer()
	perHost := float64((cpuTime() - start).Microseconds()) / float64(b.N*len(conns))
	b.ReportMetric(perHost, "client-cpu-µs/host")
}

// BenchmarkSSHFirstConnection is one connection's cost: TCP, handshake,
// host key check, public key auth, then close.
func BenchmarkSSHFirstConnection(b *testing.B) {
	settings := benchFleet(b, sshdtest.Options{})[:1]
	start := cpuTime()
	for b.Loop() {
		conn, err := DialSSH(context.Background(), settings[0])
		if err != nil {
			b.Fatal(err)
		}
		conn.Close()
	}
	b.ReportMetric(float64((cpuTime()-start).Microseconds())/float64(b.N), "client-cpu-µs/conn")
}

// forEach runs f for 0..n-1, 32 at a time, failing the benchmark on an error.
func forEach(b *testing.B, n int, f func(i int) error) {
	b.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 32)
	errs := make(chan error, n)
	for i := range n {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			if err := f(i); err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		b.Fatal(err)
	}
}
