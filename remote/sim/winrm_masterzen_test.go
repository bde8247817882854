package sim

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/masterzen/winrm"
)

// These tests drive the simulated host with the real masterzen/winrm client
// (not straylight's transport), so the lab is held to what a real client accepts.

func TestWinRMMasterzenCmd(t *testing.T) {
	lab := startWinRMLab(t, &winrmFakeRuntime{}, false)
	client := lab.masterzen(t, masterzenOptions{})
	tests := []struct {
		line, stdout, stderr string
		code                 int
	}{
		{"hostname", "wintermute\r\n", "", 0},
		{"echo hello", "hello\r\n", "", 0},
		{"exit 3", "", "", 3},
		{`dir C:\`, "", "not simulated: dir C:\\\r\n", 1},
	}
	for _, tt := range tests {
		stdout, stderr, code, err := client.RunCmdWithContext(winrmTestContext(t), tt.line)
		if err != nil || stdout != tt.stdout || stderr != tt.stderr || code != tt.code {
			t.Errorf("%s: %q %q %d %v; want %q %q %d", tt.line, stdout, stderr, code, err, tt.stdout, tt.stderr, tt.code)
		}
	}
}

func TestWinRMMasterzenPowerShell(t *testing.T) {
	lab := startWinRMLab(t, &winrmFakeRuntime{}, false)
	client := lab.masterzen(t, masterzenOptions{})
	ctx := winrmTestContext(t)
	stdout, stderr, code, err := client.RunPSWithContext(ctx,
		"$c = 'vllm-wintermute'\r\ndocker ps -a --filter \"name=^$c$\" --format \"{{json .}}\"\r\nexit $LASTEXITCODE")
	if err != nil || stdout != winrmTestDocker || stderr != "" || code != 0 {
		t.Errorf("docker ps: %q %q %d %v", stdout, stderr, code, err)
	}
	_, stderr, code, err = client.RunPSWithContext(ctx, "Get-Service vllm")
	if err != nil || code != 1 || !strings.HasPrefix(stderr, "#< CLIXML\r\n<Objs ") ||
		!strings.Contains(stderr, "not simulated: Get-Service vllm") {
		t.Errorf("unknown cmdlet: %q %d %v", stderr, code, err)
	}
}

// runScript sends a contract script the way straylight does.
func runScript(t *testing.T, client *winrm.Client, script, stdin string) (string, string, int) {
	t.Helper()
	stdout, stderr, code, err := client.RunWithContextWithString(winrmTestContext(t), psEncodedCommandLine(script), stdin)
	if err != nil {
		t.Fatal(err)
	}
	return stdout, stderr, code
}

func decodeScriptJSON(t *testing.T, stdout string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(strings.TrimSpace(stdout)), v); err != nil {
		t.Fatalf("%v in %q", err, stdout)
	}
}

func TestWinRMMasterzenWriteAndReadFile(t *testing.T) {
	lab := startWinRMLab(t, &winrmFakeRuntime{}, false)
	client := lab.masterzen(t, masterzenOptions{})
	backup := winrmConfigPath + ".straylight-backup"
	for i, content := range []string{"first: 1\r\n", "second: 2\r\n"} {
		stdout, stderr, code := runScript(t, client, writeFileScript(winrmConfigPath, psSHA256Hex([]byte(content)), backup),
			base64Lines([]byte(content)))
		var res psWriteResult
		decodeScriptJSON(t, stdout, &res)
		wantBackup := map[int]string{0: "", 1: backup}[i]
		if code != 0 || stderr != "" || res.SHA256 != psSHA256Hex([]byte(content)) || res.Backup != wantBackup {
			t.Fatalf("write %d: exit %d stderr %q result %+v", i, code, stderr, res)
		}
	}
	if old, _ := lab.fs.ReadFile(backup); string(old) != "first: 1\r\n" {
		t.Errorf("backup holds %q", old)
	}
	got := readThroughWinRM(t, client, winrmConfigPath)
	if got.content != "second: 2\r\n" {
		t.Errorf("read back %q", got.content)
	}
	if missing := readThroughWinRM(t, client, `C:\nowhere.yml`); missing.exists {
		t.Error("a missing file reads as existing")
	}
}

type readBack struct {
	exists  bool
	content string
}

// readThroughWinRM reads a file with the read-file script and checks its hash.
func readThroughWinRM(t *testing.T, client *winrm.Client, path string) readBack {
	t.Helper()
	stdout, stderr, code := runScript(t, client, readFileScript(path), "")
	var res psFilePresent
	decodeScriptJSON(t, stdout, &res)
	content, err := base64.StdEncoding.DecodeString(res.Content)
	if code != 0 || stderr != "" || err != nil {
		t.Fatalf("read-file: exit %d stderr %q err %v", code, stderr, err)
	}
	if res.Exists && psSHA256Hex(content) != res.SHA256 {
		t.Fatalf("read-file: hash %s does not match the content", res.SHA256)
	}
	return readBack{res.Exists, string(content)}
}

func TestWinRMMasterzenMegabyteRoundTrip(t *testing.T) {
	lab := startWinRMLab(t, &winrmFakeRuntime{}, false)
	client := lab.masterzen(t, masterzenOptions{})
	content := make([]byte, 1<<20)
	_, _ = rand.Read(content)
	path := `C:\Users\mdt\dev\wintermute\models\blob.bin`
	stdout, stderr, code := runScript(t, client, writeFileScript(path, psSHA256Hex(content), path+".bak"), base64Lines(content))
	if code != 0 || stderr != "" {
		t.Fatalf("write: exit %d stderr %q stdout %q", code, stderr, stdout)
	}
	if got := readThroughWinRM(t, client, path); got.content != string(content) {
		t.Fatalf("read back %d bytes, want the %d written", len(got.content), len(content))
	}
	// The output (1.4 MB of JSON) came back over several Receives, each
	// within the client's MaxEnvelopeSize, as Windows chunks it.
	if n := lab.largest.Load(); n > 153600 {
		t.Errorf("a response of %d bytes exceeds MaxEnvelopeSize 153600", n)
	}
}

func TestWinRMMasterzenWriteHashMismatch(t *testing.T) {
	lab := startWinRMLab(t, &winrmFakeRuntime{}, false)
	client := lab.masterzen(t, masterzenOptions{})
	lab.fs.WriteFile(winrmConfigPath, []byte("keep"))
	_, stderr, code := runScript(t, client, writeFileScript(winrmConfigPath, strings.Repeat("ab", 32), "C:\\b"), base64Lines([]byte("new")))
	if code != 2 || !strings.Contains(stderr, "hash mismatch: expected "+strings.Repeat("ab", 32)) {
		t.Errorf("exit %d stderr %q", code, stderr)
	}
	if got, _ := lab.fs.ReadFile(winrmConfigPath); string(got) != "keep" || len(lab.fs.List()) != 1 {
		t.Errorf("filesystem changed: %v", lab.fs.List())
	}
}

func TestWinRMMasterzenHostStatusAndRestart(t *testing.T) {
	rt := &winrmFakeRuntime{}
	lab := startWinRMLab(t, rt, false)
	client := lab.masterzen(t, masterzenOptions{})
	stdout, _, code := runScript(t, client, hostStatusScript("vllm-wintermute"), "")
	var st psHostStatus
	decodeScriptJSON(t, stdout, &st)
	if code != 0 || st.GPUCSV != psJoinLines(winrmTestGPUCSV) || st.Docker != psJoinLines(winrmTestDocker) {
		t.Errorf("host-status: exit %d %+v", code, st)
	}
	seedStartVLLM(lab.fs, winrmScriptPath)
	_, stderr, code := runScript(t, client, seedHandler(winrmScriptPath), "")
	if code != 0 || stderr != "" || rt.restarts.Load() != 1 {
		t.Errorf("handler: exit %d stderr %q restarts %d", code, stderr, rt.restarts.Load())
	}
}

// TestWinRMMasterzenPollsAgain holds a Runtime call past the OperationTimeout:
// the server must answer the 2150858793 fault (and not block), and the
// client must poll again and still get the output.
func TestWinRMMasterzenPollsAgain(t *testing.T) {
	rt := &winrmFakeRuntime{gpuGate: make(chan struct{})}
	lab := startWinRMLab(t, rt, false)
	client := lab.masterzen(t, masterzenOptions{operationTimeout: "PT0.5S"})
	go func() {
		<-lab.onFault // the Receive timed out while nvidia-smi was still running
		close(rt.gpuGate)
	}()
	stdout, _, code, err := client.RunCmdWithContext(winrmTestContext(t),
		"nvidia-smi --query-gpu="+psNvidiaQueryFields+" --format=csv,noheader,nounits")
	if err != nil || code != 0 || stdout != winrmTestGPUCSV || lab.faults.Load() == 0 {
		t.Errorf("%q %d %v after %d faults", stdout, code, err, lab.faults.Load())
	}
}

// TestWinRMMasterzenDeadline runs a command that outlives the caller's
// deadline: the client must give up within deadline + 1 s (with a short
// OperationTimeout, as docs/remote-facts.md prescribes), and the lab must terminate the
// command and delete the shell.
func TestWinRMMasterzenDeadline(t *testing.T) {
	lab := startWinRMLab(t, &winrmFakeRuntime{}, false)
	// masterzen notices the deadline only between Receive polls, so the
	// OperationTimeout bounds how late it can be.
	client := lab.masterzen(t, masterzenOptions{operationTimeout: "PT0.25S"})
	const deadline = time.Second
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	_, _, _, err := client.RunPSWithContext(ctx, "Start-Sleep -Seconds 60")
	elapsed := time.Since(start)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want the context's deadline", err)
	}
	if elapsed > deadline+time.Second {
		t.Errorf("returned after %v, want at most %v", elapsed, deadline+time.Second)
	}
	lab.srv.shells.mu.Lock()
	defer lab.srv.shells.mu.Unlock()
	if n := len(lab.srv.shells.shells); n != 0 {
		t.Errorf("%d shells left open", n)
	}
}

func TestWinRMMasterzenAuthFailure(t *testing.T) {
	lab := startWinRMLab(t, &winrmFakeRuntime{}, false)
	ctx := winrmTestContext(t)
	_, _, _, err := lab.masterzen(t, masterzenOptions{password: "wrong"}).RunCmdWithContext(ctx, "hostname")
	if err == nil || !strings.Contains(err.Error(), "401") || strings.Contains(err.Error(), "wrong") {
		t.Errorf("wrong password: %v", err)
	}
	client := lab.masterzen(t, masterzenOptions{})
	lab.srv.SetRejectAuth(true)
	if _, _, _, err := client.RunCmdWithContext(ctx, "hostname"); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("auth fault on: %v", err)
	}
	lab.srv.SetRejectAuth(false)
	if out, _, _, err := client.RunCmdWithContext(ctx, "hostname"); err != nil || out != "wintermute\r\n" {
		t.Errorf("auth fault off: %q %v", out, err)
	}
}

// TestWinRMMasterzenSlow shows the slow-winrm delay without timing anything:
// a client whose response timeout is shorter than the delay fails, and
// succeeds again once the delay is lifted.
func TestWinRMMasterzenSlow(t *testing.T) {
	lab := startWinRMLab(t, &winrmFakeRuntime{}, false)
	client := lab.masterzen(t, masterzenOptions{httpTimeout: 200 * time.Millisecond})
	ctx := winrmTestContext(t)
	lab.srv.SetDelay(5 * time.Second)
	if _, _, _, err := client.RunCmdWithContext(ctx, "hostname"); err == nil || !strings.Contains(err.Error(), "timeout") {
		t.Errorf("with the delay: %v", err)
	}
	lab.srv.SetDelay(0)
	if out, _, _, err := client.RunCmdWithContext(ctx, "hostname"); err != nil || out != "wintermute\r\n" {
		t.Errorf("without the delay: %q %v", out, err)
	}
}
