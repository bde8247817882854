package ansible

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/internal/lazyre"
	"github.com/straylight-fleet/straylight/render"
)

// loopItems evaluates a task's loop (loop, with_items, with_list, with_dict,
// with_fileglob) to its items, as Ansible's loop and lookup plugins do.
func (wk *walker) loopItems(f frame, t *Task) ([]any, error) {
	hs := wk.scopeFor(f, t, nil)
	v, err := hs.repo.engine().TemplateOrdered(hs.scope, t.Loop)
	if err != nil {
		return nil, err
	}
	switch t.LoopKind {
	case "items":
		return flattenOnce(anyList(v)), nil
	case "list":
		return anyList(v), nil
	case "dict":
		return dictItems(v)
	case "fileglob":
		return wk.fileglob(t, anyList(v)), nil
	}
	list, ok := asList(v)
	if !ok {
		return nil, ansibleMessage(fmt.Sprintf("Invalid data passed to 'loop', it requires a list, got this instead: %s. Hint: If you passed a list/dict of just one element, try adding wantlist=True to your lookup invocation or use q/query instead of lookup.", render.PyStr(v)))
	}
	return list, nil
}

func asList(v any) ([]any, bool) {
	switch l := v.(type) {
	case []any:
		return l, true
	case []string:
		out := make([]any, len(l))
		for i, s := range l {
			out[i] = s
		}
		return out, true
	}
	return nil, false
}

// flattenOnce is with_items: lists inside the list are spliced in.
func flattenOnce(list []any) []any {
	var out []any
	for _, e := range list {
		if inner, ok := asList(e); ok {
			out = append(out, inner...)
		} else {
			out = append(out, e)
		}
	}
	return out
}

// dictItems is with_dict: one {key, value} item per entry, in the
// mapping's order.
func dictItems(v any) ([]any, error) {
	keys, get, ok := render.MapEntries(v)
	if !ok {
		return nil, fmt.Errorf("with_dict expects a dict")
	}
	out := make([]any, 0, len(keys))
	for _, k := range keys {
		out = append(out, map[string]any{"key": k, "value": get(k)})
	}
	return out, nil
}

// fileglob is with_fileglob: files matching each pattern, relative patterns
// looked up in the role's files/ and the playbook's files/.
func (wk *walker) fileglob(t *Task, patterns []any) []any {
	var out []any
	for _, p := range patterns {
		pattern := fmt.Sprint(p)
		for _, dir := range wk.searchDirs(t, "files") {
			matches := globFiles(filepath.Join(dir, pattern))
			if filepath.IsAbs(pattern) {
				matches = globFiles(pattern)
			}
			if len(matches) > 0 {
				out = append(out, matches...)
				break
			}
		}
	}
	return out
}

// globFiles is the fileglob lookup's matches for one pattern: Python's
// glob (unsorted, hidden names left to patterns that start with a dot),
// files only, as render's fileglob filter and lookup read them.
func globFiles(pattern string) []any {
	var out []any
	for _, m := range render.FileGlob(pattern) {
		out = append(out, m)
	}
	return out
}

// searchDirs are where a task's relative paths are looked up: the role's
// sub directory and the role itself, then the playbook's.
func (wk *walker) searchDirs(t *Task, sub string) []string {
	var dirs []string
	if t.RoleDir != "" {
		dirs = append(dirs, filepath.Join(t.RoleDir, sub), t.RoleDir)
	}
	return append(dirs, filepath.Join(wk.run.Playbook.Dir, sub), wk.run.Playbook.Dir)
}

// loopVars are the variables one loop item binds: loop_control's loop_var
// (item by default) and index_var.
func (t *Task) loopVars(items []any, index int) map[string]any {
	name := "item"
	if v, ok := t.LoopControl["loop_var"]; ok && v != nil {
		name = fmt.Sprint(v)
	}
	vars := map[string]any{name: items[index], "ansible_loop_var": name}
	if v, ok := t.LoopControl["index_var"]; ok && v != nil {
		vars[fmt.Sprint(v)] = index
		vars["ansible_index_var"] = fmt.Sprint(v)
	}
	if t.loopControlFlag("extended", false) {
		vars["ansible_loop"] = extendedLoop(items, index, t.loopControlFlag("extended_allitems", true))
	}
	return vars
}

