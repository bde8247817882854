package filemod

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// What ansible.builtin.apt decides for the arguments straylight runs, read
// in ansible-core 2.19's lib/ansible/modules/apt.py (main, install,
// remove, package_status, package_best_match, mark_installed_manually,
// get_cache_mtime); 2.14's is the same but for the dpkg options (2.19 adds
// -o DPkg::Lock::Timeout=lock_timeout). The module reads the package
// cache with python3-apt: whether a package is installed is dpkg's
// current state, its candidate is libapt's policy. straylight asks
// dpkg-query and apt-cache policy (the same dpkg database and policy), in
// one round trip (AptQueryScript), and runs the commands the module runs:
// apt-get update when update_cache asks and the lists are older than
// cache_valid_time, apt-get install 'NAME=CANDIDATE' or apt-get remove,
// and apt-mark manual for the packages a real run marks.

// AptArgs are an apt task's arguments.
type AptArgs struct {
	Names             []string `json:"names,omitempty"`
	State             string   `json:"state"` // present, latest or absent
	UpdateCache       bool     `json:"update_cache,omitempty"`
	CacheValidTime    int      `json:"cache_valid_time,omitempty"`
	InstallRecommends *bool    `json:"install_recommends,omitempty"`
	Purge             bool     `json:"purge,omitempty"`
	Autoremove        bool     `json:"autoremove,omitempty"`
	LockTimeout       int      `json:"lock_timeout"`
	// Package: the task is ansible.builtin.package, which runs apt where
	// the host's package manager fact says apt (its os_family Debian).
	Package bool `json:"package,omitempty"`
}

// aptArgNames are the arguments straylight runs (force_apt_get chooses
// the tool of upgrade, which straylight leaves to Ansible); the others
// (deb, upgrade, default_release, autoclean, dpkg_options, allow_*, ...)
// are Ansible's, by name.
var aptArgNames = []string{"name", "pkg", "package", "state", "update_cache", "update-cache", "cache_valid_time",
	"install_recommends", "install-recommends", "purge", "autoremove", "lock_timeout", "force_apt_get"}

// debianPackageName is a package name as Debian policy writes them: a
// version (name=1.2, name>=1.2), an architecture (name:amd64) or a
// wildcard is Ansible's.
var debianPackageName = lazyre.New(`^[a-z0-9][a-z0-9+.-]+$`)

// ParsePackageArgs reads an ansible.builtin.package task's templated
// arguments: its action plugin hands them, use aside, to the module the
// host's pkg_mgr fact names — apt on a Debian host, decided as an apt
// task (another manager is Ansible's: Apt refuses it).
func ParsePackageArgs(args map[string]any) (AptArgs, error) {
	if use := stringOr(args, "use", "auto"); use != "auto" && use != "apt" {
		return AptArgs{}, &Refusal{"use: " + use + " is Ansible's"}
	}
	rest := maps.Clone(args)
	delete(rest, "use")
	a, err := ParseAptArgs(rest)
	a.Package = true
	return a, err
}

// ParseAptArgs reads an apt task's templated arguments.
func ParseAptArgs(args map[string]any) (AptArgs, error) {
	if err := onlyArgs("apt", args, aptArgNames); err != nil {
		return AptArgs{}, err
	}
	a := AptArgs{State: stringOr(args, "state", "present"), LockTimeout: 60}
	if err := a.readNames(args); err != nil {
		return a, err
	}
	if err := a.readOptions(args); err != nil {
		return a, err
	}
	return a, a.check(args)
}

func (a *AptArgs) readNames(args map[string]any) error {
	for _, name := range []string{"package", "pkg", "name"} {
		names, err := listArg(args, name)
		if err != nil {
			return err
		}
		if names == nil {
			continue
		}
		for _, n := range *names {
			if n = strings.TrimSpace(n); n != "" {
				a.Names = append(a.Names, n)
			}
		}
		return nil
	}
	return nil
}

