package filemod

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// What ansible.windows.win_service decides, read in
// plugins/modules/win_service.ps1 at commit a1e2a842 (:N below): the
// service is looked up by name or display name (:952-956;
// Get-ServiceFromName, :264-283, keeps the service whose ServiceName or
// DisplayName -eq the name, case-insensitively, then tries Get-Service
// -Name) and acted on by its service name from then on ($service.ServiceName,
// :823); straylight asks sc.exe GetKeyName for a name no service has
// (WinServiceQueryScript) and acts on the service it names (the service
// control manager keeps names and display names apart, so at most one
// service answers to a name); a service that
// is not installed and has no path fails, "Service 'NAME' is not
// installed, need to set 'path' to create a new service" (:1010-1022);
// start_mode is set before the state (:1060, :1064); Set-ServiceStartMode
// changes it when the start type differs (:758-799); Set-ServiceState
// (:801-869) starts a service that is not Running (resuming a Paused one),
// stops one that is not Stopped, and always restarts — each reported
// changed. No Windows host runs here to check it: the lab
// (remote/sim) runs the scripts below.

// winServiceArgNames are the win_service arguments straylight runs.
var winServiceArgNames = []string{"name", "state", "start_mode", "force_dependent_services"}

// WinServiceArgs are a win_service task's arguments.
type WinServiceArgs struct {
	Name  string `json:"name"`
	State string `json:"state,omitempty"` // started, stopped, restarted, or ""
	// StartMode is auto, manual, disabled, delayed or "".
	StartMode string `json:"start_mode,omitempty"`
	Force     bool   `json:"force_dependent_services,omitempty"`
	// Env is the task's environment keyword, set in the module's process
	// (it does not reach the service). Never serialized: it may hold secrets.
	Env []EnvVar `json:"-"`
}

// winServiceName is a service name (or display name, which often holds
// parentheses: "Intel(R) …") straylight passes to sc.exe and the
// *-Service cmdlets: no wildcard characters (which -Name would expand,
// :272-274), quotes or line breaks.
var winServiceName = lazyre.New(`^[A-Za-z0-9_.@ ()-]+$`)

// ParseWinServiceArgs reads a win_service task's templated arguments.
func ParseWinServiceArgs(args map[string]any) (WinServiceArgs, error) {
	if err := onlyArgs("win_service", args, winServiceArgNames); err != nil {
		return WinServiceArgs{}, err
	}
	force, err := WinBoolArg(args, "force_dependent_services", false)
	a := WinServiceArgs{Name: String(args["name"]), State: String(args["state"]), StartMode: String(args["start_mode"]), Force: force}
	if err != nil {
		return a, err
	}
	return a, a.check()
}

// check applies the module's argument spec (:33, :43-44).
func (a WinServiceArgs) check() error {
	switch {
	case a.Name == "":
		return errors.New("name is required")
	case !winServiceName().MatchString(a.Name):
		return fmt.Errorf("name %q is not a service name straylight runs (letters, digits, space, _ . @ - ( ))", a.Name)
	case a.State == "absent" || a.State == "paused":
		return fmt.Errorf("state %q: straylight runs started, stopped and restarted; Ansible runs it", a.State)
	case a.State != "" && !slices.Contains([]string{"started", "stopped", "restarted"}, a.State):
		return fmt.Errorf("state %q is not one of started, stopped, restarted, absent, paused", a.State)
	case a.StartMode != "" && scStartValue[a.StartMode] == "":
		return fmt.Errorf("start_mode %q is not one of auto, manual, disabled, delayed", a.StartMode)
	case a.State == "" && a.StartMode == "":
		return errors.New("neither state nor start_mode: the task only reads the service (win_service_info's job); Ansible runs it")
	}
	return nil
}

// scStartValue is sc.exe config's start= value for each start_mode.
var scStartValue = map[string]string{"auto": "auto", "manual": "demand", "disabled": "disabled", "delayed": "delayed-auto"}

// WinServiceState is what the host's sc.exe said of a service.
type WinServiceState struct {
	Installed bool   `json:"installed"`
	Status    string `json:"status,omitempty"`     // Running, Stopped, Paused, StartPending, ...
	StartMode string `json:"start_mode,omitempty"` // auto, delayed, manual, disabled, boot, system
	Failure   string `json:"failure,omitempty"`    // sc.exe failed otherwise than "not installed"
	// KeyName: no service has the name asked, but one has it as its
	// display name (sc.exe GetKeyName): that service's name, which a
	// second query asks about (WinServiceKeyNames).
	KeyName string `json:"key_name,omitempty"`
}

