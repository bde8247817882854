package remote

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
)

// readAnswer is what the read-file script prints.
type readAnswer struct {
	Exists  bool   `json:"exists"`
	SHA256  string `json:"sha256"`
	Content string `json:"content"`
}

// ReadFile fetches path with its SHA-256; a missing file is Exists=false.
func (w *WinRM) ReadFile(ctx context.Context, path string) (FileState, error) {
	op := "read " + path
	script, err := readFileScript(path)
	if err != nil {
		return FileState{Path: path}, w.refused(op, err)
	}
	var answer readAnswer
	if err := w.runScript(ctx, op, script, nil, &answer); err != nil {
		return FileState{Path: path}, err
	}
	state, err := fileStateFrom(path, answer)
	if err != nil {
		return FileState{Path: path}, fmt.Errorf("%s: %s: %w", w.Describe(), op, err)
	}
	return state, nil
}

// fileStateFrom decodes the content and checks it against the host's hash.
func fileStateFrom(path string, answer readAnswer) (FileState, error) {
	if !answer.Exists {
		return FileState{Path: path}, nil
	}
	content, err := base64.StdEncoding.DecodeString(answer.Content)
	if err != nil {
		return FileState{}, fmt.Errorf("content is not base64: %w", err)
	}
	got := sha256Hex(content)
	if got != strings.ToLower(answer.SHA256) {
		return FileState{}, fmt.Errorf("%w: host reported %s, received %s", ErrHashMismatch, answer.SHA256, got)
	}
	return FileState{Path: path, Exists: true, Content: content, SHA256: got}, nil
}

// WriteFile streams content over stdin to the write-file script, which
// writes a temp file, verifies the hash, keeps a backup and moves the temp
// file over path. The hash the host reports is checked again here.
func (w *WinRM) WriteFile(ctx context.Context, path string, content []byte) (WriteResult, error) {
	op := "write " + path
	want := sha256Hex(content)
	script, err := writeFileScript(path, want, backupPath(path, w.now()))
	if err != nil {
		return WriteResult{}, w.refused(op, err)
	}
	var answer struct {
		SHA256 string `json:"sha256"`
		Backup string `json:"backup"`
	}
	if err := w.runScript(ctx, op, script, base64Lines(content), &answer); err != nil {
		return WriteResult{}, err
	}
	if !strings.EqualFold(answer.SHA256, want) {
		return WriteResult{}, fmt.Errorf("%s: %s: %w: sent %s, host wrote %s", w.Describe(), op, ErrHashMismatch, want, answer.SHA256)
	}
	return WriteResult{SHA256: want, BackupPath: answer.Backup}, nil
}

// Run runs a win_shell script through PowerShell (the default) or a
// win_command line through cmd. Stderr comes back readable (CLIXML decoded).
func (w *WinRM) Run(ctx context.Context, cmd Command) (CommandResult, error) {
	op := "run " + string(shellOrDefault(cmd.Shell, PowerShell))
	line, err := winRMCommandLine(cmd)
	if err != nil {
		return CommandResult{}, w.refused(op, err)
	}
	res, err := w.execute(ctx, op, line, cmd.Stdin)
	return CommandResult{ExitCode: res.exitCode, Stdout: res.stdout, Stderr: DecodeCLIXML(res.stderr)}, err
}

// Snapshot gathers GPU and container state with one host-status script.
func (w *WinRM) Snapshot(ctx context.Context, container string) (HostSnapshot, error) {
	op := "host status"
	script, err := hostStatusScript(container)
	if err != nil {
		return HostSnapshot{}, w.refused(op, err)
	}
	var answer hostStatusAnswer
	if err := w.runScript(ctx, op, script, nil, &answer); err != nil {
		return HostSnapshot{}, err
	}
	gpu, docker := answer.probes()
	return buildSnapshot(gpu, docker, container), nil
}