func (a *AptArgs) readOptions(args map[string]any) error {
	update, err := optBool(args, "update_cache", "update-cache")
	if err != nil {
		return err
	}
	a.UpdateCache = update != nil && *update
	if err := readBools(args, map[string]*bool{"purge": &a.Purge, "autoremove": &a.Autoremove}); err != nil {
		return err
	}
	if a.InstallRecommends, err = optBool(args, "install_recommends", "install-recommends"); err != nil {
		return err
	}
	for _, n := range []struct {
		name string
		into *int
	}{{"cache_valid_time", &a.CacheValidTime}, {"lock_timeout", &a.LockTimeout}} {
		v, err := intArg(args, n.name)
		if err != nil {
			return err
		}
		if v != nil {
			*n.into = *v
		}
	}
	return nil
}

// optBool reads an optional type: bool argument (nil: not given).
func optBool(args map[string]any, names ...string) (*bool, error) {
	for _, n := range names {
		if args[n] != nil {
			v, err := BoolArg(args, n, false)
			return &v, err
		}
	}
	return nil, nil
}

// check applies the module's argument spec, and refuses what straylight
// leaves to Ansible.
func (a AptArgs) check(args map[string]any) error {
	switch {
	case !slices.Contains([]string{"absent", "build-dep", "fixed", "latest", "present"}, a.State):
		return fmt.Errorf("value of state must be one of: absent, build-dep, fixed, latest, present, got: %s", a.State)
	case !slices.ContainsFunc([]string{"package", "pkg", "name", "update_cache", "update-cache", "autoremove"}, func(k string) bool { _, ok := args[k]; return ok }):
		return fmt.Errorf("one of the following is required: autoremove, deb, package, update_cache, upgrade")
	case a.State == "build-dep" || a.State == "fixed":
		return &Refusal{"state " + a.State + " is Ansible's"}
	case a.Autoremove && len(a.Names) == 0:
		return &Refusal{"autoremove without packages: apt-get autoremove's answer"}
	}
	for _, n := range a.Names {
		if !debianPackageName().MatchString(n) {
			return &Refusal{fmt.Sprintf("package %q: versions, architectures and wildcards are Ansible's", n)}
		}
	}
	return nil
}

// Updates reports whether the task would refresh the lists: update_cache
// or a cache_valid_time (the module reads either as asking).
func (a AptArgs) Updates() bool { return a.UpdateCache || a.CacheValidTime > 0 }

// PackageState is what dpkg and apt's policy say of one package.
type PackageState struct {
	// Known: apt-cache policy knows the name (it has a header); Versions:
	// it has versions (a name without is virtual: another package
	// provides it).
	Known, Versions bool
	// Status is dpkg's current state (installed, config-files,
	// not-installed, half-installed, ...; "" when dpkg does not know the
	// name), Want its selection (install, hold, deinstall, purge).
	Status, Want string
	Version      string // the installed version
	Candidate    string // "" for none
	Auto         bool   // marked automatically installed
}

// Packages are the host's packages as apt tasks find them.
type Packages struct {
	Pkgs map[string]*PackageState
	// StampTime is the lists' age as the module reads it (the mtime of
	// /var/lib/apt/periodic/update-success-stamp, else of
	// /var/lib/apt/lists, else 0), Now the host's clock.
	StampTime, Now int64
	// Tools: apt-get and apt-mark as found on PATH and in the sbin
	// directories; PythonApt: dpkg says python3-apt is installed (without
	// it the module installs it first).
	Tools     map[string]bool
	PythonApt bool
	// Refreshed: an earlier task of the plan refreshes the lists, so a
	// candidate is the run's answer.
	Refreshed bool
	arch      string // dpkg's native architecture
	// Distro is os-release's ID, RPM whether /usr/bin/rpm exists: the
	// package module's pkg_mgr fact reads the OS family and asks rpm
	// whether apt-get is APT-RPM.
	Distro string
	RPM    bool
}

