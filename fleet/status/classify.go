package status

import (
	"errors"
	"fmt"
	"slices"

	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/remote/api"
)

const refusedReason = "connection refused: vLLM is loading its weights or not running"

// hostState decides a host's state. vLLM's own answer comes first; a refused
// connection is told apart (loading or down) by the host-side probe when
// there is one.
func hostState(p hostProbe, container string) (State, string) {
	switch p.vllm.State {
	case api.StateServing, api.StateNotServing:
		return StateUp, ""
	case api.StateEngineDead:
		return StateEngineDead, p.vllm.Reason
	case api.StateUnreachable:
		return StateUnreachable, p.vllm.Reason
	case api.StateLoading:
		return refusedState(p, container)
	}
	return StateUnknown, p.vllm.Reason
}

// refusedState: vLLM refuses connections. The container running (or
// restarting) means weights are loading; no container, a stopped one, or a
// host whose transport cannot reach it either, means down; so does docker
// failing (Docker Desktop not running for the WinRM user, its pipe refusing
// that user), and its error is the reason.
func refusedState(p hostProbe, container string) (State, string) {
	switch {
	case !p.hostProbed:
		return StateLoading, refusedWords(p)
	case errors.Is(p.hostErr, remote.ErrUnreachable):
		return StateDown, "vLLM refuses connections and the host's transport cannot reach it"
	case p.hostErr == nil && p.unit != nil:
		return unitRefusedState(p.unit)
	case p.host.DockerErr != "" && p.hostErr == nil:
		return StateDown, "connection refused, and docker cannot say why: " + p.host.DockerErr
	case p.hostErr != nil || container == "":
		return StateLoading, refusedWords(p)
	case p.host.Container == nil:
		return StateDown, fmt.Sprintf("connection refused: no container named %s", container)
	case p.host.Container.State == "running" || p.host.Container.State == "restarting":
		return StateLoading, fmt.Sprintf("connection refused while container %s is %s: loading its weights",
			container, p.host.Container.State)
	}
	return StateDown, fmt.Sprintf("connection refused: container %s is %s (%s)",
		container, p.host.Container.State, p.host.Container.Status)
}

// refusedWords is the probe's own wording of a refused connection (it names
// the server's kind).
func refusedWords(p hostProbe) string {
	if p.vllm.Reason != "" {
		return p.vllm.Reason
	}
	return refusedReason
}

// compareServed lists the expected names not served and the served ones not
// expected (order does not matter).
func compareServed(expected, served []string) (missing, unexpected []string) {
	for _, name := range expected {
		if !slices.Contains(served, name) {
			missing = append(missing, name)
		}
	}
	for _, id := range served {
		if !slices.Contains(expected, id) {
			unexpected = append(unexpected, id)
		}
	}
	return missing, unexpected
}

// withServed fills the served-versus-expected fields of a row.
func withServed(row HostStatus, expected, served []string) HostStatus {
	row.Expected, row.Served = slices.Clone(expected), slices.Clone(served)
	row.Missing, row.Unexpected, row.Mismatch = nil, nil, false
	if served == nil || len(expected) == 0 {
		return row
	}
	row.Missing, row.Unexpected = compareServed(expected, served)
	row.Mismatch = len(row.Missing) > 0 || len(row.Unexpected) > 0
	return row
}

func gpusFrom(in []remote.GPU) []GPU {
	if in == nil {
		return nil
	}
	out := make([]GPU, len(in))
	for i, g := range in {
		out[i] = GPU{Index: g.Index, Name: g.Name, Util: reading(g.UtilPercent), MemUsedMiB: reading(g.MemUsedMiB),
			MemTotalMiB: reading(g.MemTotalMiB), TempC: reading(g.TempC), PowerW: reading(g.PowerW)}
	}
	return out
}

func reading(v *float64) Reading {
	if v == nil {
		return Reading{}
	}
	return Reading{Value: *v, OK: true}
}

// unitRefusedState: vLLM refuses connections and runs as a systemd unit.
// An active (or activating, or auto-restarting) unit is loading its
// weights; anything else is down, with the unit's state as the reason.
func unitRefusedState(u *remote.SystemdUnit) (State, string) {
	if u.ActiveState == "active" || u.ActiveState == "activating" || u.SubState == "auto-restart" {
		return StateLoading, fmt.Sprintf("connection refused while unit %s is %s (%s): loading its weights",
			u.Name, u.ActiveState, u.SubState)
	}
	return StateDown, fmt.Sprintf("connection refused: unit %s is %s (%s)", u.Name, u.ActiveState, u.SubState)
}

func unitFrom(u *remote.SystemdUnit) Unit {
	if u == nil {
		return Unit{}
	}
	return Unit{Found: true, Name: u.Name, LoadState: u.LoadState, ActiveState: u.ActiveState,
		SubState: u.SubState, Since: u.Since, Restarts: u.Restarts}
}

func containerFrom(c *remote.Container) Container {
	if c == nil {
		return Container{}
	}
	return Container{Found: true, ID: c.ID, Name: c.Name, Image: c.Image, State: c.State, Status: c.Status}
}
