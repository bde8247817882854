package filemod

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	udiff "github.com/aymanbagabas/go-udiff"
	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// Attrs are a template, copy or lineinfile task's mode, owner and group,
// templated (a YAML integer mode already printed in octal by ModeString).
type Attrs struct {
	Mode, Owner, Group string
	// Chained: a symbolic mode's clauses read the mode the earlier ones
	// made (g=u after u=rw), as since ansible-core 2.16; before, each read
	// the file's mode as it was.
	Chained bool
	// LineInFile: lineinfile's diff, headed "PATH (file attributes)"
	// without the path among the keys; template and copy show the file
	// module's, with the path.
	LineInFile bool
}

// AttrState is what a file's attributes are on the host now.
type AttrState struct {
	Exists       bool
	Mode         uint32 // permission bits (07777)
	UID, GID     int
	Owner, Group string // the ids' names
	Umask        uint32 // the host's umask: a new file's mode and a who-less symbolic mode follow it
}

// IDLookup resolves a user ("user") or a group ("group") name to its id
// on the host; it is asked only for a name the file does not have already.
// It answers ErrIDOfRun for an account an earlier task of the run adds.
type IDLookup func(kind, name string) (int, error)

// ErrIDOfRun is an IDLookup's answer for a user or group an earlier task
// of the run adds without giving its id: useradd or groupadd picks it
// then. The change is planned by name (the diff shows the name where the
// run's would show the id it got), and the apply sets it by name.
var ErrIDOfRun = errors.New("added by an earlier task of the run: its id is the run's")

// AttrResult is what the module's set_owner/group/mode_if_different would
// do to the file.
type AttrResult struct {
	Changed bool
	// Mode is the mode to set, resolved against the file as Ansible
	// resolves it, in octal ("0644"); "" when the task sets none.
	Mode string
	// Before and After hold the attributes that change, as Ansible's diff
	// shows them: mode as "0644", owner and group as numeric ids.
	Before, After map[string]any
	Diff          string // Ansible's --diff of them, with the path
}

// newFilePerm is the mode Ansible's atomic_move gives a file it creates,
// before the task's mode is applied: 0666 less the umask.
const newFilePerm = 0o666

// CompareAttrs computes the task's attribute changes on the file at path.
// A file that does not exist yet gets them all, with no diff (Ansible
// shows a new file's content only), and its owner and group are not looked
// up: Ansible's check mode calls an absent file changed before it would
// (a user an earlier task creates need not exist yet); the mode is then resolved against the
// new file's 0666 less the umask. Errors are the module's own failures.
func CompareAttrs(path string, a Attrs, cur AttrState, lookup IDLookup) (AttrResult, error) {
	base := cur.Mode
	if !cur.Exists {
		base = newFilePerm &^ cur.Umask
	}
	r := AttrResult{Before: map[string]any{}, After: map[string]any{}}
	if err := r.owner(a.Owner, cur, lookup); err != nil {
		return AttrResult{}, err
	}
	if err := r.group(a.Group, cur, lookup); err != nil {
		return AttrResult{}, err
	}
	if err := r.mode(a, base, cur); err != nil {
		return AttrResult{}, err
	}
	return r.finish(path, cur.Exists, a.LineInFile), nil
}

func (r *AttrResult) owner(owner string, cur AttrState, lookup IDLookup) error {
	if owner == "" || !cur.Exists {
		return nil // a file check mode finds absent is changed, unlooked-up (check_file_absent_if_check_mode)
	}
	uid, err := resolveID("user", owner, cur.Exists && owner == cur.Owner, cur.UID, lookup)
	if errors.Is(err, ErrIDOfRun) {
		r.note("owner", true, cur.UID, owner)
		return nil
	}
	if err != nil {
		return fmt.Errorf("chown failed: failed to look up user %s", owner)
	}
	r.note("owner", cur.Exists && uid != cur.UID, cur.UID, uid)
	return nil
}

func (r *AttrResult) group(group string, cur AttrState, lookup IDLookup) error {
	if group == "" || !cur.Exists {
		return nil // a file check mode finds absent is changed, unlooked-up (check_file_absent_if_check_mode)
	}
	gid, err := resolveID("group", group, cur.Exists && group == cur.Group, cur.GID, lookup)
	if errors.Is(err, ErrIDOfRun) {
		r.note("group", true, cur.GID, group)
		return nil
	}
	if err != nil {
		return fmt.Errorf("chgrp failed: failed to look up group %s", group)
	}
	r.note("group", cur.Exists && gid != cur.GID, cur.GID, gid)
	return nil
}

func (r *AttrResult) mode(a Attrs, base uint32, cur AttrState) error {
	if a.Mode == "" {
		return nil
	}
	m, err := ResolveMode(a.Mode, base, cur.Umask, a.Chained)
	if err != nil {
		return err
	}
	r.Mode = OctalMode(m)
	r.note("mode", cur.Exists && m != cur.Mode, OctalMode(cur.Mode), r.Mode)
	return nil
}

// note records one attribute's change; a new file's are applied, not shown.
func (r *AttrResult) note(key string, differs bool, before, after any) {
	if differs {
		r.Changed = true
		r.Before[key], r.After[key] = before, after
	}
}

func (r AttrResult) finish(path string, exists, lineinfile bool) AttrResult {
	switch {
	case !r.Changed || !exists:
	case lineinfile:
		header := path + " (file attributes)"
		r.Diff = udiff.Unified("before: "+header, "after: "+header, pyJSON(r.Before), pyJSON(r.After))
	default:
		r.Before["path"], r.After["path"] = path, path
		r.Diff = unifiedDiff(pyJSON(r.Before), pyJSON(r.After))
	}
	return r
}

