package plan

import (
	"slices"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/discover"
)

// Data types the plan shares with the Ansible stage and the fleet model.
type (
	Located         = ansible.Located
	Module          = ansible.Module
	Finding         = ansible.Finding
	Severity        = ansible.Severity
	UnsupportedTask = ansible.UnsupportedTask
	Fleet           = discover.Fleet
	GPUHost         = discover.GPUHost
	ProxyHost       = discover.ProxyHost
	Route           = discover.Route
	Connection      = ansible.Connection
	FileAttrs       = ansible.FileAttrs
	BecomeSpec      = ansible.BecomeSpec
)

// Severities of a finding.
const (
	SevError   = ansible.SevError
	SevWarning = ansible.SevWarning
)

// Action is what applying a file task would do.
type Action string

const (
	ActionCreate  Action = "create"
	ActionUpdate  Action = "update"
	ActionNone    Action = "none"
	ActionUnknown Action = "unknown" // the host could not be read
)

// Plan is the data a check prints and an apply executes (Terraform's plan as
// data): what every host's file tasks would change, which handlers they would
// notify, what straylight cannot do, and the static checks.
type Plan struct {
	Repo      string          `json:"repo"`
	Limit     string          `json:"limit,omitempty"`
	Hosts     []*HostPlan     `json:"hosts"`
	Backends  []Backend       `json:"backends"`
	Proxies   []ProxyFound    `json:"proxies"`
	Routes    []RouteCheck    `json:"routes"`
	Live      *Live           `json:"live,omitempty"` // the live fleet, when a check probed it
	Findings  []Finding       `json:"findings"`
	Summary   Summary         `json:"summary"`
	Playbooks []string        `json:"playbooks"`
	Fleet     *discover.Fleet `json:"-"`
	// NothingPlanned: no playbook, no host, or not one file or handler
	// straylight could plan (a warning finding says which); --check
	// exits 1 rather than report success on nothing.
	NothingPlanned bool     `json:"nothing_planned,omitempty"`
	secrets        []string // every planned host's secret values, for masking
}

// checkSomethingPlanned adds the warning for a plan that holds nothing.
func (p *Plan) checkSomethingPlanned() {
	msg := ""
	switch {
	case len(p.Playbooks) == 0:
		msg = "no playbook found (a YAML list of plays under playbooks/ or at the repository root, or one named on the command line)"
	case len(p.Hosts) == 0:
		msg = "no play targets any host (check the plays' hosts: and --limit against the inventory)"
	case p.plannedItems() == 0:
		msg = "nothing could be planned: no file task or handler straylight runs, on any host"
	default:
		return
	}
	p.NothingPlanned = true
	p.Findings = append(p.Findings, Finding{Severity: SevWarning, Key: "nothing planned", Message: msg})
}

func (p *Plan) plannedItems() int {
	n := 0
	for _, h := range p.Hosts {
		n += len(h.Files) + len(h.Handlers) + len(h.ViaAnsible)
	}
	return n
}

// HostPlan is one host's part of the plan.
type HostPlan struct {
	Host        string            `json:"host"`
	Connection  string            `json:"connection"`
	Address     string            `json:"address"`
	Files       []*FileChange     `json:"files"`
	Handlers    []HandlerRun      `json:"handlers"`
	Unsupported []UnsupportedTask `json:"unsupported"`
	// ViaAnsible are the tasks straylight does not run itself that
	// ansible-playbook runs for it (delegate.go); empty without Ansible.
	ViaAnsible  []DelegatedTask `json:"via_ansible,omitempty"`
	Unreachable string          `json:"unreachable,omitempty"`
	Order       int             `json:"order"` // deploy wave: backends before the proxy
	// Servers are the host's servers as its deployed files describe them
	// (what the live monitor compares with), beside the repository's.
	Servers []DeployedServer `json:"servers,omitempty"`
}

