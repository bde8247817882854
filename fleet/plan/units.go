package plan

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/remote"
)

// ServiceChange is what a systemd_service or service task would do to its
// unit, decided as Ansible's module decides it (fleet/filemod) from what
// the host's systemctl says: the systemctl actions in the module's order
// (an apply runs FileChange.Script, which runs them), and the plan's words
// for them.
type ServiceChange struct {
	Unit    string   `json:"unit,omitempty"` // "" for daemon_reload alone
	Actions []string `json:"actions,omitempty"`
	Summary string   `json:"summary"` // "restart (active → restarted)"
}

// hostUnits is what the host's units are as the plan goes: systemctl's
// answers, asked once for every unit the host's tasks name, then the state
// each earlier task of the plan leaves.
type hostUnits struct {
	asked    bool
	states   map[string]filemod.UnitState
	sections map[string]string // each unit's part of the answer, for the apply's staleness check
	touched  map[string]bool   // units an earlier task of the plan acts on
	failure  string            // systemctl could not be asked (not on PATH)
}

// planService decides a unit task from the unit's state.
func (hf *hostFiles) planService(ctx context.Context, w *hostWork, f *fileWork) error {
	c := f.change
	if posixOnly(w, f, string(c.Module)+" runs on POSIX hosts with systemd (win_service is its Windows twin)") {
		return nil
	}
	st, err := hf.unitState(ctx, w, f)
	if err != nil {
		return err
	}
	if hf.units.failure != "" {
		hf.unitFailure(w, f, filemod.ServiceResult{Before: st, After: st}, hf.units.failure)
		return nil
	}
	res, err := filemod.Service(*f.service, st)
	if err != nil {
		hf.unitFailure(w, f, res, err.Error())
		return nil
	}
	hf.recordService(f, res)
	return nil
}

// unitFailure is a unit task the module would fail: the host's failure,
// or, when the task's failed_when is the constant false, a task that is
// ok after the actions the module takes before it fails (a daemon-reload,
// an enable), which the apply runs.
func (hf *hostFiles) unitFailure(w *hostWork, f *fileWork, done filemod.ServiceResult, msg string) {
	c := f.change
	if !c.NeverFails {
		w.wouldFail(f, fmt.Sprintf("%s would fail: %s", c.Module, msg))
		return
	}
	hf.recordService(f, done)
	c.Service.Summary = "the module fails, ok by failed_when: false (" + msg + ")"
	if len(done.Actions) > 0 {
		c.Service.Summary = strings.Join(done.Actions, ", ") + ", then " + c.Service.Summary
	}
}

// recordService puts the decision on the change and notes the unit's
// state after it for the tasks after it.
func (hf *hostFiles) recordService(f *fileWork, res filemod.ServiceResult) {
	c, name := f.change, f.service.Name
	c.Action = ActionNone
	if res.Changed {
		c.Action = ActionUpdate
	}
	c.Script = filemod.ServiceScript(name, res.Actions)
	if c.Script != "" {
		c.Script = filemod.ExportLines(f.service.Env) + c.Script
	}
	c.NewSHA256 = sha256Hex([]byte(c.Script))
	c.Service = &ServiceChange{Unit: name, Actions: res.Actions, Summary: res.Describe(*f.service)}
	if name != "" && !c.CheckOnly {
		hf.units.states[name] = res.After
		hf.units.touched[name] = len(res.Actions) > 0 || hf.units.touched[name]
	}
}

// unitState is the unit as the task finds it. The first unit task asks
// the host about every unit the host's tasks name, in one round trip; a
// unit no earlier task acts on keeps the answer's hash, which the apply
// checks again before acting.
func (hf *hostFiles) unitState(ctx context.Context, w *hostWork, f *fileWork) (filemod.UnitState, error) {
	if !hf.units.asked {
		if err := hf.askUnits(ctx, w, f); err != nil {
			return filemod.UnitState{}, err
		}
	}
	name := f.service.Name
	if name != "" && !hf.units.touched[name] {
		f.change.OldSHA256 = sha256Hex([]byte(hf.units.sections[name]))
	}
	return hf.units.states[name], nil
}