// loopControlFlag is a boolean of loop_control, read as Ansible's
// boolean() reads it.
func (t *Task) loopControlFlag(key string, def bool) bool {
	v, ok := t.LoopControl[key]
	if !ok || v == nil {
		return def
	}
	b, known := ansibleBool(fmt.Sprint(v))
	return known && b
}

// extendedLoop is ansible_loop for loop_control's extended, its keys in
// Ansible's order (TaskExecutor._run_loop,
// lib/ansible/executor/task_executor.py:295-312 at v2.14.18).
func extendedLoop(items []any, i int, allItems bool) *render.Map {
	n := len(items)
	m := render.NewMap()
	for _, kv := range []struct {
		key   string
		value any
	}{{"index", i + 1}, {"index0", i}, {"first", i == 0}, {"last", i+1 == n}, {"length", n}, {"revindex", n - i}, {"revindex0", n - i - 1}} {
		m.Set(kv.key, kv.value)
	}
	if allItems {
		m.Set("allitems", items)
	}
	if i+1 < n {
		m.Set("nextitem", items[i+1])
	}
	if i > 0 {
		m.Set("previtem", items[i-1])
	}
	return m
}

// registerNoItems registers what a loop without items leaves: Ansible
// skips the task with "No items in the list" and empty results
// (TaskExecutor.run, task_executor.py at v2.14.18).
func (wk *walker) registerNoItems(t *Task) {
	if t.Register != "" {
		wk.registerResult(t.Register, map[string]any{"changed": false, "skipped": true, "skipped_reason": "No items in the list", "results": []any{}})
	}
}

// registerResult registers a result straylight knows now, in place of
// any file tasks or unknown result the name held.
func (wk *walker) registerResult(name string, result map[string]any) {
	delete(wk.unknown, name)
	delete(wk.registered, name)
	wk.facts[name] = result
}

// holds evaluates a task's conditions and those it inherits.
func (wk *walker) holds(hs *HostScope, f frame, t *Task) (bool, error) {
	for _, cond := range append(append([]any(nil), f.when...), t.When...) {
		ok, err := wk.repo.condition(hs, cond)
		if err != nil {
			return false, wk.conditionError(t, cond, err)
		}
		if !ok {
			return false, nil
		}
	}
	return true, nil
}

// ResultCondition is a task's dependence on a registered result straylight
// knows only once the host is read: the task runs only if the registered
// file tasks changed something (Want true), or only if none did; or, for
// a stat's result (Kinds not nil), only if what is at its path is a kind
// for which Kinds says true — for a kind in Unknown, the conditions ask
// what straylight does not know (the error says what), and the task is
// Ansible's.
type ResultCondition struct {
	Register string
	Tasks    []*FileTask // the registering task's runs (one per loop item)
	Want     bool
	Kinds    map[string]bool   // filemod.StatKinds
	Unknown  map[string]string // kind → why the conditions cannot say
}

// describe says what the condition reads, for a task that cannot wait for
// it: whether the registered tasks changed, or what the stat's path is.
func (rc *ResultCondition) describe() string {
	if rc.Kinds != nil {
		return fmt.Sprintf("what the path of %q is", rc.Register)
	}
	return fmt.Sprintf("whether %q changed", rc.Register)
}

// conditionOutcome is what a task's conditions say before the host is read.
type conditionOutcome struct {
	holds       bool
	onlyIf      *ResultCondition // the task depends on a registered result
	unsupported string           // the conditions depend on more than straylight plans
}