// FileChange is one file task's effect on a host.
type FileChange struct {
	Playbook   string   `json:"playbook"`
	Play       string   `json:"play"`
	Task       string   `json:"task"`
	Module     Module   `json:"module"`
	Dest       string   `json:"dest"`
	Action     Action   `json:"action"`
	OldSHA256  string   `json:"old_sha256"`
	NewSHA256  string   `json:"new_sha256"`
	NewContent string   `json:"new_content"`
	Diff       string   `json:"diff"`
	Notify     []string `json:"notify"`
	Secret     bool     `json:"secret,omitempty"` // content holds secrets; masked in output
	// Script is what a file-module or unit task runs on the host to make
	// its change (fleet/filemod); content tasks write NewContent instead.
	Script string `json:"script,omitempty"`
	// PathKind is what a win_file task's plan found at Dest (absent, file,
	// directory); its Script is then the state the set-path script makes,
	// which checks first that the path is still of this kind.
	PathKind string `json:"path_kind,omitempty"`
	// Service is a systemd_service or service task's decision (Dest is
	// then its unit). Its Script runs even when Action is none, if it
	// holds a daemon-reload: the module runs one whenever asked.
	Service *ServiceChange `json:"service,omitempty"`
	// Command is a command or shell task's decision (Dest is then its
	// command line, the content its stdin). Script runs it, the module's
	// creates and removes tested again first; secrets in it are masked,
	// the apply runs the unmasked one (RunScript).
	Command *CommandChange `json:"command,omitempty"`
	// Stat is what a stat task found (Dest is then its path): it changes
	// nothing, and later tasks' conditions may read it.
	Stat *StatChange `json:"stat,omitempty"`
	// Account is a user or group task's decision (Dest is then the
	// account's name); Script runs its command.
	Account *AccountChange `json:"account,omitempty"`
	// Package is an apt task's decision (Dest is then its packages'
	// names); Script runs its commands.
	Package *PackageChange `json:"package,omitempty"`
	// IgnoreErrors: the task's ignore_errors (its own or inherited); a
	// command that fails is reported and the apply goes on.
	IgnoreErrors bool `json:"ignore_errors,omitempty"`
	// NeverFails: a command, shell, systemd or service task's
	// failed_when is the constant false; whatever the command or
	// systemctl returns, the task is ok and the apply goes on.
	NeverFails bool `json:"never_fails,omitempty"`
	// CheckOnly: the task's check_mode is true (its own or inherited), so
	// Ansible runs it in check mode even in a real run: it reports the
	// change (and notifies its handlers) but makes none. An apply neither
	// writes nor runs it, and later tasks of the plan find the host as
	// it was.
	CheckOnly bool `json:"check_only,omitempty"`
	// Flush is the handler flush of its play its notifications run at
	// (ansible.FileTask's Flush).
	Flush int `json:"flush,omitempty"`
	// Attrs are the task's mode, owner, group, validate, backup and force,
	// as it gives them; the POSIX transports (local, SSH) apply them, and a
	// WinRM host's task that sets a mode or owner is unsupported.
	Attrs FileAttrs `json:"attrs,omitzero"`
	// SetMode is the mode the apply sets, in octal: the task's mode
	// resolved against the file as Ansible resolves it ("" when it sets
	// none).
	SetMode string `json:"set_mode,omitempty"`
	// AttrsBefore and AttrsAfter are the mode, owner and group the task
	// changes on an existing file (what ansible-playbook --diff shows).
	AttrsBefore *FileMeta   `json:"attrs_before,omitempty"`
	AttrsAfter  *FileMeta   `json:"attrs_after,omitempty"`
	Become      *BecomeSpec `json:"become,omitempty"` // the play's and task's become keywords
	At          Located     `json:"at"`
	raw         []byte      // the unmasked content apply writes; never serialized
	rawScript   string      // a command's unmasked script; never serialized
	rawDiff     string      // the unmasked diff, for --show-secrets human output
}

// Changes reports whether applying the file would write it.
func (f *FileChange) Changes() bool { return f.Action == ActionCreate || f.Action == ActionUpdate }

