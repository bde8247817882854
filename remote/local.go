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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/straylight-fleet/straylight/internal/shquote"
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
	// umask is read once, when a read first needs it: /proc/self/status
	// is a page the kernel composes on every read, and a plan asked it
	// for every file of every local host.
	umask func() uint32
	names *localNames // owner and group names by id, looked up once each
}

var _ Transport = (*Local)(nil)

// NewLocal returns the local transport.
func NewLocal(cfg LocalConfig) *Local {
	return &Local{
		nvidiaSMI: stringOr(cfg.NvidiaSMI, "nvidia-smi"),
		docker:    stringOr(cfg.Docker, "docker"),
		now:       clockOrDefault(cfg.Clock),
		umask:     sync.OnceValue(localUmask),
		names:     &localNames{},
	}
}

// Describe names the transport for messages.
func (l *Local) Describe() string { return "local" }

// Close has nothing to release.
func (l *Local) Close() error { return nil }

// ReadFile reads path with its mode and ownership; a missing file is
// Exists=false with a nil error.
func (l *Local) ReadFile(ctx context.Context, path string) (FileState, error) {
	if err := ctx.Err(); err != nil {
		return FileState{Path: path}, fmt.Errorf("local: read %s: %w", path, err)
	}
	content, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return FileState{Path: path, Meta: FileMeta{Umask: l.umask()}}, nil
	}
	if err != nil {
		return FileState{Path: path}, fmt.Errorf("local: read: %w", err)
	}
	info, err := os.Stat(path)
	if err != nil {
		return FileState{Path: path}, fmt.Errorf("local: read: %w", err)
	}
	return FileState{Path: path, Exists: true, Content: content, SHA256: sha256Hex(content), Meta: l.meta(info)}, nil
}

var _ FileWriter = (*Local)(nil)

// WriteFile replaces path atomically, keeping the old mode and ownership:
// WriteFileWith without options.
func (l *Local) WriteFile(ctx context.Context, path string, content []byte) (WriteResult, error) {
	return l.WriteFileWith(ctx, path, content, WriteOptions{})
}

// WriteFileWith replaces path atomically: a temp file in the same
// directory, synced and hash-checked, given the mode (octal only: the
// planner resolves symbolic modes), owner and group, then the validate
// command run on it, then renamed over path after the old content is
// copied to <path>.<timestamp>.straylight-bak (unless NoBackup). Missing
// directories are made. A failed validate leaves path untouched.
func (l *Local) WriteFileWith(ctx context.Context, path string, content []byte, opts WriteOptions) (WriteResult, error) {
	if err := ctx.Err(); err != nil {
		return WriteResult{}, fmt.Errorf("local: write %s: %w", path, err)
	}
	if err := opts.check(); err != nil {
		return WriteResult{}, fmt.Errorf("local: write %s: %w", path, err)
	}
	result, err := l.replace(ctx, path, content, opts)
	if err != nil {
		return WriteResult{}, fmt.Errorf("local: write %s: %w", path, err)
	}
	return result, nil
}

func (l *Local) replace(ctx context.Context, path string, content []byte, opts WriteOptions) (WriteResult, error) {
	old, err := existingFile(path)
	if err != nil {
		return WriteResult{}, err
	}
	mode, err := localMode(opts, old)
	if err != nil {
		return WriteResult{}, err
	}
	if err := makeDirs(filepath.Dir(path), opts.DirMode); err != nil {
		return WriteResult{}, err
	}
	tmp, err := stage(path, content, mode)
	if err != nil {
		return WriteResult{}, err
	}
	defer os.Remove(tmp) // fails harmlessly once renamed
	if err := finishStaged(ctx, tmp, mode, old, opts); err != nil {
		return WriteResult{}, err
	}
	backup := ""
	if !opts.NoBackup {
		if backup, err = l.keepBackup(path, old); err != nil {
			return WriteResult{}, err
		}
	}
	if err := ctx.Err(); err != nil {
		return WriteResult{}, err
	}
	if err := os.Rename(tmp, path); err != nil {
		return WriteResult{}, err
	}
	return WriteResult{SHA256: sha256Hex(content), BackupPath: backup}, syncDir(filepath.Dir(path))
}

// makeDirs makes dir and its missing parents, each given dirMode (octal)
// when there is one.
func makeDirs(dir, dirMode string) error {
	if dirMode == "" {
		return os.MkdirAll(dir, 0o755)
	}
	bits, err := strconv.ParseUint(dirMode, 8, 32)
	if err != nil {
		return fmt.Errorf("directory mode %q: %w", dirMode, err)
	}
	var missing []string
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Lstat(d); err == nil || d == filepath.Dir(d) {
			break
		}
		missing = append([]string{d}, missing...)
	}
	for _, d := range missing {
		if err := errors.Join(os.Mkdir(d, 0o700), os.Chmod(d, fileMode(uint32(bits)))); err != nil {
			return err
		}
	}
	return nil
}

