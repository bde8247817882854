package render

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// Magic holds the variables Ansible computes for a host instead of reading
// them from the repository.
type Magic struct {
	// InventoryHostname is inventory_hostname (and, up to the first dot,
	// inventory_hostname_short).
	InventoryHostname string
	// GroupNames is group_names: the host's groups but `all`, ancestors
	// included, sorted.
	GroupNames []string
	// Groups is groups: every group (with `all` and `ungrouped`) and its
	// hosts in inventory order. Share one map between all scopes.
	Groups map[string][]string
	// HostVars finds another host's scope for hostvars[host]. That host's
	// variables are templated only when a template reads them. Nil means
	// hostvars is undefined.
	HostVars func(host string) (*Scope, bool)
	// PlaybookDir is playbook_dir: the folder of the playbook being run
	// (absolute). Empty means undefined.
	PlaybookDir string
	// Facts supplies the host's gathered facts (ansible_facts and the
	// ansible_<fact> variables) to a name no layer defines; nil: the play
	// gathers none, and the names are undefined as in Ansible.
	Facts FactSource
	// Options gives the magic variables Ansible sets from its command line
	// and configuration (ansible_version, ansible_run_tags, ansible_limit,
	// …): the value of name and whether it is one. A value may be an error
	// (one straylight cannot know exactly says it is not supported). It is
	// asked for every name a template looks up, on first use, so it must
	// answer cheaply for the names it does not define; nil: none.
	Options func(name string) (any, bool)
}

// FactSource is a host's gathered facts, as Ansible's setup module gives
// them. The first fact a template or condition reads gathers them.
type FactSource interface {
	// Var is the value of the variable name when it is a gathered fact;
	// ok is false when it is none. A gathering that failed is err.
	Var(name string) (value any, ok bool, err error)
}

// Scope is one host's variables: raw values exactly as loaded (strings may
// themselves be templates), merged by precedence, plus its magic variables.
// A variable is templated, against this same scope, the first time a
// template uses it; the result is cached. A Scope is safe for concurrent
// use; use it with one Engine.
type Scope struct {
	raw    layers
	magic  Magic
	search []string // where lookups find files (lookups.go)
	mu     sync.Mutex
	cache  map[string]any
}

// WithSearchPath returns s with the directories lookups (file, template,
// first_found, fileglob) search: a role's (then its dep chain's) and the
// playbook's, in Ansible's order; each is tried with the lookup's sub directory (files/,
// templates/), then as it is.
func (s *Scope) WithSearchPath(dirs []string) *Scope {
	c := s.sameVars(s.magic)
	c.search = dirs
	return c
}

// WithFacts returns s whose gathered facts come from facts (a play's
// setup task gathered them): its raw variables and search path are s's,
// nothing templated in s is reused.
func (s *Scope) WithFacts(facts FactSource) *Scope {
	magic := s.magic
	magic.Facts = facts
	c := s.sameVars(magic)
	c.search = s.search
	return c
}

// sameVars is a fresh scope (nothing templated) of s's raw variables.
func (s *Scope) sameVars(magic Magic) *Scope {
	return &Scope{raw: s.raw, magic: magic, cache: map[string]any{}}
}

// NewScope returns the scope of a host whose merged raw variables are raw.
// Values may be scalars, []any, map[string]any (taken in sorted key order),
// *Map (insertion order, as Ansible keeps it) and *yaml.Node.
func NewScope(raw map[string]any, magic Magic) *Scope {
	return &Scope{raw: layers{raw}, magic: magic, cache: map[string]any{}}
}

// NewLayeredScope is NewScope of the variables of raw, each map's
// overriding those of the maps after it (the highest precedence first), laid
// over one another rather than merged into a copy: a caller can share a
// layer between scopes (a host's inventory variables, a play's role
// defaults). Nil and empty maps are left out; none may change afterwards.
func NewLayeredScope(magic Magic, raw ...map[string]any) *Scope {
	kept := make(layers, 0, len(raw))
	for _, vars := range raw {
		if len(vars) > 0 {
			kept = append(kept, vars)
		}
	}
	return &Scope{raw: kept, magic: magic, cache: map[string]any{}}
}

// With returns a new scope whose variables are s's overridden by vars (task
// or template variables, which have higher precedence). Nothing templated in
// s is reused, since s's variables may refer to the overridden ones. vars
// is laid over s's variables, not merged into a copy of them (a role's
// three role_path variables copied a host's whole map: 6 % of the heap
// left after planning 1,000 hosts), so neither may change afterwards.
func (s *Scope) With(vars map[string]any) *Scope {
	c := s.sameVars(s.magic)
	if len(vars) > 0 {
		c.raw = append(layers{vars}, s.raw...)
	}
	c.search = s.search
	return c
}

// Raw returns a variable's value as loaded, untemplated.
func (s *Scope) Raw(name string) (any, bool) { return s.raw.get(name) }

// RawNames are the names of s's variables (magic ones aside), sorted.
func (s *Scope) RawNames() []string { return s.raw.names() }

