package remote

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/remote/sim"
	"golang.org/x/crypto/ssh"
)

const labCaseConfig = "etc/vllm/config.yml"

func labConfig(served string) string {
	return "vllm:\n  enabled: true\n  model: \"casperhansen/llama-3-8b-instruct-awq\"\n" +
		"  served_model_name: \"" + served + "\"\n  port: 8000\n  max_model_len: 9000\n  gpu_memory_utilization: 0.88\n"
}

// startLinuxLab starts the lab's case (systemd, sudo password) and riviera
// (docker) and returns settings reaching case through ~/.ssh files.
func startLinuxLab(t *testing.T) (*sim.Lab, SSHEnv, string) {
	t.Helper()
	_, private, _ := ed25519.GenerateKey(rand.Reader)
	block, _ := ssh.MarshalPrivateKey(private, "")
	home := t.TempDir()
	keyFile := filepath.Join(home, "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, _ := ssh.NewSignerFromKey(private)
	keys := [][]byte{ssh.MarshalAuthorizedKey(signer.PublicKey())}
	lab, err := sim.StartLab(sim.LabSpec{Dir: t.TempDir(), LinuxHosts: []sim.LinuxHostSpec{
		{Name: "case", User: "case", Keys: keys, BecomePassword: "case-sudo", ConfigPath: labCaseConfig,
			Files: map[string]string{labCaseConfig: labConfig("case-old")}, LoadDelay: 200 * time.Millisecond},
		{Name: "riviera", User: "riviera", Keys: keys, Runtime: sim.RuntimeDocker, ConfigPath: labCaseConfig,
			Files: map[string]string{labCaseConfig: labConfig("riviera-old")}, LoadDelay: 200 * time.Millisecond},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Close() })
	var known strings.Builder
	for _, h := range lab.LinuxHosts() {
		known.WriteString(h.KnownHosts + "\n")
	}
	if err := os.MkdirAll(filepath.Join(home, ".ssh"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(home, ".ssh", "known_hosts"), []byte(known.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return lab, SSHEnv{Home: home}, keyFile
}

func labVars(info sim.LinuxHostInfo, keyFile string, extra map[string]any) VarLookup {
	vars := map[string]any{"ansible_host": info.IP, "ansible_port": info.SSHPort, "ansible_user": info.User,
		"ansible_ssh_private_key_file": keyFile}
	for k, v := range extra {
		vars[k] = v
	}
	return MapVars(vars)
}

func TestSSHAgainstTheLabDeploysAndRestarts(t *testing.T) {
	lab, env, keyFile := startLinuxLab(t)
	info, err := lab.LinuxHost("case")
	if err != nil {
		t.Fatal(err)
	}
	pool := NewSSHPool()
	defer pool.Close()
	conn, err := pool.Transport(testContext(t), "case", labVars(info, keyFile, map[string]any{
		"ansible_become": true, "ansible_become_password": "case-sudo"}), env)
	if err != nil {
		t.Fatal(err)
	}
	status, err := conn.Status(testContext(t), StatusQuery{Unit: "vllm.service"})
	if err != nil || len(status.GPUs) == 0 || status.Unit == nil || status.Unit.ActiveState != "active" {
		t.Fatalf("status %+v (%s, %s), %v", status, status.GPUError, status.UnitErr, err)
	}
	path := info.ConfigPath
	if _, err := conn.WriteFileWith(testContext(t), path, []byte(labConfig("case-new")), WriteOptions{Mode: "0644"}); err != nil {
		t.Fatal(err)
	}
	if res, err := conn.Run(testContext(t), Command{Script: "systemctl restart vllm"}); err != nil || res.ExitCode != 0 {
		t.Fatalf("restart: %+v, %v", res, err)
	}
	waitServing(t, lab.VLLM("case"), "case-new")
	followUntil(t, conn, LogTarget{Unit: "vllm.service"}, "case-new")
}

func TestSSHAgainstTheLabSeesTheContainer(t *testing.T) {
	lab, env, keyFile := startLinuxLab(t)
	info, _ := lab.LinuxHost("riviera")
	settings, err := SSHSettingsFromVars("riviera", labVars(info, keyFile, nil), env)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := DialSSH(testContext(t), settings)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	snap, err := conn.Snapshot(testContext(t), info.Container)
	if err != nil || snap.Container == nil || snap.Container.State != "running" {
		t.Fatalf("snapshot %+v, %v", snap, err)
	}
	var lines []string
	err = conn.Logs(testContext(t), LogRequest{Target: LogTarget{Container: info.Container}, Lines: 5},
		func(l string) { lines = append(lines, l) })
	if err != nil || len(lines) == 0 || !strings.Contains(strings.Join(lines, "\n"), "riviera-old") {
		t.Fatalf("logs %q, %v", lines, err)
	}
}

func waitServing(t *testing.T, v *sim.VLLMServer, model string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for {
		if got := v.ServedModels(); len(got) == 1 && got[0] == model {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%s never served", model)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// followUntil follows target until a line mentions want.
func followUntil(t *testing.T, conn *SSH, target LogTarget, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	found := make(chan struct{})
	var once bool
	err := conn.Logs(ctx, LogRequest{Target: target, Lines: 1, Follow: true}, func(line string) {
		if strings.Contains(line, want) && !once {
			once = true
			close(found)
			cancel()
		}
	})
	select {
	case <-found:
	default:
		t.Fatalf("no log line with %q (%v)", want, err)
	}
}
