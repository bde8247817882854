package remote

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"math/rand/v2"
	"net"
	"slices"
	"strings"
	"testing"
	"time"
)

const configPath = `C:\Users\mdt\dev\wintermute\config.yml`

func TestWinRMReadFileSendsTheReadScript(t *testing.T) {
	f := newFakeWSMan(t, "basic").start()
	content := []byte("vllm:\n  served_model_name: llama31-8b-wintermute\n")
	f.host.put(configPath, content)

	got, err := f.client(t, nil).ReadFile(testContext(t), configPath)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Exists || !bytes.Equal(got.Content, content) || got.SHA256 != sha256Hex(content) || got.Path != configPath {
		t.Errorf("ReadFile = %+v", got)
	}
	wantActions := []string{"Create", "Command", "Receive", "Signal", "Delete"}
	if got := collapse(f.actions()); !slices.Equal(got, wantActions) {
		t.Errorf("actions = %v, want %v", got, wantActions)
	}
	command := onlyCommand(t, f)
	if !strings.HasPrefix(command.CommandLine, "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand ") {
		t.Errorf("command line = %.80q", command.CommandLine)
	}
	golden(t, "scripts/read-file.ps1", command.Script)
}

func TestWinRMMessagesCarryTheParameters(t *testing.T) {
	f := newFakeWSMan(t, "basic").start()
	if _, err := f.client(t, nil).ReadFile(testContext(t), configPath); err != nil {
		t.Fatal(err)
	}
	var shellID string
	for _, m := range f.messages() {
		if m.OperationTimeout != "PT5S" || m.MaxEnvelopeSize != "153600" {
			t.Errorf("%s: OperationTimeout %q, MaxEnvelopeSize %q", m.Action, m.OperationTimeout, m.MaxEnvelopeSize)
		}
		if m.Action == "Create" {
			if m.Options["WINRS_CODEPAGE"] != "65001" {
				t.Errorf("Create options = %v, want UTF-8 code page", m.Options)
			}
			continue
		}
		if shellID == "" {
			shellID = m.ShellID
		}
		if m.ShellID == "" || m.ShellID != shellID {
			t.Errorf("%s went to shell %q, want the created %q", m.Action, m.ShellID, shellID)
		}
	}
}

