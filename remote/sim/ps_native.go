package sim

import (
	"strings"
	"sync/atomic"
)

// psHostFaults are the faults of a host's software that the command
// vocabulary shows: Docker Desktop not running for the WinRM user, and
// nvidia-smi missing from PATH and from its install directories.
type psHostFaults struct {
	dockerDown  atomic.Bool
	noNvidiaSMI atomic.Bool
}

// psDockerDownMessage is the first stderr line of any docker command when
// Docker Desktop's engine is not running for the calling user: the engine's
// named pipe does not exist in that session. Written after the docker CLI's
// wording on Windows ("error during connect: ... open //./pipe/<engine>:
// The system cannot find the file specified."), not recorded from a host.
const psDockerDownMessage = `error during connect: this error may indicate that the docker daemon is not running: ` +
	`Get "http://%2F%2F.%2Fpipe%2FdockerDesktopLinuxEngine/v1.47/containers/json?all=1": ` +
	`open //./pipe/dockerDesktopLinuxEngine: The system cannot find the file specified.`

// psNative is a native program's result.
type psNative struct {
	stdout, stderr string
	code           int
}

// nativeCommand runs the programs both cmd and PowerShell find on PATH:
// hostname, the nvidia-smi GPU query and docker ps for one container.
// ok is false for anything else, and for a program the host lacks.
func (h *psHost) nativeCommand(name string, args []string) (psNative, bool) {
	switch strings.TrimSuffix(strings.ToLower(psBaseName(name)), ".exe") {
	case "hostname":
		return psNative{stdout: h.hostname + "\r\n"}, len(args) == 0
	case "nvidia-smi":
		if h.hasNvidiaSMI() && psIsNvidiaQuery(args) {
			return psNative{stdout: h.runtime.NvidiaSMI()}, true
		}
	case "sc": // sc.exe; a bare sc is PowerShell's alias of Set-Content
		if strings.HasSuffix(strings.ToLower(name), ".exe") {
			return h.scNative(args)
		}
	case "docker":
		if container, isPS := psDockerPSContainer(args); h.runtime != nil && isPS {
			return h.dockerPS(container), true
		}
		return h.dockerLogsNative(args)
	}
	return psNative{}, false
}

// dockerLogsNative is `docker logs` for one container, refused as every
// docker command is when Docker Desktop is not running.
func (h *psHost) dockerLogsNative(args []string) (psNative, bool) {
	out, ok := h.dockerLogs(args)
	if ok && !h.dockerRunning() {
		return psNative{stderr: psDockerDownMessage + "\r\n", code: 1}, true
	}
	return psNative{stdout: out}, ok
}

func (h *psHost) hasNvidiaSMI() bool {
	return h.runtime != nil && (h.faults == nil || !h.faults.noNvidiaSMI.Load())
}

func (h *psHost) dockerRunning() bool {
	return h.faults == nil || !h.faults.dockerDown.Load()
}

func (h *psHost) dockerPS(container string) psNative {
	if !h.dockerRunning() {
		return psNative{stderr: psDockerDownMessage + "\r\n", code: 1}
	}
	return psNative{stdout: h.runtime.DockerPS(container)}
}

// psProbe is one probe of the host-status script: stdout, the first stderr
// line and the exit code (127: not installed).
type psProbe struct {
	out, err string
	code     int
}

func (h *psHost) probeNvidiaSMI() psProbe {
	if !h.hasNvidiaSMI() {
		return psProbe{code: 127}
	}
	return psProbe{out: psJoinLines(h.runtime.NvidiaSMI())}
}

func (h *psHost) probeDocker(container string) psProbe {
	if h.runtime == nil {
		return psProbe{code: 127}
	}
	r := h.dockerPS(container)
	line, _, _ := strings.Cut(strings.TrimRight(r.stderr, "\r\n"), "\r\n")
	return psProbe{out: psJoinLines(r.stdout), err: line, code: r.code}
}

// psJoinLines is what `$lines -join [Environment]::NewLine` gives for a
// program's stdout: its lines joined with CRLF, no trailing newline.
func psJoinLines(stdout string) string {
	lines := strings.Split(strings.ReplaceAll(stdout, "\r\n", "\n"), "\n")
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\r\n")
}
