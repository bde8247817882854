package filemod

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
	"github.com/straylight-fleet/straylight/internal/shquote"
)

// What ansible.builtin.systemd_service decides, read in ansible-core's
// lib/ansible/modules/systemd_service.py main() at commit c9ac477e
// (lines cited below as :N): the unit's LoadState and ActiveState from
// `systemctl show NAME` (:420-433), whether it is enabled from the exit
// code and output of `systemctl is-enabled NAME -l` (:513-525), then the
// actions in the module's order — daemon-reload (:397, never in check
// mode), enable or disable (:502-545), the state's verb (:548-575).
// straylight plans from the same two answers, asked of the host in one
// round trip (QueryScript), and runs the actions the decision names.

// serviceArgNames are the systemd_service arguments straylight runs, with
// Ansible's aliases (:346, :351); masked, scope, no_block, force and
// daemon_reexec are left to Ansible.
var serviceArgNames = []string{"name", "service", "unit", "state", "enabled", "daemon_reload", "daemon-reload"}

// ServiceArgs are a systemd_service (or service) task's arguments.
type ServiceArgs struct {
	Name         string `json:"name,omitempty"`
	State        string `json:"state,omitempty"` // started, stopped, restarted, reloaded, or ""
	Enabled      *bool  `json:"enabled,omitempty"`
	DaemonReload bool   `json:"daemon_reload,omitempty"`
	// Env is the task's environment keyword: systemctl runs with it. Its
	// values may be secrets, so it is never serialized.
	Env []EnvVar `json:"-"`
}

// unitName is a unit name systemctl takes and a shell word needs no
// quoting for; glob characters are refused as the module refuses them
// (:367-369).
var unitName = lazyre.New(`^[A-Za-z0-9][A-Za-z0-9_.@:\\-]*$`)

// ParseServiceArgs reads a systemd_service or service task's templated
// arguments; an argument straylight does not run is an error naming it.
func ParseServiceArgs(module string, args map[string]any) (ServiceArgs, error) {
	if err := onlyArgs(module, args, serviceArgNames); err != nil {
		return ServiceArgs{}, err
	}
	a := ServiceArgs{Name: firstString(args, "name", "service", "unit"), State: String(args["state"])}
	var err error
	if a.DaemonReload, err = serviceBool(args, "daemon_reload", "daemon-reload"); err != nil {
		return a, err
	}
	if args["enabled"] != nil {
		on, err := boolArg(args, "enabled")
		a.Enabled = &on
		if err != nil {
			return a, err
		}
	}
	return a, a.check()
}

func serviceBool(args map[string]any, names ...string) (bool, error) {
	for _, n := range names {
		if args[n] != nil {
			return boolArg(args, n)
		}
	}
	return false, nil
}

// check applies the module's argument spec (:347, :357-362).
func (a ServiceArgs) check() error {
	switch {
	case a.State != "" && !slices.Contains([]string{"reloaded", "restarted", "started", "stopped"}, a.State):
		return fmt.Errorf("state %q is not one of reloaded, restarted, started, stopped", a.State)
	case a.State == "" && a.Enabled == nil && !a.DaemonReload:
		return errors.New("one of state, enabled, daemon_reload is required")
	case a.Name == "" && (a.State != "" || a.Enabled != nil):
		return errors.New("state and enabled require name")
	case a.Name != "" && !unitName().MatchString(a.Name):
		return fmt.Errorf("name %q is not a unit name straylight runs (no glob patterns, spaces or quotes)", a.Name)
	}
	return nil
}

// UnitState is what the host's systemctl said of a unit: the properties
// `systemctl show` printed and its exit code, and is-enabled's output and
// exit code.
type UnitState struct {
	Show      map[string]string `json:"show,omitempty"`
	ShowRC    int               `json:"show_rc"`
	Enabled   string            `json:"is_enabled,omitempty"`
	EnabledRC int               `json:"is_enabled_rc"`
}

// showProperties are the properties the module reads of `systemctl show`.
const showProperties = "LoadState,ActiveState,LoadError"

// QueryScript asks systemctl about each unit, in one POSIX sh run: show
// and is-enabled, each with its exit code, between markers ParseQuery
// reads. systemctl is looked up on PATH, as the module's get_bin_path
// looks first (:371).
func QueryScript(units []string) string {
	var b strings.Builder
	b.WriteString("command -v systemctl >/dev/null 2>&1 || { echo 'systemctl not found on PATH' >&2; exit 127; }\n")
	for _, u := range units {
		q := shquote.Always(u)
		fmt.Fprintf(&b, "echo '@@unit '%s; systemctl show --property=%s %s; rc=$?; echo; echo \"@@show $rc\"\n", q, showProperties, q)
		fmt.Fprintf(&b, "systemctl is-enabled %s -l 2>/dev/null; rc=$?; echo; echo \"@@enabled $rc\"\n", q)
	}
	return b.String()
}

