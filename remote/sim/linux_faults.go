package sim

import "fmt"

// linuxHostFaults are the kinds a Linux host accepts: WinRM's are not.
var linuxHostFaults = []FaultKind{FaultDown, FaultNeverHealthy, FaultTruncatedStream, FaultBadGPUCSV}

func (h *linuxHost) applyFaults(kinds []FaultKind) error {
	for _, k := range kinds {
		if err := h.setFault(k, true); err != nil {
			h.close()
			return fmt.Errorf("sim: lab host %s: %w", h.spec.Name, err)
		}
	}
	return nil
}

// setFault turns a fault on or off. Down closes the SSH server (its
// connections drop) and stops vLLM; clearing it boots both, with the same
// host key.
func (h *linuxHost) setFault(kind FaultKind, on bool) error {
	if err := faultAllowed(kind, linuxHostFaults); err != nil {
		return err
	}
	if h.llama != nil && kind != FaultDown {
		return faultAllowed(kind, llamaCppHostFaults)
	}
	h.faults.set(kind, on)
	if kind == FaultDown {
		if err := h.setSSHDown(on); err != nil {
			return err
		}
	}
	if kind == FaultDown && !on {
		if err := h.syncConfig(); err != nil { // boots with what is on disk now
			return err
		}
	}
	return h.setServerFault(kind, on)
}

func (h *linuxHost) setSSHDown(down bool) error {
	if down {
		if h.ssh != nil {
			h.ssh.Close()
			h.ssh = nil
		}
		return nil
	}
	if h.ssh != nil {
		return nil
	}
	return h.startSSH()
}
