package filemod

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/internal/shquote"
)

// What ansible.builtin.group and ansible.builtin.user decide on Linux, read
// in ansible-core 2.19's lib/ansible/modules/group.py (Group, Linux and
// main) and user.py (User.create_user_useradd, modify_user_usermod,
// group_exists, get_groups_set, user_group_membership and main); 2.14's
// are the same for the arguments below (group.py adds force, gid_min and
// gid_max in later cores, which straylight leaves to Ansible). The module
// reads the account databases with Python's pwd and grp, through NSS:
// straylight asks getent, the same databases, in one round trip
// (AccountsQueryScript), and runs the one command (groupadd, groupmod,
// groupdel, useradd, usermod, userdel) the module would run, with its
// arguments in the module's order.

// AccountArgs are a group or user task's arguments.
type AccountArgs struct {
	Kind      string `json:"kind"` // "group" or "user"
	Name      string `json:"name"`
	State     string `json:"state"` // present or absent
	ID        *int   `json:"id,omitempty"`
	NonUnique bool   `json:"non_unique,omitempty"`
	System    bool   `json:"system,omitempty"`
	Force     bool   `json:"force,omitempty"`
	// A user's: its primary group (a name or a gid), its supplementary
	// groups (nil: not given; empty: none), whether they are added to the
	// user's, and its passwd fields.
	Group      *string   `json:"group,omitempty"`
	Groups     *[]string `json:"groups,omitempty"`
	Append     bool      `json:"append,omitempty"`
	Comment    *string   `json:"comment,omitempty"`
	Home       *string   `json:"home,omitempty"`
	Shell      *string   `json:"shell,omitempty"`
	CreateHome bool      `json:"create_home,omitempty"`
	MoveHome   bool      `json:"move_home,omitempty"`
	Remove     bool      `json:"remove,omitempty"`
}

// The arguments straylight runs; the others (passwords, expiry, SSH keys,
// SELinux, local, uid_min and the like) are left to Ansible by name.
var (
	// group's force is 2.15's: 2.14 fails on it, so it is Ansible's.
	groupArgNames = []string{"name", "state", "gid", "system", "non_unique"}
	userArgNames  = []string{"name", "user", "state", "uid", "non_unique", "system", "force", "group", "groups",
		"append", "comment", "home", "shell", "create_home", "createhome", "move_home", "remove"}
)

// ParseGroupArgs reads a group task's templated arguments.
func ParseGroupArgs(args map[string]any) (AccountArgs, error) {
	if err := onlyArgs("group", args, groupArgNames); err != nil {
		return AccountArgs{}, err
	}
	a := AccountArgs{Kind: "group", Name: firstString(args, "name"), State: stringOr(args, "state", "present")}
	var err error
	if a.ID, err = intArg(args, "gid"); err != nil {
		return a, err
	}
	if err := readBools(args, map[string]*bool{"system": &a.System, "non_unique": &a.NonUnique}); err != nil {
		return a, err
	}
	return a, a.check()
}

// ParseUserArgs reads a user task's templated arguments. A home or shell
// with ~ or $ is refused: the module's type 'path' expands them on the
// host.
func ParseUserArgs(args map[string]any) (AccountArgs, error) {
	if err := onlyArgs("user", args, userArgNames); err != nil {
		return AccountArgs{}, err
	}
	a := AccountArgs{Kind: "user", Name: firstString(args, "name", "user"), State: stringOr(args, "state", "present"),
		Group: optString(args, "group"), Comment: optString(args, "comment"), Home: optString(args, "home"), Shell: optString(args, "shell")}
	var err error
	if a.ID, err = intArg(args, "uid"); err != nil {
		return a, err
	}
	if a.Groups, err = listArg(args, "groups"); err != nil {
		return a, err
	}
	createHome := "create_home"
	if args[createHome] == nil {
		createHome = "createhome" // its alias
	}
	if a.CreateHome, err = BoolArg(args, createHome, true); err != nil {
		return a, err
	}
	bools := map[string]*bool{"system": &a.System, "non_unique": &a.NonUnique, "force": &a.Force, "append": &a.Append, "move_home": &a.MoveHome, "remove": &a.Remove}
	if err := readBools(args, bools); err != nil {
		return a, err
	}
	return a, a.check()
}