// AptQueryScript asks the host, in one POSIX sh run, for the lists'
// update time and the clock, the apt tools, whether python3-apt is
// installed, the native architecture, and — one dpkg-query, one apt-cache
// policy and one apt-mark showauto for all the packages (each loads the
// cache: half a second) — each package's dpkg state, its apt policy and
// whether it is marked automatically installed; ParseApt reads the
// answer.
func AptQueryScript(names []string) string {
	var b strings.Builder
	b.WriteString("command -v dpkg-query >/dev/null 2>&1 && command -v apt-cache >/dev/null 2>&1 || { echo 'dpkg-query or apt-cache not found on PATH' >&2; exit 127; }\n")
	b.WriteString("echo @@stamp; s=/var/lib/apt/periodic/update-success-stamp; [ -e $s ] || s=/var/lib/apt/lists; if [ -e $s ]; then stat -c %Y $s; else echo 0; fi; date +%s; echo @@end\n")
	b.WriteString(toolsSection([]string{"apt-get", "apt-mark"}))
	b.WriteString("echo @@pythonapt; dpkg-query -W -f='${db:Status-Status}\\n' python3-apt 2>/dev/null; echo @@end\n")
	b.WriteString("echo @@arch; dpkg --print-architecture; echo @@end\n")
	b.WriteString("echo @@os; sed -n 's/^ID=//p' /etc/os-release 2>/dev/null | tr -d '\"'; [ -e /usr/bin/rpm ] && echo rpm; echo @@end\n")
	if len(names) == 0 {
		return b.String()
	}
	q := strings.Join(quotedWords(names), " ")
	b.WriteString("echo @@names; printf '%s\\n' " + q + "; echo @@end\n")
	b.WriteString("echo @@dpkg; dpkg-query -W -f='${Package} ${Architecture} ${db:Status-Status} ${db:Status-Want} ${Version}\\n' " + q + " 2>/dev/null; echo @@end\n")
	b.WriteString("echo @@policy; LC_ALL=C apt-cache policy " + q + " 2>/dev/null | sed -n 's/^\\([^ ].*\\):$/package \\1/p; s/^  Candidate: /candidate /p; s/^ \\(\\*\\*\\*\\|   \\) \\([^ ]*\\) -\\{0,1\\}[0-9]*$/version \\2/p'; echo @@end\n")
	b.WriteString("echo @@auto; apt-mark showauto " + q + " 2>/dev/null; echo @@end\n")
	return b.String()
}

// ParseApt reads AptQueryScript's output.
func ParseApt(out string) (*Packages, error) {
	s := &Packages{Pkgs: map[string]*PackageState{}, Tools: map[string]bool{}}
	if err := readSections(out, s.readPart); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *Packages) readPart(head, body string) error {
	lines := strings.Split(strings.TrimSuffix(body, "\n"), "\n")
	switch head {
	case "@@stamp":
		return s.readStamp(body)
	case "@@tools":
		for _, t := range strings.Fields(body) {
			s.Tools[t] = true
		}
	case "@@pythonapt":
		s.PythonApt = body == "installed\n"
	case "@@arch":
		s.arch = strings.TrimSpace(body)
	case "@@os":
		s.Distro, s.RPM = lines[0], slices.Contains(lines, "rpm")
	case "@@names":
		for _, n := range strings.Fields(body) {
			s.Pkgs[n] = &PackageState{}
		}
	case "@@dpkg":
		s.readDpkg(lines)
	case "@@policy":
		s.readPolicy(lines)
	case "@@auto":
		s.each(strings.Fields(body), func(p *PackageState) { p.Auto = true })
	}
	return nil
}

// each runs do on the state of each name asked about.
func (s *Packages) each(names []string, do func(*PackageState)) {
	for _, n := range names {
		if p := s.Pkgs[n]; p != nil {
			do(p)
		}
	}
}

func (s *Packages) readStamp(body string) error {
	f := strings.Fields(body)
	if len(f) != 2 {
		return fmt.Errorf("apt lists stamp: %q is not two times", body)
	}
	var err1, err2 error
	s.StampTime, err1 = strconv.ParseInt(f[0], 10, 64)
	s.Now, err2 = strconv.ParseInt(f[1], 10, 64)
	if err1 != nil || err2 != nil {
		return fmt.Errorf("apt lists stamp: %q is not two times", body)
	}
	return nil
}

