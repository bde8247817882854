// Package sim is the simulated lab: in-process servers on loopback that speak
// WinRM (WS-Management SOAP), SSH, vLLM's OpenAI-compatible API and LiteLLM's
// proxy API, built from the byte fixtures in the repository's top-level testdata/
// (testdata/SOURCES.md says where each came from). It imports
// nothing from package remote: the clients and the lab are written separately
// from the fixtures so that a shared bug cannot pass both sides' tests.
//
// Windows hosts run a fixed PowerShell vocabulary over WinRM against a
// virtual filesystem. Linux hosts (LinuxHostSpec) run whatever their SSH
// clients send in a real /bin/sh inside the host's own lab directory; their
// nvidia-smi, docker, systemctl, journalctl and sudo are stand-ins that ask
// the lab about the host's vLLM (docs/ssh.md describes them). A Linux host
// whose spec names a systemd unit (UnitPath) serves llama.cpp's llama-server
// instead (LlamaCppServer), started and restarted from that unit's
// ExecStart as it is on disk, in the layouts of remote/api/testdata/llamacpp.
package sim

// Runtime is what a simulated Windows host's command vocabulary needs from the
// rest of the host (the vLLM server and its GPUs). The WinRM side calls it; the
// vLLM side implements it.
type Runtime interface {
	// RestartVLLM re-reads the deployed config.yml from the host's filesystem and
	// restarts the simulated vLLM (loading: connections refused for a while).
	RestartVLLM() error
	// NvidiaSMI returns the stdout of
	// nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw --format=csv,noheader,nounits
	NvidiaSMI() string
	// DockerPS returns the stdout of docker ps -a --filter "name=^<name>$" --format "{{json .}}"
	// (empty when there is no such container).
	DockerPS(name string) string
}