// readBools reads type: bool arguments, false when absent.
func readBools(args map[string]any, into map[string]*bool) error {
	for _, name := range slices.Sorted(maps.Keys(into)) {
		v, err := BoolArg(args, name, false)
		if err != nil {
			return err
		}
		*into[name] = v
	}
	return nil
}

// check applies the modules' argument specs, and refuses what straylight
// would run otherwise than the module.
func (a AccountArgs) check() error {
	switch {
	case a.Name == "":
		return fmt.Errorf("missing required arguments: name")
	case a.State != "present" && a.State != "absent":
		return fmt.Errorf("value of state must be one of: absent, present, got: %s", a.State)
	case a.NonUnique && a.ID == nil && a.Kind == "group":
		return fmt.Errorf("non_unique is True but all of the following are missing: gid")
	}
	for _, p := range []*string{a.Home, a.Shell} {
		if p != nil && (strings.Contains(*p, "$") || strings.HasPrefix(*p, "~")) {
			return fmt.Errorf("%q: the module expands ~ and $ on the host; straylight does not", *p)
		}
	}
	return nil
}

// intArg reads a type: int argument as the argument spec converts it: an
// integer, or a string of one.
func intArg(args map[string]any, name string) (*int, error) {
	switch v := args[name].(type) {
	case nil:
		return nil, nil
	case int:
		return &v, nil
	case string:
		if n, err := strconv.Atoi(strings.TrimSpace(v)); err == nil {
			return &n, nil
		}
	}
	return nil, fmt.Errorf("argument '%s' is of type %T and we were unable to convert to int", name, args[name])
}

// listArg reads a type: list, elements: str argument: a list, or a
// string split on commas, as check_type_list splits it.
func listArg(args map[string]any, name string) (*[]string, error) {
	var out []string
	switch v := args[name].(type) {
	case nil:
		return nil, nil
	case []any:
		for _, e := range v {
			out = append(out, String(e))
		}
	case string:
		out = strings.Split(v, ",")
	case int:
		out = []string{strconv.Itoa(v)}
	default:
		return nil, fmt.Errorf("argument '%s' is of type %T and we were unable to convert to list", name, v)
	}
	return &out, nil
}

// Passwd is a user's line of the passwd database.
type Passwd struct {
	UID, GID             int
	Comment, Home, Shell string
}

// GroupEntry is a group's line of the group database.
type GroupEntry struct {
	Name    string
	GID     int
	Members []string
}

// Accounts is what the host's account databases say, as the plan goes:
// every group, the users tasks name, whether paths exist, and what the
// host's tools are.
type Accounts struct {
	Groups []GroupEntry
	Users  map[string]*Passwd // nil: no such user
	// UIDs are the users an earlier task of the plan adds or modifies,
	// with their uid then (the task's, the user's own when the task keeps
	// it, -1 when useradd picks it): their other fields are the run's
	// answer, so a later task on one is left to Ansible.
	UIDs map[string]int
	// Paths: whether each home a task's decision depends on exists
	// (Exists), and whether its parent is a directory (ParentDir).
	Paths map[string]HomeState
	// UsermodAppends: usermod takes -a (the module asks usermod --help).
	UsermodAppends bool
	// OldSuSE: /etc/SuSE-release exists (the module's -N depends on its
	// version there).
	OldSuSE bool
	// UserGroups: login.defs sets USERGROUPS_ENAB yes, so a useradd
	// without -g or -N adds a group named like the user (shadow's
	// useradd; absent, it adds none).
	UserGroups bool
	// Kernel is uname -s, Distro os-release's ID: the modules pick their
	// platform's class from them (BusyBox's adduser on Alpine and
	// Buildroot, other commands off Linux).
	Kernel, Distro string
	// Tools are the account tools found on PATH and in the sbin
	// directories, as get_bin_path looks.
	Tools map[string]bool
}

