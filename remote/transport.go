// Package remote holds the transports (WinRM, SSH, local) and the HTTP
// clients for vLLM and LiteLLM. It knows nothing of the Ansible repository:
// fleet builds transports from a host's connection variables and uses them.
//
// Every transport implements Transport; the POSIX ones (local, SSH) read a
// file's mode and owner with its content (FileState.Meta) and implement
// the optional FileWriter (mode, owner, group, validate, backup, the mode
// of directories they create). The SSH transport also implements
// StatusReader (systemd units and Podman beside GPUs and Docker) and
// LogReader (tail and follow a container's, unit's or file's log); its
// settings come from Ansible's variables and ~/.ssh files through
// SSHSettingsFromVars, and SSHPool keeps one connection per host, with one
// /bin/sh kept open on it for the live status (ssh_statusshell.go). An
// encrypted key's passphrase is asked through a PassphraseFunc that honours
// the caller's deadline, before the connect timeout starts. The commands it sends are described in docs/ssh.md.
// The WinRM transport also implements WindowsPaths (a path's kind, and
// win_file's changes: docs/winrm-scripts.md).
package remote

import (
	"context"
	"errors"
)

// FileState is what a transport found at a path on a host.
type FileState struct {
	Path    string
	Exists  bool
	Content []byte
	SHA256  string // lowercase hex of Content; empty when !Exists
	// Meta is the file's mode and ownership, read in the same round trip
	// as its content by the POSIX transports (local, SSH); WinRM leaves it
	// unknown. For a missing file only Umask is known.
	Meta FileMeta
}

// FileMeta is a file's permission bits and ownership on a POSIX host.
type FileMeta struct {
	Known        bool   // read from the host (false over WinRM)
	Mode         uint32 // permission bits with setuid, setgid and sticky (07777)
	UID, GID     int
	Owner, Group string // the ids' names; "" when an id has none
	// Umask is the file-creation mask a command there runs with: what
	// a symbolic mode without who ("+x") and a new file's mode follow.
	Umask uint32
}

// WriteResult describes a completed atomic write.
type WriteResult struct {
	SHA256     string // hash verified on the host after the write
	BackupPath string // where the previous content was kept; empty when there was none
}

// Shell selects the interpreter a Command runs in.
type Shell string

const (
	PowerShell Shell = "powershell" // powershell.exe -EncodedCommand (WinRM)
	Cmd        Shell = "cmd"        // cmd.exe (WinRM)
	Sh         Shell = "sh"         // /bin/sh -c (local)
)

// Command is one command run on a host.
type Command struct {
	Shell  Shell
	Script string
	Stdin  []byte
}

// CommandResult is a finished command. Stderr is human readable (CLIXML decoded).
type CommandResult struct {
	ExitCode int
	Stdout   string
	Stderr   string
}

// GPU is one row of nvidia-smi's query output. Nil pointers mean [N/A].
type GPU struct {
	Index       int
	Name        string
	UtilPercent *float64
	MemUsedMiB  *float64
	MemTotalMiB *float64
	TempC       *float64
	PowerW      *float64
}

// Container is the subset of `docker ps --format '{{json .}}'` straylight shows.
type Container struct {
	ID     string
	Name   string
	Image  string
	State  string // running, exited, ...
	Status string // "Up 3 hours", ...
}

// HostSnapshot is the host-side state gathered by one status script.
type HostSnapshot struct {
	GPUs      []GPU
	GPUError  string     // nvidia-smi failed or printed something unreadable
	Container *Container // nil when no container of that name exists
	DockerErr string
}

// Transport reaches one host. Every method honours ctx's deadline.
type Transport interface {
	// ReadFile returns the file; a missing file is Exists=false with a nil error.
	ReadFile(ctx context.Context, path string) (FileState, error)
	// WriteFile replaces path atomically, keeping a backup of the old content,
	// and verifies the written hash.
	WriteFile(ctx context.Context, path string, content []byte) (WriteResult, error)
	// Run runs a command and returns its exit code and output.
	Run(ctx context.Context, cmd Command) (CommandResult, error)
	// Snapshot gathers GPU and container state in one round trip.
	Snapshot(ctx context.Context, container string) (HostSnapshot, error)
	// Describe names the transport for messages (never includes secrets).
	Describe() string
	Close() error
}

// Errors transports classify failures into (wrap with fmt.Errorf("...: %w")).
var (
	ErrAuth        = errors.New("authentication failed")
	ErrUnreachable = errors.New("host unreachable")
	ErrTLS         = errors.New("tls verification failed")
)

// ErrHashMismatch: what reached the host is not what was sent, or a read's
// content does not match the hash the host reported. When the host itself
// detects it during a write, the target file is left untouched.
var ErrHashMismatch = errors.New("hash mismatch")
