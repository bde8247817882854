package sim

import (
	"fmt"
	"time"
)

// restartLlamaCpp is systemctl restart of a llama.cpp host's unit: the
// journal says what llama-server does with the unit now on disk.
func (h *linuxHost) restartLlamaCpp() error {
	h.journal.add(fmt.Sprintf("Stopping %s...", h.spec.Unit))
	if err := h.llama.Restart(); err != nil {
		return err
	}
	if err := h.llama.StartError(); err != nil {
		h.journal.add(fmt.Sprintf("%s: Main process exited, code=exited, status=1/FAILURE: %v", h.spec.Unit, err))
		return nil
	}
	h.journal.add(fmt.Sprintf("main: server is listening on %s - starting the main loop; serving %v", h.llama.URL(), h.llama.ServedModels()))
	return nil
}

// unitView is what systemd sees of the host's server process.
func (h *linuxHost) unitView() (VLLMState, time.Time, int) {
	if h.llama != nil {
		return h.llama.unitView()
	}
	return h.vllm.unitView()
}

// nvidiaSMI is the host's GPUs: vLLM's reading, or llama-server's (the
// model's weights held while it runs, compute busy while a slot generates).
func (h *linuxHost) nvidiaSMI() string {
	if h.llama == nil {
		return h.vllm.NvidiaSMI()
	}
	gpu := h.spec.GPU.withDefaults()
	reading := h.llama.gpuReading()
	out := ""
	for i := range gpu.Count {
		out += gpu.csvLine(i, reading)
	}
	return out
}

func (s *LlamaCppServer) gpuReading() gpuReading {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != VLLMServing || s.engine == nil {
		return gpuReading{}
	}
	s.engine.mu.Lock()
	defer s.engine.mu.Unlock()
	return gpuReading{inUse: 1, memFraction: 0.4, running: s.engine.processingLocked()}
}

// llamaCppHostFaults are the kinds a llama.cpp host accepts.
var llamaCppHostFaults = []FaultKind{FaultDown}

// setServerFault turns a fault on or off in the host's model server.
func (h *linuxHost) setServerFault(kind FaultKind, on bool) error {
	if h.llama == nil {
		if on {
			return h.vllm.SetFault(kind)
		}
		return h.vllm.ClearFault(kind)
	}
	if err := faultAllowed(kind, llamaCppHostFaults); err != nil {
		return err
	}
	return h.llama.setDown(on)
}

// LlamaCpp is a Linux host's llama.cpp server (nil for a host serving
// vLLM, or an unknown host).
func (l *Lab) LlamaCpp(host string) *LlamaCppServer {
	if h := l.linuxHost(host); h != nil {
		return h.llama
	}
	return nil
}