// HomeState is what is at a home's path.
type HomeState struct{ Exists, ParentDir bool }

// GroupByName is the group of that name, or nil.
func (s *Accounts) GroupByName(name string) *GroupEntry {
	for i := range s.Groups {
		if s.Groups[i].Name == name {
			return &s.Groups[i]
		}
	}
	return nil
}

// lookupGroup finds a group as the user module's group_info does: by gid
// first when the name is a number, then by name.
func (s *Accounts) lookupGroup(g string) *GroupEntry {
	if gid, err := strconv.Atoi(g); err == nil {
		for i := range s.Groups {
			if s.Groups[i].GID == gid {
				return &s.Groups[i]
			}
		}
	}
	return s.GroupByName(g)
}

// AccountsQueryScript asks the host, in one POSIX sh run, for every group,
// each user's passwd line, whether each home (the paths given, and each
// user's passwd home) exists and its parent is a directory, whether
// usermod takes -a, whether /etc/SuSE-release exists, login.defs'
// USERGROUPS_ENAB, uname -s and os-release's ID, and which account tools
// are found; ParseAccounts reads the answer.
func AccountsQueryScript(users, paths []string) string {
	var b strings.Builder
	b.WriteString("command -v getent >/dev/null 2>&1 || { echo 'getent not found on PATH' >&2; exit 127; }\n")
	b.WriteString("home() { echo \"@@path $1\"; [ -e \"$1\" ] && echo exists; [ -d \"$(dirname -- \"$1\")\" ] && echo parent; echo @@end; }\n")
	b.WriteString("echo @@groups; getent group; echo @@end\n")
	for _, u := range users {
		q := shquote.Always(u)
		fmt.Fprintf(&b, "l=$(getent passwd -- %s); echo '@@user '%s; [ -n \"$l\" ] && printf '%%s\\n' \"$l\"; echo @@end\n", q, q)
		b.WriteString("[ -n \"$l\" ] && home \"$(printf '%s\\n' \"$l\" | cut -d: -f6)\"\n")
	}
	for _, p := range paths {
		fmt.Fprintf(&b, "home %s\n", shquote.Always(p))
	}
	b.WriteString("echo @@usermod; (" + sbinPath + "usermod --help) 2>&1 | grep -q '^ *-a, --append' && echo append; echo @@end\n")
	b.WriteString("echo @@suse; [ -e /etc/SuSE-release ] && echo old; echo @@end\n")
	b.WriteString("echo @@usergroups; sed -n 's/^[[:space:]]*USERGROUPS_ENAB[[:space:]][[:space:]]*//p' /etc/login.defs 2>/dev/null | tail -n 1; echo @@end\n")
	b.WriteString("echo @@system; uname -s; sed -n 's/^ID=//p' /etc/os-release 2>/dev/null | tr -d '\"'; echo @@end\n")
	b.WriteString(toolsSection(accountTools))
	return b.String()
}

// toolsSection is a query script's @@tools section: the tools found on
// PATH or in the sbin directories, as the modules' get_bin_path looks.
func toolsSection(tools []string) string {
	return "echo @@tools; (" + sbinPath + "for t in " + strings.Join(tools, " ") + "; do command -v \"$t\" >/dev/null 2>&1 && echo \"$t\"; done); echo @@end\n"
}

// ParseAccounts reads AccountsQueryScript's output.
func ParseAccounts(out string) (*Accounts, error) {
	s := &Accounts{Users: map[string]*Passwd{}, Paths: map[string]HomeState{}, UIDs: map[string]int{}, Tools: map[string]bool{}}
	if err := readSections(out, s.readPart); err != nil {
		return nil, err
	}
	return s, nil
}

// readSections hands each "@@head\nbody@@end" section of a query
// script's output to read, in order.
func readSections(out string, read func(head, body string) error) error {
	for _, part := range strings.Split(out, "@@end\n") {
		head, body, _ := strings.Cut(strings.TrimLeft(part, "\n"), "\n")
		if err := read(head, body); err != nil {
			return err
		}
	}
	return nil
}

