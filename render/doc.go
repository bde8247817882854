// Package render renders Jinja2 templates and templates variables the way
// Ansible (ansible-core 2.14, Jinja2 3.1, jinja2_native off) does, byte for
// byte, on top of github.com/nikolalohinski/gonja/v2.
//
// The API:
//
//	e := render.NewEngine(render.Options{AnsibleManaged: ""}) // "" = "Ansible managed"
//
//	// One Scope per host: its merged raw variables, exactly as loaded
//	// (strings may be templates), and the magic variables.
//	scope := render.NewScope(raw, render.Magic{
//		InventoryHostname: "wintermute",
//		GroupNames:        []string{"gpu"},
//		Groups:            groups,        // one map shared by every scope
//		HostVars:          lookupScope,   // func(host string) (*render.Scope, bool)
//	})
//
//	// A template task (template or win_template), file content in src.
//	out, err := e.RenderTemplate("roles/x/templates/a.j2", src, scope, render.WinTemplateDefaults())
//
//	// Module arguments and other values (dest, src, newline_sequence, ...);
//	// RemoveOmitted drops arguments set to "{{ x | default(omit) }}".
//	args, err := e.TemplateValue(scope, rawArgs)
//	args = render.RemoveOmitted(args)
//
//	// What `ansible --check --diff` would show.
//	text := render.Diff(dest, liveContent, out)
//
// Variables are lazy: a variable is templated, against its own host's
// scope, only when a template uses it, then cached in the Scope. hostvars
// is lazy too: hostvars['armitage'].vllm.port asks HostVars for armitage's
// scope and templates only that variable of it, so a template that reads
// one neighbour costs one neighbour, not the fleet. A variable that needs
// itself fails with "recursive loop detected in template string".
//
// Most variables of real roles are one {{ }} of a variable, its attributes
// and a filter or two with literal arguments ("{{ vllm.port |
// default(8000) }}"): those are evaluated by a shortcut with the engine's
// own lookup, attribute rule and filters, without gonja (fastpath.go),
// and by gonja whenever a step is anything else or fails.
//
// Raw values may be nil, bool, ints, floats, strings, []any, map[string]any
// (taken in sorted key order: Go maps have none), *Map (insertion order) or
// *yaml.Node. Python dicts keep insertion order, which to_json, dict2items,
// {% for %} and printing show, so pass mappings as *yaml.Node (straight
// from yaml.v3) or *Map. A *yaml.Node is read like Ansible's YAML 1.1
// loader (yes/on are booleans, 0755 is octal, merge keys work); vaulted
// values must be decrypted before.
//
// Ansible semantics the engine implements: trim_blocks on by default;
// lstrip_blocks; the trailing-newline rule of Templar.do_template (and,
// with TemplateOptions.DataTagging, 2.19's: a template of one value
// written as that value, a source without template syntax as it is);
// newline_sequence applied to template text only; "#jinja2:" override
// lines; ansible_managed (in templates and the variables they use); None
// printed as ""; default() keeping a null; lowercase none/true/false;
// Python's str() and repr() when printing; Ansible's result typing
// ("{{ vllm.port | default(8000) }}" is the string "8000", "{{ flag }}"
// keeps its bool, a rendered "[1, 2]" becomes a list);
// Ansible's undefined semantics (default, `is defined`, mandatory accept
// an undefined value, printing or testing it fails); Python's **, // and
// % (including '%s' % x); the filters real roles use (see filters*.go);
// Python's str methods, x.split() to '{:>5}'.format(x) (strmethods.go);
// the random and shuffle filters drawing as CPython's random.Random, so
// a seeded draw is Ansible's (pyrandom.go); strftime as glibc's in the C
// locale (filters_time.go);
// and Jinja2's and Ansible's tests (jinjatests.go; the path tests, on the
// controller's files, in pathtests.go), Ansible's version test
// with its loose, strict, semver and pep440 comparisons among them
// (versiontest.go), a test's parenthesized arguments read as Jinja2's call
// arguments; each checked against ansible-playbook by the oracle tests.
//
// Errors are *Error values naming the template, the line and, for
// undefined variables, the variable: "roles/x/templates/a.j2:7: undefined
// variable 'vllm_foo'".
//
// Lookups (lookup, query, q) run for env, file, template, vars,
// first_found and fileglob, finding files through the scope's search path
// (Scope.WithSearchPath: the role's, those of the roles it is a
// dependency of or was included from, then the playbook's directory, each
// with files/ or templates/ first); other lookups are refused by name.
//
// {% include %}, {% import %} and {% from %} read templates from
// TemplateOptions.SearchPath (TemplateSearchPath builds the template
// module's) with Jinja2's rules for context, loop and trailing newlines
// (include.go); an error inside an included file names that file and line.
//
// The template lookup returns what the core's does (templateFile): under
// 2.14 Templar.template's result with convert_data, under 2.19 the file's
// one value or its text; template_vars, the variable and comment markers
// (variable_start_string, ...: compileKey.delimiters) and 2.19's
// trim_blocks are honoured.
//
// The template module's markers (TemplateOptions.Markers:
// variable_start_string, ..., block_start_string, ...) replace Jinja2's,
// for the templates it includes too. Jinja2's own filters and tests
// written with a collection prefix (`| ansible.builtin.lower`) are
// accepted or refused as the core in use does (qualifiedRefused): 2.14
// refuses both prefixes when it compiles the template, 2.19
// ansible.legacy. for the names it has no plugin of, when it runs them.
//
// Known differences: now() is refused rather than run; first_found looks
// in a play's files/ as 2.14 does (2.19 looks beside the playbook only);
// {% extends %} is not supported, nor an included template reading an
// outer for loop's `loop` (refused); under 2.19 a refused ansible.legacy.
// name compiled outside an if but never run renders; calling an undefined name says "is not callable";
// filters do not take hostvars itself as a
// dict (hostvars[host], `in hostvars` and looping over it work); type_debug
// says "str" where Ansible says "AnsibleUnicode" for a string it did not
// template; under 2.14 a statement body (a block set, a filter block, a
// macro) inside a templated variable is kept as text, where
// ansible_eval_concat reads "[1, 2]" as a list (empty_body.go); dict keys are strings; 2.14's omit placeholder ends in
// "straylight", not a random hash; a pep440 version with a non-ASCII
// letter that packaging 23.0 takes for an ASCII one (1.0.poſt1, which 26
// refuses) is refused, every other form packaging reads is compared as
// it does (versiontest.go). range() gives Python's range object
// (pyrange.go): sliced into a range (range(10)[2:5] is range(2, 5)),
// false when empty. Python's list and dict methods (collmethods.go)
// change a list or dict the render owns, in place, seen by every later
// read in that render, never a variable shared with other renders (as in
// Ansible, where each render reads its own copy); but a filter's result
// is a copy, so a method on an item of one (for u in users | list)
// changes a copy seen through that name only, not the item users holds;
// sort() refuses key=, and update()'s keyword arguments are added in name
// order. Under 2.14, normpath, commonpath and the timedout test (2.19's)
// fail when run, where 2.14 refuses the template when it compiles it, a
// branch not taken too; `r is unreachable` prints True or False where
// 2.14 prints the unreachable flag's own value; from_json fails on an int
// past 64 bits; the vault_encrypted test is not implemented (vaulted
// values reach the engine decrypted, so it could not tell). Options.DataTagging gives
// ansible-core 2.19's data model: native results, tuples printed as
// lists, bool(None) false, a range printed as range(0, 3) and refused as
// a template's or an argument's whole value, omit a sentinel (omitValue)
// dropped from finalized lists and dicts.
package render