// layers are a scope's raw variables, the highest precedence first.
type layers []map[string]any

func (l layers) get(name string) (any, bool) {
	for _, vars := range l {
		if value, ok := vars[name]; ok {
			return value, true
		}
	}
	return nil, false
}

// names are the variables of every layer, sorted.
func (l layers) names() []string {
	if len(l) == 1 {
		return sortedKeys(l[0])
	}
	seen := map[string]bool{}
	for _, vars := range l {
		for name := range vars {
			seen[name] = true
		}
	}
	return sortedKeys(seen)
}

func (s *Scope) cached(name string) (any, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	value, ok := s.cache[name]
	return value, ok
}

func (s *Scope) store(name string, value any) {
	s.mu.Lock()
	s.cache[name] = value
	s.mu.Unlock()
}

// defines tells whether name is a variable of this scope, raw or magic.
func (s *Scope) defines(name string) bool {
	if _, ok := s.raw.get(name); ok {
		return true
	}
	_, ok := s.magicValue(nil, name, nil)
	return ok
}

// chain is the stack of variables being templated, to detect a variable
// that needs itself (Ansible: "recursive loop detected in template string").
type chain struct {
	scope *Scope
	name  string
	next  *chain
	depth int
}

const maxTemplatingDepth = 100

func (c *chain) push(s *Scope, name string) *chain {
	depth := 1
	if c != nil {
		depth = c.depth + 1
	}
	return &chain{scope: s, name: name, next: c, depth: depth}
}

func (c *chain) holds(s *Scope, name string) bool {
	for link := c; link != nil; link = link.next {
		if link.scope == s && link.name == name {
			return true
		}
	}
	return c != nil && c.depth >= maxTemplatingDepth
}

// lookup returns the templated value of name in s: an engine value, an
// *UndefinedError (usable by default() and `is defined`), or another error.
func (e *Engine) lookup(s *Scope, name string, c *chain) any {
	if value, ok := s.magicValue(e, name, c); ok {
		return value
	}
	raw, ok := s.raw.get(name)
	if !ok {
		return s.factValue(name)
	}
	if value, ok := s.cached(name); ok {
		return value
	}
	if c.holds(s, name) {
		return fmt.Errorf("recursive loop detected in template string: %s", pyStr(canonical(raw)))
	}
	value, err := e.templateValue(s, raw, c.push(s, name))
	if err != nil {
		return lazyFailure(name, raw, err)
	}
	s.store(name, value)
	return value
}

// factValue is a name no layer defines: a gathered fact, or undefined.
// Facts rank below every layer straylight reads (Ansible puts them above
// the inventory's variables and below play vars).
func (s *Scope) factValue(name string) any {
	if s.magic.Facts == nil {
		return &UndefinedError{Name: name}
	}
	value, ok, err := s.magic.Facts.Var(name)
	switch {
	case err != nil:
		return err
	case !ok:
		return &UndefinedError{Name: name}
	}
	return canonical(value)
}

// lazyFailure is what a variable whose templating failed looks like to the
// template using it. Like Ansible's AnsibleJ2Vars, an undefined variable
// inside it makes it undefined (so default() still applies); other errors
// stay errors. Failures are not cached: a loop detected on one path may not
// exist on another.
func lazyFailure(name string, raw any, err error) error {
	if undefined, ok := asUndefined(err); ok {
		return &UndefinedError{Name: name, Hint: fmt.Sprintf("undefined variable '%s': %s: %s", name, pyStr(canonical(raw)), undefined.Error())}
	}
	message := err.Error()
	var inner *Error
	if errors.As(err, &inner) {
		message = inner.Message
	}
	return fmt.Errorf("error while templating variable '%s' (%s): %s", name, pyStr(canonical(raw)), message)
}

// magicValue returns the magic variables. e and c are only needed for the
// lazy views (hostvars, vars); with a nil e it only reports presence.
func (s *Scope) magicValue(e *Engine, name string, c *chain) (any, bool) {
	switch name {
	case "inventory_hostname":
		return s.magic.InventoryHostname, s.magic.InventoryHostname != ""
	case "inventory_hostname_short":
		short, _, _ := strings.Cut(s.magic.InventoryHostname, ".")
		return short, s.magic.InventoryHostname != ""
	case "playbook_dir":
		return s.magic.PlaybookDir, s.magic.PlaybookDir != ""
	case "group_names":
		return stringList(s.magic.GroupNames), s.magic.GroupNames != nil
	case "groups":
		return groupsMap(s.magic.Groups), s.magic.Groups != nil
	case "hostvars":
		return &hostVarsView{engine: e, scope: s, chain: c}, s.magic.HostVars != nil
	case "vars":
		return &hostView{engine: e, scope: s, chain: c}, true
	case "omit":
		return omitFor(e), true
	case "ansible_check_mode", "ansible_diff_mode":
		// What a plan describes is the run --apply makes: not check mode,
		// as ansible-playbook without --check (or --diff) sets them.
		return false, true
	case "ansible_managed":
		// Ansible defines it for templates only; here it is also defined
		// for module arguments, so that the variables templates use can be
		// cached once per host.
		if e == nil {
			return nil, true
		}
		return e.opts.AnsibleManaged, true
	}
	if s.magic.Options == nil {
		return nil, false
	}
	value, ok := s.magic.Options(name)
	return canonical(value), ok
}

