package fleettable

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/ui/layout"
	"github.com/straylight-fleet/straylight/ui/table"
)

// Cell is a table cell.
type Cell = table.Cell

// Tones of the cells.
const (
	ToneNone = table.ToneNone
	ToneDim  = table.ToneDim
	ToneOK   = table.ToneOK
	ToneWarn = table.ToneWarn
	ToneErr  = table.ToneErr
	ToneInfo = table.ToneInfo
	ToneBar  = table.ToneBar
)

func cell(text string, tone table.Tone) Cell { return Cell{Text: text, Tone: tone} }

// MismatchMark prefixes a served model that differs from the configured one.
const MismatchMark = "≠ "

// InsecureMark flags a host reached over an insecure transport.
const InsecureMark = "!"

// none is shown for figures that are not known.
const none = "–"

// HostCell is the host's name.
func HostCell(r Row) Cell { return Cell{Text: r.Host} }

// StateCell is up, loading, down, unreachable, engine-dead or … (not probed).
func StateCell(r Row) Cell {
	switch r.State {
	case status.StateUp:
		return cell("up", ToneOK)
	case status.StateLoading:
		return cell("loading", ToneWarn)
	case status.StateUnknown, "":
		return cell("…", ToneDim)
	}
	return cell(string(r.State), ToneErr)
}

// ModelCell is what the host serves now, marked when it differs from the
// configuration; the reason when it is not up; the configured name, dimmed,
// before the first probe.
func ModelCell(r Row) Cell {
	switch {
	case r.State != status.StateUp && r.Reason != "":
		return cell(r.Reason, ToneDim)
	case r.Served == nil:
		return cell(strings.Join(r.Configured, ", ")+kindSuffix(r), ToneDim)
	case len(r.Served) == 0:
		return cell("serves nothing"+kindSuffix(r), ToneErr)
	case r.Mismatch:
		return cell(MismatchMark+strings.Join(r.Served, ", ")+kindSuffix(r), ToneWarn)
	}
	return Cell{Text: strings.Join(r.Served, ", ") + kindSuffix(r)}
}

// kindSuffix names a server that is not vLLM (" · llama.cpp").
func kindSuffix(r Row) string {
	if r.Kind == "" {
		return ""
	}
	return " · " + r.Kind
}

// FittedModelCell is ModelCell for a column w cells wide: when a served
// name does not fit, its organisation ("casperhansen/") goes first, so the
// model's own name stays readable (the detail view has it in full).
func FittedModelCell(r Row, w int) Cell {
	c := ModelCell(r)
	if layout.Width(c.Text) <= w || r.Served == nil || (r.State != status.StateUp && r.Reason != "") {
		return c
	}
	short := make([]string, len(r.Served))
	for i, s := range r.Served {
		short[i] = s[strings.LastIndex(s, "/")+1:]
	}
	c.Text = strings.Replace(c.Text, strings.Join(r.Served, ", "), strings.Join(short, ", "), 1)
	return c
}

// GPUCell is the mean utilization as a bar and a percentage; "N×" in front
// when the host has several GPUs.
func GPUCell(r Row, w int) Cell {
	util, ok := status.MeanUtil(r.GPUs)
	if !ok {
		return cell(none, ToneDim)
	}
	prefix := ""
	if len(r.GPUs) > 1 {
		prefix = strconv.Itoa(len(r.GPUs)) + "×"
	}
	pct := fmt.Sprintf("%3.0f%%", util)
	full, empty := layout.Bar(util/100, w-layout.Width(prefix)-len(pct)-1)
	return cell(prefix+full+empty+" "+pct, ToneBar)
}

// VRAMCell is the memory used and total over all GPUs, in GiB.
func VRAMCell(r Row) Cell {
	used, total, ok := vram(r.GPUs)
	if !ok {
		return cell(none, ToneDim)
	}
	return Cell{Text: gib(used) + "/" + strconv.FormatFloat(total/1024, 'f', 0, 64) + "G"}
}