// holdsOnResults evaluates a task's conditions. A condition reading the
// result of a file task registered earlier is evaluated with the result
// changed and unchanged: when the two differ, the task depends on the
// result, which the planner settles after reading the host.
func (wk *walker) holdsOnResults(f frame, t *Task, item map[string]any) (conditionOutcome, error) {
	names := wk.resultsRead(f, t)
	if len(names) == 0 {
		ok, err := wk.holds(wk.scopeFor(f, t, item), f, t)
		return conditionOutcome{holds: ok}, err
	}
	if len(names) > 1 {
		return conditionOutcome{holds: true, unsupported: fmt.Sprintf("its condition reads several registered results (%s), known only once the host is read", strings.Join(names, ", "))}, nil
	}
	name := names[0]
	if wk.statRegistered(name) {
		return wk.holdsOnStat(f, t, item, name)
	}
	ifTrue, err := wk.holdsWithResult(f, t, item, name, changedResult(true))
	if err != nil {
		return conditionOutcome{}, err
	}
	ifFalse, err := wk.holdsWithResult(f, t, item, name, changedResult(false))
	if err != nil || ifTrue == ifFalse {
		return conditionOutcome{holds: ifTrue}, err
	}
	return conditionOutcome{holds: true, onlyIf: &ResultCondition{Register: name, Tasks: wk.registered[name], Want: ifTrue}}, nil
}

// changedResult is a file task's registered result, changed or not.
func changedResult(changed bool) map[string]any {
	return map[string]any{"changed": changed, "failed": false, "skipped": false}
}

// holdsOnStat evaluates a task's conditions on a stat's result once for
// each thing its path may be (statResult): one answer for all is known
// now; otherwise the task depends on what the planner finds there
// (ResultCondition.Kinds). Where the conditions fail for some kinds (a
// missing path has no isdir; straylight knows no mode), the task is
// Ansible's if the path turns out to be such.
func (wk *walker) holdsOnStat(f frame, t *Task, item map[string]any, name string) (conditionOutcome, error) {
	if wk.registeredBy[name].Loop != nil {
		return conditionOutcome{holds: true, unsupported: fmt.Sprintf("its condition reads %q, the results of a stat with a loop; straylight settles a single stat's", name)}, nil
	}
	rc := &ResultCondition{Register: name, Tasks: wk.registered[name], Kinds: map[string]bool{}, Unknown: map[string]string{}}
	var firstErr error
	for _, kind := range filemod.StatKinds {
		ok, err := wk.holdsWithResult(f, t, item, name, statResult(kind))
		if err != nil {
			rc.Unknown[kind], firstErr = err.Error(), cmp.Or(firstErr, err)
			continue
		}
		rc.Kinds[kind] = ok
	}
	if len(rc.Kinds) == 0 {
		return conditionOutcome{}, firstErr
	}
	if answer, one := oneAnswer(rc.Kinds); one && len(rc.Unknown) == 0 {
		return conditionOutcome{holds: answer}, nil
	}
	return conditionOutcome{holds: true, onlyIf: rc}, nil
}

// oneAnswer is the answer every kind gives, if they all give the same.
func oneAnswer(holds map[string]bool) (answer, one bool) {
	seen := false
	for _, v := range holds {
		if seen && v != answer {
			return false, false
		}
		answer, seen = v, true
	}
	return answer, true
}

// statResult is a stat's registered result as far as straylight knows it
// before reading the host, for a path of the kind (filemod.StatKinds):
// whether it exists, and whether it is a regular file, a directory or a
// link. Like the module's, a missing path's has exists only.
func statResult(kind string) map[string]any {
	stat := map[string]any{"exists": kind != "absent"}
	if kind != "absent" {
		stat["isreg"], stat["isdir"], stat["islnk"] = kind == "file", kind == "directory", kind == "link"
	}
	return map[string]any{"changed": false, "failed": false, "stat": stat}
}

// holdsWithResult evaluates the conditions with the registered name bound
// to result.
func (wk *walker) holdsWithResult(f frame, t *Task, item map[string]any, name string, result map[string]any) (bool, error) {
	wk.facts[name] = result
	defer delete(wk.facts, name)
	ok, err := wk.holds(wk.scopeFor(f, t, item), f, t)
	if err != nil && wk.hostResult(name) { // its rc, stdout, a stat's mode ...: known only once it ran
		return false, &resultOnlyAnsibleKnows{wk.resultReason("its condition reads", name)}
	}
	return ok, err
}