// readDpkg reads dpkg-query's lines (name, architecture, state,
// selection, version): of a name installed for several architectures, the
// native one's or an architecture-independent one's, as python3-apt's
// cache[name] picks.
func (s *Packages) readDpkg(lines []string) {
	for _, line := range lines {
		f := strings.SplitN(line, " ", 5)
		if len(f) < 4 || s.Pkgs[f[0]] == nil || s.Pkgs[f[0]].Status != "" || (f[1] != "" && f[1] != "all" && f[1] != s.arch) {
			continue
		}
		p := s.Pkgs[f[0]]
		p.Status, p.Want = f[2], f[3]
		if len(f) == 5 {
			p.Version = f[4]
		}
	}
}

// readPolicy reads apt-cache policy's lines as the script's sed leaves
// them: "package NAME" for each name apt knows, then its candidate and
// its versions.
func (s *Packages) readPolicy(lines []string) {
	var p *PackageState
	for _, line := range lines {
		key, rest, _ := strings.Cut(line, " ")
		switch {
		case key == "package":
			if p = s.Pkgs[rest]; p != nil {
				p.Known = true
			}
		case p == nil:
		case key == "candidate":
			p.Candidate = strings.TrimPrefix(rest, "(none)")
		case key == "version":
			p.Versions = true
		}
	}
}

// Installed reports whether dpkg's current state is installed, as the
// module's package_status reads it (CURSTATE_INSTALLED).
func (p *PackageState) Installed() bool { return p.Status == "installed" }

// AptResult is what an apt task does: refresh the lists, install or
// remove packages, mark packages manually installed; nothing when the
// host is as asked.
type AptResult struct {
	Update bool     `json:"update,omitempty"` // apt-get update first
	Argv   []string `json:"argv,omitempty"`   // apt-get install or remove
	Mark   []string `json:"mark,omitempty"`   // apt-mark manual NAMES
	// Changed: the module's verdict — a command installs or removes, or
	// the task only refreshes the lists and they were old.
	Changed bool `json:"changed"`
}

// AptOptions are what the ansible-core version changes: 2.19 adds -o
// DPkg::Lock::Timeout to the dpkg options, 2.14 does not (the cores
// between are not measured: the plan takes them as 2.14).
type AptOptions struct{ LockTimeoutOption bool }

// Apt decides an apt task from the packages as the task finds them. An
// error is the module's failure, in its words; a *Refusal is a case
// straylight leaves to Ansible.
func Apt(a AptArgs, s *Packages, o AptOptions) (AptResult, error) {
	if err := s.usable(a); err != nil {
		return AptResult{}, err
	}
	r := AptResult{Update: a.Updates() && s.Stale(a.CacheValidTime)}
	if len(a.Names) == 0 {
		r.Changed = r.Update
		return r, nil
	}
	words, err := s.packageWords(a, r.Update)
	if err != nil {
		return AptResult{}, err
	}
	r.Changed = len(words) > 0
	if r.Changed {
		r.Argv = aptCommand(a, o, words)
	}
	if a.State != "absent" && s.Tools["apt-mark"] && (r.Changed || s.anyAuto(a.Names)) {
		r.Mark = a.Names
	}
	return r, nil
}

// usable refuses a host where the module would first install python3-apt,
// and a package task on a host whose package manager fact may not be apt;
// it fails a host without apt-get.
func (s *Packages) usable(a AptArgs) error {
	switch {
	case a.Package && (!slices.Contains(debianFamily, s.Distro) || s.RPM):
		return &Refusal{fmt.Sprintf("package on a host whose os-release ID is %q (or with /usr/bin/rpm): its pkg_mgr fact picks the module", s.Distro)}
	case !s.PythonApt:
		return &Refusal{"python3-apt is not installed: the module installs it first"}
	case !s.Tools["apt-get"]:
		//lint:ignore ST1005 the module's own message
		return fmt.Errorf("Failed to find required executable \"apt-get\"")
	}
	return nil
}

