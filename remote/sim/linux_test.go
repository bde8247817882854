package sim

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/internal/oracle"
	"golang.org/x/crypto/ssh"
)

const (
	caseConfigPath    = "etc/vllm/config.yml"
	rivieraConfigPath = "srv/vllm/config.yml"
	caseBecomePW      = "case-sudo-pw"
)

// linuxLab starts case (vLLM as a systemd unit, sudo asks a password) and
// riviera (vLLM in a container, sudo without password), both accepting one
// client key, and returns the lab and that key's file.
func linuxLab(t *testing.T) (*Lab, string) {
	t.Helper()
	_, private, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	block, err := ssh.MarshalPrivateKey(private, "")
	if err != nil {
		t.Fatal(err)
	}
	keyFile := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(block), 0o600); err != nil {
		t.Fatal(err)
	}
	signer, _ := ssh.NewSignerFromKey(private)
	authorized := [][]byte{ssh.MarshalAuthorizedKey(signer.PublicKey())}
	lab, err := StartLab(LabSpec{Dir: t.TempDir(), LinuxHosts: []LinuxHostSpec{
		{Name: "case", User: "case", Keys: authorized, BecomePassword: caseBecomePW, ConfigPath: caseConfigPath,
			Files: map[string]string{caseConfigPath: linuxConfig("case-old")}, LoadDelay: labTestLoadDelay},
		{Name: "riviera", User: "riviera", Password: "riviera-pw", Keys: authorized, Runtime: RuntimeDocker,
			ConfigPath: rivieraConfigPath, Files: map[string]string{rivieraConfigPath: linuxConfig("riviera-model")},
			LoadDelay: labTestLoadDelay},
	}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { lab.Close() })
	return lab, keyFile
}

func linuxConfig(served string) string {
	return strings.ReplaceAll(vllmConfigYAML(labAWQModel, []string{served}), "\r\n", "\n")
}

// openSSH runs a command on a lab host with OpenSSH's own client, the
// independent check of the lab's SSH server.
func openSSH(t *testing.T, info LinuxHostInfo, keyFile, stdin, command string) (string, string, int) {
	t.Helper()
	if _, err := exec.LookPath("ssh"); err != nil {
		requireOracleSim(t, "ssh (openssh-client)")
	}
	knownHosts := filepath.Join(t.TempDir(), "known_hosts")
	if err := os.WriteFile(knownHosts, []byte(info.KnownHosts+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "ssh", "-F", "/dev/null", "-o", "UserKnownHostsFile="+knownHosts,
		"-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes", "-i", keyFile,
		"-p", strconv.Itoa(info.SSHPort), info.User+"@"+info.IP, command)
	cmd.Stdin = strings.NewReader(stdin)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else if err != nil {
		t.Fatalf("ssh: %v", err)
	}
	return stdout.String(), stderr.String(), code
}

func requireOracleSim(t *testing.T, what string) {
	t.Helper()
	oracle.Missing(t, "%s is missing", what)
}

func TestLinuxHostRunsARealShellInItsDirectory(t *testing.T) {
	lab, key := linuxLab(t)
	info, err := lab.LinuxHost("case")
	if err != nil {
		t.Fatal(err)
	}
	out, stderr, code := openSSH(t, info, key, "piped in", `pwd; echo "$HOME"; cat; for w in a 'b c'; do printf '<%s>' "$w"; done; exit 3`)
	if code != 3 || out != info.Dir+"\n"+info.Dir+"\npiped in<a><b c>" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, stderr)
	}
	out, _, code = openSSH(t, info, key, "", "nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw --format=csv,noheader,nounits")
	if code != 0 || !strings.HasPrefix(out, "0, NVIDIA") || strings.Contains(out, "\r") {
		t.Fatalf("nvidia-smi: exit %d, %q", code, out)
	}
}