// Runs reports whether an apply acts on the task: it changes something,
// or it is a unit or apt task whose module runs a command even when
// nothing changes (daemon-reload; apt's refresh of the lists, apt-mark
// manual).
func (f *FileChange) Runs() bool {
	if f.CheckOnly {
		return false
	}
	return f.Changes() || ((f.Service != nil || f.Command != nil || f.Package != nil) && f.Script != "" && f.Action == ActionNone)
}

// RunScript is the script the apply runs: unmasked when this plan
// rendered it.
func (f *FileChange) RunScript() string {
	if f.rawScript != "" {
		return f.rawScript
	}
	return f.Script
}

// maskScript masks the secrets in a command's, unit or account task's script (all
// of a no_log command's), keeping the unmasked one for the apply: either
// may export a vaulted value of the task's environment.
func (f *FileChange) maskScript(secrets []string, noLog bool) {
	if (f.Command == nil && f.Service == nil && f.Account == nil && f.Package == nil) || f.Script == "" {
		return
	}
	f.rawScript = f.Script
	f.Script, f.Dest = MaskSecrets(f.Script, secrets), MaskSecrets(f.Dest, secrets)
	if f.Account != nil {
		f.Account.mask(secrets)
	}
	if f.Package != nil {
		f.Package.mask(secrets)
	}
	if noLog && f.Command != nil {
		f.Script, f.Dest = SecretMask, SecretMask
	}
}

// HandlerRun is a handler that would run on a host at one of its play's
// handler flushes (Flush: the end of pre_tasks, of roles and tasks, a meta:
// flush_handlers, the end of the play), in Ansible's order; a handler
// notified again after a flush runs again.
type HandlerRun struct {
	Playbook string   `json:"playbook"`
	Play     string   `json:"play"`
	Name     string   `json:"name"`
	Module   Module   `json:"module"`
	Command  string   `json:"command"`
	Because  []string `json:"because"` // the dests whose change notified it
	At       Located  `json:"at"`
	Pending  bool     `json:"pending,omitempty"` // owed by an earlier apply that died before running it
	Flush    int      `json:"flush,omitempty"`   // the play's flush point it runs at
	// Become is the play's and handler's become keywords (nil: the host's
	// ansible_become applies).
	Become *BecomeSpec `json:"become,omitempty"`
	// NoLog: the handler's no_log (its own, its role entry's or its
	// play's) is true; its command is not shown.
	NoLog bool `json:"no_log,omitempty"`
	// IgnoreErrors: the handler's ignore_errors (its own, its role
	// entry's or its play's); NeverFails: its failed_when is the constant
	// false. Either way a command that fails does not fail the host.
	IgnoreErrors bool   `json:"ignore_errors,omitempty"`
	NeverFails   bool   `json:"never_fails,omitempty"`
	raw          string // the unmasked command apply runs; never serialized
}

// Script is the command to run: unmasked when this plan rendered it.
func (hr HandlerRun) Script() string {
	if hr.raw != "" {
		return hr.raw
	}
	return hr.Command
}

// RouteCheck is the static lint of one LiteLLM route.
type RouteCheck struct {
	Route    string `json:"route"`    // model_name clients send
	Model    string `json:"model"`    // litellm_params.model
	Upstream string `json:"upstream"` // model minus its provider segment
	APIBase  string `json:"api_base"`
	Proxy    string `json:"proxy,omitempty"`  // the host of a discovered proxy config (the mapped proxy: "")
	Source   string `json:"source,omitempty"` // file:line of the route in the rendered config
	Host     string `json:"host"`             // fleet host serving api_base, if found
	Status   string `json:"status"`           // ok, error, warning
	Detail   string `json:"detail"`
}