// askUnits runs filemod.QueryScript for the units of every unit task of
// the host, with the first one's become (systemctl show and is-enabled
// need no privilege).
func (hf *hostFiles) askUnits(ctx context.Context, w *hostWork, f *fileWork) error {
	hf.units = hostUnits{asked: true, states: map[string]filemod.UnitState{}, sections: map[string]string{}, touched: map[string]bool{}}
	names := w.unitNames()
	if len(names) == 0 {
		return nil
	}
	res, err := WithBecome(hf.tr, f.change.Become).Run(ctx, remote.Command{Shell: remote.Sh, Script: filemod.QueryScript(names)})
	if err != nil {
		return err
	}
	if res.ExitCode != 0 {
		hf.units.failure = fmt.Sprintf("asking systemctl exited %d: %s", res.ExitCode, FirstLine(res.Stderr, res.Stdout))
		return nil
	}
	hf.units.states, hf.units.sections, err = filemod.ParseQuery(res.Stdout)
	return err
}

// unitNames are the units the host's unit tasks name, each once.
func (w *hostWork) unitNames() []string {
	var names []string
	seen := map[string]bool{}
	for _, f := range w.files {
		if f.service != nil && f.service.Name != "" && !seen[f.service.Name] {
			seen[f.service.Name] = true
			names = append(names, f.service.Name)
		}
	}
	return names
}

// FirstLine is the first non-empty line among a command's outputs (stderr
// first, as callers pass them), or "(no output)": what an error quotes.
func FirstLine(texts ...string) string {
	for _, t := range texts {
		if t = strings.TrimSpace(t); t != "" {
			line, _, _ := strings.Cut(t, "\n")
			return line
		}
	}
	return "(no output)"
}

// hostWinServices is what a Windows host's services are as the plan
// goes: sc.exe's answers, asked once for every service the host's
// win_service tasks name, then the state each earlier task leaves.
type hostWinServices struct {
	asked    bool
	states   map[string]filemod.WinServiceState
	sections map[string]string // each service's part of the answer, for the apply's staleness check
	touched  map[string]bool   // services an earlier task of the plan acts on
	// keys are the names tasks give that are a service's display name
	// alone → the service's name; states, sections and touched are by
	// the service's name.
	keys map[string]string
}

// key is the service a task's name names: the one of that name, or the
// one whose display name it is.
func (s *hostWinServices) key(name string) string {
	if k, ok := s.keys[name]; ok {
		return k
	}
	return name
}

// planWinService decides a win_service task from the service's state as
// ansible.windows' win_service.ps1 decides it (fleet/filemod).
func (hf *hostFiles) planWinService(ctx context.Context, w *hostWork, f *fileWork) error {
	if windowsOnly(w, f) {
		return nil
	}
	st, err := hf.winServiceState(ctx, w, f)
	if err != nil {
		return err
	}
	res, err := filemod.WinService(*f.winService, st)
	if err != nil {
		w.wouldFail(f, fmt.Sprintf("win_service would fail: %v", err))
		return nil
	}
	hf.recordWinService(f, res)
	return nil
}

// recordWinService puts the decision on the change (its Service, as for
// a unit) and notes the service's state after it.
// A task naming the service by its display name acts on the service's
// name (the module's $service.ServiceName), which the summary names.
func (hf *hostFiles) recordWinService(f *fileWork, res filemod.WinServiceResult) {
	c, name := f.change, hf.winServices.key(f.winService.Name)
	c.Action = ActionNone
	if res.Changed {
		c.Action = ActionUpdate
	}
	args := *f.winService
	args.Name = name
	c.Script = filemod.WinServiceScript(args, res.Actions)
	c.NewSHA256 = sha256Hex([]byte(c.Script))
	c.Service = &ServiceChange{Unit: name, Actions: res.Actions, Summary: res.Describe()}
	if name != f.winService.Name {
		c.Service.Summary = "service " + name + ": " + c.Service.Summary
	}
	if !c.CheckOnly {
		hf.winServices.states[name] = res.After
		hf.winServices.touched[name] = res.Changed || hf.winServices.touched[name]
	}
}

// winServiceState is the service as the task finds it; the first
// win_service task asks the host about every service the host's tasks
// name, in one round trip.
func (hf *hostFiles) winServiceState(ctx context.Context, w *hostWork, f *fileWork) (filemod.WinServiceState, error) {
	if !hf.winServices.asked {
		if err := hf.askWinServices(ctx, w); err != nil {
			return filemod.WinServiceState{}, err
		}
	}
	name := hf.winServices.key(f.winService.Name)
	if !hf.winServices.touched[name] {
		f.change.OldSHA256 = sha256Hex([]byte(hf.winServices.sections[name]))
	}
	return hf.winServices.states[name], nil
}

// askWinServices runs filemod.WinServiceQueryScript over WinRM for the
// services the host's tasks name, then once more for those found by
// display name alone (askKeyNames).
func (hf *hostFiles) askWinServices(ctx context.Context, w *hostWork) error {
	hf.winServices = hostWinServices{asked: true, touched: map[string]bool{}}
	names := w.winServiceNames()
	states, sections, err := hf.queryWinServices(ctx, names)
	if err != nil {
		return err
	}
	hf.winServices.states, hf.winServices.sections = states, sections
	hf.winServices.keys = filemod.WinServiceKeyNames(states)
	return hf.askKeyNames(ctx, names)
}

