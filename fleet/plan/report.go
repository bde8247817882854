package plan

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// WriteHuman prints the plan like `ansible-playbook --check --diff`, one host
// at a time, then the route lint and a summary line; findings (diagnostics)
// go to diag.
func (p *Plan) WriteHuman(w, diag io.Writer) { p.writeHuman(w, diag, false) }

// WriteHumanShowingSecrets is WriteHuman with secret values shown
// (--show-secrets: human output only, never JSON or files).
func (p *Plan) WriteHumanShowingSecrets(w, diag io.Writer) { p.writeHuman(w, diag, true) }

func (p *Plan) writeHuman(w, diag io.Writer, showSecrets bool) {
	for _, h := range p.Hosts {
		writeHostPlan(w, h, showSecrets)
	}
	writeBackends(w, p.Backends)
	writeRoutes(w, p.Routes)
	writeFindings(diag, p.Findings)
	writeRouteErrors(diag, p.Routes)
	fmt.Fprintln(w, p.Summary.Line())
}

func writeHostPlan(w io.Writer, h *HostPlan, showSecrets bool) {
	fmt.Fprintf(w, "HOST [%s] (%s %s) %s\n", h.Host, h.Connection, h.Address, strings.Repeat("*", 20))
	if h.Unreachable != "" {
		fmt.Fprintf(w, "unreachable: [%s] %s\n", h.Host, h.Unreachable)
	}
	for _, f := range h.Files {
		writeFileChange(w, h.Host, f, showSecrets)
	}
	for _, hr := range h.Handlers {
		fmt.Fprintf(w, "RUNNING HANDLER [%s] would run: [%s] %s\n", hr.Name, h.Host, oneLine(hr.Command))
	}
	for _, d := range h.ViaAnsible {
		writeDelegated(w, h.Host, d)
	}
	for _, u := range h.Unsupported {
		fmt.Fprintf(w, "unsupported: [%s] %s (%s): %s\n", h.Host, u.Task, u.At, u.Reason)
	}
	fmt.Fprintln(w)
}

