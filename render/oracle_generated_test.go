package render

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/oracle"
)

// TestGeneratedExpressionsMatchAnsible renders templates of generated
// expressions (filters, tests, operators, methods, formatting, nested
// three deep over strings, numbers, lists, dicts and lists of dicts) with
// each installed ansible-playbook and with the engine, and compares the
// bytes. The grammar below is typed, so that Python computes every
// expression; each placeholder {K} stands for an expression of kind K.
// Left out: union, difference and the other set filters (Python's set
// order of strings changes from run to run), and ints past 64 bits
// (docs/ansible-semantics.md §5). It found `in` taking one variable as its
// right side (membership.go), the receiver of a bracketed method call
// (adoptReceiver), libyaml's simple keys (yamlout.go), round's signless
// zero (roundfilter.go) and silent int overflow (operators.go).
func TestGeneratedExpressionsMatchAnsible(t *testing.T) {
	suite := oracleSuite{name: "generated", cases: generatedExpressionCases(rand.New(rand.NewPCG(31, 99)), 40)}
	for _, core := range oracle.Cores(t) {
		t.Run("ansible-core "+core.Version, func(t *testing.T) {
			t.Parallel()
			compareSuite(t, suite, runOracle(t, core, suite.repo, suite.cases), core.Version)
		})
	}
}

// generatedExpressionCases are n templates of five generated expressions.
func generatedExpressionCases(r *rand.Rand, n int) []oracleCase {
	g := exprGen{r: r}
	cases := make([]oracleCase, n)
	for i := range cases {
		var src strings.Builder
		for range 5 {
			src.WriteString("{{ " + g.expr(g.kind(), 0) + " }}\n")
		}
		cases[i] = oracleCase{name: fmt.Sprintf("gen_%03d", i), src: src.String()}
	}
	return cases
}

type exprGen struct{ r *rand.Rand }

func (g exprGen) kind() byte { return "SSSIFBLNDR"[g.r.IntN(10)] }

// expr is an expression of kind: a leaf past depth 3, else a form of the
// grammar, bracketed (a filter binds tighter than any operator).
func (g exprGen) expr(kind byte, depth int) string {
	if depth > 3 {
		return g.pick(exprLeaves[kind])
	}
	return "(" + g.expand(g.pick(exprForms[kind]), depth+1) + ")"
}

func (g exprGen) pick(items []string) string { return items[g.r.IntN(len(items))] }

// expand replaces each {K} of form with an expression of kind K.
func (g exprGen) expand(form string, depth int) string {
	var out strings.Builder
	for i := 0; i < len(form); i++ {
		if i+2 < len(form) && form[i] == '{' && form[i+2] == '}' && strings.IndexByte("SIFBLNDR", form[i+1]) >= 0 {
			out.WriteString(g.expr(form[i+1], depth))
			i += 2
			continue
		}
		out.WriteByte(form[i])
	}
	return out.String()
}

// exprLeaves are the literals of each kind: S str, I int, F float, B bool,
// L list of str, N list of int, D dict, R list of dicts.
var exprLeaves = map[byte][]string{
	'S': {"'a'", "'Hello World'", "''", "'x-y_z'", "'é'", "' pad '", "'a,b,c'", "'10'", "'Ünïcödé'", `'tab\tq'`, `'q"uote'`, `"it's"`},
	'I': {"0", "1", "2", "7", "-3", "42", "1000", "65536"},
	'F': {"0.1", "1.5", "2.0", "-0.5", "3.14159", "1e3", "0.3", "100.0", "2.675"},
	'B': {"true", "false", "True", "False"},
	'L': {"['b', 'a', 'c']", "[]", "['x']", "['a', 'a', 'B']", "['10', '9', '100']"},
	'N': {"[3, 1, 2]", "[]", "[5]", "[1, 1, 2, 3]", "[-1, 0, 1]"},
	'D': {"{'b': 1, 'a': 2}", "{}", "{'k': 0}", "{'z': 9, 'y': 8, 'x': 7}"},
	'R': {"[{'name': 'b', 'port': 2}, {'name': 'a', 'port': 1}]", "[]", "[{'name': 'x', 'port': 3, 'tags': ['t']}]", "[{'name': 'a', 'port': 1}, {'name': 'a', 'port': 0}]"},
}