// askKeyNames asks sc.exe about the services tasks name by display name,
// in the tasks' order, each once, unless a task names it by its name.
func (hf *hostFiles) askKeyNames(ctx context.Context, names []string) error {
	var more []string
	for _, n := range names {
		key, found := hf.winServices.keys[n]
		if _, asked := hf.winServices.states[key]; found && !asked && !slices.Contains(more, key) {
			more = append(more, key)
		}
	}
	if len(more) == 0 {
		return nil
	}
	states, sections, err := hf.queryWinServices(ctx, more)
	maps.Copy(hf.winServices.states, states)
	maps.Copy(hf.winServices.sections, sections)
	return err
}

func (hf *hostFiles) queryWinServices(ctx context.Context, names []string) (map[string]filemod.WinServiceState, map[string]string, error) {
	res, err := hf.tr.Run(ctx, remote.Command{Shell: remote.PowerShell, Script: filemod.WinServiceQueryScript(names)})
	if err != nil {
		return nil, nil, err
	}
	if res.ExitCode != 0 {
		return nil, nil, fmt.Errorf("asking sc.exe about services exited %d: %s", res.ExitCode, FirstLine(res.Stderr, res.Stdout))
	}
	return filemod.ParseWinServiceQuery(res.Stdout)
}

// winServiceNames are the services the host's win_service tasks name,
// each once.
func (w *hostWork) winServiceNames() []string {
	var names []string
	for _, f := range w.files {
		if f.winService != nil && !slices.Contains(names, f.winService.Name) {
			names = append(names, f.winService.Name)
		}
	}
	return names
}

// windowsOnly lists a Windows module's task as unsupported when the host
// is not reached over WinRM, or when the task asks for become (Ansible's
// runas, which straylight does not run: it would act as the WinRM user),
// and reports whether it did.
func windowsOnly(w *hostWork, f *fileWork) bool {
	switch {
	case w.conn.Kind != "winrm":
		w.wouldFail(f, fmt.Sprintf("%s runs on Windows hosts (ansible_connection: winrm); this host is reached over %s", f.change.Module, orDefault(w.conn.Kind, "ssh")))
	case f.change.Become != nil && f.change.Become.Become:
		w.wouldFail(f, "become on "+string(f.change.Module)+": straylight runs Windows tasks as the WinRM user, not through runas; Ansible runs it")
	default:
		return false
	}
	return true
}

// AccountChange is what a user or group task would do, decided as
// Ansible's module decides it (fleet/filemod's accounts.go) from the
// host's account databases: the command it runs, if any, and the plan's
// words for it.
type AccountChange struct {
	// Args are the task's: the apply asks the host again what the
	// decision read of them, and compares.
	Args    filemod.AccountArgs `json:"args"`
	Argv    []string            `json:"argv,omitempty"`
	Summary string              `json:"summary"` // "add (groupadd -r vllm)"
}

// mask masks the secrets in the command's words, its summary and the
// arguments it keeps (a comment or home templated from a vaulted value);
// the apply runs the unmasked script.
func (a *AccountChange) mask(secrets []string) {
	a.Summary = MaskSecrets(a.Summary, secrets)
	a.Argv = maskedWords(a.Argv, secrets)
	a.Args.Comment, a.Args.Home = maskedCopy(a.Args.Comment, secrets), maskedCopy(a.Args.Home, secrets)
}

// maskedCopy is a new string, the secrets in s masked; nil for nil. The
// task's arguments are shared with the walker's task: they are not
// masked in place.
func maskedCopy(s *string, secrets []string) *string {
	if s == nil {
		return nil
	}
	masked := MaskSecrets(*s, secrets)
	return &masked
}

// hostQuery is what the plan knows of a part of a host's state (its
// accounts, its packages) as the plan goes: one query's answer, asked
// when the first task needs it, then what each earlier task of the plan
// leaves.
type hostQuery[S any] struct {
	asked   bool
	state   S               // the zero value when asking failed
	touched map[string]bool // what an earlier task of the plan acts on
	failure string          // the query could not be asked (a tool not on PATH)
}

