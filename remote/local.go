package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"time"
)

// LocalConfig configures the transport for ansible_connection: local.
type LocalConfig struct {
	// NvidiaSMI and Docker name the programs Snapshot runs (looked up in
	// PATH unless they hold a slash); empty means "nvidia-smi" and "docker".
	NvidiaSMI string
	Docker    string
	// Clock names backup files; nil means time.Now.
	Clock func() time.Time
}

// Local reaches the machine straylight runs on.
type Local struct {
	nvidiaSMI, docker string
	now               func() time.Time
}

var _ Transport = (*Local)(nil)

// NewLocal returns the local transport.
func NewLocal(cfg LocalConfig) *Local {
	return &Local{
		nvidiaSMI: stringOr(cfg.NvidiaSMI, "nvidia-smi"),
		docker:    stringOr(cfg.Docker, "docker"),
		now:       clockOrDefault(cfg.Clock),
	}
}

// Describe names the transport for messages.
func (l *Local) Describe() string { return "local" }

// Close has nothing to release.
func (l *Local) Close() error { return nil }

// ReadFile reads path; a missing file is Exists=false with a nil error.
func (l *Local) ReadFile(ctx context.Context, path string) (FileState, error) {
	if err := ctx.Err(); err != nil {
		return FileState{Path: path}, fmt.Errorf("local: read %s: %w", path, err)
	}
	content, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return FileState{Path: path}, nil
	}
	if err != nil {
		return FileState{Path: path}, fmt.Errorf("local: read: %w", err)
	}
	return FileState{Path: path, Exists: true, Content: content, SHA256: sha256Hex(content)}, nil
}

// WriteFile replaces path atomically: a temp file in the same directory,
// synced and hash-checked, then renamed over path after the old content is
// copied to <path>.<timestamp>.straylight-bak. Missing directories are made.
func (l *Local) WriteFile(ctx context.Context, path string, content []byte) (WriteResult, error) {
	if err := ctx.Err(); err != nil {
		return WriteResult{}, fmt.Errorf("local: write %s: %w", path, err)
	}
	result, err := l.replace(ctx, path, content)
	if err != nil {
		return WriteResult{}, fmt.Errorf("local: write %s: %w", path, err)
	}
	return result, nil
}

func (l *Local) replace(ctx context.Context, path string, content []byte) (WriteResult, error) {
	mode, exists, err := existingMode(path)
	if err != nil {
		return WriteResult{}, err
	}
	tmp, err := stage(path, content, mode)
	if err != nil {
		return WriteResult{}, err
	}
	defer os.Remove(tmp) // fails harmlessly once renamed
	backup, err := l.keepBackup(path, exists, mode)
	if err != nil {
		return WriteResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return WriteResult{}, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return WriteResult{}, err
	}
	return WriteResult{SHA256: sha256Hex(content), BackupPath: backup}, syncDir(filepath.Dir(path))
}

// stage writes content to a synced temp file beside path and checks what
// reached the disk.
func stage(path string, content []byte, mode fs.FileMode) (string, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	tmp, err := writeSyncedTemp(dir, filepath.Base(path), content, mode)
	if err != nil {
		return "", err
	}
	if err := verifyHash(tmp, sha256Hex(content)); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

// keepBackup copies the old content aside; "" when there was none.
func (l *Local) keepBackup(path string, exists bool, mode fs.FileMode) (string, error) {
	if !exists {
		return "", nil
	}
	backup := backupPath(path, l.now())
	if err := copyFileSynced(path, backup, mode); err != nil {
		return "", fmt.Errorf("keeping a backup: %w", err)
	}
	return backup, nil
}

// existingMode is the permission bits to keep: the old file's, else 0644.
func existingMode(path string) (fs.FileMode, bool, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return 0o644, false, nil
	case err != nil:
		return 0, false, err
	case !info.Mode().IsRegular():
		return 0, false, fmt.Errorf("%s is not a regular file", path)
	}
	return info.Mode().Perm(), true, nil
}

func writeSyncedTemp(dir, base string, content []byte, mode fs.FileMode) (string, error) {
	f, err := os.CreateTemp(dir, "."+base+".straylight-tmp-*")
	if err != nil {
		return "", err
	}
	err = errors.Join(writeAndSync(f, bytes.NewReader(content), mode), f.Close())
	if err != nil {
		os.Remove(f.Name())
		return "", err
	}
	return f.Name(), nil
}

func writeAndSync(f *os.File, content io.Reader, mode fs.FileMode) error {
	if _, err := io.Copy(f, content); err != nil {
		return err
	}
	if err := f.Chmod(mode); err != nil {
		return err
	}
	return f.Sync()
}

// verifyHash reads back what reached the disk.
func verifyHash(path, want string) error {
	written, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	if got := sha256Hex(written); got != want {
		return fmt.Errorf("%w: expected %s, got %s", ErrHashMismatch, want, got)
	}
	return nil
}

func copyFileSynced(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, mode)
	if err != nil {
		return err
	}
	return errors.Join(writeAndSync(out, in, mode), out.Close())
}

// syncDir makes the rename durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// Run runs cmd.Script with /bin/sh -c. When ctx ends, the whole process
// group is killed, so children of the shell die too.
func (l *Local) Run(ctx context.Context, cmd Command) (CommandResult, error) {
	if shell := shellOrDefault(cmd.Shell, Sh); shell != Sh {
		return CommandResult{}, fmt.Errorf("local: shell %q is not available here (use sh)", shell)
	}
	res, err := runProcess(ctx, []string{"/bin/sh", "-c", cmd.Script}, cmd.Stdin)
	if err != nil {
		return res, fmt.Errorf("local: run: %w", err)
	}
	return res, nil
}

// Snapshot runs nvidia-smi and docker here when they are installed.
func (l *Local) Snapshot(ctx context.Context, container string) (HostSnapshot, error) {
	if container != "" && !containerName.MatchString(container) {
		return HostSnapshot{}, fmt.Errorf("local: container name %q is not a Docker container name", container)
	}
	gpu := probe(ctx, l.nvidiaSMI, nvidiaSMIArgs()...)
	docker := probe(ctx, l.docker, "ps", "-a", "--filter", "name=^"+container+"$", "--format", "{{json .}}")
	if err := ctx.Err(); err != nil {
		return HostSnapshot{}, fmt.Errorf("local: host status: %w", err)
	}
	return buildSnapshot(gpu, docker, container), nil
}

func probe(ctx context.Context, program string, args ...string) probeOutput {
	path, err := exec.LookPath(program)
	if err != nil {
		return probeOutput{Missing: true, ExitCode: exitNotFound}
	}
	res, err := runProcess(ctx, append([]string{path}, args...), nil)
	if err != nil && res.ExitCode == 0 {
		return probeOutput{Output: err.Error(), ExitCode: -1}
	}
	return probeOutput{Output: res.Stdout, Stderr: res.Stderr, ExitCode: res.ExitCode}
}

func stringOr(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}