// exprForms are the expressions of each kind, over placeholders.
var exprForms = map[byte][]string{
	'S': {
		"{S} | upper", "{S} | lower", "{S} | capitalize", "{S} | title", "{S} | trim", "{S} | replace('a', 'o')",
		"{S} ~ {I}", "{S} ~ {F}", "{S} ~ {B}", "{S} | reverse", "'%s-%d' | format({S}, {I})", "{S} | regex_replace('[aeiou]', '_')",
		"{S} | b64encode", "{I} | string", "{F} | string", "{L} | join(',')", "{N} | join('-')", "{D} | to_json", "{L} | to_json",
		"{D} | to_nice_json", "{D} | to_yaml", "{N} | to_nice_yaml(indent=2)", "{R} | to_nice_yaml", "{S} | center(9)",
		"{S} | hash('sha1')", "{S} | hash('md5')", "{S} | quote", "{S}.split(',') | join('+')", "{S} | truncate(5)",
		"{S} | wordwrap(4)", "{B} | ternary({S}, 'no')", "{L} | first | default('none')", "{S} | indent(2)",
		"{R} | map(attribute='name') | join(',')", "{D} | dictsort | string", "'%05.2f|%-4s|%3d' | format({F}, {S}, {I})",
		"'{:>6}|{}|{:.3f}'.format({S}, {I}, {F})", "{S} | regex_search('[a-z]+') | default('none', true)",
		"{S} | regex_findall('[a-z]') | join", "{S} if {B} else {S}", "{D} | to_json | from_json | to_nice_json(indent=2)",
		"{R} | items2dict(key_name='name', value_name='port') | to_json", "'/srv/' ~ {S} ~ '.tar.gz' | basename",
		"{D} | to_yaml | from_yaml | to_json", "{L} | zip({N}) | list | string", "[{N}, {N}] | flatten | string",
		"'%-6s|%5.1f|%03d|%x' % ({S}, {F}, {I}, 255)", "{S}[::2]", "{S}[-3:]",
		"{D} | combine({'b': {'c': 1}}, {'b': {'d': 2}}, recursive=true) | to_json", `{S} | regex_replace('([a-z])([a-z])', '\\2\\1')`,
		"{S} | regex_escape", "{S} | splitext | list | string", "({F} + {F}) | string", "{L} | product({N}) | list | string",
		"{N} | permutations(2) | list | string", "{D} | dict2items | map(attribute='key') | join", "{S} | to_uuid",
		"{R} | groupby('name') | string", "{I} | human_readable", "{S} | comment", "'{0}-{1}-{0}'.format({S}, {I})",
		"{D}.get('k', {S}) | string", "{N} | map('pow', 2) | list | string", "{L} | map('regex_replace', '^', 'p-') | list | string",
		"{S} | urlencode", "{F} | round(1) | string",
	},
	'I': {
		"{I} + {I}", "({I} % 1000) * ({I} % 1000)", "{I} // 3", "{I} // -2", "{I} % 7", "{I} % -2", "{L} | length", "{S} | length", "{N} | sum",
		"({N} + [4]) | max", "{I} | abs", "{F} | int", "{F} | round | int", "{S} | int", "({I} % 100) ** 2", "{D} | length",
	},
	'F': {
		"{F} * {F}", "{I} / 4", "{I} / -8", "{F} | round(2)", "{I} | float", "{F} + {F}", "{F} - {I}", "{F} | round(0, 'floor')", "{F} | abs",
	},
	'B': {
		"{I} > {I}", "{S} in {S}", "{L} | length > 0", "not {B}", "{B} and {B}", "{S} is string", "{I} is even", "{F} == {I}",
		"{N} is iterable", "{S} | bool", "{S} is match('[a-z]')", "{S} is search('o')", "'1.10' is version('1.9', '>=')",
		"{N} is subset({N})", "{I} is divisibleby(3)", "{D} is mapping", "{L} is contains('a')",
		// Precedence, unbracketed: a filter binds tighter than any operator.
		"{S} in {L} | map('upper') | list", "{I} in {N} + {N}", "{S} not in {S} | upper", "{S} ~ {S} | upper == {S}",
		"{I} + {N} | length > {I}", "-{I} | abs > {I}",
	},
	'L': {
		"[{S}, {S}]", "{L} + {L}", "{L} | sort", "{L} | unique", "{L} | reverse | list", "{L} | map('upper') | list", "{D} | list",
		"{L} | batch(2) | map('join', '/') | list", "{L} | select('match', '[a-z]') | list", "{S}.split(',')",
		"{L} | sort(reverse=true)", "{N} | map('string') | list",
	},
	'N': {
		"[{I}, {I}]", "range(3) | list", "range(2, 8, 2) | list", "range(5, 0, -1) | list", "{N} | sort", "{N} | select('odd') | list",
		"{N} | unique", "{N} + {N}", "{N} | map('int') | list", "{N}[1:]", "{D}.values() | list",
	},
	'D': {
		"{{S}: {I}}", "{D} | combine({D})", "dict(b={I}, a={I})", "{D} | dict2items | items2dict", "dict({L} | zip({N}))",
		"{'n': {N} | length, 'm': {L} | length}",
	},
	'R': {
		"{R} | sort(attribute='port')", "{R} | selectattr('port', 'gt', 1) | list", "{R} | rejectattr('name', 'equalto', 'a') | list",
		"({R} + {R}) | unique", "{R} | sort(attribute='name', reverse=true)", "[{D} | combine({'name': {S}, 'port': {I}})]",
	},
}
