package doctor

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/straylight-fleet/straylight/remote"
)

// windowsHost is what the WinRM transport adds for the doctor: the
// PowerShell and account behind it, and the removal of the scratch
// directory (a contract script that deletes nothing else).
type windowsHost interface {
	HostInfo(ctx context.Context) (remote.HostInfo, error)
	RemoveTempDir(ctx context.Context, dir string) error
}

// insecureReporter is a transport that knows when it can be read or
// impersonated on the network.
type insecureReporter interface{ InsecureReason() string }

// Host step names, in order.
const (
	StepConnect    = "connect and authenticate"
	StepPowerShell = "PowerShell version"
	StepStdin      = "stdin: 1 MB through $input"
	StepRoundTrip  = "write, read, hash, backup"
	StepCleanup    = "scratch directory removed"
	StepExitCode   = "exit code propagation"
	StepStderr     = "stderr (CLIXML) decoding"
	StepNvidiaSMI  = "nvidia-smi found and parsed"
	StepDocker     = "docker reachable by this user"
)

// hostCheck holds what the host steps learn along the way.
type hostCheck struct {
	t       remote.Transport
	windows windowsHost // nil on SSH and local
	info    *remote.HostInfo
	scratch string // the scratch directory, once chosen
}

// stepsAfterConnect are the host steps that need a connection.
var stepsAfterConnect = []string{StepPowerShell, StepStdin, StepRoundTrip, StepCleanup, StepExitCode,
	StepStderr, StepNvidiaSMI, StepDocker}

func (r *run) hostSteps() {
	switch {
	case r.in.TransportErr != nil:
		r.step(StepConnect, func(context.Context) outcome { return noTransport(r.in.TransportErr) })
		r.skipAll(stepsAfterConnect, "not connected")
		return
	case r.in.Transport == nil:
		r.skipAll(append([]string{StepConnect}, stepsAfterConnect...), "no transport to this host")
		return
	}
	h := &hostCheck{t: r.in.Transport}
	h.windows, _ = r.in.Transport.(windowsHost)
	if r.step(StepConnect, h.connect) != Pass {
		r.skipAll(stepsAfterConnect, "not connected")
		return
	}
	r.step(StepPowerShell, h.powerShell)
	r.fileSteps(h)
	r.step(StepExitCode, h.exitCode)
	r.step(StepStderr, h.stderr)
	r.gpuSteps(h)
}

// gpuSteps check what a vLLM host needs: nvidia-smi and docker for the
// transport's user. A host without a backend skips them.
func (r *run) gpuSteps(h *hostCheck) {
	if r.in.Backend == nil {
		r.skipAll([]string{StepNvidiaSMI, StepDocker}, "no vLLM backend on this host")
		return
	}
	r.step(StepNvidiaSMI, func(ctx context.Context) outcome { return h.nvidiaSMI(ctx, r.in.Container) })
	r.step(StepDocker, func(ctx context.Context) outcome { return h.docker(ctx, r.in.Container) })
}

func noTransport(err error) outcome {
	return failed("no transport to this host: "+err.Error(),
		"check the host's ansible_connection and its settings in the inventory")
}

// fileSteps write and read in the scratch directory, then remove it, even
// when a write failed halfway.
func (r *run) fileSteps(h *hostCheck) {
	r.step(StepStdin, h.stdin)
	if h.scratch == "" {
		r.skip(StepRoundTrip, "no scratch directory")
		r.skip(StepCleanup, "no scratch directory")
		return
	}
	r.step(StepRoundTrip, h.roundTrip)
	r.step(StepCleanup, h.cleanup)
}

func (h *hostCheck) shell() remote.Shell {
	if h.windows != nil {
		return remote.Cmd
	}
	return remote.Sh
}

func (h *hostCheck) connect(ctx context.Context) outcome {
	res, err := h.t.Run(ctx, remote.Command{Shell: h.shell(), Script: "echo straylight-doctor"})
	if err != nil {
		return transportFailure(err)
	}
	if res.ExitCode != 0 || !strings.Contains(res.Stdout, "straylight-doctor") {
		return failed(fmt.Sprintf("echo answered exit %d, stdout %q", res.ExitCode, abbreviate(res.Stdout)),
			"run `echo straylight-doctor` on the host by hand over the same transport")
	}
	return passed(h.t.Describe() + security(h.t))
}

func security(t remote.Transport) string {
	ir, ok := t.(insecureReporter)
	switch {
	case !ok:
		return ""
	case ir.InsecureReason() != "":
		return "; INSECURE: " + ir.InsecureReason()
	case strings.HasPrefix(t.Describe(), "ssh "):
		return "; host key verified against known_hosts"
	}
	return "; TLS with a verified certificate"
}

func (h *hostCheck) powerShell(ctx context.Context) outcome {
	if h.windows == nil {
		return skipped("not a Windows host")
	}
	info, err := h.windows.HostInfo(ctx)
	if err != nil {
		return transportFailure(err)
	}
	h.info = &info
	detail := fmt.Sprintf("PowerShell %s (%s) as %s on %s", info.PSVersion, info.PSEdition, info.User, info.OS)
	if !strings.HasPrefix(info.PSVersion, "5.1") && info.PSEdition != "Core" {
		return outcome{status: Fail, detail: detail, cause: "straylight's scripts are written for Windows PowerShell 5.1",
			fix: "install Windows Management Framework 5.1 on this host"}
	}
	return passed(detail)
}