// WinServiceQueryScript asks sc.exe about each service in one PowerShell
// run: `sc.exe query` (its state) and `sc.exe qc` (its start type,
// AUTO_START with "(DELAYED)" for delayed), each followed by its exit
// code, between markers ParseWinServiceQuery reads; when qc finds no
// service of that name (1060), `sc.exe GetKeyName` asks for the service
// whose display name it is (sc.exe query and qc open a service by its
// name only: OpenService's lpServiceName is "not the service display
// name"). sc.exe, not sc (an alias of Set-Content in PowerShell).
func WinServiceQueryScript(names []string) string {
	var b strings.Builder
	for _, n := range names {
		q := PSQuoteName(n)
		fmt.Fprintf(&b, "Write-Output '@@service %s'\nsc.exe query %s\nWrite-Output \"@@rc $LASTEXITCODE\"\n", n, q)
		fmt.Fprintf(&b, "sc.exe qc %s\nWrite-Output \"@@rc $LASTEXITCODE\"\n", q)
		fmt.Fprintf(&b, "if ($LASTEXITCODE -eq %d) { sc.exe GetKeyName %s; Write-Output \"@@rc $LASTEXITCODE\" }\n", scNotInstalled, q)
	}
	b.WriteString("exit 0\n")
	return b.String()
}

// scNotInstalled is sc.exe's exit code for a service that does not exist
// (ERROR_SERVICE_DOES_NOT_EXIST).
const scNotInstalled = 1060

// ParseWinServiceQuery reads WinServiceQueryScript's output: each
// service's state, and its section of the output (what an apply compares
// to see whether the service changed since the plan).
func ParseWinServiceQuery(out string) (map[string]WinServiceState, map[string]string, error) {
	return parseSections(strings.ReplaceAll(out, "\r\n", "\n"), "@@service ", "sc.exe", parseSC)
}

// parseSC reads one service's answers: query's and qc's, and
// GetKeyName's when there is no service of that name.
func parseSC(body string) (WinServiceState, error) {
	outs, rcs, err := scRuns(body)
	switch {
	case err != nil || len(rcs) < 2:
		return WinServiceState{}, errors.New("unexpected output")
	case rcs[0] == scNotInstalled:
		return scKeyName(outs[2:], rcs[2:])
	case rcs[0] != 0 || rcs[1] != 0:
		return WinServiceState{Installed: true, Failure: fmt.Sprintf("sc.exe exited %d, %d: %s", rcs[0], rcs[1], firstNonEmptyLine(outs[0]+outs[1]))}, nil
	}
	st := WinServiceState{Installed: true, Status: scStatus(scField(outs[0], "STATE")), StartMode: scStartMode(scField(outs[1], "START_TYPE"))}
	if st.Status == "" || st.StartMode == "" {
		return st, errors.New("no STATE or START_TYPE in sc.exe's answer")
	}
	return st, nil
}

// scRuns splits a service's section into each sc.exe run's output and
// the exit code written after it ("@@rc N").
func scRuns(body string) (outs []string, rcs []int, err error) {
	for {
		out, rest, ok := strings.Cut(body, "@@rc ")
		if !ok {
			return outs, rcs, nil
		}
		line, after, _ := strings.Cut(rest, "\n")
		rc, err := strconv.Atoi(strings.TrimSpace(line))
		if err != nil {
			return nil, nil, err
		}
		outs, rcs, body = append(outs, out), append(rcs, rc), after
	}
}

// scKeyName reads GetKeyName's answer ("[SC] GetServiceKeyName SUCCESS",
// then "Name = <service name>"): not installed when it found none (or
// was not asked), the service's name when it did.
func scKeyName(outs []string, rcs []int) (WinServiceState, error) {
	if len(rcs) == 0 || rcs[0] != 0 {
		return WinServiceState{}, nil
	}
	for _, line := range strings.Split(outs[0], "\n") {
		if _, name, ok := strings.Cut(line, "Name = "); ok {
			return winServiceKey(strings.TrimSpace(name))
		}
	}
	return WinServiceState{}, errors.New("no Name in sc.exe GetKeyName's answer")
}

// winServiceKey is a service name GetKeyName gave, which the scripts
// will name: it must be one straylight passes (winServiceName).
func winServiceKey(name string) (WinServiceState, error) {
	if !winServiceName().MatchString(name) {
		return WinServiceState{}, fmt.Errorf("the service is named %q, not a name straylight runs (letters, digits, space, _ . @ - ( ))", name)
	}
	return WinServiceState{KeyName: name}, nil
}

// WinServiceKeyNames are the services a query found by display name
// alone: the name asked → the service's name, which the caller asks
// about next (each once, WinServiceQueryScript) and acts on.
func WinServiceKeyNames(states map[string]WinServiceState) map[string]string {
	keys := map[string]string{}
	for name, st := range states {
		if st.KeyName != "" {
			keys[name] = st.KeyName
		}
	}
	return keys
}