func onlyCommand(t *testing.T, f *fakeWSMan) wireMessage {
	t.Helper()
	var found []wireMessage
	for _, m := range f.messages() {
		if m.Action == "Command" {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d Command messages, want 1", len(found))
	}
	return found[0]
}

func TestWinRMReadFileAbsent(t *testing.T) {
	f := newFakeWSMan(t, "basic").start()
	got, err := f.client(t, nil).ReadFile(testContext(t), configPath)
	if err != nil || got.Exists || got.Content != nil || got.SHA256 != "" {
		t.Errorf("ReadFile of a missing file = %+v, %v; want Exists=false and no error", got, err)
	}
}

func TestWinRMReadFileFailureIsReadable(t *testing.T) {
	f := newFakeWSMan(t, "basic")
	f.override = func(c *fakeCommand) int { // what a real host sends for a denied read
		c.writeStderr(`#< CLIXML` + "\r\n" + `<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">` +
			`<S S="Error">Access to the path 'C:\Users\mdt\dev\wintermute\config.yml' is denied._x000D__x000A_</S></Objs>`)
		return 1
	}
	f.start()
	_, err := f.client(t, nil).ReadFile(testContext(t), configPath)
	if err == nil {
		t.Fatal("ReadFile succeeded on a failing script")
	}
	msg := err.Error()
	if !strings.Contains(msg, `Access to the path 'C:\Users\mdt\dev\wintermute\config.yml' is denied.`) ||
		strings.Contains(msg, "CLIXML") || strings.Contains(msg, "_x000D_") || !strings.Contains(msg, "exit code 1") {
		t.Errorf("error = %q, want the decoded message and the exit code", msg)
	}
}

func TestWinRMWriteFileStreamsBase64AndKeepsABackup(t *testing.T) {
	f := newFakeWSMan(t, "basic").start()
	old, content := []byte("old: true\n"), []byte("vllm:\n  served_model_name: llama31-8b-wintermute\n")
	f.host.put(configPath, old)

	res, err := f.client(t, nil).WriteFile(testContext(t), configPath, content)
	if err != nil {
		t.Fatal(err)
	}
	wantBackup := configPath + fixedBackupSuffix
	if res.SHA256 != sha256Hex(content) || res.BackupPath != wantBackup {
		t.Errorf("WriteFile = %+v, want hash %s and backup %s", res, sha256Hex(content), wantBackup)
	}
	assertHostFile(t, f.host, configPath, content)
	assertHostFile(t, f.host, wantBackup, old)
	if _, ok := f.host.get(configPath + ".straylight-tmp"); ok {
		t.Error("the temp file was left behind")
	}
	sends := sentStdin(f)
	if !bytes.Equal(sends, base64Lines(content)) {
		t.Errorf("stdin = %q, want %q", sends, base64Lines(content))
	}
	assertLastSendIsEOF(t, f)
	golden(t, "scripts/write-file.ps1", onlyCommand(t, f).Script)
}

func assertHostFile(t *testing.T, h *fakeWindows, path string, want []byte) {
	t.Helper()
	got, ok := h.get(path)
	if !ok || !bytes.Equal(got, want) {
		t.Errorf("host file %s = %q (exists %v), want %q", path, got, ok, want)
	}
}

func sentStdin(f *fakeWSMan) []byte {
	var stdin []byte
	for _, m := range f.messages() {
		if m.Action == "Send" {
			stdin = append(stdin, m.Stdin...)
		}
	}
	return stdin
}

func assertLastSendIsEOF(t *testing.T, f *fakeWSMan) {
	t.Helper()
	var sends []wireMessage
	for _, m := range f.messages() {
		if m.Action == "Send" {
			sends = append(sends, m)
		}
	}
	if len(sends) == 0 || !sends[len(sends)-1].End || len(sends[len(sends)-1].Stdin) != 0 {
		t.Fatalf("sends = %d, want data then an empty End=true", len(sends))
	}
	for _, s := range sends[:len(sends)-1] {
		if s.End {
			t.Error("End=true before the last Send")
		}
	}
	if problems := f.host.stdinProblems; len(problems) > 0 {
		t.Errorf("stdin broke the contract: %v", problems)
	}
}

func TestWinRMWriteNewFileHasNoBackup(t *testing.T) {
	f := newFakeWSMan(t, "basic").start()
	res, err := f.client(t, nil).WriteFile(testContext(t), configPath, []byte("new\n"))
	if err != nil || res.BackupPath != "" {
		t.Fatalf("WriteFile = %+v, %v; want no backup", res, err)
	}
	assertHostFile(t, f.host, configPath, []byte("new\n"))
	if len(f.host.paths()) != 1 {
		t.Errorf("host files = %v, want only the target", f.host.paths())
	}
}

func TestWinRMWriteEmptyFile(t *testing.T) {
	f := newFakeWSMan(t, "basic").start()
	res, err := f.client(t, nil).WriteFile(testContext(t), configPath, nil)
	if err != nil || res.SHA256 != sha256Hex(nil) {
		t.Fatalf("WriteFile(empty) = %+v, %v", res, err)
	}
	assertHostFile(t, f.host, configPath, nil)
	assertLastSendIsEOF(t, f)
}

func TestWinRMWriteHashMismatchOnHostLeavesTheFile(t *testing.T) {
	f := newFakeWSMan(t, "basic").start()
	f.host.corruptWrites = true
	f.host.put(configPath, []byte("old\n"))
	_, err := f.client(t, nil).WriteFile(testContext(t), configPath, []byte("new\n"))
	if !errors.Is(err, ErrHashMismatch) || !strings.Contains(err.Error(), "hash mismatch: expected") {
		t.Fatalf("error = %v, want ErrHashMismatch with the host's message", err)
	}
	assertHostFile(t, f.host, configPath, []byte("old\n"))
}

func TestWinRMWriteChecksTheHashInTheAnswer(t *testing.T) {
	f := newFakeWSMan(t, "basic").start()
	f.host.lieAboutHash = true
	_, err := f.client(t, nil).WriteFile(testContext(t), configPath, []byte("new\n"))
	if !errors.Is(err, ErrHashMismatch) {
		t.Fatalf("error = %v, want ErrHashMismatch", err)
	}
}

func TestWinRMOneMegabyteRoundTrip(t *testing.T) {
	for _, auth := range []string{"basic", "ntlm"} {
		t.Run(auth, func(t *testing.T) { testOneMegabyteRoundTrip(t, auth) })
	}
}

func testOneMegabyteRoundTrip(t *testing.T, auth string) {
	f := newFakeWSMan(t, auth).start()
	content := make([]byte, 1<<20)
	rng := rand.New(rand.NewChaCha8([32]byte{7}))
	for i := range content {
		content[i] = byte(rng.Uint32())
	}
	w := f.client(t, nil)
	res, err := w.WriteFile(testContext(t), configPath, content)
	if err != nil {
		t.Fatal(err)
	}
	got, err := w.ReadFile(testContext(t), configPath)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got.Content, content) || got.SHA256 != res.SHA256 || res.SHA256 != sha256Hex(content) {
		t.Fatalf("round trip changed the content (hash %s, wrote %s, want %s)", got.SHA256, res.SHA256, sha256Hex(content))
	}
	assertSendsFitTheEnvelope(t, f, len(base64Lines(content)))
}