func (s *Accounts) readPart(head, body string) error {
	switch {
	case head == "@@groups":
		return s.readGroups(body)
	case strings.HasPrefix(head, "@@user "):
		return s.readUser(strings.TrimPrefix(head, "@@user "), body)
	case strings.HasPrefix(head, "@@path "):
		s.Paths[strings.TrimPrefix(head, "@@path ")] = HomeState{Exists: strings.Contains(body, "exists\n"), ParentDir: strings.Contains(body, "parent\n")}
	case head == "@@usermod":
		s.UsermodAppends = body == "append\n"
	case head == "@@suse":
		s.OldSuSE = body == "old\n"
	case head == "@@usergroups":
		s.UserGroups = strings.EqualFold(strings.Trim(body, "\" \t\n"), "yes") // getdef's value, quotes stripped
	case head == "@@system":
		s.Kernel, s.Distro, _ = strings.Cut(strings.TrimSuffix(body, "\n"), "\n")
	case head == "@@tools":
		for _, t := range strings.Fields(body) {
			s.Tools[t] = true
		}
	}
	return nil
}

func (s *Accounts) readGroups(body string) error {
	for _, line := range strings.Split(strings.TrimSuffix(body, "\n"), "\n") {
		if line == "" {
			continue
		}
		f := strings.Split(line, ":")
		if len(f) != 4 {
			return fmt.Errorf("getent group: %q is not a group line", line)
		}
		gid, err := strconv.Atoi(f[2])
		if err != nil {
			return fmt.Errorf("getent group: %q: gid %q", line, f[2])
		}
		g := GroupEntry{Name: f[0], GID: gid}
		if f[3] != "" {
			g.Members = strings.Split(f[3], ",")
		}
		s.Groups = append(s.Groups, g)
	}
	return nil
}

func (s *Accounts) readUser(name, body string) error {
	line := strings.TrimSuffix(body, "\n")
	if line == "" {
		s.Users[name] = nil
		return nil
	}
	f := strings.Split(line, ":")
	if len(f) != 7 || f[0] != name {
		return fmt.Errorf("getent passwd %s: %q is not its passwd line", name, line)
	}
	uid, err1 := strconv.Atoi(f[2])
	gid, err2 := strconv.Atoi(f[3])
	if err1 != nil || err2 != nil {
		return fmt.Errorf("getent passwd %s: %q: uid or gid is not a number", name, line)
	}
	s.Users[name] = &Passwd{UID: uid, GID: gid, Comment: f[4], Home: f[5], Shell: f[6]}
	return nil
}

// AccountResult is what a group or user task does: the command it runs,
// none when the account is as asked.
type AccountResult struct {
	Argv []string // the command's words: groupadd -r vllm
}

// Changed reports whether the task runs a command: the modules report
// changed exactly then.
func (r AccountResult) Changed() bool { return len(r.Argv) > 0 }

// Refusal is a decision straylight leaves to Ansible: what the module
// would do there, straylight does not run.
type Refusal struct{ Reason string }

func (r *Refusal) Error() string { return r.Reason }

// Account decides a group or user task from the accounts as the task
// finds them. An error is the module's failure, in its words; a *Refusal
// is a case straylight leaves to Ansible.
func Account(a AccountArgs, s *Accounts) (AccountResult, error) {
	if err := s.platform(); err != nil {
		return AccountResult{}, err
	}
	decide := userTask
	if a.Kind == "group" {
		decide = groupTask
	}
	res, err := decide(a, s)
	if err == nil && res.Changed() && !s.Tools[res.Argv[0]] {
		//lint:ignore ST1005 the module's own message
		return AccountResult{}, fmt.Errorf("Failed to find required executable %q", res.Argv[0])
	}
	return res, err
}

// accountTools are the commands the Linux classes of the modules run.
var accountTools = []string{"groupadd", "groupmod", "groupdel", "useradd", "usermod", "userdel"}