// scField is the value after "KEY :" on sc.exe's line for it.
func scField(out, key string) string {
	for _, line := range strings.Split(out, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// scStatus names sc.exe's state ("4  RUNNING") as Get-Service does.
func scStatus(v string) string {
	names := map[string]string{"STOPPED": "Stopped", "START_PENDING": "StartPending", "STOP_PENDING": "StopPending",
		"RUNNING": "Running", "CONTINUE_PENDING": "ContinuePending", "PAUSE_PENDING": "PausePending", "PAUSED": "Paused"}
	f := strings.Fields(v)
	if len(f) < 2 {
		return ""
	}
	return names[f[1]]
}

// scStartMode names sc.exe's start type ("2   AUTO_START  (DELAYED)") as
// the module's diff does (ConvertTo-ServiceStartModeDiff, :152-169).
func scStartMode(v string) string {
	f := strings.Fields(v)
	switch {
	case len(f) < 2:
		return ""
	case f[1] == "AUTO_START" && strings.Contains(v, "(DELAYED)"):
		return "delayed"
	}
	return map[string]string{"BOOT_START": "boot", "SYSTEM_START": "system", "AUTO_START": "auto", "DEMAND_START": "manual", "DISABLED": "disabled"}[f[1]]
}

func firstNonEmptyLine(s string) string {
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			return line
		}
	}
	return "(no output)"
}

// WinServiceResult is what the module would do: its actions in order
// ("start_mode manual", then start, resume, stop or restart), whether it
// reports changed, and the service's state after them.
type WinServiceResult struct {
	Actions []string        `json:"actions,omitempty"`
	Changed bool            `json:"changed"`
	Before  WinServiceState `json:"-"`
	After   WinServiceState `json:"-"`
}

// WinService decides a task against the service's state as the module
// does; an error is the module's failure, with its message.
func WinService(a WinServiceArgs, st WinServiceState) (WinServiceResult, error) {
	res := WinServiceResult{Before: st, After: st}
	switch {
	case !st.Installed:
		return res, fmt.Errorf("Service '%s' is not installed, need to set 'path' to create a new service", a.Name)
	case st.Failure != "":
		return res, errors.New(st.Failure)
	}
	if a.StartMode != "" && a.StartMode != st.StartMode {
		res.Actions, res.After.StartMode = append(res.Actions, "start_mode "+a.StartMode), a.StartMode
	}
	if verb := winStateVerb(a.State, st.Status); verb != "" {
		res.Actions = append(res.Actions, verb)
		res.After.Status = map[bool]string{true: "Stopped", false: "Running"}[verb == "stop"]
	}
	res.Changed = len(res.Actions) > 0
	return res, nil
}

// winStateVerb is Set-ServiceState's branch (:829-853).
func winStateVerb(state, status string) string {
	switch {
	case state == "started" && status == "Paused":
		return "resume"
	case state == "started" && status != "Running":
		return "start"
	case state == "stopped" && status != "Stopped":
		return "stop"
	case state == "restarted":
		return "restart"
	}
	return ""
}

// Describe is the plan's words for the decision:
// "start (Stopped → Running)", "ok (Running)".
func (r WinServiceResult) Describe() string {
	if !r.Changed {
		return fmt.Sprintf("ok (%s, %s)", r.Before.Status, r.Before.StartMode)
	}
	words := strings.Join(r.Actions, ", ")
	if r.Before.Status != r.After.Status || slices.Contains(r.Actions, "restart") {
		return fmt.Sprintf("%s (%s → %s)", words, r.Before.Status, r.After.Status)
	}
	return fmt.Sprintf("%s (%s → %s)", words, r.Before.StartMode, r.After.StartMode)
}

// WinServiceScript is the PowerShell an apply runs for the actions: the
// task's environment set in the process (as Ansible's module wrapper
// does), sc.exe config for the start mode (stopping at its failure), then
// the state's cmdlet, its error made terminating so that the script
// exits 1 as the module fails. "" when there is nothing to do.
func WinServiceScript(a WinServiceArgs, actions []string) string {
	if len(actions) == 0 {
		return ""
	}
	var b strings.Builder
	b.WriteString(PSEnvLines(a.Env))
	q := PSQuoteName(a.Name)
	force := map[bool]string{true: " -Force", false: ""}[a.Force]
	for _, act := range actions {
		switch {
		case strings.HasPrefix(act, "start_mode "):
			fmt.Fprintf(&b, "sc.exe config %s start= %s\nif ($LASTEXITCODE -ne 0) { exit $LASTEXITCODE }\n", q, scStartValue[strings.TrimPrefix(act, "start_mode ")])
		case act == "start" || act == "resume":
			fmt.Fprintf(&b, "%s-Service -Name %s -ErrorAction Stop\n", map[bool]string{true: "Start", false: "Resume"}[act == "start"], q)
		default: // stop, restart: -Force stops the dependent services too (:846, :851)
			fmt.Fprintf(&b, "%s-Service -Name %s%s -ErrorAction Stop\n", map[bool]string{true: "Stop", false: "Restart"}[act == "stop"], q, force)
		}
	}
	return b.String()
}

// PSQuoteName is a name already checked to hold no quote, as a PowerShell
// single-quoted string.
func PSQuoteName(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
