package remote

import "time"

// The host probe (Snapshot) has its own cadence and deadline, apart from the
// HTTP probes of vLLM and LiteLLM (remote/api, about 2 s): over WinRM one
// Snapshot starts Windows PowerShell, which alone can take seconds when
// cold, then runs nvidia-smi and docker in series. Squeezed into an HTTP
// probe's deadline it times out on a healthy host; run as often, it keeps a
// PowerShell process busy on every GPU host.
const (
	// HostProbeTimeout bounds one Snapshot.
	HostProbeTimeout = 20 * time.Second
	// HostProbeInterval is how often a live view should run Snapshot; GPU
	// and container state change slowly next to request traffic.
	HostProbeInterval = 15 * time.Second
)