// resolveID is a numeric id as given, the file's own id when the name is
// the file's, else the host's answer.
func resolveID(kind, name string, same bool, curID int, lookup IDLookup) (int, error) {
	if id, err := strconv.Atoi(name); err == nil {
		return id, nil
	}
	if same {
		return curID, nil
	}
	if lookup == nil {
		return 0, fmt.Errorf("no %s lookup", kind)
	}
	return lookup(kind, name)
}

// OctalMode prints permission bits as Ansible's diff does ("0644", "01755").
func OctalMode(m uint32) string { return fmt.Sprintf("0%03o", m) }

// ResolveMode is the mode Ansible's modules set for a mode argument on a
// file whose permission bits are cur: an octal string ("0644", "644",
// "0o644") read as octal, else a symbolic mode ("u=rw,g=r,o=r", "u+x",
// "a-w", "+x") applied to cur as AnsibleModule._symbolic_mode_to_octal
// applies it, a who-less clause keeping the umask's bits. (A YAML integer
// arrives printed in octal by ModeString: mode: 644 is the number 644,
// that is 01204, as Ansible sets it.) chained: see Attrs.Chained.
func ResolveMode(mode string, cur, umask uint32, chained bool) (uint32, error) {
	if v, ok := pyOctal(mode); ok {
		if v > 0o7777 {
			return 0, fmt.Errorf("invalid mode supplied, only permission info is allowed: %s", mode)
		}
		return uint32(v), nil
	}
	m, err := symbolicMode(mode, cur&0o7777, umask, chained)
	if err != nil {
		return 0, fmt.Errorf("mode must be in octal or symbolic form: %s (%v)", mode, err)
	}
	return m, nil
}

// pyOctal reads a string as Python's int(s, 8) does (without underscores).
func pyOctal(s string) (uint64, bool) {
	s = strings.TrimSpace(s)
	s = strings.TrimPrefix(strings.TrimPrefix(s, "0o"), "0O")
	v, err := strconv.ParseUint(s, 8, 64)
	return v, err == nil && s != ""
}

var (
	modeOperator = lazyre.New(`[+=-]`)
	modeUsers    = lazyre.New(`^[ugo]+$`)
	modePerms    = lazyre.New(`^[rwxXstugo]*$`)
)

// symbolicMode applies each comma-separated clause to the mode in turn.
func symbolicMode(spec string, mode, umask uint32, chained bool) (uint32, error) {
	orig := mode
	for _, clause := range strings.Split(spec, ",") {
		ops := modeOperator().FindAllString(clause, -1)
		perms := modeOperator().Split(clause, -1)
		users := perms[0]
		useUmask := users == ""
		if users == "" || users == "a" {
			users = "ugo"
		}
		if !modeUsers().MatchString(users) {
			return 0, fmt.Errorf("bad symbolic permission for mode: %s", clause)
		}
		var err error
		if mode, err = applyClause(clause, users, ops, perms[1:], modes{cur: mode, read: orig, chained: chained}, symbolicUmask(useUmask, umask)); err != nil {
			return 0, err
		}
	}
	return mode, nil
}

// symbolicUmask is the reversed umask r, w and x are masked with: the
// umask's for a who-less clause, none otherwise.
func symbolicUmask(useUmask bool, umask uint32) uint32 {
	if useUmask {
		return umask ^ 0o7777
	}
	return 0o7777
}

// modes: the mode being built, and the one a clause's perms read (the
// same, or before 2.16 the file's original).
type modes struct {
	cur, read uint32
	chained   bool
}

func applyClause(clause, users string, ops, perms []string, m modes, revUmask uint32) (uint32, error) {
	for i, p := range perms {
		if !modePerms().MatchString(p) {
			return 0, fmt.Errorf("bad symbolic permission for mode: %s", clause)
		}
		for _, u := range users {
			read := m.read
			if m.chained {
				read = m.cur
			}
			m.cur = applyOperator(u, ops[i], permsFor(u, p, read, revUmask), m.cur)
		}
	}
	return m.cur, nil
}

// permsFor is the bits perms stand for in user's class (u, g or o), as
// _get_octal_mode_from_symbolic_perms computes them. X counts only where
// some execute bit is already set (Ansible plans files, not directories).
func permsFor(user rune, perms string, prev, revUmask uint32) uint32 {
	shift := map[rune]uint{'u': 6, 'g': 3, 'o': 0}[user]
	class := func(c rune) uint32 { return (prev >> map[rune]uint{'u': 6, 'g': 3, 'o': 0}[c] & 0o7) << shift }
	special := map[rune]map[rune]uint32{'u': {'s': 0o4000}, 'g': {'s': 0o2000}, 'o': {'t': 0o1000}}[user]
	var out uint32
	for _, p := range perms {
		switch p {
		case 'r', 'w', 'x':
			out |= uint32(map[rune]uint32{'r': 4, 'w': 2, 'x': 1}[p]) << shift & revUmask
		case 'X':
			if prev&0o111 != 0 {
				out |= 1 << shift
			}
		case 's', 't':
			out |= special[p]
		case 'u', 'g', 'o':
			out |= class(p)
		}
	}
	return out
}

// applyOperator applies =, + or - for one class.
func applyOperator(user rune, op string, bits, mode uint32) uint32 {
	switch op {
	case "=":
		mask := map[rune]uint32{'u': 0o4700, 'g': 0o2070, 'o': 0o1007}[user]
		return mode&(mask^0o7777) | bits
	case "+":
		return mode | bits
	}
	return mode &^ bits
}