// assertSendsFitTheEnvelope checks the stdin went in as few Sends as the
// envelope allows, each inside MaxEnvelopeSize and made of whole lines.
func assertSendsFitTheEnvelope(t *testing.T, f *fakeWSMan, stdinLen int) {
	t.Helper()
	chunk := stdinChunkSize(envelopeSize)
	wantData := (stdinLen + chunk - 1) / chunk
	data := 0
	for _, m := range f.messages() {
		if m.Action != "Send" {
			continue
		}
		if m.Size > envelopeSize {
			t.Errorf("a Send of %d bytes exceeds the %d-byte envelope", m.Size, envelopeSize)
		}
		if len(m.Stdin) > 0 {
			data++
			if len(m.Stdin)%77 != 0 && !m.End && data < wantData {
				t.Errorf("a Send carries %d bytes, not whole lines", len(m.Stdin))
			}
		}
	}
	if data != wantData {
		t.Errorf("%d Sends carried data, want %d", data, wantData)
	}
	assertLastSendIsEOF(t, f)
}

func TestWinRMRunPowerShellKeepsTheExitCode(t *testing.T) {
	f := newFakeWSMan(t, "basic")
	f.run = func(c *fakeCommand) int {
		c.writeStdout("hello\r\n")
		return 3
	}
	f.start()
	res, err := f.client(t, nil).Run(testContext(t), Command{Script: `& C:\Users\mdt\scripts\Start-VLLM.ps1 -Action Restart`})
	if err != nil {
		t.Fatal(err)
	}
	if res.ExitCode != 3 || res.Stdout != "hello\r\n" {
		t.Errorf("Run = %+v, want exit 3 and the output", res)
	}
	command := onlyCommand(t, f)
	want := "& C:\\Users\\mdt\\scripts\\Start-VLLM.ps1 -Action Restart\nexit $LASTEXITCODE\n"
	if command.Script != want {
		t.Errorf("script = %q, want %q", command.Script, want)
	}
	if !strings.HasPrefix(command.CommandLine, psCommandPrefix) {
		t.Errorf("command line = %.80q", command.CommandLine)
	}
}

func TestWinRMRunCmdSendsThePlainCommandLine(t *testing.T) {
	f := newFakeWSMan(t, "basic")
	f.run = func(c *fakeCommand) int {
		c.writeStdout("wintermute\r\n")
		return 0
	}
	f.start()
	res, err := f.client(t, nil).Run(testContext(t), Command{Shell: Cmd, Script: "hostname"})
	if err != nil || res.ExitCode != 0 || res.Stdout != "wintermute\r\n" {
		t.Fatalf("Run = %+v, %v", res, err)
	}
	if line := onlyCommand(t, f).CommandLine; line != "hostname" {
		t.Errorf("command line = %q, want hostname", line)
	}
}

