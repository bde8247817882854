package remote

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/internal/shquote"
	"github.com/straylight-fleet/straylight/internal/sshdtest"
)

// toolsLab is an sshd whose sessions find the stand-ins of testdata/sshtools first.
func toolsLab(t *testing.T) (*sshLab, string) {
	t.Helper()
	tools := toolsDir(t)
	srv := sshdtest.StartWith(t, sshdtest.Options{PathPrefix: tools})
	lab := &sshLab{srv: srv, home: t.TempDir()}
	lab.env = SSHEnv{Home: lab.home}
	lab.writeSSHFile(t, "known_hosts", srv.KnownHostsLine()+"\n")
	return lab, tools
}

// peekShell is the connection's status shell (nil when none is open).
func peekShell(t *testing.T, conn *SSH) *statusShell {
	t.Helper()
	sh, err := conn.conn.shell.take(testContext(t))
	if err != nil {
		t.Fatal(err)
	}
	conn.conn.shell <- sh
	return sh
}

func TestSSHStatusShellIsReusedAndAnswersAsASessionDoes(t *testing.T) {
	lab, _ := toolsLab(t)
	conn := lab.dial(t, sshdtest.KeyUser, nil)
	q := StatusQuery{Container: "vllm-case", Unit: "vllm.service"}
	first, err := conn.Status(testContext(t), q)
	if err != nil {
		t.Fatal(err)
	}
	shell := peekShell(t, conn)
	second, err := conn.Status(testContext(t), q)
	if err != nil || shell == nil || peekShell(t, conn) != shell {
		t.Fatalf("the second status did not reuse the shell (%v)", err)
	}
	conn.conn.sessionPerStatus = true
	own, err := conn.Status(testContext(t), q)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(first, second) || !reflect.DeepEqual(first, own) {
		t.Fatalf("shell %+v, again %+v, own session %+v", first, second, own)
	}
	if first.Unit == nil || first.Container == nil || len(first.GPUs) != 2 {
		t.Fatalf("incomplete status %+v", first)
	}
}

// A request that outlives its deadline is abandoned with its shell; the
// next status starts a new one on the same connection.
func TestSSHStatusShellAbandonedRequestLeavesAFreshShell(t *testing.T) {
	lab, tools := toolsLab(t)
	slow := filepath.Join(tools, "slow")
	writeSlowNvidiaSMI(t, tools, slow)
	conn := lab.dial(t, sshdtest.KeyUser, nil)
	q := StatusQuery{Container: "vllm-case"}
	if _, err := conn.Status(testContext(t), q); err != nil {
		t.Fatal(err)
	}
	abandoned := peekShell(t, conn)
	if err := os.WriteFile(slow, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if _, err := conn.Status(ctx, q); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the deadline's error, got %v", err)
	}
	if err := os.Remove(slow); err != nil {
		t.Fatal(err)
	}
	status, err := conn.Status(testContext(t), q)
	if err != nil || len(status.GPUs) != 2 {
		t.Fatalf("status after an abandoned one: %+v %v", status, err)
	}
	if peekShell(t, conn) == abandoned {
		t.Fatal("the abandoned shell was used again")
	}
}

// writeSlowNvidiaSMI replaces the nvidia-smi stand-in with one that hangs
// while the file slow exists.
func writeSlowNvidiaSMI(t *testing.T, tools, slow string) {
	t.Helper()
	script := "#!/bin/sh\nwhile [ -e " + shquote.Always(slow) + " ]; do sleep 0.1; done\nexec " +
		shquote.Always(filepath.Join(tools, "nvidia-smi.real")) + " \"$@\"\n"
	if err := os.Rename(filepath.Join(tools, "nvidia-smi"), filepath.Join(tools, "nvidia-smi.real")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(tools, "nvidia-smi"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
}

// The contract for the status shell too: a dropped network costs
// a status at most its deadline + 1 s, and the silent connection is closed.
func TestSSHStatusShellDroppedConnectionReturnsWithinDeadline(t *testing.T) {
	lab := newSSHLab(t)
	front := sshdtest.Forward(t, "127.0.0.1:0", lab.srv.Addr())
	host, port := splitAddr(t, front.Addr)
	lab.writeSSHFile(t, "known_hosts", lab.srv.KnownHostsLine(front.Addr)+"\n")
	conn := lab.dial(t, sshdtest.KeyUser, map[string]any{"ansible_host": host, "ansible_port": port})
	if _, err := conn.Status(testContext(t), StatusQuery{}); err != nil {
		t.Fatal(err)
	}
	front.Silence()
	const deadline = 2 * time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	_, err := conn.Status(ctx, StatusQuery{})
	if elapsed := time.Since(start); elapsed > deadline+time.Second {
		t.Fatalf("returned after %v, deadline %v", elapsed, deadline)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("want the deadline's error, got %v", err)
	}
	select {
	case <-conn.Done():
	case <-time.After(20 * time.Second):
		t.Fatal("the silent connection was never closed")
	}
}
