package sim

import (
	"fmt"
	"strings"
	"time"
)

// systemctl is show, is-enabled, restart, start, is-active and
// daemon-reload for the host's vLLM unit (enabled, as the lab installs
// it): what a systemd_service handler and a systemd_service task ask.
func (t *toolServer) systemctl(argv []string) toolResult {
	verb, units, props := splitSystemctlArgs(argv)
	switch verb {
	case "daemon-reload":
		return ok("")
	case "show":
		return t.systemctlShow(units, props)
	case "is-active":
		return t.systemctlIsActive(units)
	case "is-enabled":
		return t.systemctlIsEnabled(units)
	case "restart", "start", "try-restart", "reload-or-restart":
		return t.systemctlRestart(units)
	}
	return fail(1, "systemctl (lab stand-in): %q is not simulated", verb)
}

func splitSystemctlArgs(argv []string) (verb string, units, props []string) {
	for _, a := range argv {
		switch {
		case strings.HasPrefix(a, "--property="):
			props = append(props, strings.Split(strings.TrimPrefix(a, "--property="), ",")...)
		case strings.HasPrefix(a, "-"):
		case verb == "":
			verb = a
		default:
			units = append(units, a)
		}
	}
	return verb, units, props
}

// isUnit reports whether name is the host's vLLM unit ("vllm" means
// "vllm.service", as systemctl completes it).
func (t *toolServer) isUnit(name string) bool {
	if !strings.Contains(name, ".") {
		name += ".service"
	}
	return t.host.spec.Runtime == RuntimeSystemd && name == t.host.spec.Unit
}

func (t *toolServer) systemctlShow(units, props []string) toolResult {
	if len(units) != 1 {
		return fail(1, "systemctl show (lab stand-in): name one unit")
	}
	values := t.unitProperties(units[0])
	var out strings.Builder
	for _, p := range orAll(props) {
		if v, found := values[p]; found {
			fmt.Fprintf(&out, "%s=%s\n", p, v)
		}
	}
	return ok(out.String())
}

func orAll(props []string) []string {
	if len(props) > 0 {
		return props
	}
	return []string{"Id", "LoadState", "ActiveState", "SubState", "ActiveEnterTimestamp", "NRestarts", "MainPID"}
}

// unitProperties is systemd's view of vLLM run as a Type=simple service
// with Restart=on-failure: active/running from the moment the process
// starts (loading included), activating/auto-restart while it crash-loops.
func (t *toolServer) unitProperties(unit string) map[string]string {
	if !t.isUnit(unit) {
		return map[string]string{"Id": unit, "LoadState": "not-found", "ActiveState": "inactive",
			"SubState": "dead", "ActiveEnterTimestamp": "", "NRestarts": "0", "MainPID": "0"}
	}
	state, started, restarts := t.host.unitView()
	active, sub, pid := "active", "running", "4242"
	switch state {
	case VLLMFailed:
		active, sub, pid = "activating", "auto-restart", "0"
	case VLLMStopped:
		active, sub, pid = "inactive", "dead", "0"
	}
	return map[string]string{"Id": t.host.spec.Unit, "LoadState": "loaded", "ActiveState": active, "SubState": sub,
		"ActiveEnterTimestamp": started.UTC().Format("Mon 2006-01-02 15:04:05 MST"),
		"NRestarts":            fmt.Sprint(restarts), "MainPID": pid}
}

func (t *toolServer) systemctlIsActive(units []string) toolResult {
	if len(units) != 1 {
		return fail(1, "systemctl is-active (lab stand-in): name one unit")
	}
	active := t.unitProperties(units[0])["ActiveState"]
	if active != "active" {
		return toolResult{code: 3, output: active + "\n"}
	}
	return ok(active + "\n")
}

// systemctlIsEnabled answers as systemctl does: "enabled" (exit 0) for
// the unit, which the lab installs enabled; for any other unit the error
// on stderr, exit 1.
func (t *toolServer) systemctlIsEnabled(units []string) toolResult {
	if len(units) != 1 {
		return fail(1, "systemctl is-enabled (lab stand-in): name one unit")
	}
	if !t.isUnit(units[0]) {
		return fail(1, "Failed to get unit file state for %s: No such file or directory", units[0])
	}
	return ok("enabled\n")
}

func (t *toolServer) systemctlRestart(units []string) toolResult {
	if len(units) != 1 || !t.isUnit(units[0]) {
		return fail(5, "Failed to restart %s: Unit %s not found.", strings.Join(units, " "), strings.Join(units, " "))
	}
	if err := t.host.restart(); err != nil {
		return fail(1, "Job for %s failed because the control process exited with error code.\n%v", t.host.spec.Unit, err)
	}
	return ok("")
}

// unitView is what systemd would see of the vLLM process: its state, when
// it (re)started and how many times a crash restarted it.
func (s *VLLMServer) unitView() (VLLMState, time.Time, int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	restarts := 0
	if s.state == VLLMFailed {
		restarts = 1 + int(time.Since(s.stateSince)/(5*time.Second))
	}
	return s.state, s.containerStarted, restarts
}