// ParseQuery reads QueryScript's output: each unit's state, and the
// section of the output about it (what an apply compares to see whether
// the unit changed since the plan).
func ParseQuery(out string) (map[string]UnitState, map[string]string, error) {
	return parseSections(out, "@@unit ", "systemctl", parseUnit)
}

// parseSections reads a query script's output: after each marker the
// name of what it asked about on the marker's line, then the answers,
// which parse reads; the section (marker's line and answers) is what an
// apply compares to see whether the host changed since the plan. tool
// names the program asked, for errors.
func parseSections[S any](out, marker, tool string, parse func(string) (S, error)) (map[string]S, map[string]string, error) {
	states, sections := map[string]S{}, map[string]string{}
	for _, part := range strings.Split(out, marker)[1:] {
		name, body, _ := strings.Cut(part, "\n")
		st, err := parse(body)
		if err != nil {
			return nil, nil, fmt.Errorf("%s about %s: %w", tool, name, err)
		}
		states[name], sections[name] = st, part
	}
	return states, sections, nil
}

func parseUnit(body string) (UnitState, error) {
	show, rest, ok1 := strings.Cut(body, "\n@@show ")
	showRC, enabled, ok2 := strings.Cut(rest, "\n")
	enabled, enabledRC, ok3 := strings.Cut(enabled, "\n@@enabled ")
	st := UnitState{Show: parseShow(show), Enabled: strings.TrimSpace(enabled)}
	var err1, err2 error
	st.ShowRC, err1 = strconv.Atoi(strings.TrimSpace(showRC))
	st.EnabledRC, err2 = strconv.Atoi(strings.TrimSpace(enabledRC))
	if !ok1 || !ok2 || !ok3 || err1 != nil || err2 != nil {
		return st, errors.New("unexpected output")
	}
	return st, nil
}

// parseShow reads KEY=VALUE lines as parse_systemctl_show does (:304-336)
// for the properties asked, none of which spans lines; an answer without
// "=" that says the request was ignored (:300) is no answer.
func parseShow(out string) map[string]string {
	if !strings.Contains(out, "=") {
		return nil
	}
	m := map[string]string{}
	for _, line := range strings.Split(out, "\n") {
		if k, v, ok := strings.Cut(line, "="); ok {
			m[k] = strings.TrimSpace(v)
		}
	}
	return m
}

// validEnabledStates are is-enabled's answers the module takes as "the
// unit exists" when show gave none (:449-463).
var validEnabledStates = []string{"enabled", "enabled-runtime", "linked", "linked-runtime", "masked", "masked-runtime",
	"static", "indirect", "disabled", "generated", "transient"}

// found is the module's "Does service exist?" (:422-476), without the
// SysV init script fallback (straylight's hosts run systemd units).
func (s UnitState) found() bool {
	if s.ShowRC == 0 && s.Show != nil {
		return s.Show["LoadState"] != "" && s.Show["LoadState"] != "not-found"
	}
	return slices.Contains(validEnabledStates, s.Enabled)
}

// enabled is the module's reading of is-enabled (:513-532).
func (s UnitState) enabled() bool {
	return s.EnabledRC == 0 && !slices.Contains([]string{"enabled-runtime", "indirect", "alias"}, s.Enabled)
}

// EnableScript is the shell a unit handler runs for its enabled argument,
// deciding as the module does (enable, :502-545): `systemctl is-enabled`
// says the unit is enabled when it exits 0 with another answer than
// enabled-runtime, indirect or alias; a unit not as asked is enabled or
// disabled, one that is as asked is left alone. name must need no
// quoting (a unit name).
func EnableScript(name string, enable bool) string {
	isEnabled := fmt.Sprintf(`s=$(systemctl is-enabled %s -l 2>/dev/null) && [ "$s" != enabled-runtime ] && [ "$s" != indirect ] && [ "$s" != alias ]`, name)
	if enable {
		return "if " + isEnabled + "; then :; else systemctl enable " + name + "; fi"
	}
	return "if " + isEnabled + "; then systemctl disable " + name + "; fi"
}

// running and deactivating are is_running_service and
// is_deactivating_service (:292-297).
func (s UnitState) running() bool {
	return s.Show["ActiveState"] == "active" || s.Show["ActiveState"] == "activating"
}

func (s UnitState) deactivating() bool { return s.Show["ActiveState"] == "deactivating" }

// ServiceResult is what the module would do: its actions (systemctl
// verbs, in the order it runs them), whether it reports changed, and the
// unit's state after them (for the tasks after it on the same unit).
type ServiceResult struct {
	Actions []string  `json:"actions,omitempty"`
	Changed bool      `json:"changed"`
	Before  UnitState `json:"-"`
	After   UnitState `json:"-"`
}