// debianFamily are the os-release IDs of distributions ansible-core counts
// in os_family Debian (module_utils/facts/system/distribution.py's
// OS_FAMILY_MAP), whose pkg_mgr fact is apt.
var debianFamily = []string{"debian", "ubuntu", "raspbian", "linuxmint", "devuan", "kali", "pop", "neon", "parrot"}

// Stale reports whether the lists are older than validFor seconds, as the
// module compares them (mtime + cache_valid_time < now).
func (s *Packages) Stale(validFor int) bool {
	return s.StampTime+int64(validFor) < s.Now
}

func (s *Packages) anyAuto(names []string) bool {
	return slices.ContainsFunc(names, func(n string) bool { p := s.Pkgs[n]; return p != nil && p.Installed() && p.Auto })
}

// packageWords are the packages the task's apt-get command names:
// remove()'s for absent, install()'s otherwise.
func (s *Packages) packageWords(a AptArgs, updating bool) ([]string, error) {
	if a.State == "absent" {
		return s.remove(a)
	}
	return s.install(a, updating)
}

// install is install()'s package list for present and latest: a package
// not installed gets its candidate ('name=version', as the module writes
// version_installable), an installed one its candidate only for latest
// when it differs. The module stops at the first package it cannot find.
func (s *Packages) install(a AptArgs, updating bool) ([]string, error) {
	var words []string
	for _, n := range a.Names {
		p := s.Pkgs[n]
		if err := s.installable(n, p, a.State, updating); err != nil {
			return nil, err
		}
		if !p.Installed() || (a.State == "latest" && p.Candidate != "" && p.Candidate != p.Version) {
			words = append(words, n+"="+p.Candidate)
		}
	}
	return words, nil
}

// installable checks what install() checks of one package, and refuses
// what straylight cannot decide: a virtual package (apt picks its
// provider), a held or half-installed one, and a candidate the lists
// refreshed first would give.
func (s *Packages) installable(n string, p *PackageState, state string, updating bool) error {
	fresh := updating || s.Refreshed
	switch {
	case p == nil:
		return fmt.Errorf("apt: no answer about %s", n)
	case p.Installed() && (state == "present" || !fresh && (p.Candidate == "" || p.Candidate == p.Version)):
		return nil // as asked: the module installs nothing
	case halfInstalled(p):
		return &Refusal{fmt.Sprintf("%s is %s: apt-get's answer", n, p.Status)}
	case fresh:
		return &Refusal{fmt.Sprintf("the lists are refreshed first: %s's candidate is the run's answer", n)}
	case !p.Known:
		//lint:ignore ST1005 the module's own message
		return fmt.Errorf("No package matching '%s' is available", n)
	case !p.Versions:
		return &Refusal{fmt.Sprintf("%s is a virtual package: apt picks the package that provides it", n)}
	case p.Want == "hold":
		return &Refusal{fmt.Sprintf("%s is held: apt-get refuses to change it", n)}
	case p.Candidate == "":
		return fmt.Errorf("no available installation candidate for %s", n)
	}
	return nil
}

// halfInstalled: dpkg's state is neither installed, nor removed, nor
// removed with its configuration kept (unpacked, half-configured, ...).
func halfInstalled(p *PackageState) bool {
	return !slices.Contains([]string{"", "installed", "not-installed", "config-files"}, p.Status)
}

// remove is remove()'s package list: an installed package, and with purge
// one whose configuration files remain.
func (s *Packages) remove(a AptArgs) ([]string, error) {
	var words []string
	for _, n := range a.Names {
		p := s.Pkgs[n]
		switch {
		case p == nil:
			return nil, fmt.Errorf("apt: no answer about %s", n)
		case halfInstalled(p):
			return nil, &Refusal{fmt.Sprintf("%s is %s: apt-get's answer", n, p.Status)}
		case !p.Installed() && !(a.Purge && p.Status == "config-files"):
			continue
		case p.Want == "hold":
			return nil, &Refusal{fmt.Sprintf("%s is held: apt-get refuses to change it", n)}
		}
		words = append(words, n)
	}
	return words, nil
}