func TestWinRMRunDecodesCLIXMLAndSendsStdin(t *testing.T) {
	f := newFakeWSMan(t, "basic")
	f.run = func(c *fakeCommand) int {
		c.writeStdout(string(c.readAllStdin()))
		c.writeStderr("#< CLIXML\r\n<Objs Version=\"1.1.0.1\" xmlns=\"http://schemas.microsoft.com/powershell/2004/04\">" +
			"<S S=\"Error\">Write-Error : kaboom_x000D__x000A_</S></Objs>")
		return 1
	}
	f.start()
	res, err := f.client(t, nil).Run(testContext(t), Command{Script: "$input | Write-Output; Write-Error kaboom", Stdin: []byte("line one\n")})
	if err != nil {
		t.Fatal(err)
	}
	if res.Stderr != "Write-Error : kaboom\n" || res.Stdout != "line one\n" || res.ExitCode != 1 {
		t.Errorf("Run = %+v", res)
	}
	assertLastSendIsEOF(t, f)
}

func TestWinRMRunRefusesWhatCannotBeSent(t *testing.T) {
	f := newFakeWSMan(t, "basic").start()
	w := f.client(t, nil)
	for _, cmd := range []Command{
		{Shell: Sh, Script: "ls"},
		{Shell: Cmd, Script: "echo a\necho b"},
		{Shell: Cmd, Script: strings.Repeat("x", maxCommandLine+1)},
		{Script: strings.Repeat("Write-Output 1; ", 400)},
	} {
		if _, err := w.Run(testContext(t), cmd); err == nil {
			t.Errorf("Run(%s, %.20q) was sent", cmd.Shell, cmd.Script)
		}
	}
	if len(f.messages()) != 0 {
		t.Errorf("%d messages went out for refused commands", len(f.messages()))
	}
}

// TestWinRMRunReturnsAtTheDeadline: the fake holds every Receive open, so the
// call can only return by honouring its own deadline. (The brief asks for the
// deadline + 1 s bound; the held Receive is what proves it does not depend on
// the server.) Afterwards the command is still terminated and the shell deleted.
func TestWinRMRunReturnsAtTheDeadline(t *testing.T) {
	f := newFakeWSMan(t, "basic")
	f.pollWait = time.Hour
	f.run = func(c *fakeCommand) int { <-c.terminated; return 0 }
	f.start()
	w := f.client(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	deadline, _ := ctx.Deadline()

	_, err := w.Run(ctx, Command{Script: "Start-Sleep -Seconds 3600"})
	returned := time.Now()

	if !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, ErrUnreachable) {
		t.Errorf("error = %v, want the deadline (the host did answer)", err)
	}
	if late := returned.Sub(deadline); late > time.Second {
		t.Errorf("Run returned %v after its deadline, want within 1s", late)
	}
	f.mu.Lock()
	answeredPolls := f.timeouts
	f.mu.Unlock()
	if answeredPolls != 0 {
		t.Errorf("%d Receives were answered before Run returned; it should not have needed any", answeredPolls)
	}
	close(f.release)
	f.waitUntil("Signal and Delete after the deadline", func() bool {
		got := collapse(actionsOf(f.wire))
		return len(got) >= 2 && slices.Equal(got[len(got)-2:], []string{"Signal", "Delete"})
	})
}

func actionsOf(msgs []wireMessage) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, m.Action)
	}
	return out
}

func TestWinRMPollsAgainAfterOperationTimeout(t *testing.T) {
	f := newFakeWSMan(t, "basic")
	f.pollWait = 5 * time.Millisecond
	f.run = func(c *fakeCommand) int {
		if !f.awaitTimeouts(3) {
			return 1
		}
		c.writeStdout("finally\r\n")
		return 0
	}
	f.start()
	res, err := f.client(t, nil).Run(testContext(t), Command{Shell: Cmd, Script: "slow.exe"})
	if err != nil || res.Stdout != "finally\r\n" {
		t.Fatalf("Run = %+v, %v; want the output after the timeouts", res, err)
	}
}

