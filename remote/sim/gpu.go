package sim

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// GPUSpec describes a host's GPUs (all alike).
type GPUSpec struct {
	Name        string  // default "NVIDIA GeForce RTX 4090"
	MemoryMiB   int     // per GPU; default 24564
	Count       int     // GPUs in the host; at least the config's tensor_parallel_size
	PowerLimitW float64 // default 450
}

func (g GPUSpec) withDefaults() GPUSpec {
	if g.Name == "" {
		g.Name = "NVIDIA GeForce RTX 4090"
	}
	if g.MemoryMiB <= 0 {
		g.MemoryMiB = 24564
	}
	if g.Count <= 0 {
		g.Count = 1
	}
	if g.PowerLimitW <= 0 {
		g.PowerLimitW = 450
	}
	return g
}

// Figures of an idle Windows desktop GPU.
const (
	gpuDesktopMiB = 412  // the compositor and friends
	gpuIdleTempC  = 38.0 // °C
	gpuBusyTempC  = 74.0
	gpuIdlePowerW = 21.5
)

// gpuReading is what the GPUs see of vLLM at one instant.
type gpuReading struct {
	inUse       int     // GPUs holding the model (tensor_parallel_size)
	memFraction float64 // of each GPU's memory held by vLLM
	running     int     // requests generating now
}

// NvidiaSMI prints what
// `nvidia-smi --query-gpu=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw --format=csv,noheader,nounits`
// prints on this host now: CRLF lines (a Windows host), one per GPU.
func (s *VLLMServer) NvidiaSMI() string {
	if s.faults.has(FaultBadGPUCSV) {
		return malformedGPUCSV(s.opts.GPU)
	}
	reading, count := s.gpuReading()
	var out strings.Builder
	for i := range count {
		out.WriteString(s.opts.GPU.csvLine(i, reading))
	}
	return out.String()
}

// gpuReading samples vLLM: memory is held once loaded (ramping up during a
// load, to gpu_memory_utilization of each GPU), compute is busy while any
// request generates.
func (s *VLLMServer) gpuReading() (gpuReading, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	tp := s.cfg.TensorParallelSize
	count := max(s.opts.GPU.Count, tp)
	r := gpuReading{inUse: min(max(tp, 1), count)}
	switch s.state {
	case VLLMServing:
		r.memFraction = s.cfg.GPUMemoryUtilization
		r.running = s.engine.load().running
	case VLLMLoading:
		progress := float64(time.Since(s.stateSince)) / float64(s.opts.LoadDelay)
		r.memFraction = s.cfg.GPUMemoryUtilization * min(1, progress)
	}
	return r, count
}

// csvLine is one GPU's row: index, name, utilization %, memory used MiB,
// memory total MiB, temperature °C, power W (two decimals).
func (g GPUSpec) csvLine(index int, r gpuReading) string {
	util := 0
	usedMiB := gpuDesktopMiB
	if index < r.inUse {
		util = utilization(r.running)
		usedMiB += int(r.memFraction * float64(g.MemoryMiB))
	}
	usedMiB = min(usedMiB, g.MemoryMiB-1)
	temp := gpuIdleTempC + (gpuBusyTempC-gpuIdleTempC)*float64(util)/100 + jitter(1)
	power := gpuIdlePowerW + (0.8*g.PowerLimitW-gpuIdlePowerW)*float64(util)/100 + jitter(3)
	return fmt.Sprintf("%d, %s, %d, %d, %d, %.0f, %.2f\r\n", index, g.Name, util, usedMiB, g.MemoryMiB, temp, power)
}

// utilization: near full while generating (more streams, closer to 99), a
// flicker of background work otherwise.
func utilization(running int) int {
	if running == 0 {
		return rand.IntN(3)
	}
	return min(99, 88+3*running+rand.IntN(4))
}

func jitter(amplitude float64) float64 { return (rand.Float64()*2 - 1) * amplitude }

// malformedGPUCSV is output encoding/csv cannot read: a bare quote inside an
// unquoted field and a short row (as a driver/library mismatch can garble).
func malformedGPUCSV(g GPUSpec) string {
	return fmt.Sprintf("0, %s\", 97, [Unknown Error]\r\n", g.Name)
}