// platform refuses a host where the modules run other commands than the
// Linux classes straylight follows.
func (s *Accounts) platform() error {
	switch {
	case s.Kernel != "Linux":
		return &Refusal{fmt.Sprintf("the host runs %q, not Linux: the modules run that platform's commands", s.Kernel)}
	case s.Distro == "alpine" || s.Distro == "buildroot":
		return &Refusal{"on " + s.Distro + " the modules run BusyBox's adduser and addgroup"}
	}
	return nil
}

// groupTask is group.py's main: groupdel for an existing group that
// should be absent, groupadd for a missing one, groupmod -g for a gid
// that differs.
func groupTask(a AccountArgs, s *Accounts) (AccountResult, error) {
	g := s.GroupByName(a.Name)
	switch {
	case a.State == "absent" && g == nil:
		return AccountResult{}, nil
	case a.State == "absent":
		return AccountResult{Argv: append(append([]string{"groupdel"}, flag(a.Force, "-f")...), a.Name)}, nil
	case g == nil:
		argv := append([]string{"groupadd"}, idFlags("-g", a)...)
		return AccountResult{Argv: append(append(argv, flag(a.System, "-r")...), a.Name)}, nil
	case a.ID != nil && g.GID != *a.ID:
		return AccountResult{Argv: append(append([]string{"groupmod"}, idFlags("-g", a)...), a.Name)}, nil
	}
	return AccountResult{}, nil
}

func flag(on bool, words ...string) []string {
	if on {
		return words
	}
	return nil
}

// idFlags are -u or -g with the task's id, and -o when non_unique.
func idFlags(opt string, a AccountArgs) []string {
	if a.ID == nil {
		return nil
	}
	return append([]string{opt, strconv.Itoa(*a.ID)}, flag(a.NonUnique, "-o")...)
}

// userTask is user.py's main on Linux: userdel, useradd or usermod.
func userTask(a AccountArgs, s *Accounts) (AccountResult, error) {
	pw := s.Users[a.Name]
	switch {
	case s.changed(a.Name):
		return AccountResult{}, &Refusal{fmt.Sprintf("an earlier task of the run adds or modifies user %s: what it is then is the run's answer", a.Name)}
	case a.State == "absent" && pw == nil:
		return AccountResult{}, nil
	case a.State == "absent":
		argv := append(append([]string{"userdel"}, flag(a.Force, "-f")...), flag(a.Remove, "-r")...)
		return AccountResult{Argv: append(argv, a.Name)}, nil
	case pw == nil:
		return userAdd(a, s)
	}
	return userMod(a, s, pw)
}

// userAdd is create_user_useradd's command.
func userAdd(a AccountArgs, s *Accounts) (AccountResult, error) {
	argv := append([]string{"useradd"}, idFlags("-u", a)...)
	switch {
	case a.Group != nil && s.lookupGroup(*a.Group) == nil:
		return AccountResult{}, missingGroup(*a.Group)
	case a.Group != nil:
		argv = append(argv, "-g", *a.Group)
	case s.GroupByName(a.Name) != nil && s.OldSuSE:
		return AccountResult{}, &Refusal{"a group named like the user exists and /etc/SuSE-release names the release the module's -N depends on"}
	case s.GroupByName(a.Name) != nil:
		argv = append(argv, "-N")
	}
	groups, err := s.existingGroups(a)
	if err != nil {
		return AccountResult{}, err
	}
	if len(groups) > 0 {
		argv = append(argv, "-G", strings.Join(groups, ","))
	}
	if a.Comment != nil {
		argv = append(argv, "-c", *a.Comment)
	}
	if a.Home != nil {
		if p := s.Paths[*a.Home]; a.CreateHome && !p.ParentDir {
			return AccountResult{}, &Refusal{fmt.Sprintf("the parent of home %s is not a directory: the module makes the home from /etc/skel itself", *a.Home)}
		}
		argv = append(argv, "-d", *a.Home)
	}
	if a.Shell != nil {
		argv = append(argv, "-s", *a.Shell)
	}
	argv = append(argv, map[bool]string{true: "-m", false: "-M"}[a.CreateHome])
	return AccountResult{Argv: append(append(argv, flag(a.System, "-r")...), a.Name)}, nil
}