// awaitTimeouts waits (off the test goroutine) until n Receives timed out.
func (f *fakeWSMan) awaitTimeouts(n int) bool {
	for {
		f.mu.Lock()
		reached, changed := f.timeouts >= n, f.changed
		f.mu.Unlock()
		if reached {
			return true
		}
		select {
		case <-changed:
		case <-f.closing:
			return false
		}
	}
}

func TestWinRMSnapshotIsOneScript(t *testing.T) {
	f := newFakeWSMan(t, "basic").start()
	f.host.gpuCSV = "0, NVIDIA GeForce RTX 4090, 37, 18234, 24564, 61, 212.45\r\n"
	f.host.docker = `{"Command":"\"python3 -m vllm.en…\"","ID":"3f2a9c1b7d44","Image":"vllm/vllm-openai:v0.10.1.1",` +
		`"Names":"vllm-wintermute","State":"running","Status":"Up 3 hours"}` + "\r\n"
	snap, err := f.client(t, nil).Snapshot(testContext(t), "vllm-wintermute")
	if err != nil {
		t.Fatal(err)
	}
	if len(snap.GPUs) != 1 || snap.GPUs[0].Name != "NVIDIA GeForce RTX 4090" || *snap.GPUs[0].PowerW != 212.45 || snap.GPUError != "" {
		t.Errorf("GPUs = %+v, error %q", snap.GPUs, snap.GPUError)
	}
	want := Container{ID: "3f2a9c1b7d44", Name: "vllm-wintermute", Image: "vllm/vllm-openai:v0.10.1.1", State: "running", Status: "Up 3 hours"}
	if snap.Container == nil || *snap.Container != want || snap.DockerErr != "" {
		t.Errorf("Container = %+v, error %q", snap.Container, snap.DockerErr)
	}
	if n := len(collapse(f.actions())); n != 5 {
		t.Errorf("actions = %v, want one command", f.actions())
	}
	golden(t, "scripts/host-status.ps1", onlyCommand(t, f).Script)
}

func TestWinRMSnapshotReportsMissingPrograms(t *testing.T) {
	f := newFakeWSMan(t, "basic").start()
	f.host.gpuExit = 127
	f.host.docker, f.host.dockerExit = "error during connect: open //./pipe/docker_engine: The system cannot find the file specified.\r\n", 1
	snap, err := f.client(t, nil).Snapshot(testContext(t), "vllm-wintermute")
	if err != nil {
		t.Fatal(err)
	}
	if snap.GPUError != "nvidia-smi not found" || !strings.HasPrefix(snap.DockerErr, "docker exited 1: error during connect") {
		t.Errorf("snapshot = %+v", snap)
	}
}

func TestWinRMSnapshotRefusesOddContainerNames(t *testing.T) {
	f := newFakeWSMan(t, "basic").start()
	if _, err := f.client(t, nil).Snapshot(testContext(t), "x'; Remove-Item C:\\ -Recurse; '"); err == nil {
		t.Error("a container name with quotes was sent")
	}
}

func TestWinRMBasicAuthFailure(t *testing.T) {
	f := newFakeWSMan(t, "basic").start()
	const wrong = "wr0ng-Passw0rd!"
	w := f.client(t, func(c *WinRMConfig) { c.Password = wrong })
	_, err := w.ReadFile(testContext(t), configPath)
	if !errors.Is(err, ErrAuth) {
		t.Fatalf("error = %v, want ErrAuth", err)
	}
	if strings.Contains(err.Error(), wrong) {
		t.Errorf("error %q shows the password", err)
	}
}

func TestWinRMNTLM(t *testing.T) {
	f := newFakeWSMan(t, "ntlm").start()
	f.host.put(configPath, []byte("x: 1\n"))
	got, err := f.client(t, nil).ReadFile(testContext(t), configPath)
	if err != nil || string(got.Content) != "x: 1\n" {
		t.Fatalf("ReadFile over NTLM = %+v, %v", got, err)
	}
	if f.basicSeen != 0 {
		t.Errorf("%d requests carried Basic credentials", f.basicSeen)
	}
}

