package remote

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The simulated lab runs only the bodies it holds a copy of
// (remote/sim/scripts); a body changed here and not there fails every lab
// test, and this test names the file to review.
func TestScriptBodiesMatchTheLabsCopies(t *testing.T) {
	for op, body := range map[string]string{
		"read-file": readFileBody, "write-file": writeFileBody, "host-status": hostStatusBody,
		"host-info": hostInfoBody, "remove-temp": removeTempBody,
		"path-kind": pathKindBody, "set-path": setPathBody,
	} {
		copyPath := filepath.Join("sim", "scripts", op+".ps1")
		lab, err := os.ReadFile(copyPath)
		if err != nil {
			t.Fatal(err)
		}
		if string(lab) != body {
			t.Errorf("the %s body differs from %s: review the change against Windows PowerShell 5.1, then copy it", op, copyPath)
		}
	}
}

// Fix 2: docker's first stderr line becomes a reason an operator can act
// on. The lines are the docker CLI's wording on Windows and Linux.
func TestHostStatusNamesDockerDesktopNotRunning(t *testing.T) {
	answer := hostStatusAnswer{
		GPUCSV: "0, NVIDIA GeForce RTX 4090, 3, 21000, 24564, 41, 38.12", User: "mdt",
		DockerExit: 1,
		DockerErr: `error during connect: this error may indicate that the docker daemon is not running: ` +
			`Get "http://%2F%2F.%2Fpipe%2FdockerDesktopLinuxEngine/v1.47/containers/json?all=1": ` +
			`open //./pipe/dockerDesktopLinuxEngine: The system cannot find the file specified.`,
	}
	gpu, docker := answer.probes()
	snap := buildSnapshot(gpu, docker, "vllm-wintermute")
	if !strings.HasPrefix(snap.DockerErr, "Docker Desktop is not running for user mdt") || snap.Container != nil || len(snap.GPUs) != 1 {
		t.Errorf("%+v", snap)
	}
}

func TestDockerCause(t *testing.T) {
	tests := []struct{ stderr, want string }{
		{`error during connect: Get "http://%2F%2F.%2Fpipe%2Fdocker_engine/v1.24/containers/json": open //./pipe/docker_engine: The system cannot find the file specified.`,
			"Docker Desktop is not running for user mdt"},
		{`error during connect: ... open //./pipe/dockerDesktopLinuxEngine: Access is denied.`,
			"Docker Desktop's engine refuses user mdt"},
		{`permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: ...`,
			"user mdt may not use the docker daemon's socket"},
		{`Cannot connect to the Docker daemon at unix:///var/run/docker.sock. Is the docker daemon running?`,
			"the docker daemon is not running"},
		{`Error response from daemon: something else`, ""},
	}
	for _, tt := range tests {
		got := DockerCause(tt.stderr, "mdt")
		if (tt.want == "" && got != "") || !strings.HasPrefix(got, tt.want) {
			t.Errorf("DockerCause(%q) = %q, want prefix %q", tt.stderr, got, tt.want)
		}
	}
}

func TestHostStatusNvidiaSMIMissingAndStderr(t *testing.T) {
	gpu, _ := hostStatusAnswer{GPUExit: 127}.probes()
	if got := probeError("nvidia-smi", gpu); got != "nvidia-smi not found" {
		t.Errorf("missing: %q", got)
	}
	gpu, _ = hostStatusAnswer{GPUExit: 9, GPUErr: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver."}.probes()
	if got := probeError("nvidia-smi", gpu); got != "nvidia-smi exited 9: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver." {
		t.Errorf("stderr: %q", got)
	}
}

// Fix 5: the host-status script looks for nvidia-smi where older drivers
// install it, not only on PATH; and no native stderr is thrown away.
func TestHostStatusScriptLooksInNvidiaSMIInstallPaths(t *testing.T) {
	for _, want := range []string{`$env:ProgramFiles\NVIDIA Corporation\NVSMI\nvidia-smi.exe`, `$env:SystemRoot\System32\nvidia-smi.exe`, "2>&1", "gpu_err", "docker_err"} {
		if !strings.Contains(hostStatusBody, want) {
			t.Errorf("host-status lacks %q", want)
		}
	}
	if strings.Contains(hostStatusBody, "2>$null") {
		t.Error("host-status throws stderr away")
	}
}