// hostResult: the name was registered by a command or shell task, whose
// result straylight knows only as changed or not before it runs, or by
// a stat, whose result it knows only as whether the path exists and
// whether it is a file, a directory or a link.
func (wk *walker) hostResult(name string) bool {
	t := wk.registeredBy[name]
	return t != nil && (t.Module.IsPOSIXCommand() || t.Module == ModStat) && wk.registered[name] != nil
}

// statRegistered: the name was registered by a stat task.
func (wk *walker) statRegistered(name string) bool {
	t := wk.registeredBy[name]
	return t != nil && t.Module == ModStat && wk.registered[name] != nil
}

// resultOnlyAnsibleKnows: a task reads more of a command's result than
// whether it changed.
type resultOnlyAnsibleKnows struct{ reason string }

func (e *resultOnlyAnsibleKnows) Error() string { return e.reason }

func (wk *walker) resultReason(how, name string) string {
	return fmt.Sprintf("%s %q, the result of %q, which only Ansible knows", how, name, wk.registeredBy[name].Label())
}

// resultsRead are the registered file-task results a task's conditions name.
func (wk *walker) resultsRead(f frame, t *Task) []string {
	return namesIn(wk.registered, f.when, t.When)
}

// namesIn are the keys of names that the string conditions name as a
// whole word, sorted.
func namesIn[V any](names map[string]V, conds ...[]any) []string {
	var out []string
	for _, list := range conds {
		for _, cond := range list {
			text, ok := cond.(string)
			if !ok {
				continue
			}
			for name := range names {
				if namesWord(text, name) {
					out = AppendUnique(out, name)
				}
			}
		}
	}
	sort.Strings(out)
	return out
}

// namesWord: name occurs in text with no word character (an ASCII letter,
// digit or _, as regexp's \b reads them) just before or after it.
func namesWord(text, name string) bool {
	for i := 0; name != ""; {
		j := strings.Index(text[i:], name)
		if j < 0 {
			return false
		}
		start, end := i+j, i+j+len(name)
		if !wordByteAt(text, start-1) && !wordByteAt(text, end) {
			return true
		}
		i = start + 1
	}
	return false
}