// Service decides a task against the unit's state as the module does; an
// error is the module's failure, with its message.
func Service(a ServiceArgs, st UnitState) (ServiceResult, error) {
	res := ServiceResult{Before: st, After: st}
	if a.DaemonReload {
		res.Actions = append(res.Actions, "daemon-reload")
	}
	if a.Name == "" {
		return res, nil
	}
	if err := loadError(a.Name, st); err != nil {
		return res, err
	}
	if err := res.enable(a, st); err != nil {
		return res, err
	}
	return res, res.setState(a, st)
}

// loadError is the module's failure on a unit that did not load (:432).
func loadError(name string, st UnitState) error {
	if st.found() && st.Show["LoadState"] != "masked" && st.Show["LoadError"] != "" {
		// the module's own message (staticcheck's ST1005 takes its first
		// word for NotBoolError's Error method, and lets it be)
		return fmt.Errorf("Error loading unit file '%s': %s", name, st.Show["LoadError"])
	}
	return nil
}

// missing is fail_if_missing's message (module_utils/service.py:118-119).
func missing(name string) error {
	//lint:ignore ST1005 the module's own message
	return fmt.Errorf("Could not find the requested service %s: host", name)
}

// enable: enable or disable when is-enabled says otherwise (:502-545).
func (r *ServiceResult) enable(a ServiceArgs, st UnitState) error {
	if a.Enabled == nil {
		return nil
	}
	if !st.found() {
		return missing(a.Name)
	}
	if st.enabled() == *a.Enabled {
		return nil
	}
	r.Changed = true
	verb, now, rc := "disable", "disabled", 1
	if *a.Enabled {
		verb, now, rc = "enable", "enabled", 0
	}
	r.Actions = append(r.Actions, verb)
	r.After.Enabled, r.After.EnabledRC = now, rc
	return nil
}

// setState: the state's verb when the unit is not as asked (:548-581):
// started starts a unit that is not running, stopped stops a running or
// deactivating one, restarted and reloaded start a unit that is not
// running and restart or reload one that is.
func (r *ServiceResult) setState(a ServiceArgs, st UnitState) error {
	if a.State == "" {
		return nil
	}
	if !st.found() {
		return missing(a.Name)
	}
	if _, ok := st.Show["ActiveState"]; !ok {
		return errors.New("Service is in unknown state") // the module's own message
	}
	verb := stateVerb(a.State, st)
	if verb == "" {
		return nil
	}
	r.Changed = true
	r.Actions = append(r.Actions, verb)
	active := "active"
	if verb == "stop" {
		active = "inactive"
	}
	r.After.Show = withValue(st.Show, "ActiveState", active)
	return nil
}

func stateVerb(state string, st UnitState) string {
	switch {
	case state == "started" && !st.running():
		return "start"
	case state == "stopped" && (st.running() || st.deactivating()):
		return "stop"
	case state == "restarted" || state == "reloaded":
		if !st.running() {
			return "start"
		}
		return strings.TrimSuffix(state, "ed") // :567
	}
	return ""
}

// withValue is a copy of m with k set to v.
func withValue(m map[string]string, k, v string) map[string]string {
	out := map[string]string{k: v}
	for key, val := range m {
		if key != k {
			out[key] = val
		}
	}
	return out
}

// ServiceScript is the POSIX sh that runs the actions on the unit, each
// as the module runs it (`systemctl ACTION 'NAME'`, :541, :573; daemon-reload
// alone, :398), stopping at the first that fails.
func ServiceScript(name string, actions []string) string {
	var cmds []string
	for _, act := range actions {
		if act == "daemon-reload" {
			cmds = append(cmds, "systemctl daemon-reload")
			continue
		}
		cmds = append(cmds, "systemctl "+act+" "+shquote.Always(name))
	}
	return strings.Join(cmds, " && ")
}

// Describe is the task's effect in a plan's words: the actions, and the
// unit's state before and after ("restart (active → restarted)").
func (r ServiceResult) Describe(a ServiceArgs) string {
	var changes []string
	if slices.Contains(r.Actions, "enable") || slices.Contains(r.Actions, "disable") {
		changes = append(changes, r.Before.Enabled+" → "+r.After.Enabled)
	}
	if a.State != "" {
		changes = append(changes, stateChange(a.State, r))
	}
	what := strings.Join(r.Actions, ", ")
	if what == "" {
		what = "nothing to do"
	}
	if len(changes) == 0 {
		return what
	}
	return what + " (" + strings.Join(changes, ", ") + ")"
}

func stateChange(state string, r ServiceResult) string {
	before := r.Before.Show["ActiveState"]
	verb := ""
	if n := len(r.Actions); n > 0 {
		verb = r.Actions[n-1]
	}
	switch {
	case verb == "restart" || verb == "reload":
		return before + " → " + state
	case before != r.After.Show["ActiveState"]:
		return before + " → " + r.After.Show["ActiveState"]
	}
	return before
}