// existingGroups are the task's supplementary groups, each checked to
// exist as get_groups_set checks it, in the task's order without repeats
// (the module joins a Python set, in no fixed order).
func (s *Accounts) existingGroups(a AccountArgs) ([]string, error) {
	if a.Groups == nil {
		return nil, nil
	}
	var out []string
	for _, g := range *a.Groups {
		if g = strings.TrimSpace(g); g == "" || slices.Contains(out, g) {
			continue
		}
		if s.lookupGroup(g) == nil {
			return nil, missingGroup(g)
		}
		out = append(out, g)
	}
	return out, nil
}

// userMod is modify_user_usermod's command, then main's home check.
func userMod(a AccountArgs, s *Accounts, pw *Passwd) (AccountResult, error) {
	argv := []string{"usermod"}
	if a.ID != nil && pw.UID != *a.ID {
		argv = append(argv, idFlags("-u", a)...)
	}
	if a.Group != nil {
		g := s.lookupGroup(*a.Group)
		if g == nil {
			return AccountResult{}, missingGroup(*a.Group)
		}
		switch {
		case g.GID == -1: // added by an earlier task: its gid is the run's
			argv = append(argv, "-g", g.Name)
		case pw.GID != g.GID:
			argv = append(argv, "-g", strconv.Itoa(g.GID))
		}
	}
	more, err := s.groupsChange(a)
	if err != nil {
		return AccountResult{}, err
	}
	argv = append(argv, more...)
	argv = append(argv, changedField("-c", a.Comment, pw.Comment)...)
	if home := changedField("-d", a.Home, pw.Home); home != nil {
		argv = append(append(argv, home...), flag(a.MoveHome, "-m")...)
	}
	argv = append(argv, changedField("-s", a.Shell, pw.Shell)...)
	if err := s.homeMade(a, pw); err != nil {
		return AccountResult{}, err
	}
	if len(argv) == 1 {
		return AccountResult{}, nil
	}
	return AccountResult{Argv: append(argv, a.Name)}, nil
}

func changedField(opt string, want *string, have string) []string {
	if want == nil || *want == have {
		return nil
	}
	return []string{opt, *want}
}

// groupsChange is usermod's -G (with -a when appending): the groups that
// list the user as a member, its primary group among them when listed,
// against the task's.
func (s *Accounts) groupsChange(a AccountArgs) ([]string, error) {
	if a.Groups == nil {
		return nil, nil
	}
	current := s.memberOf(a.Name)
	want, err := s.groupNames(a)
	if err != nil {
		return nil, err
	}
	if strings.Join(*a.Groups, ",") == "" {
		if len(current) > 0 && !a.Append {
			return []string{"-G", ""}, nil
		}
		return nil, nil
	}
	missing := slices.ContainsFunc(want, func(g string) bool { return !slices.Contains(current, g) })
	extra := slices.ContainsFunc(current, func(g string) bool { return !slices.Contains(want, g) })
	switch {
	case a.Append && missing && !s.UsermodAppends:
		return nil, &Refusal{"usermod on this host has no -a: the module adds the groups with -A"}
	case a.Append && missing:
		return []string{"-a", "-G", strings.Join(want, ",")}, nil
	case !a.Append && (missing || extra):
		return []string{"-G", strings.Join(want, ",")}, nil
	}
	return nil, nil
}

// groupNames are the task's groups as names, each checked to exist, in
// the task's order without repeats. A gid among them is Ansible's: 2.19
// compares its group's name with the user's groups, 2.14 the number as
// written (get_groups_set without names_only).
func (s *Accounts) groupNames(a AccountArgs) ([]string, error) {
	var out []string
	for _, g := range *a.Groups {
		if g = strings.TrimSpace(g); g == "" {
			continue
		}
		if _, err := strconv.Atoi(g); err == nil {
			return nil, &Refusal{fmt.Sprintf("groups names gid %s: ansible-core 2.14 and 2.19 compare it otherwise with the user's groups", g)}
		}
		e := s.lookupGroup(g)
		if e == nil {
			return nil, missingGroup(g)
		}
		if !slices.Contains(out, e.Name) {
			out = append(out, e.Name)
		}
	}
	return out, nil
}