func wordByteAt(text string, i int) bool {
	if i < 0 || i >= len(text) {
		return false
	}
	c := text[i]
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// register records a task's result for later conditions: the file tasks it
// planned (known once the host is read), or a skipped result, which is
// known now; any other result is unknown to straylight.
func (wk *walker) register(t *Task, planned []*FileTask, skipped bool) {
	if t.Register == "" {
		return
	}
	name := t.Register
	delete(wk.unknown, name)
	switch {
	case skipped:
		wk.registerResult(name, map[string]any{"changed": false, "skipped": true, "skip_reason": "Conditional result was False"})
	case wk.registeredBy[name] == t && wk.registered[name] != nil: // another loop item
		wk.registered[name] = append(wk.registered[name], planned...)
	case len(planned) > 0:
		delete(wk.facts, name)
		wk.registered[name], wk.registeredBy[name] = planned, t
	default:
		delete(wk.registered, name)
		wk.unknown[name] = t.Label()
	}
}

// unknownNamed is the first name, among the results straylight cannot
// know, that a task's conditions (its own and those it inherits) name.
// unknownNamedUnlessDiscovery is unknownNamed for a task's conditions and
// assertions; discovery reads every task whatever its conditions, so it
// does not look.
func (wk *walker) unknownNamedUnlessDiscovery(f frame, t *Task) string {
	if wk.discovery {
		return ""
	}
	return wk.unknownNamed(f.when, t.When, t.assertions())
}

func (wk *walker) unknownNamed(conds ...[]any) string {
	if names := namesIn(wk.unknown, conds...); len(names) > 0 {
		return names[0]
	}
	return ""
}

// assertions are an assert task's conditions (that:).
func (t *Task) assertions() []any {
	if t.Module != ModAssert {
		return nil
	}
	return anyList(t.Args["that"])
}

// undefinedName finds the variables an error says are undefined.
var (
	undefinedName = lazyre.New(`undefined variable '([^']+)'`)
	// missingAttribute: a mapping without the key read (ansible_facts
	// gathered by straylight, without a fact module's facts).
	missingAttribute = lazyre.New(`has no attribute '([^']+)'`)
)

// onlyAnsible says why a failed evaluation (of a condition, a loop, the
// arguments or the template of a task) is Ansible's to make rather than
// bad input: it read the result of a task straylight does not run, or
// something straylight's renderer does not evaluate (a lookup plugin such
// as password or pipe). "" for any other failure, and in discovery, which
// reports failures as they are.
func (wk *walker) onlyAnsible(err error) string {
	if err == nil || wk.discovery {
		return ""
	}
	var ro *resultOnlyAnsibleKnows
	if errors.As(err, &ro) {
		return ro.reason
	}
	for _, m := range undefinedName().FindAllStringSubmatch(err.Error(), -1) {
		if _, ok := wk.unknown[m[1]]; ok {
			return wk.unknownReason("it reads", m[1])
		}
		if wk.hostResult(m[1]) {
			return wk.resultReason("it reads", m[1])
		}
		if by := wk.factTask(m[1]); by != "" {
			return factReason(m[1], by)
		}
	}
	if reason := wk.missingFact(err); reason != "" {
		return reason
	}
	if what, ok := render.NotSupported(err); ok {
		return "straylight cannot evaluate it: " + what
	}
	return ""
}

// missingFact: err reads a fact a fact module Ansible runs would have
// given (ansible_facts.getent_group after getent, when straylight
// gathered the host's other facts).
func (wk *walker) missingFact(err error) string {
	for _, m := range missingAttribute().FindAllStringSubmatch(err.Error(), -1) {
		if by := wk.factTask(m[1]); by != "" && !strings.HasPrefix(m[1], "ansible_") {
			return factReason(m[1], by)
		}
	}
	return ""
}

func factReason(name, by string) string {
	return fmt.Sprintf("it reads %q, a fact of %q, which only Ansible runs", name, by)
}

// factTask is the setup or fact module task Ansible ran whose fact name
// may be, or "".
func (wk *walker) factTask(name string) string {
	for _, p := range slices.Backward(wk.factPrefixes) {
		if strings.HasPrefix(name, p.prefix) {
			return p.by
		}
	}
	if strings.HasPrefix(name, "ansible_") {
		return wk.factsBy
	}
	return ""
}

func (wk *walker) unknownReason(how, name string) string {
	return fmt.Sprintf("%s %q, the result of %q, which only Ansible knows", how, name, wk.unknown[name])
}

// handOver handles a task only Ansible can decide: it joins the tasks
// Ansible runs (via ansible when it is installed; unsupported, with the
// reason, when not), and what it registers or sets becomes unknown in
// turn, so that what reads it is handed over too. A task that decides
// which tasks or variables follow (an include, include_vars, meta) cannot
// be handed over alone: that is an error.
func (wk *walker) handOver(t *Task, reason string) error {
	switch t.Module {
	case ModIncludeTasks, ModIncludeRole, ModIncludeVars, ModMeta:
		return &InputError{At: t.At, Key: "when", Msg: fmt.Sprintf("task %q: %s; straylight cannot tell what the %s brings in without it", t.Label(), reason, t.Module)}
	case ModSetFact:
		if err := wk.unknownFacts(t); err != nil {
			return err
		}
	}
	wk.unsupported(t, reason)
	return nil
}

// unknownFacts makes the facts a set_fact sets unknown, so that what reads
// them is decided by Ansible too; a fact with a value from elsewhere (the
// inventory, role defaults, ...) would be read as that value, which is an
// error instead.
func (wk *walker) unknownFacts(t *Task) error {
	raw := mergeMaps(t.Args, kvArgs(t.FreeForm))
	delete(raw, "cacheable")
	for k := range raw {
		delete(wk.facts, k)
		if _, defined := wk.play.scope.Raw(k); defined {
			return &InputError{At: t.At, Key: k, Msg: fmt.Sprintf("task %q sets %q from what only Ansible knows, and %q has another value straylight would read in its place", t.Label(), k, k)}
		}
		wk.unknown[k] = t.Label()
	}
	return nil
}

// conditionError names the task; a condition on the result of a task
// straylight could not run says so.
func (wk *walker) conditionError(t *Task, cond any, err error) error {
	text := fmt.Sprint(cond)
	for name, task := range wk.unknown {
		if strings.Contains(text, name) {
			return &InputError{At: t.At, Key: "when", Msg: fmt.Sprintf("the condition %q reads %q, the result of %q, which straylight does not run", text, name, task)}
		}
	}
	return atKey(t, "when", fmt.Errorf("%q: %w", text, err))
}

// condition evaluates one when: condition with the semantics of the
// ansible-core the repository is run with: 2.14 takes Jinja2's truth of the
// expression; 2.19 and later demand a boolean.
func (r *Repo) condition(hs *HostScope, cond any) (bool, error) {
	switch c := cond.(type) {
	case bool:
		return c, nil
	case nil:
		return false, nil
	}
	text := strings.TrimSpace(fmt.Sprint(cond))
	if r.StrictConditionals() {
		return r.strictCondition(hs, text)
	}
	return r.legacyCondition(hs, text)
}

func (r *Repo) strictCondition(hs *HostScope, text string) (bool, error) {
	v, err := hs.template("{{ " + text + " }}")
	if err != nil {
		return false, err
	}
	if b, ok := v.(bool); ok {
		return b, nil
	}
	return false, ansibleMessage(fmt.Sprintf("Conditional result (%s) was derived from value of type '%s'. Conditionals must have a boolean result.",
		pyBool(render.Truthy(v)), render.PyTypeName(v)))
}

// legacyCondition is ansible-core 2.14's: a condition written as a
// template is templated first; the text is then the expression of
// {% if %}.
func (r *Repo) legacyCondition(hs *HostScope, text string) (bool, error) {
	if looksTemplated(text) {
		v, err := hs.template(text)
		if err != nil {
			return false, err
		}
		s, ok := v.(string)
		if !ok || s == "" {
			return render.Truthy(v), nil
		}
		text = s
	}
	out, err := r.engine().RenderTemplate("when", []byte("{% if "+text+" %} True {% else %} False {% endif %}"), hs.scope, render.TemplateDefaults())
	if err != nil {
		return false, err
	}
	return strings.TrimSpace(string(out)) == "True", nil
}

func pyBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

// atKey places an error at a task's key.
func atKey(t *Task, key string, err error) error {
	if ie, ok := err.(*InputError); ok {
		return ie
	}
	return &InputError{At: t.At, Key: key, Msg: fmt.Sprintf("task %q: %v", t.Label(), err)}
}

// selected applies --tags and --skip-tags to a task's tags (its own and
// those it inherits), with Ansible's special tags always, never, tagged,
// untagged and all.
func (r *Repo) selected(tags []string) bool {
	if r.skipped(tags) {
		return false
	}
	if len(r.tags) == 0 {
		return !contains(tags, "never")
	}
	for _, want := range r.tags {
		if tagMatches(want, tags) {
			return true
		}
	}
	return contains(tags, "always") && !contains(r.skipTags, "always")
}

func (r *Repo) skipped(tags []string) bool {
	for _, skip := range r.skipTags {
		if tagMatches(skip, tags) {
			return true
		}
	}
	return false
}

func tagMatches(want string, tags []string) bool {
	switch want {
	case "all":
		return !contains(tags, "never")
	case "tagged":
		return len(tags) > 0 && !contains(tags, "never")
	case "untagged":
		return len(tags) == 0
	}
	return contains(tags, want)
}

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// ansibleMessage is an error whose text is Ansible's own, capitals and
// full stop included, so that operators can search for it.
type ansibleMessage string

func (m ansibleMessage) Error() string { return string(m) }