// finishStaged gives the staged file its owner and group (then its mode
// again: a chown clears setuid and setgid) and runs the validate command
// on it.
func finishStaged(ctx context.Context, tmp string, mode fs.FileMode, old fs.FileInfo, opts WriteOptions) error {
	if err := chownStaged(tmp, old, opts); err != nil {
		return err
	}
	if err := os.Chmod(tmp, mode); err != nil {
		return err
	}
	return validateStaged(ctx, tmp, opts.ValidateExports, opts.Validate)
}

// chownStaged sets the task's owner and group; without them, the old
// file's (its owner only when running as root, as chown allows).
func chownStaged(tmp string, old fs.FileInfo, opts WriteOptions) error {
	uid, gid, err := wantedIDs(opts)
	if err != nil {
		return err
	}
	if uid != -1 || gid != -1 {
		if err := os.Lchown(tmp, uid, gid); err != nil {
			return err
		}
	}
	if oldUID, oldGID, ok := ownerOf(old); ok {
		keepUID, keepGID := -1, -1
		if opts.Owner == "" && os.Geteuid() == 0 {
			keepUID = oldUID
		}
		if opts.Group == "" {
			keepGID = oldGID
		}
		_ = os.Lchown(tmp, keepUID, keepGID) // best effort, as cp -p does
	}
	return nil
}

func wantedIDs(opts WriteOptions) (int, int, error) {
	uid, gid := -1, -1
	var err error
	if opts.Owner != "" {
		if uid, err = lookupUID(opts.Owner); err != nil {
			return 0, 0, fmt.Errorf("owner %q: %w", opts.Owner, err)
		}
	}
	if opts.Group != "" {
		if gid, err = lookupGID(opts.Group); err != nil {
			return 0, 0, fmt.Errorf("group %q: %w", opts.Group, err)
		}
	}
	return uid, gid, nil
}

// validateStaged runs the validate command, %s standing for the staged
// file's quoted path, with /bin/sh as the SSH transport does, after the
// exports of the task's environment.
func validateStaged(ctx context.Context, tmp, exports, validate string) error {
	if validate == "" {
		return nil
	}
	res, err := runProcess(ctx, []string{"/bin/sh", "-c", exports + strings.Replace(validate, "%s", shquote.Always(tmp), 1)}, nil)
	if err != nil {
		return fmt.Errorf("validate: %w", err)
	}
	if res.ExitCode != 0 {
		return fmt.Errorf("%w: exit %d: %s", ErrValidate, res.ExitCode, abbreviate(strings.TrimSpace(res.Stderr+res.Stdout), 500))
	}
	return nil
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
func (l *Local) keepBackup(path string, old fs.FileInfo) (string, error) {
	if old == nil {
		return "", nil
	}
	backup := backupPath(path, l.now())
	if err := copyFileSynced(path, backup, old.Mode()&(fs.ModePerm|fs.ModeSetuid|fs.ModeSetgid|fs.ModeSticky)); err != nil {
		return "", fmt.Errorf("keeping a backup: %w", err)
	}
	return backup, nil
}

// existingFile is the file path names now (nil when there is none); a
// path that is not a regular file is refused.
func existingFile(path string) (fs.FileInfo, error) {
	info, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil, nil
	case err != nil:
		return nil, err
	case !info.Mode().IsRegular():
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	return info, nil
}

// localMode is the mode to write: the task's (octal), else the old
// file's, else 0644.
func localMode(opts WriteOptions, old fs.FileInfo) (fs.FileMode, error) {
	switch {
	case opts.Mode != "":
		bits, err := strconv.ParseUint(opts.Mode, 8, 32)
		if err != nil || bits > 0o7777 {
			return 0, fmt.Errorf("mode %q: the local transport takes octal modes (the planner resolves symbolic ones)", opts.Mode)
		}
		return fileMode(uint32(bits)), nil
	case old != nil:
		return old.Mode() & (fs.ModePerm | fs.ModeSetuid | fs.ModeSetgid | fs.ModeSticky), nil
	}
	return 0o644, nil
}

// fileMode is Go's FileMode of POSIX permission bits (07777).
func fileMode(bits uint32) fs.FileMode {
	m := fs.FileMode(bits & 0o777)
	for bit, flag := range map[uint32]fs.FileMode{0o4000: fs.ModeSetuid, 0o2000: fs.ModeSetgid, 0o1000: fs.ModeSticky} {
		if bits&bit != 0 {
			m |= flag
		}
	}
	return m
}

// permBits are the POSIX permission bits (07777) of a FileMode.
func permBits(m fs.FileMode) uint32 {
	bits := uint32(m.Perm())
	for bit, flag := range map[uint32]fs.FileMode{0o4000: fs.ModeSetuid, 0o2000: fs.ModeSetgid, 0o1000: fs.ModeSticky} {
		if m&flag != 0 {
			bits |= bit
		}
	}
	return bits
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
	if container != "" && !containerName().MatchString(container) {
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