func TestWinRMNTLMWrongPassword(t *testing.T) {
	f := newFakeWSMan(t, "ntlm").start()
	const wrong = "wr0ng-Passw0rd!"
	_, err := f.client(t, func(c *WinRMConfig) { c.Password = wrong }).ReadFile(testContext(t), configPath)
	if !errors.Is(err, ErrAuth) || strings.Contains(err.Error(), wrong) {
		t.Fatalf("error = %v, want ErrAuth without the password", err)
	}
}

// ansible_winrm_transport: ntlm never becomes Basic: a host that does not
// offer Negotiate is an authentication error naming the WinRM setting, over
// plain HTTP, without validation and even over verified TLS (pywinrm and
// Ansible never fall back either).
func TestWinRMNTLMNeverFallsBackToBasicOverHTTP(t *testing.T) {
	f := newFakeWSMan(t, "basic").start() // offers Basic only
	w := f.client(t, func(c *WinRMConfig) { c.Transport = "ntlm" })
	assertBasicRefused(t, f, w)
}

func TestWinRMNTLMNeverFallsBackToBasicWithoutValidation(t *testing.T) {
	f := newFakeWSMan(t, "basic")
	f.srv.TLS = &tls.Config{Certificates: []tls.Certificate{newTestPKI(t).leaf}}
	f.srv.StartTLS()
	w := f.client(t, func(c *WinRMConfig) { c.Transport, c.ServerCertValidation = "ntlm", "ignore" })
	assertBasicRefused(t, f, w)
}

func TestWinRMNTLMNeverFallsBackToBasicOverVerifiedTLS(t *testing.T) {
	pki := newTestPKI(t)
	f := newFakeWSMan(t, "basic")
	f.srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.leaf}}
	f.srv.StartTLS()
	w := f.client(t, func(c *WinRMConfig) { c.Transport, c.CATrustPEM = "ntlm", pki.caPEM })
	assertBasicRefused(t, f, w)
}

func assertBasicRefused(t *testing.T, f *fakeWSMan, w *WinRM) {
	t.Helper()
	_, err := w.ReadFile(testContext(t), configPath)
	if !errors.Is(err, ErrAuth) || !strings.Contains(err.Error(), "does not offer Negotiate (NTLM)") {
		t.Fatalf("error = %v, want a refusal naming Negotiate", err)
	}
	if f.basicSeen != 0 || strings.Contains(err.Error(), f.password) {
		t.Errorf("the password left: %d Basic requests, error %q", f.basicSeen, err)
	}
}

func TestWinRMTLS(t *testing.T) {
	pki := newTestPKI(t)
	f := newFakeWSMan(t, "ntlm")
	f.srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.leaf}}
	f.srv.StartTLS()
	f.host.put(configPath, []byte("ok\n"))

	trusting := f.client(t, func(c *WinRMConfig) { c.CATrustPath = writeTempFile(t, "ca.pem", pki.caPEM) })
	if _, err := trusting.ReadFile(testContext(t), configPath); err != nil || trusting.Insecure() {
		t.Errorf("with the right CA: %v (insecure %v)", err, trusting.Insecure())
	}
	stranger := f.client(t, func(c *WinRMConfig) { c.CATrustPEM = newTestPKI(t).caPEM })
	if _, err := stranger.ReadFile(testContext(t), configPath); !errors.Is(err, ErrTLS) {
		t.Errorf("with an unknown CA: %v, want ErrTLS", err)
	}
	systemRoots := f.client(t, nil)
	if _, err := systemRoots.ReadFile(testContext(t), configPath); !errors.Is(err, ErrTLS) {
		t.Errorf("with the system roots: %v, want ErrTLS", err)
	}
	ignoring := f.client(t, func(c *WinRMConfig) { c.ServerCertValidation = "ignore" })
	if _, err := ignoring.ReadFile(testContext(t), configPath); err != nil || !ignoring.Insecure() {
		t.Errorf("with validation ignored: %v (insecure %v, want true)", err, ignoring.Insecure())
	}
}