// ready asks the host once (script, with the task's become; parse reads
// the answer) and reports whether its answer serves the task: when the
// query could not be asked, the task (label) is listed as Ansible's.
func (q *hostQuery[S]) ready(ctx context.Context, hf *hostFiles, w *hostWork, f *fileWork, label, asking string, script func() string, parse func(string) (S, error)) (bool, error) {
	if !q.asked {
		if err := q.ask(ctx, WithBecome(hf.tr, f.change.Become), script(), asking, parse); err != nil {
			return false, err
		}
	}
	if q.failure != "" {
		w.wouldFail(f, fmt.Sprintf("%s: %s; Ansible runs it", label, q.failure))
		return false, nil
	}
	return true, nil
}

func (q *hostQuery[S]) ask(ctx context.Context, tr remote.Transport, script, asking string, parse func(string) (S, error)) error {
	res, err := tr.Run(ctx, remote.Command{Shell: remote.Sh, Script: script})
	if err != nil {
		return err
	}
	*q = hostQuery[S]{asked: true, touched: map[string]bool{}}
	if res.ExitCode != 0 {
		q.failure = fmt.Sprintf("asking %s exited %d (%s)", asking, res.ExitCode, FirstLine(res.Stderr, res.Stdout))
		return nil
	}
	q.state, err = parse(res.Stdout)
	return err
}

// hostAccounts is what the host's groups and users are as the plan goes:
// getent's answers, asked once for every account the host's tasks name
// (touched: "user x", "group x").
type hostAccounts struct{ hostQuery[*filemod.Accounts] }

// planAccount decides a user or group task from the accounts as the task
// finds them.
func (hf *hostFiles) planAccount(ctx context.Context, w *hostWork, f *fileWork) error {
	c, a := f.change, *f.account
	if posixOnly(w, f, a.Kind+" runs on POSIX hosts (win_"+a.Kind+" on Windows)") {
		return nil
	}
	// getent needs no privilege; the first task's become asks
	if ok, err := hf.accounts.ready(ctx, hf, w, f, a.Kind+" "+a.Name, "getent about accounts", w.accountsQuery, filemod.ParseAccounts); !ok {
		return err
	}
	s := hf.accounts.state
	res, err := filemod.Account(a, s)
	if refusedOrFailed(w, f, a.Kind+" "+a.Name, a.Kind, err) {
		return nil
	}
	if !hf.accounts.readsTouched(a) {
		c.OldSHA256 = sha256Hex([]byte(s.Section(a)))
	}
	hf.recordAccount(f, res)
	return nil
}

// refusedOrFailed lists a task whose decision straylight leaves to
// Ansible (a *filemod.Refusal, with its reason) or that the module would
// fail (its message), and reports whether it did.
func refusedOrFailed(w *hostWork, f *fileWork, what, module string, err error) bool {
	var refused *filemod.Refusal
	switch {
	case errors.As(err, &refused):
		w.wouldFail(f, fmt.Sprintf("%s: %s; Ansible runs it", what, refused.Reason))
	case err != nil:
		w.wouldFail(f, fmt.Sprintf("%s would fail: %v", module, err))
	default:
		return false
	}
	return true
}

// recordAccount puts the decision on the change and notes the accounts
// after it for the tasks after it.
func (hf *hostFiles) recordAccount(f *fileWork, res filemod.AccountResult) {
	c, a := f.change, *f.account
	c.Action = ActionNone
	if res.Changed() {
		c.Action = ActionUpdate
	}
	c.Script = res.Script()
	c.NewSHA256 = sha256Hex([]byte(c.Script))
	c.Account = &AccountChange{Args: a, Argv: res.Argv, Summary: res.Describe(a)}
	if c.CheckOnly {
		return
	}
	for _, acted := range hf.accounts.state.After(a, res) {
		hf.accounts.touched[acted] = true
	}
}

// idAfter is a user's or group's id as an earlier account task of the
// plan leaves it (filemod's Accounts.IDAfter); ok is false when no task
// acts on it: the host's answer holds.
func (h hostAccounts) idAfter(kind, name string) (id int, ok bool, err error) {
	if !h.touched[kind+" "+name] {
		return 0, false, nil
	}
	id, err = h.state.IDAfter(kind, name)
	return id, true, err
}

// readsTouched reports whether the task's decision reads an account an
// earlier task of the plan acts on: the apply then cannot compare what it
// finds with what the plan read.
func (h hostAccounts) readsTouched(a filemod.AccountArgs) bool {
	if h.touched[a.Kind+" "+a.Name] {
		return true
	}
	return slices.ContainsFunc(a.ReadGroups(), func(g string) bool { return h.touched["group "+g] })
}

// accountsQuery is filemod.AccountsQueryScript for the users and homes
// of every user task of the host.
func (w *hostWork) accountsQuery() string {
	users, homes := w.accountNames()
	return filemod.AccountsQueryScript(users, homes)
}

