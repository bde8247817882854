package render

import (
	"fmt"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// The ansible.builtin filters and tests straylight's renderer does not
// evaluate. Each is valid in Ansible, so a template using one is not bad
// input: its error carries notSupportedMark, and the plan lists the task
// as one straylight cannot promise Ansible's bytes for (NotSupported),
// where an unknown name would read as the repository's mistake.

// unsupportedFilters are those filters, with why.
func unsupportedFilters() map[string]string {
	return map[string]string{
		"password_hash": "its hash depends on whether the controller has passlib",
		"to_datetime":   "it makes a Python datetime",
		"vault":         "it encrypts with the vault secret and a random salt",
		"unvault":       "it decrypts with the controller's vault secrets",
		"pprint":        "Python's pprint layout",
	}
}

// unsupportedTests are those tests, with why.
func unsupportedTests() map[string]string {
	return map[string]string{
		"vault_encrypted": "straylight decrypts vaulted values before templates see them",
		"vaulted_file":    "it reads a file on the controller",
		"sameas":          "Python's object identity, which straylight's values do not keep",
		"escaped":         "Jinja2's Markup strings, which straylight's values do not keep",
	}
}

// addNameTests adds Jinja2's `filter` and `test` tests: whether a name is
// one of e's filters or tests (`'lower' is filter`), as Jinja2 looks the
// name up in its environment.
func (e *Engine) addNameTests() {
	for name, kind := range map[string]pluginKind{"filter": filterKind, "test": testKind} {
		test := testFunction(func(_ *exec.Evaluator, in *exec.Value, _ *exec.VarArgs) (bool, error) {
			text, isString := toPy(in).(string)
			return isString && e.has(kind, text), nil
		})
		for _, prefix := range append([]string{""}, collectionPrefixes[:]...) {
			_ = e.env.Tests.Register(prefix+name, test) // 2.14's refusal of a prefix is refusalOf's
		}
	}
}

func addUnsupportedFilters(set map[string]exec.FilterFunction) {
	for name, why := range unsupportedFilters() {
		err := unsupportedPlugin("filter", name, why)
		set[name] = func(*exec.Evaluator, *exec.Value, *exec.VarArgs) *exec.Value { return exec.AsValue(err) }
	}
}

func addUnsupportedTests(set map[string]exec.TestFunction) {
	for name, why := range unsupportedTests() {
		err := unsupportedPlugin("test", name, why)
		set[name] = testFunction(func(*exec.Evaluator, *exec.Value, *exec.VarArgs) (bool, error) { return false, err })
	}
}

func unsupportedPlugin(kind, name, why string) error {
	return fmt.Errorf("%s %q "+notSupportedMark+"'s renderer (%s)", kind, name, why)
}

// RepositoryPlugins are the filters and tests a repository defines in
// Python (filter_plugins/, test_plugins/), by name, each with the file
// that defines it. straylight runs no Python: a template using one is
// listed as not supported, naming the file, where the name alone would
// read as the repository's mistake ("No filter named").
type RepositoryPlugins struct {
	Filters, Tests map[string]string
}

// AddRepositoryPlugins makes the repository's own plugins known to the
// engine. A name the engine already evaluates keeps its builtin. Call it
// before rendering: it is not safe to call while templates render.
func (e *Engine) AddRepositoryPlugins(p RepositoryPlugins) {
	for kind, names := range map[pluginKind]map[string]string{filterKind: p.Filters, testKind: p.Tests} {
		for name, file := range names {
			e.registerRefused(kind, name, repositoryPlugin(kind.String(), name, file))
		}
	}
}

// registerRefused adds name as a filter or test that fails with err,
// unless the engine has one of that name: Register keeps the first, so
// concurrent compiles registering one name keep one.
func (e *Engine) registerRefused(kind pluginKind, name string, err error) {
	if kind == testKind {
		_ = e.env.Tests.Register(name, testFunction(func(*exec.Evaluator, *exec.Value, *exec.VarArgs) (bool, error) { return false, err }))
		return
	}
	_ = e.env.Filters.Register(name, func(*exec.Evaluator, *exec.Value, *exec.VarArgs) *exec.Value { return exec.AsValue(err) })
}

func repositoryPlugin(kind, name, file string) error {
	return unsupportedPlugin(kind, name, "the repository's own "+kind+" plugin in "+file+"; straylight runs no Python")
}

// addCollectionPlugins registers each filter or test of uses named with a
// collection other than ansible.builtin and ansible.legacy
// (`community.general.json_query`), which the engine has none of, as not
// supported: straylight runs no collection's Python, and an unknown name
// would read as the repository's mistake. Compiles run concurrently: a
// name two of them register is kept once.
func (e *Engine) addCollectionPlugins(uses []qualifiedUse) {
	for _, use := range uses {
		if !use.collection {
			continue
		}
		name := use.prefix + use.name
		e.registerRefused(use.kind, name, unsupportedPlugin(use.kind.String(), name, "a "+use.kind.String()+" of the "+strings.TrimSuffix(use.prefix, ".")+" collection; straylight runs no Python"))
	}
}