func TestLinuxHostSystemdRestartServesTheWrittenConfig(t *testing.T) {
	lab, key := linuxLab(t)
	info, _ := lab.LinuxHost("case")
	out, _, code := openSSH(t, info, key, "", "systemctl show vllm.service --no-pager --property=ActiveState,SubState,NRestarts")
	if code != 0 || out != "ActiveState=active\nSubState=running\nNRestarts=0\n" {
		t.Fatalf("show: exit %d, %q", code, out)
	}
	_, stderr, code := openSSH(t, info, key, linuxConfig("case-new"), "cat > "+caseConfigPath+" && systemctl restart vllm")
	if code != 0 {
		t.Fatalf("restart: exit %d: %s", code, stderr)
	}
	waitState(t, lab.VLLM("case"), VLLMServing)
	if got := lab.VLLM("case").ServedModels(); len(got) != 1 || got[0] != "case-new" {
		t.Fatalf("served %v after the restart", got)
	}
	out, _, _ = openSSH(t, info, key, "", "journalctl --no-pager -o short-iso -n 3 -u vllm.service")
	if !strings.Contains(out, " case vllm[4242]: ") || !strings.Contains(out, "case-new") {
		t.Fatalf("journal: %q", out)
	}
	out, _, code = openSSH(t, info, key, "", "docker ps -a --filter 'name=^vllm-case$' --format '{{json .}}'")
	if code != 0 || out != "" {
		t.Fatalf("a systemd host has no container: exit %d, %q", code, out)
	}
}

func TestLinuxHostDockerPSAndRestart(t *testing.T) {
	lab, key := linuxLab(t)
	info, _ := lab.LinuxHost("riviera")
	out, _, code := openSSH(t, info, key, "", "docker ps -a --filter 'name=^vllm-riviera$' --format '{{json .}}'")
	var row map[string]string
	if code != 0 || json.Unmarshal([]byte(out), &row) != nil || row["State"] != "running" || row["Names"] != "vllm-riviera" {
		t.Fatalf("docker ps: exit %d, %q", code, out)
	}
	out, _, code = openSSH(t, info, key, "", "docker container inspect --format '{{.State.Running}}' vllm-riviera")
	if code != 0 || out != "true\n" {
		t.Fatalf("docker container inspect: exit %d, %q", code, out)
	}
	if _, stderr, code := openSSH(t, info, key, "", "docker container inspect --format '{{.State.Running}}' vllm-other"); code != 1 || !strings.Contains(stderr, "No such object") {
		t.Fatalf("docker container inspect of another name: exit %d, %q", code, stderr)
	}
	// The line straylight runs for a docker_container handler with restart:
	// true (fleet/filemod/dockerimage.go, without image): the container holds
	// its image's variables, so it is restarted, not recreated.
	docker := `docker --host "${DOCKER_HOST:-unix:///var/run/docker.sock}"`
	restart := `(c=$(` + docker + ` container inspect --format '{{.Image}} {{.State.Running}}' vllm-riviera) || exit; i=${c% *}; ie=$(` + docker + ` image inspect --format '{{range .Config.Env}}{{json .}}{{println}}{{end}}' "$i" 2>&1) || case $ie in *"No such image"*) ie= ;; *) echo "$ie" >&2; exit 1 ;; esac; ce=$(` + docker + ` container inspect --format '{{range .Config.Env}}{{json .}}{{println}}{{end}}' vllm-riviera) || exit; if ! ce="$ce" ie="$ie" pe= awk 'BEGIN { n = split(ENVIRON["ce"], l, "\n"); for (j = 1; j <= n; j++) have[l[j]] = 1; n = split(ENVIRON["pe"], l, "\t"); for (j = 1; j <= n; j++) { k = l[j]; sub(/=.*/, "", k); over[k] = 1; if (!(l[j] in have)) exit 1 }; n = split(ENVIRON["ie"], l, "\n"); for (j = 1; j <= n; j++) { k = l[j]; sub(/=.*/, "", k); if (l[j] != "" && !(k in over) && !(l[j] in have)) exit 1 } }'; then { [ "${c#* }" != true ] || ` + docker + ` stop vllm-riviera; } && ` + docker + ` rm vllm-riviera && ` + docker + ` create --name vllm-riviera "$i" || exit; c="$i false"; fi; if [ "${c#* }" != true ]; then ` + docker + ` start vllm-riviera; else ` + docker + ` restart -t 10 vllm-riviera; fi)`
	_, stderr, code := openSSH(t, info, key, linuxConfig("riviera-new"), "cat > "+rivieraConfigPath+"; "+restart)
	if code != 0 {
		t.Fatalf("docker restart: exit %d: %s", code, stderr)
	}
	waitState(t, lab.VLLM("riviera"), VLLMServing)
	if got := lab.VLLM("riviera").ServedModels(); len(got) != 1 || got[0] != "riviera-new" {
		t.Fatalf("served %v", got)
	}
	_, stderr, code = openSSH(t, info, key, "", "systemctl restart vllm")
	if code != 5 || !strings.Contains(stderr, "not found") {
		t.Fatalf("a container host has no unit: exit %d, %q", code, stderr)
	}
}