// hostStatusAnswer is the host-status script's JSON line.
type hostStatusAnswer struct {
	GPUCSV     string `json:"gpu_csv"`
	GPUExit    int    `json:"gpu_exit"`
	GPUErr     string `json:"gpu_err"`
	Docker     string `json:"docker"`
	DockerExit int    `json:"docker_exit"`
	DockerErr  string `json:"docker_err"`
	User       string `json:"user"`
}

func (a hostStatusAnswer) probes() (gpu, docker probeOutput) {
	gpu = probeOutput{Output: a.GPUCSV, Stderr: a.GPUErr, ExitCode: a.GPUExit,
		Missing: a.GPUExit == exitNotFound, User: a.User}
	docker = probeOutput{Output: a.Docker, Stderr: a.DockerErr, ExitCode: a.DockerExit,
		Missing: a.DockerExit == exitNotFound, User: a.User}
	return gpu, docker
}

func winRMCommandLine(cmd Command) (string, error) {
	switch shellOrDefault(cmd.Shell, PowerShell) {
	case PowerShell:
		return encodedPowerShell(cmd.Script + psExitTrailer)
	case Cmd:
		return cmdCommandLine(cmd.Script)
	}
	return "", fmt.Errorf("shell %q does not exist on Windows (use powershell or cmd)", cmd.Shell)
}

// runScript runs one of straylight's marked scripts and decodes the JSON
// line it prints into answer. A non-zero exit is an error carrying stderr.
func (w *WinRM) runScript(ctx context.Context, op, script string, stdin []byte, answer any) error {
	line, err := encodedPowerShell(script)
	if err != nil {
		return w.refused(op, err)
	}
	res, err := w.execute(ctx, op, line, stdin)
	if err != nil {
		return err
	}
	if res.exitCode != 0 {
		return w.scriptFailure(op, res)
	}
	if err := json.Unmarshal(lastJSONLine(res.stdout), answer); err != nil {
		return fmt.Errorf("%s: %s: unreadable answer %q: %w", w.Describe(), op, abbreviate(res.stdout, 200), err)
	}
	return nil
}

// exitHashMismatch is write-file's exit code when the temp file's hash differs.
const exitHashMismatch = 2

func (w *WinRM) scriptFailure(op string, res execResult) error {
	message := strings.TrimSpace(DecodeCLIXML(res.stderr))
	if message == "" {
		message = "no message on stderr"
	}
	message = w.scrub(message)
	if res.exitCode == exitHashMismatch {
		detail := strings.TrimPrefix(strings.TrimPrefix(message, ErrHashMismatch.Error()), ":")
		return fmt.Errorf("%s: %s: %w: %s", w.Describe(), op, ErrHashMismatch, strings.TrimSpace(detail))
	}
	return fmt.Errorf("%s: %s: exit code %d: %s", w.Describe(), op, res.exitCode, message)
}

// lastJSONLine is the last stdout line that looks like a JSON object (a
// profile or a stray Write-Host may print before it).
func lastJSONLine(stdout string) []byte {
	lines := strings.Split(strings.TrimPrefix(stdout, "\ufeff"), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		line := bytes.TrimSpace([]byte(lines[i]))
		if bytes.HasPrefix(line, []byte("{")) {
			return line
		}
	}
	return []byte(strings.TrimSpace(stdout))
}

func shellOrDefault(shell, fallback Shell) Shell {
	if shell == "" {
		return fallback
	}
	return shell
}

func sha256Hex(content []byte) string {
	sum := sha256.Sum256(content)
	return hex.EncodeToString(sum[:])
}

// backupPath names the copy of the old content: <path>.<UTC timestamp>.straylight-bak
// (Ansible's backup naming, without characters Windows forbids in names).
func backupPath(path string, now time.Time) string {
	return path + "." + now.UTC().Format("20060102T150405.000Z") + ".straylight-bak"
}

func abbreviate(text string, limit int) string {
	if len(text) <= limit {
		return text
	}
	return text[:limit] + "…"
}