func TestWinRMUnreachable(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := listener.Addr().(*net.TCPAddr).Port
	listener.Close()
	w := mustWinRM(t, WinRMConfig{Host: "127.0.0.1", Port: port, Scheme: "http", Transport: "ntlm", User: "mdt", Password: "pw"})
	if _, err := w.ReadFile(testContext(t), configPath); !errors.Is(err, ErrUnreachable) {
		t.Errorf("refused connection: %v, want ErrUnreachable", err)
	}
}

func TestWinRMSilentHostIsUnreachableAtTheDeadline(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { listener.Close() })
	go holdConnections(listener)
	w := mustWinRM(t, WinRMConfig{Host: "127.0.0.1", Port: listener.Addr().(*net.TCPAddr).Port, Scheme: "http",
		Transport: "ntlm", User: "mdt", Password: "pw"})
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	_, err = w.ReadFile(ctx, configPath)
	if !errors.Is(err, ErrUnreachable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("silent host: %v, want ErrUnreachable and the deadline", err)
	}
}

// holdConnections accepts and never answers, until the listener closes.
func holdConnections(listener net.Listener) {
	var held []net.Conn
	defer func() {
		for _, c := range held {
			c.Close()
		}
	}()
	for {
		conn, err := listener.Accept()
		if err != nil {
			return
		}
		held = append(held, conn)
	}
}