// memberOf are the groups listing the user as a member.
func (s *Accounts) memberOf(user string) []string {
	var out []string
	for _, g := range s.Groups {
		if slices.Contains(g.Members, user) {
			out = append(out, g.Name)
		}
	}
	return out
}

// homeMade: the module makes an existing user's missing home (the task's,
// else the passwd one) from /etc/skel when create_home; straylight leaves
// that to Ansible.
func (s *Accounts) homeMade(a AccountArgs, pw *Passwd) error {
	home := pw.Home
	if a.Home != nil {
		home = *a.Home
	}
	if a.CreateHome && !s.Paths[home].Exists {
		return &Refusal{fmt.Sprintf("home %s does not exist: the module makes it from /etc/skel itself", home)}
	}
	return nil
}

// After is the accounts once the task's command has run: a group added
// (its gid -1 when groupadd picks it), changed or removed, a user
// removed, a user's own group useradd adds (login.defs' USERGROUPS_ENAB).
// A user the task adds or modifies is noted with its uid then (UIDs): a
// later task on it is left to Ansible (its fields are the run's). It returns the accounts
// the task acts on ("user vllm", "group vllm"), the groups a user task
// names among them (it joins or leaves them).
func (s *Accounts) After(a AccountArgs, r AccountResult) []string {
	if !r.Changed() {
		return nil
	}
	acted := []string{a.Kind + " " + a.Name}
	if a.Kind == "group" {
		s.groupAfter(a)
		return acted
	}
	for _, g := range a.ReferencedGroups() {
		acted = append(acted, "group "+g)
	}
	if s.addsOwnGroup(a, r) {
		s.Groups = append(s.Groups, GroupEntry{Name: a.Name, GID: -1})
		acted = append(acted, "group "+a.Name)
	}
	if a.State == "absent" {
		s.Users[a.Name] = nil
		return acted
	}
	s.UIDs[a.Name] = s.uidAfter(a)
	return acted
}

// changed reports whether an earlier task of the plan adds or modifies
// the user.
func (s *Accounts) changed(user string) bool {
	_, ok := s.UIDs[user]
	return ok
}

// addsOwnGroup: the task's useradd adds a group named like the user, as
// shadow's does under USERGROUPS_ENAB yes when given neither -g nor -N
// (the module gives -N when that group exists).
func (s *Accounts) addsOwnGroup(a AccountArgs, r AccountResult) bool {
	return r.Argv[0] == "useradd" && s.UserGroups && a.Group == nil && s.GroupByName(a.Name) == nil
}

// uidAfter is a user's uid once the task has run: the task's, else the
// user's own, else -1 (useradd picks it).
func (s *Accounts) uidAfter(a AccountArgs) int {
	switch pw := s.Users[a.Name]; {
	case a.ID != nil:
		return *a.ID
	case pw != nil:
		return pw.UID
	}
	return -1
}

// IDAfter is the id a user or group an earlier task of the plan acts on
// has once that task has run (the file modules' getpwnam and getgrnam
// then): ErrIDOfRun when useradd or groupadd picks it, an error when the
// task removed the account.
func (s *Accounts) IDAfter(kind, name string) (int, error) {
	id, present := s.UIDs[name]
	if kind == "group" {
		g := s.GroupByName(name)
		id, present = -1, g != nil
		if g != nil {
			id = g.GID
		}
	}
	switch {
	case !present:
		return 0, fmt.Errorf("an earlier task removes %s %s", kind, name)
	case id == -1:
		return 0, ErrIDOfRun
	}
	return id, nil
}