func vram(gpus []status.GPU) (used, total float64, ok bool) {
	for _, g := range gpus {
		if g.MemUsedMiB.OK && g.MemTotalMiB.OK {
			used, total, ok = used+g.MemUsedMiB.Value, total+g.MemTotalMiB.Value, true
		}
	}
	return used, total, ok
}

// gib prints MiB as GiB with one decimal below 100.
func gib(mib float64) string {
	g := mib / 1024
	if g < 100 {
		return strconv.FormatFloat(g, 'f', 1, 64)
	}
	return strconv.FormatFloat(g, 'f', 0, 64)
}

// RequestsCell is requests running/waiting.
func RequestsCell(r Row) Cell {
	if !r.Load.Known {
		return cell(none, ToneDim)
	}
	return Cell{Text: count(r.Load.Running) + "/" + count(r.Load.Waiting)}
}

func count(f float64) string { return strconv.FormatFloat(f, 'f', 0, 64) }

// TokensCell is generated tokens per second.
func TokensCell(r Row) Cell {
	if !r.Load.Known || !r.Load.RateKnown {
		return cell(none, ToneDim)
	}
	return Cell{Text: strconv.FormatFloat(r.Load.TokensPerSecond, 'f', 1, 64)}
}

// IdleCell is "busy", "quiet 40s" (busy within the idle threshold, but
// nothing runs, waits or is generated now), "idle 7m", "idle ≥40s", or –
// when not known.
func IdleCell(r Row) Cell {
	i := r.Idle
	switch {
	case i.Activity == status.ActivityBusy && quietNow(r):
		return cell("quiet "+Duration(i.For), ToneDim)
	case i.Activity == status.ActivityBusy:
		return cell("busy", ToneInfo)
	case i.AtLeast:
		return cell("idle ≥"+Duration(i.For), ToneDim)
	case i.Activity == status.ActivityIdle:
		return cell("idle "+Duration(i.For), ToneDim)
	}
	return cell(none, ToneDim)
}

// quietNow: /metrics shows nothing running, waiting or generated since the
// last activity.
func quietNow(r Row) bool {
	l := r.Load
	return l.Known && l.Running == 0 && l.Waiting == 0 && (!l.RateKnown || l.TokensPerSecond == 0) && r.Idle.For > 0
}

// Duration is a short whole-unit duration: "0s", "45s", "7m", "1h20m", "3d4h".
func Duration(d time.Duration) string {
	switch {
	case d < time.Minute:
		return strconv.Itoa(int(d.Seconds())) + "s"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + "m"
	case d < 24*time.Hour:
		return twoUnits(int(d.Hours()), "h", int(d.Minutes())%60, "m")
	}
	return twoUnits(int(d.Hours())/24, "d", int(d.Hours())%24, "h")
}

func twoUnits(major int, majorUnit string, minor int, minorUnit string) string {
	s := strconv.Itoa(major) + majorUnit
	if minor > 0 {
		s += strconv.Itoa(minor) + minorUnit
	}
	return s
}

// DriftCell is "in sync", "N changes", "unknown" (the host could not be
// read), "restart owed" (an earlier apply died before its restart), "not
// planned" (outside --limit) or … before the first plan.
func DriftCell(r Row) Cell {
	d := r.Drift
	switch {
	case r.Busy != "":
		return cell(r.Busy, ToneInfo)
	case strings.HasPrefix(r.Outcome, "✗"):
		return cell(r.Outcome, ToneErr)
	case r.Outcome != "":
		return cell(r.Outcome, ToneOK)
	case !d.Known:
		return cell("…", ToneDim)
	case d.Outside:
		return cell("not planned", ToneDim)
	case d.Unknown:
		return cell("unknown", ToneErr)
	case d.Changes == 1:
		return cell("1 change", ToneWarn)
	case d.Changes > 1:
		return cell(strconv.Itoa(d.Changes)+" changes", ToneWarn)
	case d.Owed > 0:
		return cell("restart owed", ToneWarn)
	}
	return cell("in sync", ToneOK)
}

// MarkCell is the insecure-transport mark.
func MarkCell(r Row) Cell {
	if r.Insecure != "" {
		return cell(InsecureMark, ToneWarn)
	}
	return Cell{Text: " "}
}