// doctorPayloadSize is the stdin step's content: 1 MiB.
const doctorPayloadSize = 1 << 20

func (h *hostCheck) stdin(ctx context.Context) outcome {
	dir, err := h.scratchDir(ctx)
	if err != nil {
		return transportFailure(err)
	}
	payload := make([]byte, doctorPayloadSize)
	_, _ = rand.Read(payload)
	start := time.Now()
	res, err := h.t.WriteFile(ctx, h.join(dir, "stdin-1mb.bin"), payload)
	if err != nil {
		return transportFailure(err)
	}
	if want := sha256Hex(payload); res.SHA256 != want {
		return failed("the host hashed "+res.SHA256+", straylight sent "+want, "the content changed on the way: check for a proxy or an antivirus rewriting WinRM traffic")
	}
	mbps := float64(doctorPayloadSize) / (1 << 20) / math.Max(time.Since(start).Seconds(), 1e-6)
	return passed(fmt.Sprintf("1 MiB written through stdin and verified on the host (%.1f MiB/s)", mbps))
}

// scratchDir chooses the scratch directory: straylight-doctor-<random> in
// the account's temp directory.
func (h *hostCheck) scratchDir(ctx context.Context) (string, error) {
	if h.scratch != "" {
		return h.scratch, nil
	}
	temp, err := h.tempDir(ctx)
	if err != nil {
		return "", err
	}
	var suffix [6]byte
	_, _ = rand.Read(suffix[:])
	h.scratch = h.join(strings.TrimRight(temp, `\/`), remote.DoctorDirPrefix+hex.EncodeToString(suffix[:]))
	return h.scratch, nil
}

func (h *hostCheck) tempDir(ctx context.Context) (string, error) {
	if h.windows == nil {
		res, err := h.t.Run(ctx, remote.Command{Shell: remote.Sh, Script: `printf %s "${TMPDIR:-/tmp}"`})
		if err != nil {
			return "", err
		}
		return strings.TrimSpace(res.Stdout), nil
	}
	if h.info == nil {
		info, err := h.windows.HostInfo(ctx)
		if err != nil {
			return "", err
		}
		h.info = &info
	}
	return h.info.TempDir, nil
}

func (h *hostCheck) join(dir, name string) string {
	if h.windows != nil {
		return dir + `\` + name
	}
	return dir + "/" + name
}

func (h *hostCheck) roundTrip(ctx context.Context) outcome {
	path := h.join(h.scratch, "roundtrip.txt")
	first, second := []byte("straylight-doctor 1\r\n"), []byte("straylight-doctor 2\r\n")
	if _, err := h.t.WriteFile(ctx, path, first); err != nil {
		return transportFailure(err)
	}
	res, err := h.t.WriteFile(ctx, path, second)
	if err != nil {
		return transportFailure(err)
	}
	if o, ok := h.expectFile(ctx, path, second); !ok {
		return o
	}
	if res.BackupPath == "" {
		return failed("replacing an existing file kept no backup", "")
	}
	if o, ok := h.expectFile(ctx, res.BackupPath, first); !ok {
		return o
	}
	return passed("written twice, read back with its hash, backup kept at " + res.BackupPath)
}

func (h *hostCheck) expectFile(ctx context.Context, path string, want []byte) (outcome, bool) {
	got, err := h.t.ReadFile(ctx, path)
	switch {
	case err != nil:
		return transportFailure(err), false
	case !got.Exists:
		return failed(path+" is missing after the write", ""), false
	case !bytes.Equal(got.Content, want) || got.SHA256 != sha256Hex(want):
		return failed(path+" does not hold what was written", ""), false
	}
	return outcome{}, true
}

func (h *hostCheck) cleanup(ctx context.Context) outcome {
	if err := h.removeScratch(ctx); err != nil {
		return transportFailure(err)
	}
	for _, name := range []string{"stdin-1mb.bin", "roundtrip.txt"} {
		got, err := h.t.ReadFile(ctx, h.join(h.scratch, name))
		if err != nil {
			return transportFailure(err)
		}
		if got.Exists {
			return failed(got.Path+" is still there after the removal", "remove "+h.scratch+" by hand")
		}
	}
	return passed(h.scratch + " removed")
}

func (h *hostCheck) removeScratch(ctx context.Context) error {
	if h.windows != nil {
		return h.windows.RemoveTempDir(ctx, h.scratch)
	}
	if strings.ContainsAny(h.scratch, "'\n") || !strings.Contains(h.scratch, "/"+remote.DoctorDirPrefix) {
		return fmt.Errorf("refusing to remove %q", h.scratch)
	}
	res, err := h.t.Run(ctx, remote.Command{Shell: remote.Sh, Script: "rm -rf -- '" + h.scratch + "'"})
	if err == nil && res.ExitCode != 0 {
		err = fmt.Errorf("rm exited %d: %s", res.ExitCode, abbreviate(res.Stderr))
	}
	return err
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func abbreviate(s string) string {
	s = strings.TrimSpace(s)
	if len(s) > 200 {
		return s[:200] + "…"
	}
	return s
}