// accountNames are the users the host's user tasks name and the homes
// they give, each once.
func (w *hostWork) accountNames() (users, homes []string) {
	for _, f := range w.files {
		a := f.account
		if a == nil || a.Kind != "user" {
			continue
		}
		if !slices.Contains(users, a.Name) {
			users = append(users, a.Name)
		}
		if a.Home != nil && !slices.Contains(homes, *a.Home) {
			homes = append(homes, *a.Home)
		}
	}
	return users, homes
}

// PackageChange is what an apt task would do, decided as ansible-core's
// apt module decides it (fleet/filemod's apt.go) from the host's dpkg
// database and apt policy: its commands, if any, and the plan's words.
type PackageChange struct {
	// Args are the task's: the apply asks the host again what the
	// decision read of them, and compares.
	Args    filemod.AptArgs   `json:"args"`
	Result  filemod.AptResult `json:"result"`
	Summary string            `json:"summary"` // "install (apt-get -y ... install 'curl=7.88.1-10')"
}

// mask masks the secrets in the decision's words: its summary, its
// commands and the package names it keeps; the apply runs the unmasked
// script.
func (p *PackageChange) mask(secrets []string) {
	p.Summary = MaskSecrets(p.Summary, secrets)
	p.Args.Names = maskedWords(p.Args.Names, secrets)
	p.Result.Argv = maskedWords(p.Result.Argv, secrets)
	p.Result.Mark = maskedWords(p.Result.Mark, secrets)
}

// maskedWords is a copy of words with the secrets masked (the task's
// arguments are shared with the walker's task: not masked in place).
func maskedWords(words, secrets []string) []string {
	if words == nil {
		return nil
	}
	out := make([]string, len(words))
	for i, w := range words {
		out[i] = MaskSecrets(w, secrets)
	}
	return out
}

// hostPackages is what the host's packages are as the plan goes: dpkg's
// and apt's answers, asked once for every package the host's apt tasks
// name, then what each earlier task of the plan leaves.
type hostPackages struct{ hostQuery[*filemod.Packages] }

// planApt decides an apt task from the packages as the task finds them.
func (hf *hostFiles) planApt(ctx context.Context, w *hostWork, f *fileWork) error {
	c, a := f.change, *f.apt
	if posixOnly(w, f, string(c.Module)+" runs on POSIX hosts (win_package on Windows)") {
		return nil
	}
	// dpkg-query and apt-cache need no privilege; the first task's become asks
	packagesQuery := func() string { return filemod.AptQueryScript(w.packageNames()) }
	if ok, err := hf.packages.ready(ctx, hf, w, f, string(c.Module)+" "+c.Dest, "dpkg-query and apt-cache about packages", packagesQuery, filemod.ParseApt); !ok {
		return err
	}
	s := hf.packages.state
	res, err := filemod.Apt(a, s, filemod.AptOptions{LockTimeoutOption: w.core.AptLockTimeout()})
	if refusedOrFailed(w, f, string(c.Module)+" "+c.Dest, string(c.Module), err) {
		return nil
	}
	if !hf.packages.readsTouched(a) {
		c.OldSHA256 = sha256Hex([]byte(s.Section(a)))
	}
	hf.recordApt(f, res)
	return nil
}

// recordApt puts the decision on the change and notes the packages after
// it for the tasks after it.
func (hf *hostFiles) recordApt(f *fileWork, res filemod.AptResult) {
	c, a := f.change, *f.apt
	c.Action = ActionNone
	if res.Changed {
		c.Action = ActionUpdate
	}
	c.Script = res.Script()
	c.NewSHA256 = sha256Hex([]byte(c.Script))
	c.Package = &PackageChange{Args: a, Result: res, Summary: res.Describe(a)}
	if c.CheckOnly || c.Script == "" {
		return
	}
	hf.packages.state.After(a, res)
	for _, n := range a.Names {
		hf.packages.touched[n] = true
	}
}

// readsTouched reports whether the task's decision reads packages an
// earlier task of the plan acts on, or lists it refreshes: the apply then
// cannot compare what it finds with what the plan read.
func (h hostPackages) readsTouched(a filemod.AptArgs) bool {
	return h.state.Refreshed || slices.ContainsFunc(a.Names, func(n string) bool { return h.touched[n] })
}

// packageNames are the packages the host's apt tasks name, each once.
func (w *hostWork) packageNames() []string {
	var names []string
	for _, f := range w.files {
		if f.apt == nil {
			continue
		}
		for _, n := range f.apt.Names {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names
}
