package doctor

import (
	"context"
	"fmt"
	"strings"

	"github.com/straylight-fleet/straylight/remote"
)

// exitCode: a script's exit code reaches straylight (handlers' failures are
// read from it), through PowerShell's trailer and through cmd on Windows.
func (h *hostCheck) exitCode(ctx context.Context) outcome {
	cases := []struct {
		cmd  remote.Command
		want int
	}{{remote.Command{Shell: remote.Sh, Script: "exit 7"}, 7}}
	if h.windows != nil {
		cases = []struct {
			cmd  remote.Command
			want int
		}{{remote.Command{Shell: remote.PowerShell, Script: "exit 7"}, 7}, {remote.Command{Shell: remote.Cmd, Script: "exit /b 9"}, 9}}
	}
	var seen []string
	for _, c := range cases {
		res, err := h.t.Run(ctx, c.cmd)
		if err != nil {
			return transportFailure(err)
		}
		if res.ExitCode != c.want {
			return failed(fmt.Sprintf("%s `%s` exited %d, not %d", c.cmd.Shell, c.cmd.Script, res.ExitCode, c.want),
				"a handler's failure would read as success: report this host's OS and PowerShell version")
		}
		seen = append(seen, fmt.Sprintf("%s → %d", c.cmd.Script, res.ExitCode))
	}
	return passed(strings.Join(seen, ", "))
}

const stderrMarker = "straylight-doctor: stderr check"

// stderr: PowerShell's error stream arrives as CLIXML, which straylight
// decodes to readable text.
func (h *hostCheck) stderr(ctx context.Context) outcome {
	if h.windows == nil {
		return skipped("CLIXML is WinRM's; this transport's stderr is plain text")
	}
	res, err := h.t.Run(ctx, remote.Command{Shell: remote.PowerShell, Script: "Write-Error '" + stderrMarker + "'"})
	if err != nil {
		return transportFailure(err)
	}
	if !strings.Contains(res.Stderr, stderrMarker) || strings.Contains(res.Stderr, "<Objs") {
		return failed("Write-Error's record arrived as "+fmt.Sprintf("%q", abbreviate(res.Stderr)),
			"handler errors would be unreadable: report this host's PowerShell version")
	}
	return passed("Write-Error's record decoded: " + abbreviate(firstLine(res.Stderr)))
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(s), "\n")
	return strings.TrimSpace(line)
}

func (h *hostCheck) nvidiaSMI(ctx context.Context, container string) outcome {
	snap, err := h.t.Snapshot(ctx, container)
	switch {
	case err != nil:
		return transportFailure(err)
	case snap.GPUError != "":
		cause, fix := nvidiaSMICause(snap.GPUError)
		return failed(cause, fix)
	case len(snap.GPUs) == 0:
		return failed("nvidia-smi listed no GPU", "check the driver: nvidia-smi -L on the host")
	}
	names := make([]string, len(snap.GPUs))
	for i, g := range snap.GPUs {
		names[i] = g.Name
	}
	return passed(fmt.Sprintf("%d GPU: %s", len(snap.GPUs), strings.Join(names, ", ")))
}

func nvidiaSMICause(gpuErr string) (cause, fix string) {
	switch {
	case strings.HasPrefix(gpuErr, "nvidia-smi not found"):
		return gpuErr, `install the NVIDIA driver, or add the directory holding nvidia-smi (older drivers: ` +
			`C:\Program Files\NVIDIA Corporation\NVSMI) to the system PATH`
	case strings.Contains(gpuErr, "line ") || strings.Contains(gpuErr, "field"):
		return "nvidia-smi printed output straylight cannot read: " + gpuErr,
			"update the NVIDIA driver; run nvidia-smi --query-gpu=... --format=csv,noheader,nounits by hand"
	}
	return gpuErr, "run nvidia-smi on the host as the same user and read its error"
}

func (h *hostCheck) docker(ctx context.Context, container string) outcome {
	snap, err := h.t.Snapshot(ctx, container)
	switch {
	case err != nil:
		return transportFailure(err)
	case snap.DockerErr != "":
		return failed(snap.DockerErr, dockerFix(snap.DockerErr))
	case container == "":
		return passed("docker answers")
	case snap.Container == nil:
		return passed("docker answers; no container named " + container + " yet")
	}
	return passed(fmt.Sprintf("docker answers; %s is %s (%s)", container, snap.Container.State, snap.Container.Status))
}

func dockerFix(dockerErr string) string {
	switch {
	case strings.HasPrefix(dockerErr, "Docker Desktop is not running"):
		return "sign in to the host as the WinRM user and start Docker Desktop (Settings → General → " +
			"\"Start Docker Desktop when you sign in\"); its engine runs only in a logged-in session"
	case strings.HasPrefix(dockerErr, "Docker Desktop's engine refuses"):
		return "add the WinRM user to the local docker-users group, or connect as the user who runs Docker Desktop"
	case strings.HasPrefix(dockerErr, "docker not found"):
		return "install Docker Desktop (or the docker CLI) for this user"
	}
	return "run `docker ps` on the host as the same user and read its error"
}
