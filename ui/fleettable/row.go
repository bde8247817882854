// Package fleettable is the fleet table, the default view: one row per GPU
// host (and one for the LiteLLM proxy) joining what the repository configures (the plan and its fleet) with
// what the host does now (the status monitor's snapshot). Rows are plain
// data and their cells are rendered by pure functions (k9s style), tested
// without a terminal.
package fleettable

import (
	"fmt"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/status"
)

// Row is one GPU host's line.
type Row struct {
	Host       string
	Insecure   string // why the host's transport is insecure; "" when secure
	State      status.State
	Reason     string   // why State is not up
	Configured []string // names the repository says it serves
	Served     []string // names it serves now; nil when not known
	Mismatch   bool     // Served differs from Configured
	GPUs       []status.GPU
	GPUError   string
	Load       status.Load
	Idle       status.Idle
	Drift      Drift
	// Busy is "deploying" or "restarting" while straylight does so; it
	// shows instead of the drift.
	Busy       string
	UtilTrend  []float64 // recent GPU utilization, oldest first (NaN: not known)
	TokenTrend []float64 // recent tokens/s, oldest first
	// Outcome is how the last deploy or restart ended ("✗ reverted"), until
	// the operator has seen it; it shows instead of the drift.
	Outcome string
	// Proxy: the row is the LiteLLM proxy (no GPU, no vLLM): it can be
	// diffed and deployed, not edited.
	Proxy bool
	// Kind is the server's kind when it is not vLLM ("llama.cpp", "sglang",
	// …): the model cell names it. "" for vLLM, the fleet's default.
	Kind string
}

// ProxyRow is the LiteLLM proxy's row: its live state, the aliases it
// lists, its drift.
func ProxyRow(name string, snap *status.Snapshot, p *plan.Plan) Row {
	r := Row{Host: name, Proxy: true, State: status.StateUnknown, Configured: []string{"LiteLLM proxy"}}
	if snap != nil && snap.Proxy != nil {
		ps := snap.Proxy
		r.State, r.Reason = ps.State, ps.Reason
		if ps.Aliases != nil {
			r.Served = []string{fmt.Sprintf("LiteLLM proxy · %d routes", len(ps.Aliases))}
		}
	}
	r.Drift = driftOf(p, name)
	return r
}

// Drift is what the plan says about a host's deployed files.
type Drift struct {
	Known   bool // a plan has been made
	Outside bool // the plan leaves the host out (--limit)
	Changes int  // file tasks that would create or update
	Owed    int  // restarts an earlier apply died before running
	Unknown bool // the host's files could not be read
	Reason  string
}

// BuildRows joins the configured GPU hosts with their live status and their
// plan, in the repository's order. snap and plan may be nil (not known yet).
func BuildRows(gpus []fleet.GPUHost, snap *status.Snapshot, p *plan.Plan) []Row {
	rows := make([]Row, 0, len(gpus))
	live := liveByHost(snap)
	for _, g := range gpus {
		r := Row{Host: g.Name, State: status.StateUnknown, Configured: g.Served, Kind: shownKind(g.Kind)}
		if hs, ok := live[g.Name]; ok {
			r = withLive(r, hs)
		}
		r.Drift = driftOf(p, g.Name)
		rows = append(rows, r)
	}
	return rows
}

// shownKind is a server kind the table names: any but vLLM.
func shownKind(kind string) string {
	if kind == "vllm" {
		return ""
	}
	return kind
}

func liveByHost(snap *status.Snapshot) map[string]*status.HostStatus {
	out := map[string]*status.HostStatus{}
	if snap == nil {
		return out
	}
	for i := range snap.Hosts {
		out[snap.Hosts[i].Host] = &snap.Hosts[i]
	}
	return out
}

func withLive(r Row, hs *status.HostStatus) Row {
	r.Insecure, r.State, r.Reason = hs.Insecure, hs.State, hs.Reason
	r.Served, r.Mismatch = hs.Served, hs.Mismatch
	r.GPUs, r.GPUError = hs.GPUs, firstNonEmpty(hs.GPUError, hs.HostError)
	r.Load, r.Idle = hs.Load, hs.Idle
	if len(hs.Expected) > 0 {
		r.Configured = hs.Expected
	}
	return r
}

// driftOf counts the host's file tasks that applying would change.
func driftOf(p *plan.Plan, host string) Drift {
	if p == nil {
		return Drift{}
	}
	hp := p.Host(host)
	if hp == nil {
		return Drift{Known: true, Outside: true}
	}
	d := Drift{Known: true, Reason: hp.Unreachable}
	for _, f := range hp.Files {
		switch f.Action {
		case plan.ActionCreate, plan.ActionUpdate:
			d.Changes++
		case plan.ActionUnknown:
			d.Unknown = true
		}
	}
	for _, h := range hp.Handlers {
		if h.Pending {
			d.Owed++
		}
	}
	d.Unknown = d.Unknown || hp.Unreachable != ""
	return d
}

func firstNonEmpty(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}
