package ansible

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/inventory"
	"gopkg.in/yaml.v3"
)

// Playbook is one playbook file.
type Playbook struct {
	Path    string   // relative to the repository root
	Dir     string   // absolute directory: ansible-playbook's basedir
	Plays   []*Play  // in file order
	Imports []string // playbooks it imports (absolute paths)
}

// Play is one play of a playbook.
type Play struct {
	Name       string
	Hosts      string // host pattern
	Connection string // play keyword; ansible_connection overrides it
	Vars       map[string]any
	Roles      []RoleRef
	PreTasks   []*Task // run before the roles
	Tasks      []*Task // run after the roles
	PostTasks  []*Task // run last
	Handlers   []*Task
	VarsFiles  []string                    // as written (may be templates); entries that are lists: the first file found
	VarOrigins map[string]inventory.Origin // where each key under vars is written: the order of its mappings
	Tags       []string
	// Keywords are the play's become, no_log, ignore_errors, run_once and
	// check_mode, which its tasks inherit.
	Keywords
	Environment []EnvEntry // the play's environment keyword, as written
	GatherFacts *bool      // gather_facts; nil when unset (ansible.cfg's gathering decides)
	Serial      bool       // serial is set: hosts run in batches
	Unsupported []string   // play keywords straylight does not honour
	At          Located
}

// RoleRef is one entry of a play's roles: list.
type RoleRef struct {
	Name   string
	Params map[string]any
	When   []any
	Tags   []string
	// Environment is the entry's environment keyword, as written.
	Environment []EnvEntry
	// Keywords are the entry's become, no_log, ignore_errors, run_once
	// and check_mode, which the role's tasks inherit.
	Keywords
	// Vars are the entry's vars keyword: the role's variables, above its
	// vars/main.yml and for its tasks alone from ansible-core 2.15,
	// play-wide and below it before (Repo.entryVars, PlayRun.roleVars).
	Vars map[string]any
	// Refused names an entry keyword straylight does not honour: every
	// task of the role is listed as unsupported, none silently run
	// without it.
	Refused string
	At      Located
	// refusedAt is the entry that set Refused when it is not this one but
	// one of the roles this role is a meta dependency of (Under).
	refusedAt *Located
}

// Under is inner, a role's entry, as the role's tasks and handlers see it
// when the role is a meta dependency of outer's role: Ansible walks a
// task's dep chain for its keywords, conditions, tags and environment
// (Block._get_parent_attribute, lib/ansible/playbook/block.py at v2.14.18
// and v2.19.14), and combines the chain's params and vars before the
// role's own (Role.get_role_params, Role.get_vars). Each keyword and
// value inner sets wins; conditions, tags and environment add up, outer's
// first.
func (outer RoleRef) Under(inner RoleRef) RoleRef {
	out := inner
	out.Params = mergeMaps(outer.Params, inner.Params)
	out.Vars = mergeMaps(outer.Vars, inner.Vars)
	out.When = append(slices.Clip(outer.When), inner.When...)
	out.Tags = AppendUnique(slices.Clone(outer.Tags), inner.Tags...)
	out.Environment = append(slices.Clip(outer.Environment), inner.Environment...)
	out.Keywords = outer.Keywords.Under(inner.Keywords)
	if inner.Refused == "" && outer.Refused != "" {
		at := outer.refusedEntry()
		out.Refused, out.refusedAt = outer.Refused, &at
	}
	return out
}

// refusedEntry is where the keyword Refused names is set.
func (ref RoleRef) refusedEntry() Located {
	if ref.refusedAt != nil {
		return *ref.refusedAt
	}
	return ref.At
}

// refusal is why every task of the role is listed, or "".
func (ref RoleRef) refusal() string {
	if ref.Refused == "" {
		return ""
	}
	return fmt.Sprintf("its role entry (%s) sets %s, which straylight does not honour", ref.refusedEntry(), ref.Refused)
}