// groupAfter is the groups once a group task has changed one: removed,
// its gid changed (groupmod -g; its members kept), or added.
func (s *Accounts) groupAfter(a AccountArgs) {
	g := s.GroupByName(a.Name)
	switch {
	case a.State == "absent":
		s.Groups = slices.DeleteFunc(s.Groups, func(g GroupEntry) bool { return g.Name == a.Name })
	case g != nil && a.ID != nil:
		g.GID = *a.ID
	case g == nil:
		gid := -1
		if a.ID != nil {
			gid = *a.ID
		}
		s.Groups = append(s.Groups, GroupEntry{Name: a.Name, GID: gid})
	}
}

// sbinPath adds the directories the module's get_bin_path searches after
// PATH (lib/ansible/module_utils/common/process.py).
const sbinPath = "PATH=\"$PATH:/sbin:/usr/sbin:/usr/local/sbin\"; export PATH; "

// Script is the command as a POSIX sh line, found as the module finds it.
func (r AccountResult) Script() string {
	if len(r.Argv) == 0 {
		return ""
	}
	return sbinPath + strings.Join(quotedWords(r.Argv), " ")
}

// Describe is the task's effect in a plan's words.
func (r AccountResult) Describe(a AccountArgs) string {
	if !r.Changed() {
		return a.State
	}
	verb := map[string]string{"groupadd": "add", "useradd": "add", "groupmod": "modify", "usermod": "modify", "groupdel": "remove", "userdel": "remove"}[r.Argv[0]]
	return verb + " (" + strings.Join(quotedWords(r.Argv), " ") + ")"
}

func quotedWords(argv []string) []string {
	out := make([]string, len(argv))
	for i, w := range argv {
		out[i] = shquote.Quote(w)
	}
	return out
}

// Section is what a task's decision reads of the accounts, in a fixed
// form: the apply asks the host again and compares it with the plan's.
func (s *Accounts) Section(a AccountArgs) string {
	var b strings.Builder
	if a.Kind == "group" {
		fmt.Fprintf(&b, "group %s: %s\n", a.Name, groupID(s.GroupByName(a.Name)))
		return b.String()
	}
	fmt.Fprintf(&b, "user %s: %+v member of %v, USERGROUPS_ENAB: %v\n", a.Name, s.Users[a.Name], s.memberOf(a.Name), s.UserGroups)
	for _, g := range a.ReadGroups() {
		fmt.Fprintf(&b, "group %s: %s\n", g, groupID(s.lookupGroup(g)))
	}
	if pw := s.Users[a.Name]; pw != nil {
		fmt.Fprintf(&b, "home %s: %+v\n", pw.Home, s.Paths[pw.Home])
	}
	if a.Home != nil {
		fmt.Fprintf(&b, "home %s: %+v\n", *a.Home, s.Paths[*a.Home])
	}
	fmt.Fprintf(&b, "usermod -a: %v, SuSE-release: %v\n", s.UsermodAppends, s.OldSuSE)
	return b.String()
}

// groupID is what a decision reads of a group: its name and gid (its
// members are read for the user they list, in the user's section).
func groupID(g *GroupEntry) string {
	if g == nil {
		return "absent"
	}
	return fmt.Sprintf("%s gid %d", g.Name, g.GID)
}

// ReadGroups are the groups a user task's decision reads: those it names,
// and without a primary group the one named like the user (a new user's
// -N, or its own group useradd adds).
func (a AccountArgs) ReadGroups() []string {
	if a.Group == nil {
		return append([]string{a.Name}, a.ReferencedGroups()...)
	}
	return a.ReferencedGroups()
}

// ReferencedGroups are the groups a user task names.
func (a AccountArgs) ReferencedGroups() []string {
	var out []string
	if a.Group != nil {
		out = append(out, *a.Group)
	}
	if a.Groups != nil {
		out = append(out, *a.Groups...)
	}
	return out
}

// missingGroup is the user module's failure for a group that does not
// exist.
func missingGroup(name string) error {
	//lint:ignore ST1005 the module's own message
	return fmt.Errorf("Group %s does not exist", name)
}