func TestLinuxHostSudoChecksTheBecomePassword(t *testing.T) {
	lab, key := linuxLab(t)
	info, _ := lab.LinuxHost("case")
	_, stderr, code := openSSH(t, info, key, "", "sudo -n -u root id -un")
	if code != 1 || !strings.Contains(stderr, "a password is required") {
		t.Fatalf("-n without password: exit %d, %q", code, stderr)
	}
	_, stderr, code = openSSH(t, info, key, "wrong\nwrong\nwrong\n", "sudo -S -p 'PW:' true")
	if code != 1 || strings.Count(stderr, "PW:") != 3 {
		t.Fatalf("wrong password: exit %d, %q", code, stderr)
	}
	out, _, code := openSSH(t, info, key, caseBecomePW+"\nafter\n", "sudo -S -p 'PW:' cat")
	if code != 0 || out != "after\n" {
		t.Fatalf("right password: exit %d, %q", code, out)
	}
	riviera, _ := lab.LinuxHost("riviera")
	if out, _, code := openSSH(t, riviera, key, "", "sudo -n -H -u root echo ok"); code != 0 || out != "ok\n" {
		t.Fatalf("NOPASSWD host: exit %d, %q", code, out)
	}
}

func TestLinuxHostDownFault(t *testing.T) {
	lab, key := linuxLab(t)
	info, _ := lab.LinuxHost("riviera")
	if err := lab.SetFault("riviera", FaultDown); err != nil {
		t.Fatal(err)
	}
	if _, _, code := openSSH(t, info, key, "", "true"); code != 255 {
		t.Fatalf("a down host answered ssh (exit %d)", code)
	}
	if err := lab.SetFault("riviera", FaultWinRMAuth); err == nil {
		t.Fatal("a WinRM fault was accepted on a Linux host")
	}
	if err := lab.ClearFault("riviera", FaultDown); err != nil {
		t.Fatal(err)
	}
	if out, _, code := openSSH(t, info, key, "", "echo up"); code != 0 || out != "up\n" {
		t.Fatalf("after boot, with the same known_hosts line: exit %d, %q", code, out)
	}
	waitState(t, lab.VLLM("riviera"), VLLMServing)
}

// A command that ends at once still gets its exec request answered before
// its exit status closes the channel: the client must never read EOF (an
// intermittent "host unreachable: EOF" under load once came from this).
func TestLinuxHostQuickCommandsNeverEndInEOF(t *testing.T) {
	lab, keyFile := linuxLab(t)
	info, err := lab.LinuxHost("riviera")
	if err != nil {
		t.Fatal(err)
	}
	client := dialLab(t, info, keyFile)
	var failures atomic.Int32
	var wg sync.WaitGroup
	for i := range 200 {
		wg.Go(func() {
			if err := runQuick(client, i%3); err != nil {
				failures.Add(1)
				t.Errorf("command %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	if failures.Load() > 0 {
		t.Fatalf("%d of 200 quick commands failed", failures.Load())
	}
}

func runQuick(client *ssh.Client, code int) error {
	session, err := client.NewSession()
	if err != nil {
		return err
	}
	defer session.Close()
	err = session.Run("exit " + strconv.Itoa(code))
	var exitErr *ssh.ExitError
	if code != 0 && errors.As(err, &exitErr) && exitErr.ExitStatus() == code {
		return nil
	}
	return err
}

func dialLab(t *testing.T, info LinuxHostInfo, keyFile string) *ssh.Client {
	t.Helper()
	pemBytes, err := os.ReadFile(keyFile)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := ssh.ParsePrivateKey(pemBytes)
	if err != nil {
		t.Fatal(err)
	}
	_, _, hostKey, _, _, err := ssh.ParseKnownHosts([]byte(info.KnownHosts))
	if err != nil {
		t.Fatal(err)
	}
	client, err := ssh.Dial("tcp", net.JoinHostPort(info.IP, strconv.Itoa(info.SSHPort)), &ssh.ClientConfig{
		User: info.User, Auth: []ssh.AuthMethod{ssh.PublicKeys(signer)},
		HostKeyCallback: ssh.FixedHostKey(hostKey), Timeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return client
}