func writeFileChange(w io.Writer, host string, f *FileChange, showSecrets bool) {
	if f.Service != nil {
		writeServiceChange(w, host, f)
		return
	}
	if f.Command != nil {
		fmt.Fprintf(w, "TASK [%s] %s %q: %s%s\n%s: [%s]\n", f.Task, f.Module, f.Dest, f.Command.Summary, attrsNote(f), commandWord(f), host)
		return
	}
	if f.Stat != nil {
		fmt.Fprintf(w, "TASK [%s] stat %q: %s\nok: [%s]\n", f.Task, f.Dest, f.Stat.Summary(), host)
		return
	}
	if f.Account != nil {
		fmt.Fprintf(w, "TASK [%s] %s %s: %s\n%s: [%s]\n", f.Task, f.Account.Args.Kind, f.Dest, f.Account.Summary, actionWord(f.Action), host)
		return
	}
	if f.Package != nil {
		fmt.Fprintf(w, "TASK [%s] %s %s: %s\n%s: [%s]\n", f.Task, f.Module, orDefault(f.Dest, "(the lists)"), f.Package.Summary, actionWord(f.Action), host)
		return
	}
	fmt.Fprintf(w, "TASK [%s] %s%s\n", f.Task, f.Dest, attrsNote(f))
	diff := f.Diff
	if showSecrets && f.rawDiff != "" {
		diff = f.rawDiff
	}
	if diff != "" {
		fmt.Fprint(w, diff)
		if !strings.HasSuffix(diff, "\n") {
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintf(w, "%s: [%s]\n", actionWord(f.Action), host)
}

// writeServiceChange prints a unit task: the module, the unit and what
// it would do ("systemd vllm: restart (active → restarted)"), then
// Ansible's verdict.
func writeServiceChange(w io.Writer, host string, f *FileChange) {
	fmt.Fprintf(w, "TASK [%s] %s%s: %s%s\n", f.Task, f.Module, prefixed(" ", f.Service.Unit), f.Service.Summary, attrsNote(f))
	fmt.Fprintf(w, "%s: [%s]\n", actionWord(f.Action), host)
}

// writeDelegated prints a task ansible-playbook --check planned, as
// Ansible prints it, marked "via ansible".
func writeDelegated(w io.Writer, host string, d DelegatedTask) {
	fmt.Fprintf(w, "TASK [%s] via ansible (%s, %s)\n", d.Task, d.Module, d.At)
	if d.NoLog {
		fmt.Fprintln(w, "(the result of a no_log task is not shown)")
	}
	if d.Diff != "" {
		fmt.Fprint(w, d.Diff)
		if !strings.HasSuffix(d.Diff, "\n") {
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintf(w, "%s: [%s]%s\n", d.Status, host, prefixed(": ", oneLine(d.Message)))
}

// attrsNote names what the task sets besides the content (mode, owner,
// group, validate, backup, force: no, become); a change of the mode,
// owner or group shows in the diff, as Ansible's --diff shows it.
func attrsNote(f *FileChange) string {
	var parts []string
	for _, kv := range [][2]string{{"mode", f.Attrs.Mode}, {"owner", f.Attrs.Owner}, {"group", f.Attrs.Group}, {"validate", f.Attrs.Validate}} {
		if kv[1] != "" {
			parts = append(parts, kv[0]+" "+kv[1])
		}
	}
	if f.Attrs.Backup {
		parts = append(parts, "backup")
	}
	if f.Attrs.NoForce {
		parts = append(parts, "force no")
	}
	if b := f.Become; b != nil && b.Set && b.Become {
		parts = append(parts, "become"+prefixed(" ", b.User))
	}
	if f.CheckOnly {
		parts = append(parts, "check_mode: reported, not made")
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

func prefixed(prefix, s string) string {
	if s == "" {
		return ""
	}
	return prefix + s
}

// commandWord is Ansible's verdict on a command task: win_command and
// win_shell report a run their creates or removes prevents as skipped
// (win_command.ps1:85, win_shell.ps1:81 at a1e2a842); command and shell
// as ok.
func commandWord(f *FileChange) string {
	if f.Command.Skipped || (!f.Command.Runs && f.Module.IsWindowsTask()) {
		return "skipping"
	}
	return actionWord(f.Action)
}

func actionWord(a Action) string {
	switch a {
	case ActionCreate, ActionUpdate:
		return "changed"
	case ActionUnknown:
		return "unknown"
	}
	return "ok"
}

func writeRoutes(w io.Writer, routes []RouteCheck) {
	if len(routes) == 0 {
		return
	}
	fmt.Fprintln(w, "ROUTES "+strings.Repeat("*", 20))
	for _, r := range routes {
		fmt.Fprintf(w, "%-7s %s -> %s: %s%s\n", r.Status, r.Route, r.Model, r.Detail, routeSource(r))
	}
	fmt.Fprintln(w)
}

func writeFindings(w io.Writer, findings []Finding) {
	for _, f := range findings {
		fmt.Fprintf(w, "%s: %s\n", f.Severity, f.Text())
	}
}

// Line is the one-line summary printed last.
func (s Summary) Line() string {
	line := fmt.Sprintf("Plan: %d to change, %d unchanged, %d restart(s), %d unsupported on %d host(s); routes ok %d/%d",
		s.Changed, s.Unchanged, s.Restarts, s.Unsupported, s.Hosts, s.RoutesOK, s.Routes)
	if s.CheckOnly > 0 {
		line += fmt.Sprintf("; %d reported changed by check_mode tasks (nothing written)", s.CheckOnly)
	}
	if s.ViaAnsible > 0 {
		line += fmt.Sprintf("; %d via ansible (%d to change)", s.ViaAnsible, s.ViaAnsibleChanged)
	}
	if s.Pending > 0 {
		line += fmt.Sprintf("; %d restart(s) owed by an earlier apply that died", s.Pending)
	}
	if s.Unknown > 0 {
		line += fmt.Sprintf("; %d unknown (host unreachable)", s.Unknown)
	}
	if s.Errors > 0 || s.Warnings > 0 {
		line += fmt.Sprintf("; %d error(s), %d warning(s)", s.Errors, s.Warnings)
	}
	return line
}

// WriteJSON writes the plan as one JSON document.
func (p *Plan) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// oneLine shortens a multi-line command to its first line and a count.
func oneLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	if len(lines) == 1 {
		return lines[0]
	}
	return fmt.Sprintf("%s … (+%d lines)", strings.TrimSpace(lines[0]), len(lines)-1)
}

// writeRouteErrors repeats failing routes among the diagnostics, so an exit
// code of 1 always has its reason on stderr.
func writeRouteErrors(w io.Writer, routes []RouteCheck) {
	for _, r := range routes {
		if r.Status == "error" {
			fmt.Fprintf(w, "error: route %s: %s\n", r.Route, r.Detail)
		}
	}
}

func routeSource(r RouteCheck) string {
	switch {
	case r.Source != "" && r.Proxy != "":
		return fmt.Sprintf(" (%s %s)", r.Proxy, r.Source)
	case r.Source != "":
		return " (" + r.Source + ")"
	}
	return ""
}