func stringList(values []string) pyList {
	out := make(pyList, len(values))
	for i, value := range values {
		out[i] = value
	}
	return out
}

// groupsMap is the groups magic variable: a named version of the caller's
// map, so no per-host copy is made; gonja's `in` and length work on it.
type groupsMap map[string][]string

func (g groupsMap) String() string { return pyRepr(g.dict()) }

func (g groupsMap) dict() pyDict {
	out := newDict(len(g))
	for _, name := range g.names() {
		out.set(name, stringList(g[name]))
	}
	return out
}

func (g groupsMap) names() []string {
	names := make([]string, 0, len(g))
	for name := range g {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// GetItem implements exec.ItemGetter.
func (g groupsMap) GetItem(key any) (*exec.Value, bool) {
	name := dictKey(key)
	if hosts, ok := g[name]; ok {
		return exec.AsValue(stringList(hosts)), true
	}
	return undefinedValue(&UndefinedError{Name: name, Hint: fmt.Sprintf("'dict object' has no attribute '%s'", name)}), true
}

// GetAttribute implements exec.AttributeGetter.
func (g groupsMap) GetAttribute(name string) (*exec.Value, bool) {
	if method := dictMethod(g.dict(), name); method != nil {
		return exec.AsValue(method), true
	}
	return g.GetItem(name)
}

// hostVarsView is hostvars: hostvars[host] gives a view of that host's
// variables, templated against that host's scope only when read.
type hostVarsView struct {
	engine *Engine
	scope  *Scope
	chain  *chain
}

func (h *hostVarsView) String() string { return "HostVars" }

func (h *hostVarsView) hosts() []string { return h.scope.magic.Groups["all"] }

// GetItem implements exec.ItemGetter.
func (h *hostVarsView) GetItem(key any) (*exec.Value, bool) {
	host := dictKey(key)
	scope, ok := h.scope.magic.HostVars(host)
	if !ok {
		return undefinedValue(&UndefinedError{Name: host, Hint: fmt.Sprintf("'hostvars' has no host '%s'", host)}), true
	}
	return exec.AsValue(&hostView{engine: h.engine, scope: scope, chain: h.chain}), true
}

// GetAttribute implements exec.AttributeGetter.
func (h *hostVarsView) GetAttribute(name string) (*exec.Value, bool) { return h.GetItem(name) }

// hostView is one host's variables (hostvars[host], or vars).
type hostView struct {
	engine *Engine
	scope  *Scope
	chain  *chain
}

func (v *hostView) String() string { return pyRepr(v.dict()) }

func (v *hostView) names() []string { return v.scope.raw.names() }

// dict templates all the host's variables; only printing or iterating a
// whole host needs it.
func (v *hostView) dict() pyDict {
	names := v.names()
	out := newDict(len(names))
	for _, name := range names {
		out.set(name, v.engine.lookup(v.scope, name, v.chain))
	}
	return out
}

// GetItem implements exec.ItemGetter.
func (v *hostView) GetItem(key any) (*exec.Value, bool) {
	name := dictKey(key)
	value := v.engine.lookup(v.scope, name, v.chain)
	if err, ok := value.(error); ok {
		return exec.AsValue(err), true
	}
	return exec.AsValue(value), true
}

// GetAttribute implements exec.AttributeGetter. A dict's reading methods
// come first, as Jinja2's getattr finds a Mapping's methods before its
// items: hostvars[h] is a Mapping (HostVarsVars, vars/hostvars.py:133 at
// v2.14.18, :85 at v2.19.14), so hostvars[h].get('ansible_host', h) is
// Mapping.get, read lazily here; keys, items and values read them all.
func (v *hostView) GetAttribute(name string) (*exec.Value, bool) {
	if name == "get" {
		return exec.AsValue(v.get), true
	}
	if read := dictReader(name); read != nil {
		return exec.AsValue(boundReader(v.dict(), read)), true
	}
	return v.GetItem(name)
}

// get is the host's variable, templated, or the default (None) when the
// host has no variable of that name; a variable that fails to template
// fails the call.
func (v *hostView) get(va *exec.VarArgs) *exec.Value {
	args, err := dictCall("get", va).positional(1, 2)
	if err != nil {
		return methodResult(nil, err)
	}
	name := dictKey(freeze(args[0]))
	value := v.engine.lookup(v.scope, name, v.chain)
	if undefined, ok := value.(*UndefinedError); ok && undefined.Name == name {
		if len(va.Args) > 1 {
			return va.Args[1]
		}
		return exec.AsValue(nil)
	}
	return methodResult(value, nil)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for key := range m {
		keys = append(keys, key)
	}
	sort.Strings(keys)
	return keys
}