// aptCommand is install()'s or remove()'s apt-get command as the module
// builds it (its words, split as run_command splits the string).
func aptCommand(a AptArgs, o AptOptions, packages []string) []string {
	dpkg := []string{"-o", "Dpkg::Options::=--force-confdef", "-o", "Dpkg::Options::=--force-confold"}
	if o.LockTimeoutOption {
		dpkg = append(dpkg, "-o", "DPkg::Lock::Timeout="+strconv.Itoa(a.LockTimeout))
	}
	if a.State == "absent" {
		argv := append(append(append([]string{"apt-get", "-q", "-y"}, dpkg...), flag(a.Purge, "--purge")...), flag(a.Autoremove, "--auto-remove")...)
		return append(append(argv, "remove"), packages...)
	}
	argv := append(append(append(append([]string{"apt-get", "-y"}, dpkg...), flag(a.Autoremove, "--auto-remove")...), "install"), packages...)
	if a.InstallRecommends != nil {
		argv = append(argv, "-o", "APT::Install-Recommends="+map[bool]string{true: "yes", false: "no"}[*a.InstallRecommends])
	}
	return argv
}

// aptEnv is the environment the module runs apt-get and apt-mark in
// (APT_ENV_VARS; its locale is the C one it finds).
const aptEnv = "DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical LANG=C LC_ALL=C LC_MESSAGES=C LC_CTYPE=C LANGUAGE=C "

// Script is the task's commands as a POSIX sh script, each found as the
// module finds it: "" when it runs none.
func (r AptResult) Script() string {
	var lines []string
	if r.Update {
		lines = append(lines, aptEnv+"apt-get update -q")
	}
	if r.Argv != nil {
		lines = append(lines, aptEnv+strings.Join(quotedWords(r.Argv), " "))
	}
	if r.Mark != nil {
		lines = append(lines, aptEnv+"apt-mark manual "+strings.Join(quotedWords(r.Mark), " "))
	}
	if lines == nil {
		return ""
	}
	return sbinPath + strings.Join(lines, " && ")
}

// Describe is the task's effect in a plan's words.
func (r AptResult) Describe(a AptArgs) string {
	var parts []string
	if r.Update {
		parts = append(parts, "apt-get update")
	}
	if r.Argv != nil {
		parts = append(parts, strings.Join(quotedWords(r.Argv), " "))
	}
	if r.Mark != nil {
		parts = append(parts, "apt-mark manual "+strings.Join(r.Mark, " "))
	}
	verb := map[bool]string{true: "install", false: "remove"}[a.State != "absent"]
	switch {
	case r.Argv != nil:
		return verb + " (" + strings.Join(parts, "; ") + ")"
	case r.Changed:
		return "update the lists (apt-get update)"
	case parts != nil:
		return a.State + ", running " + strings.Join(parts, "; ") + " as the module does"
	}
	return a.State
}

// After is the packages once the task has run: those it installs are
// installed at their candidate, those it marks are manual, those it
// removes are gone, and a refresh leaves every candidate to the run.
func (s *Packages) After(a AptArgs, r AptResult) {
	s.Refreshed = s.Refreshed || r.Update
	s.each(r.Mark, func(p *PackageState) { p.Auto = false })
	if r.Argv == nil {
		return
	}
	for _, n := range a.Names {
		p := s.Pkgs[n]
		switch {
		case a.State == "absent" && a.Purge:
			p.Status, p.Version = "not-installed", ""
		case a.State == "absent" && p.Installed():
			p.Status, p.Version = "config-files", ""
		case a.State != "absent":
			p.Status, p.Version, p.Auto = "installed", p.Candidate, false
		}
	}
}

// Section is what a task's decision reads of the packages, in a fixed
// form: the apply asks the host again and compares it with the plan's.
func (s *Packages) Section(a AptArgs) string {
	var b strings.Builder
	fmt.Fprintf(&b, "stale: %v, python3-apt: %v, tools: %v\n", a.Updates() && s.Stale(a.CacheValidTime), s.PythonApt, s.Tools)
	for _, n := range a.Names {
		fmt.Fprintf(&b, "%s: %+v\n", n, s.Pkgs[n])
	}
	return b.String()
}