// roleEntryRefused are the keywords Ansible reads on a role entry
// (RoleDefinition's and RoleInclude's attributes, the rest being the
// role's params: lib/ansible/playbook/role/definition.py
// _split_role_params) that straylight does not honour.
var roleEntryRefused = map[string]bool{
	"connection": true, "port": true, "remote_user": true, "module_defaults": true,
	"ignore_unreachable": true, "diff": true, "any_errors_fatal": true, "throttle": true,
	"timeout": true, "debugger": true, "become_flags": true, "become_exe": true,
	"delegate_to": true, "delegate_facts": true,
}

// playKeywords are the play keys straylight honours. Others make every task of
// the play unsupported, so nothing the play would do is silently skipped.
var playKeywords = map[string]bool{
	"name": true, "hosts": true, "roles": true, "tasks": true, "pre_tasks": true,
	"post_tasks": true, "handlers": true, "vars": true, "connection": true,
	"gather_facts": true, "tags": true, "vars_files": true, "serial": true, "collections": true,
	"become": true, "become_user": true, "become_method": true, "environment": true,
	"no_log": true, "ignore_errors": true, "run_once": true, "check_mode": true,
}

// LoadPlaybook parses a playbook file.
func LoadPlaybook(repo, path string) (*Playbook, error) {
	root, err := readYAMLFile(path)
	if err != nil {
		return nil, err
	}
	rel, _ := filepath.Rel(repo, path)
	pb := &Playbook{Path: rel, Dir: filepath.Dir(path)}
	if root == nil {
		return pb, nil
	}
	if root.Kind != yaml.SequenceNode {
		return nil, &InputError{At: Located{rel, root.Line}, Msg: "a playbook must be a list of plays"}
	}
	for _, n := range root.Content {
		if err := pb.addEntry(rel, n); err != nil {
			return nil, err
		}
	}
	return pb, nil
}

func (pb *Playbook) addEntry(file string, n *yaml.Node) error {
	for _, kv := range mapPairs(n) {
		if k := kv[0].Value; k == "import_playbook" || k == "ansible.builtin.import_playbook" {
			path := filepath.Join(pb.Dir, kv[1].Value)
			if st, err := os.Stat(path); err != nil || st.IsDir() {
				return &InputError{At: Located{file, kv[1].Line}, Key: "import_playbook", Msg: fmt.Sprintf("Unable to retrieve file contents: could not find or access '%s'", kv[1].Value)}
			}
			pb.Imports = append(pb.Imports, path)
			return nil
		}
	}
	play, err := parsePlay(file, n)
	if err != nil {
		return err
	}
	pb.Plays = append(pb.Plays, play)
	return nil
}

func parsePlay(file string, n *yaml.Node) (*Play, error) {
	if n.Kind != yaml.MappingNode {
		return nil, &InputError{At: Located{file, n.Line}, Msg: "a play must be a mapping"}
	}
	p := &Play{At: Located{file, n.Line}}
	for _, kv := range mapPairs(n) {
		if err := p.set(file, kv[0].Value, kv[1]); err != nil {
			return nil, err
		}
	}
	if p.Hosts == "" {
		return nil, &InputError{At: p.At, Key: "hosts", Msg: "the play has no hosts"}
	}
	return p, nil
}

func (p *Play) set(file, key string, v *yaml.Node) error {
	if ok, err := p.setKeyword(file, key, v); ok {
		return err
	}
	var err error
	switch key {
	case "name":
		p.Name = v.Value
	case "hosts":
		p.Hosts, err = hostsPattern(v)
	case "connection":
		p.Connection = v.Value
	case "serial":
		p.Serial = v.Tag != "!!null"
	case "vars":
		p.Vars, err = decodeMap(file, v)
		p.VarOrigins = nodeOrigins(file, v)
	case "roles":
		p.Roles, err = parseRoleRefs(file, v)
	case "pre_tasks":
		p.PreTasks, err = parseTasks(file, v, false)
	case "tasks":
		p.Tasks, err = parseTasks(file, v, false)
	case "post_tasks":
		p.PostTasks, err = parseTasks(file, v, false)
	case "vars_files":
		p.VarsFiles = stringList(v)
	case "tags":
		p.Tags = tagList(v)
	case "handlers":
		p.Handlers, err = parseTasks(file, v, true)
	case "gather_facts":
		p.GatherFacts, err = boolKeyword(file, key, v)
	case "environment":
		p.Environment, err = environmentEntries(file, v)
	default:
		if !playKeywords[key] {
			p.Unsupported = append(p.Unsupported, key)
		}
	}
	return err
}