// Summary counts the plan.
type Summary struct {
	Hosts   int `json:"hosts"`
	Changed int `json:"changed"` // file tasks that would create or update
	// CheckOnly counts the changes of check_mode tasks: Ansible reports
	// them changed and makes none (FileChange.CheckOnly).
	CheckOnly   int `json:"check_only,omitempty"`
	Unknown     int `json:"unknown"` // file tasks on hosts that could not be read
	Unchanged   int `json:"unchanged"`
	Restarts    int `json:"restarts"` // handler runs
	Pending     int `json:"pending"`  // restarts owed by an earlier apply that died
	Unsupported int `json:"unsupported"`
	// ViaAnsible counts the tasks ansible-playbook runs for straylight;
	// ViaAnsibleChanged those it reported changed (or failed, or did not
	// report) under --check.
	ViaAnsible        int `json:"via_ansible"`
	ViaAnsibleChanged int `json:"via_ansible_changed"`
	Errors            int `json:"errors"`
	Warnings          int `json:"warnings"`
	RoutesOK          int `json:"routes_ok"`
	Routes            int `json:"routes"`
}

// Content is the unmasked content apply writes (empty for a plan loaded
// from a file: Restrict takes it from a fresh render).
func (f *FileChange) Content() []byte { return f.raw }

// Secrets are every planned host's secret values, longest first: what
// output must never show.
func (p *Plan) Secrets() []string { return p.secrets }

// HasChanges reports whether applying would change anything (or might: an
// unreadable host's files count, since nothing proves them in sync). A
// check_mode task's reported change counts when handlers are to run: it
// notifies them, though it writes nothing itself.
func (p *Plan) HasChanges() bool {
	s := p.Summary
	return s.Changed > 0 || s.Unknown > 0 || s.Pending > 0 || s.ViaAnsibleChanged > 0 || (s.CheckOnly > 0 && s.Restarts > 0)
}

// HasErrors reports errors among the static checks.
func (p *Plan) HasErrors() bool { return p.Summary.Errors > 0 }

// Host returns the plan of one host, or nil.
func (p *Plan) Host(name string) *HostPlan {
	for _, h := range p.Hosts {
		if h.Host == name {
			return h
		}
	}
	return nil
}

// BrokenRoutes are the routes the static lint fails (status error) that
// deploying hosts would leave broken: those through the hosts, and every
// one when the proxy is among them. No hosts: the whole plan.
func (p *Plan) BrokenRoutes(hosts []string, proxy string) []RouteCheck {
	all := len(hosts) == 0
	for _, h := range hosts {
		all = all || (proxy != "" && h == proxy)
	}
	var out []RouteCheck
	for _, r := range p.Routes {
		if r.Status == "error" && (all || slices.Contains(hosts, r.Host)) {
			out = append(out, r)
		}
	}
	return out
}

func (p *Plan) summarize() {
	s := Summary{Hosts: len(p.Hosts), Routes: len(p.Routes)}
	for _, h := range p.Hosts {
		s.add(h)
	}
	for _, f := range p.Findings {
		s.addFinding(f)
	}
	for _, r := range p.Routes {
		s.addRoute(r)
	}
	p.Summary = s
}

func (s *Summary) add(h *HostPlan) {
	for _, f := range h.Files {
		switch {
		case f.CheckOnly && f.Changes():
			s.CheckOnly++
		case f.Changes():
			s.Changed++
		case f.Action == ActionUnknown:
			s.Unknown++
		default:
			s.Unchanged++
		}
	}
	s.Restarts += len(h.Handlers)
	for _, hr := range h.Handlers {
		if hr.Pending {
			s.Pending++
		}
	}
	s.Unsupported += len(h.Unsupported)
	s.ViaAnsible += len(h.ViaAnsible)
	for _, d := range h.ViaAnsible {
		if d.Changes() {
			s.ViaAnsibleChanged++
		}
	}
}

func (s *Summary) addFinding(f Finding) {
	if f.Severity == SevError {
		s.Errors++
	} else {
		s.Warnings++
	}
}

func (s *Summary) addRoute(r RouteCheck) {
	switch r.Status {
	case "ok":
		s.RoutesOK++
	case "error":
		s.Errors++
	default:
		s.Warnings++
	}
}
