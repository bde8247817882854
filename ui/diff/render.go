// Package diff is the diff view: the unified diff of every file the
// selected host's plan touches, coloured and scrollable, under the plan
// summary (files, restarts, routes affected) and, after an edit, the
// host_vars change that caused it, or the repository files written for a
// host just added.
package diff

import (
	"fmt"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// Input is what the view shows.
type Input struct {
	Host   string
	Plan   *plan.HostPlan // nil: the host is not in the plan
	Routes []string       // routes through the host
	Edits  []string       // descriptions of the edits just saved
	// Written are the repository files written for a host just added (n),
	// shown above what a deploy would render for it.
	Written []Written
	// Committable: the repository is in git, so c commits the edits.
	Committable bool
}

// Written is one repository file written, with its diff.
type Written struct {
	Name    string
	Created bool
	Diff    string
}

// Pending reports uncommitted changes the view offers to commit.
func (in Input) Pending() bool { return len(in.Edits) > 0 || len(in.Written) > 0 }

// Lines renders the view's content.
func Lines(in Input, th *theme.Theme) []string {
	var out []string
	out = append(out, summary(in, th)...)
	for _, e := range in.Edits {
		out = append(out, th.Info.S("edited ")+e)
	}
	out = append(out, written(in.Written, th)...)
	if in.Plan == nil && len(in.Written) > 0 {
		return append(out, "", th.Dim.S("planning "+in.Host+"…"))
	}
	if in.Plan == nil {
		return append(out, "", th.Dim.S(in.Host+" is not in the plan (outside --limit, or no play targets it)"))
	}
	if in.Plan.Unreachable != "" {
		out = append(out, "", th.Err.S(in.Plan.Unreachable))
	}
	for _, f := range in.Plan.Files {
		out = append(out, file(f, th)...)
	}
	for _, d := range in.Plan.ViaAnsible {
		out = append(out, viaAnsible(d, th)...)
	}
	for _, u := range in.Plan.Unsupported {
		out = append(out, "", th.Warn.S("unsupported: "+u.Task+" — "+u.Reason))
	}
	return out
}

// Counts is what a host's plan would do.
type Counts struct {
	Changed, Unchanged, Unknown, Restarts int
}

// Count counts a host's plan.
func Count(hp *plan.HostPlan) Counts {
	var c Counts
	if hp == nil {
		return c
	}
	for _, f := range hp.Files {
		switch f.Action {
		case plan.ActionCreate, plan.ActionUpdate:
			c.Changed++
		case plan.ActionUnknown:
			c.Unknown++
		default:
			c.Unchanged++
		}
	}
	c.Restarts = len(hp.Handlers)
	return c
}

// Summary is one line: "1 file to change, 2 unchanged · 1 restart · routes local/reasoner".
func Summary(hp *plan.HostPlan, routes []string) string {
	c := Count(hp)
	parts := []string{plural(c.Changed, "file") + " to change"}
	if c.Unchanged > 0 {
		parts[0] += fmt.Sprintf(", %d unchanged", c.Unchanged)
	}
	if c.Unknown > 0 {
		parts[0] += fmt.Sprintf(", %d unknown", c.Unknown)
	}
	parts = append(parts, plural(c.Restarts, "restart"))
	if len(routes) > 0 && c.Changed+c.Unknown > 0 {
		parts = append(parts, "routes "+strings.Join(routes, ", "))
	}
	return strings.Join(parts, " · ")
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

func summary(in Input, th *theme.Theme) []string {
	out := []string{th.Title.S("Diff "+in.Host) + "  " + Summary(in.Plan, in.Routes)}
	if in.Plan == nil {
		return out
	}
	for _, h := range in.Plan.Handlers {
		line := "restart: " + h.Name + " (" + string(h.Module) + ")"
		if h.Pending {
			out = append(out, th.Warn.S(line+" — owed by an earlier apply that stopped before running it"))
			continue
		}
		out = append(out, th.Dim.S(line))
	}
	return out
}

func file(f *plan.FileChange, th *theme.Theme) []string {
	head := fmt.Sprintf("── %s  %s", f.Dest, actionWord(f.Action))
	where := th.Dim.S(fmt.Sprintf("  %s · %s", f.Module, f.Task))
	out := []string{"", th.DiffHeader.S(head) + where}
	if what := nativeTask(f); what != "" {
		out = append(out, th.Dim.S("   "+what))
	}
	switch f.Action {
	case plan.ActionNone:
		return out
	case plan.ActionUnknown:
		return append(out, th.Err.S("   the host's file could not be read"))
	}
	if f.Secret {
		out = append(out, th.Dim.S("   (content holds secrets: diff masked)"))
	}
	return append(out, diffLines(f.Diff, th)...)
}

// nativeTask is what a unit or command task would do, as the plan words
// it ("restart (active → restarted)", "would run"); "" for a file task.
func nativeTask(f *plan.FileChange) string {
	switch {
	case f.Service != nil:
		return f.Service.Summary
	case f.Command != nil:
		return f.Command.Summary
	case f.Stat != nil:
		return f.Stat.Summary()
	case f.Account != nil:
		return f.Account.Summary
	case f.Package != nil:
		return f.Package.Summary
	}
	return ""
}

// viaAnsible shows a task ansible-playbook runs for straylight, with the
// status its --check reported and its diff.
func viaAnsible(d plan.DelegatedTask, th *theme.Theme) []string {
	head := fmt.Sprintf("── %s  %s", d.Task, d.Status)
	where := th.Dim.S(fmt.Sprintf("  via ansible · %s · %s", d.Module, d.At))
	out := []string{"", th.DiffHeader.S(head) + where}
	if d.Message != "" {
		out = append(out, th.Dim.S("   "+d.Message))
	}
	return append(out, diffLines(d.Diff, th)...)
}

// written shows the repository files written for a new host, then a
// heading for what a deploy would render.
func written(files []Written, th *theme.Theme) []string {
	if len(files) == 0 {
		return nil
	}
	var out []string
	for _, f := range files {
		verb := "added to"
		if f.Created {
			verb = "created"
		}
		out = append(out, "", th.DiffHeader.S("── "+f.Name+"  "+verb+" in the repository"))
		out = append(out, diffLines(f.Diff, th)...)
	}
	return append(out, "", th.Title.S("What a deploy would render"))
}

func actionWord(a plan.Action) string {
	if a == plan.ActionNone {
		return "unchanged"
	}
	return string(a)
}

// diffLines colours a unified diff, one screen line per diff line, with
// carriage returns (Windows files) and control characters made harmless.
func diffLines(d string, th *theme.Theme) []string {
	if d == "" {
		return nil
	}
	lines := strings.Split(strings.TrimSuffix(d, "\n"), "\n")
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, colour(sanitize(l), th))
	}
	return out
}

func colour(l string, th *theme.Theme) string {
	switch {
	case strings.HasPrefix(l, "+++"), strings.HasPrefix(l, "---"):
		return th.DiffHeader.S(l)
	case strings.HasPrefix(l, "@@"):
		return th.DiffHunk.S(l)
	case strings.HasPrefix(l, "+"):
		return th.DiffAdd.S(l)
	case strings.HasPrefix(l, "-"):
		return th.DiffDel.S(l)
	}
	return l
}

// sanitize drops a line's CR (CRLF files), expands tabs and shows other
// control characters as U+FFFD, so file content cannot move the cursor.
func sanitize(l string) string {
	l = strings.TrimSuffix(l, "\r")
	l = strings.ReplaceAll(l, "\t", "    ")
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return '\uFFFD'
		}
		return r
	}, l)
}
