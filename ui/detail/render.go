// Package detail is the host detail view: every configured value with
// where it comes from (role default, group_vars, host_vars, …), each GPU,
// the container, the load, the plan and the recent errors.
package detail

import (
	"fmt"
	"strings"
	"time"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/ui/diff"
	"github.com/straylight-fleet/straylight/ui/fleettable"
	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// Value is one configured value and where it was set.
type Value struct {
	Key    string // "vllm.port", "vllm_max_model_len", …
	Text   string // the value as YAML shows it; masked when secret
	Origin string // "host_vars/wintermute.yml:5 (host_vars)"
	// Raw is the expression Text was templated from ("" when the value is
	// written as is); EvalErr is why templating it failed.
	Raw     string
	EvalErr string
}

// Input is what the view shows.
type Input struct {
	Host       fleet.GPUHost
	Connection string // "winrm 127.0.0.1:5986"
	Repo       string // the repository's root, in full
	// Undeployed: the repository differs from what is deployed; the live
	// state is compared with what is deployed.
	Undeployed bool
	Values     []Value
	ValuesErr  string // why the values' origins are not known
	Live       *status.HostStatus
	Plan       *plan.HostPlan
	Routes     []string
	History    History   // recent load; nil: no charts
	Now        time.Time // the charts' right edge (the last snapshot's time)
	Width      int       // the view's width, which the charts fill
	ShowRaw    bool      // show each templated value's expression too
}

// Lines renders the view's content.
func Lines(in Input, th *theme.Theme) []string {
	r := &renderer{th: th}
	r.identity(in)
	r.values(in)
	r.gpus(in.Live)
	r.container(in.Live)
	r.load(in.Live)
	r.charts(in)
	r.plan(in)
	r.errors(in.Live)
	return r.out
}

type renderer struct {
	th  *theme.Theme
	out []string
}

func (r *renderer) add(s ...string) { r.out = append(r.out, s...) }

func (r *renderer) section(title string) { r.add("", r.th.Title.S("── "+title)) }

func (r *renderer) identity(in Input) {
	r.add(r.th.Title.S(in.Host.Name) + "  " + r.th.Dim.S(in.Connection))
	if in.Repo != "" {
		r.add(r.th.Dim.S("repository " + in.Repo))
	}
	if l := in.Live; l != nil && l.Insecure != "" {
		r.add(r.th.Warn.S(fleettable.InsecureMark + " insecure transport: " + l.Insecure))
	}
	r.add("configured to serve " + strings.Join(in.Host.Served, ", ") + r.th.Dim.S(" (model "+in.Host.Model+")"))
	r.deployment(in)
	if in.Live == nil {
		r.add(r.th.Dim.S("live state not known yet"))
		return
	}
	r.add(r.stateLine(in.Live))
}

// deployment says what the repository would change, apart from the live
// state, and what the live state is compared with.
func (r *renderer) deployment(in Input) {
	l := in.Live
	switch {
	case l != nil && l.Undeployed != "":
		r.add(r.th.Warn.S(l.Undeployed + " (d shows the diff · a deploys it)"))
		r.add(r.th.Dim.S("live state is compared with what is deployed"))
	case in.Undeployed:
		r.add(r.th.Warn.S("repository differs: not deployed yet (d shows the diff · a deploys it); live state is compared with what is deployed"))
	}
	if l != nil && l.Basis != "" {
		r.add(r.th.Warn.S("live state: " + l.Basis))
	}
}

func (r *renderer) stateLine(l *status.HostStatus) string {
	row := fleettable.Row{State: l.State, Reason: l.Reason, Served: l.Served, Mismatch: l.Mismatch, Configured: l.Expected}
	state := fleettable.StateCell(row)
	line := "state " + toned(r.th, state) + reasonText(l.Reason)
	if l.Served != nil {
		line += " · serving " + toned(r.th, fleettable.ModelCell(fleettable.Row{State: status.StateUp, Served: l.Served, Mismatch: l.Mismatch}))
	}
	if len(l.Missing) > 0 {
		line += r.th.Warn.S(" · missing " + strings.Join(l.Missing, ", "))
	}
	return line
}

func reasonText(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}

func toned(th *theme.Theme, c fleettable.Cell) string {
	return tableTone(th, c).S(c.Text)
}

func (r *renderer) values(in Input) {
	r.section("configured values")
	if in.ValuesErr != "" {
		r.add(r.th.Err.S("  " + in.ValuesErr))
	}
	width := 0
	for _, v := range in.Values {
		width = max(width, layout.Width(v.Key))
	}
	for _, v := range in.Values {
		r.add("  " + layout.Fit(v.Key, width) + "  " + r.valueText(v, in.ShowRaw) + "  " + r.th.Dim.S(v.Origin))
	}
	if hasRaw(in.Values) && !in.ShowRaw {
		r.add(r.th.Dim.S("  templated values are shown as they evaluate for this host · v shows the expressions"))
	}
}

func (r *renderer) gpus(l *status.HostStatus) {
	r.section("GPUs")
	switch {
	case l == nil || !l.HostProbe:
		r.add(r.th.Dim.S("  no host-side probe for this host"))
	case l.HostError != "":
		r.add(r.th.Err.S("  " + l.HostError))
	case l.GPUError != "":
		r.add(r.th.Err.S("  nvidia-smi: " + l.GPUError))
	case len(l.GPUs) == 0:
		r.add(r.th.Dim.S("  no GPU reported yet"))
	}
	if l != nil {
		for _, g := range l.GPUs {
			r.add("  " + gpuLine(g, r.th))
		}
	}
}

func gpuLine(g status.GPU, th *theme.Theme) string {
	util := "–"
	bar := ""
	if g.Util.OK {
		full, empty := layout.Bar(g.Util.Value/100, 10)
		bar = th.BarFull.S(full) + th.BarEmpty.S(empty) + " "
		util = fmt.Sprintf("%3.0f%%", g.Util.Value)
	}
	return fmt.Sprintf("%d  %s  %s%s  %s  %s  %s", g.Index, g.Name, bar, util,
		mem(g), reading(g.TempC, "%.0f°C"), reading(g.PowerW, "%.0fW"))
}

func mem(g status.GPU) string {
	if !g.MemUsedMiB.OK || !g.MemTotalMiB.OK {
		return "VRAM –"
	}
	return fmt.Sprintf("VRAM %.0f/%.0f MiB", g.MemUsedMiB.Value, g.MemTotalMiB.Value)
}

func reading(r status.Reading, format string) string {
	if !r.OK {
		return "–"
	}
	return fmt.Sprintf(format, r.Value)
}

func (r *renderer) container(l *status.HostStatus) {
	if l != nil && (l.Unit.Found || l.UnitError != "") {
		r.unit(l)
		return
	}
	r.section("container")
	switch {
	case l == nil || !l.HostProbe:
		r.add(r.th.Dim.S("  not probed"))
	case l.DockerError != "":
		r.add(r.th.Err.S("  docker: " + l.DockerError))
	case !l.Container.Found:
		r.add(r.th.Warn.S("  no container of that name"))
	default:
		c := l.Container
		r.add(fmt.Sprintf("  %s  %s  %s  %s", c.Name, c.State, r.th.Dim.S(c.Status), r.th.Dim.S(c.Image)))
	}
}

// unit shows vLLM run as a systemd service (systemctl show).
func (r *renderer) unit(l *status.HostStatus) {
	r.section("systemd unit")
	if l.UnitError != "" {
		r.add(r.th.Err.S("  systemctl: " + l.UnitError))
		return
	}
	u := l.Unit
	line := fmt.Sprintf("  %s  %s (%s)", u.Name, u.ActiveState, u.SubState)
	if !u.Since.IsZero() {
		line += r.th.Dim.S("  since " + u.Since.Format("2006-01-02 15:04:05"))
	}
	if u.Restarts > 0 {
		line += r.th.Dim.S(fmt.Sprintf("  %d restart(s)", u.Restarts))
	}
	if u.ActiveState == "active" {
		r.add(line)
	} else {
		r.add(r.th.Warn.S(line))
	}
}

func (r *renderer) load(l *status.HostStatus) {
	r.section("load")
	if l == nil || !l.Load.Known {
		r.add(r.th.Dim.S("  /metrics not known"))
		return
	}
	row := fleettable.Row{Load: l.Load, Idle: l.Idle}
	r.add(fmt.Sprintf("  running %s, waiting %s · %s tok/s · KV cache %.0f%% · %s",
		count(l.Load.Running), count(l.Load.Waiting), fleettable.TokensCell(row).Text,
		l.Load.KVCache*100, fleettable.IdleCell(row).Text))
}

func count(f float64) string { return fmt.Sprintf("%.0f", f) }

func (r *renderer) plan(in Input) {
	r.section("plan")
	if in.Plan == nil {
		r.add(r.th.Dim.S("  not planned yet"))
		return
	}
	r.add("  " + diff.Summary(in.Plan, in.Routes))
	for _, f := range in.Plan.Files {
		r.add(r.th.Dim.S(fmt.Sprintf("  %-7s %s", f.Action, f.Dest)))
	}
	if len(in.Routes) > 0 {
		r.add(r.th.Dim.S("  routes through this host: " + strings.Join(in.Routes, ", ")))
	}
}

func (r *renderer) errors(l *status.HostStatus) {
	r.section("recent errors")
	if l == nil || len(l.Errors) == 0 {
		r.add(r.th.Dim.S("  none"))
		return
	}
	for i := len(l.Errors) - 1; i >= 0; i-- {
		e := l.Errors[i]
		times := ""
		if e.Count > 1 {
			times = fmt.Sprintf(" ×%d", e.Count)
		}
		r.add(fmt.Sprintf("  %s%s  %s: %s", e.At.Format("15:04:05"), times, e.Source, e.Message))
	}
}