func mustWinRM(t *testing.T, cfg WinRMConfig) *WinRM {
	t.Helper()
	w, err := NewWinRM(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func TestNewWinRMSecurityRules(t *testing.T) {
	caPath := writeTempFile(t, "ca.pem", newTestPKI(t).caPEM)
	notPEM := writeTempFile(t, "bad.pem", []byte("not a certificate"))
	cases := []struct {
		name                  string
		cfg                   WinRMConfig
		wantErr, wantInsecure bool
		wantAuth              string
		wantPort              int
	}{
		{"https defaults to basic", WinRMConfig{}, false, false, authBasic, 5986},
		{"http without transport is refused", WinRMConfig{Scheme: "http"}, true, false, "", 0},
		{"explicit basic over http", WinRMConfig{Scheme: "http", Transport: "basic"}, false, true, authBasic, 5985},
		{"plaintext is explicit basic", WinRMConfig{Scheme: "HTTP", Transport: "plaintext"}, false, true, authBasic, 5985},
		{"ssl over http is refused", WinRMConfig{Scheme: "http", Transport: "ssl"}, true, false, "", 0},
		{"ntlm over http is allowed but insecure", WinRMConfig{Scheme: "http", Transport: "ntlm"}, false, true, authNTLM, 5985},
		{"ntlm over https", WinRMConfig{Transport: "ntlm", Port: 15986}, false, false, authNTLM, 15986},
		{"first supported entry of a list", WinRMConfig{Transport: "kerberos, ntlm"}, false, false, authNTLM, 5986},
		{"kerberos alone is unsupported", WinRMConfig{Transport: "kerberos"}, true, false, "", 0},
		{"ignore makes it insecure", WinRMConfig{ServerCertValidation: "ignore"}, false, true, authBasic, 5986},
		{"unknown validation value", WinRMConfig{ServerCertValidation: "maybe"}, true, false, "", 0},
		{"unknown scheme", WinRMConfig{Scheme: "ftp"}, true, false, "", 0},
		{"port out of range", WinRMConfig{Port: 70000}, true, false, "", 0},
		{"CA bundle", WinRMConfig{CATrustPath: caPath}, false, false, authBasic, 5986},
		{"CA bundle missing", WinRMConfig{CATrustPath: caPath + ".missing"}, true, false, "", 0},
		{"CA bundle without certificates", WinRMConfig{CATrustPath: notPEM}, true, false, "", 0},
		{"no user", WinRMConfig{User: "-"}, true, false, "", 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			cfg := tc.cfg
			cfg.Host, cfg.Password = "wintermute", "hunter2-secret"
			cfg.User = map[bool]string{true: "", false: "mdt"}[cfg.User == "-"]
			w, err := NewWinRM(cfg)
			if (err != nil) != tc.wantErr {
				t.Fatalf("NewWinRM error = %v, want error %v", err, tc.wantErr)
			}
			if err != nil {
				if strings.Contains(err.Error(), cfg.Password) {
					t.Errorf("error %q shows the password", err)
				}
				return
			}
			if w.Insecure() != tc.wantInsecure || w.auth != tc.wantAuth || w.port != tc.wantPort {
				t.Errorf("insecure %v (%q), auth %s, port %d; want %v, %s, %d",
					w.Insecure(), w.InsecureReason(), w.auth, w.port, tc.wantInsecure, tc.wantAuth, tc.wantPort)
			}
		})
	}
}

func TestWinRMHTTPWithoutTransportExplainsItself(t *testing.T) {
	_, err := NewWinRM(WinRMConfig{Host: "wintermute", Scheme: "http", User: "mdt", Password: "pw"})
	if err == nil || !strings.Contains(err.Error(), "ansible_winrm_transport") || !strings.Contains(err.Error(), "clear text") {
		t.Errorf("error = %v, want a message naming ansible_winrm_transport and why", err)
	}
}

func TestWinRMDescribeHidesThePassword(t *testing.T) {
	w := mustWinRM(t, WinRMConfig{Host: "wintermute", Transport: "ntlm", User: `LAB\mdt`, Password: "hunter2-secret"})
	got := w.Describe()
	if got != `winrm+ntlm https://LAB\mdt@wintermute:5986/wsman` || strings.Contains(got, "hunter2") {
		t.Errorf("Describe() = %q", got)
	}
	v6 := mustWinRM(t, WinRMConfig{Host: "::1", Scheme: "http", Transport: "ntlm", User: "mdt"})
	if got := v6.Describe(); got != "winrm+ntlm http://mdt@[::1]:5985/wsman" {
		t.Errorf("Describe() = %q", got)
	}
}

func TestWriteFileScriptFitsTheCommandLine(t *testing.T) {
	long := `C:\` + strings.Repeat(`abcdefghi\`, 25) + "config.yml"
	script, err := writeFileScript(long, strings.Repeat("f", 64), long+fixedBackupSuffix)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := encodedPowerShell(script); err != nil {
		t.Errorf("write-file with a %d-character path: %v", len(long), err)
	}
}

func TestScriptParametersAreQuoted(t *testing.T) {
	script, err := readFileScript(`C:\it's here\config.yml`)
	if err != nil || !strings.Contains(script, "\n$Path = 'C:\\it''s here\\config.yml'\n") {
		t.Errorf("script = %q, %v", script, err)
	}
	for _, bad := range []string{"C:\\a\nb", "C:\\a\u2019b", "C:\\a\x00"} {
		if _, err := readFileScript(bad); err == nil {
			t.Errorf("path %q was accepted", bad)
		}
	}
}

func TestReadAnswerWithTheWrongHashIsRefused(t *testing.T) {
	answer := readAnswer{Exists: true, SHA256: strings.Repeat("0", 64), Content: "eDogMQo="}
	if _, err := fileStateFrom(configPath, answer); !errors.Is(err, ErrHashMismatch) {
		t.Errorf("error = %v, want ErrHashMismatch", err)
	}
	answer.SHA256 = strings.ToUpper(sha256Hex([]byte("x: 1\n")))
	if got, err := fileStateFrom(configPath, answer); err != nil || string(got.Content) != "x: 1\n" {
		t.Errorf("fileStateFrom = %+v, %v", got, err)
	}
}

func TestWinRMConcurrentCalls(t *testing.T) {
	f := newFakeWSMan(t, "ntlm").start()
	f.host.put(configPath, []byte("x: 1\n"))
	w := f.client(t, nil)
	errs := make(chan error, 8)
	for range 8 {
		go func() {
			_, err := w.ReadFile(testContext(t), configPath)
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