// boolKeyword reads a boolean keyword as Ansible's boolean() does.
func boolKeyword(file, key string, v *yaml.Node) (*bool, error) {
	b, ok := ansibleBool(v.Value)
	if v.Kind != yaml.ScalarNode || !ok {
		return nil, &InputError{At: Located{file, v.Line}, Key: key, Msg: fmt.Sprintf("%q is not a boolean", v.Value)}
	}
	return &b, nil
}

// ansibleBool is Ansible's boolean(): yes/no, on/off, true/false, 1/0, y/n, t/f.
func ansibleBool(s string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "true", "t", "on", "1", "1.0":
		return true, true
	case "no", "n", "false", "f", "off", "0", "0.0":
		return false, true
	}
	return false, false
}

// hostsPattern accepts a string or a list of patterns (joined with ':').
func hostsPattern(v *yaml.Node) (string, error) {
	if v.Kind == yaml.ScalarNode {
		return v.Value, nil
	}
	var list []string
	if err := v.Decode(&list); err != nil {
		return "", err
	}
	return strings.Join(list, ":"), nil
}

func decodeMap(file string, v *yaml.Node) (map[string]any, error) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil, nil
	}
	if v.Kind != yaml.MappingNode {
		return nil, &InputError{At: Located{file, v.Line}, Msg: "expected a mapping"}
	}
	a, err := decodeAny(v)
	if err != nil {
		return nil, &InputError{At: Located{file, v.Line}, Msg: err.Error()}
	}
	m, _ := a.(map[string]any)
	return m, nil
}

func parseRoleRefs(file string, v *yaml.Node) ([]RoleRef, error) {
	var refs []RoleRef
	for _, n := range v.Content {
		ref, err := parseRoleRef(file, n)
		if err != nil {
			return nil, err
		}
		refs = append(refs, ref)
	}
	return refs, nil
}

func parseRoleRef(file string, n *yaml.Node) (RoleRef, error) {
	at := Located{file, n.Line}
	if n.Kind == yaml.ScalarNode {
		return RoleRef{Name: n.Value, At: at}, nil
	}
	params, err := decodeMap(file, n)
	if err != nil {
		return RoleRef{}, err
	}
	ref := RoleRef{At: at, Params: map[string]any{}}
	if err := ref.setKeywords(file, n, params); err != nil {
		return RoleRef{}, err
	}
	for k, val := range params {
		switch k {
		case "role", "name":
			ref.Name = fmt.Sprint(val)
		case "when":
			ref.When = anyList(val)
		case "tags":
			ref.Tags = tagStrings(val)
		case "environment":
			ref.Environment = entriesAt(at, val)
		default:
			ref.Params[k] = val
		}
	}
	if ref.Name == "" {
		return RoleRef{}, &InputError{At: at, Key: "role", Msg: "role entry has no name"}
	}
	return ref, nil
}

// setKeywords takes the entry's keywords out of params: Keywords, vars,
// and the ones straylight refuses (Refused, the first in the entry).
func (ref *RoleRef) setKeywords(file string, n *yaml.Node, params map[string]any) error {
	for _, kv := range mapPairs(n) {
		key := kv[0].Value
		ok, err := ref.setKeyword(file, key, kv[1])
		switch {
		case err != nil:
			return err
		case ok:
		case key == "vars":
			if ref.Vars, err = decodeMap(file, kv[1]); err != nil {
				return err
			}
		case roleEntryRefused[key] && ref.Refused == "":
			ref.Refused = key
		case !roleEntryRefused[key]:
			continue
		}
		delete(params, key)
	}
	return nil
}

// anyList is a value as a list: itself when it is one, else a list of one.
func anyList(v any) []any {
	if list, ok := v.([]any); ok {
		return list
	}
	return []any{v}
}

// tagStrings reads decoded tags: a list or a comma-separated string.
func tagStrings(v any) []string {
	var out []string
	for _, t := range anyList(v) {
		for _, part := range strings.Split(fmt.Sprint(t), ",") {
			out = AppendUnique(out, strings.TrimSpace(part))
		}
	}
	return out
}
