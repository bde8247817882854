package inventory

import (
	"testing"
)

// iniValues are INI variable values, checked against Python's
// ast.literal_eval the way Ansible's INI plugin calls it.
var iniValues = []string{
	"42", "-5", "+5", "--5", "3.14", "1e3", "1E-2", ".5", "5.", "1_000", "1__0", "017", "0", "00", "0_0",
	"0x1F", "0o17", "0b101", "0x", "0b2", "1j", "1+2j",
	"True", "False", "None", "true", "yes", "-True",
	"'single'", "\"double\"", "'it\\'s'", "\"tab\\there\"", "'\\x41\\u00e9\\101'", "r'raw\\n'", "b'bytes'", "'a' 'b'", "'a' b'b'", "f'x'",
	"'''triple'''", "'unterminated", "'\\N{DASH}'",
	"[1, 2, 'three']", "[]", "[1,]", "(1, 2)", "()", "(1)", "1, 2", "{'a': 1, 'b': [True, None]}", "{}", "{1, 2}",
	"{'a': 1, 'a': 2}", "{1: 'x', True: 'y'}", "[[1, [2, [3]]]]",
	"foo", "foo bar", "1 # comment", "foo # comment", "1 2", "1 +", "x=1", "[1, 2", "http://motoko:8000/v1",
	"/path/to/file", "C:\\Users\\mdt", "  7", "7  ", "1.5.5", "1_", "_1", "0x_1", "0x1_", "1e", "1e+", "1.e5",
	"9999999999999999999999", "{'a': {'b': 'c'}}", "{'k': [1, {'x': ()}]}", "...", "1 if 2 else 3", "[1 for x in y]",
	"'''a\nb'''", "[1,\n2]", "1\n", "'\\\n'",
}

func TestPyLiteralMatchesPython(t *testing.T) {
	oracle := runPythonOracle(t, "literal_eval.py", iniValues)
	for i, text := range iniValues {
		want := oracle[i]
		got, ok := pyLiteral(text)
		switch {
		case want["fail"] != nil:
			// Python raises something Ansible does not catch: any answer is fine.
		case want["raw"] != nil:
			if ok {
				t.Errorf("%q: Python keeps the text, we got %#v", text, got)
			}
		case !ok:
			t.Errorf("%q: Python gives %v, we kept the text", text, want["ok"])
		default:
			if err := sameJSON(want["ok"], got); err != nil {
				t.Errorf("%q: %v", text, err)
			}
		}
	}
}

var shlexLines = []string{
	"host", "host a=1 b=2", "host a='x y' b=\"p q\"", "host a=\"esc \\\" quote\" b='no \\' esc'",
	"host a=b#c d=e", "host # all comment", "host a=\\ b", "host a=\"\"", "host ''", "host a='unterminated",
	"host a=b\\", "h a=\"x\\\\y\\n\"", "h\ta=1", "h a=b'c'd", "h a=\"#notcomment\"",
}

func TestShlexMatchesPython(t *testing.T) {
	oracle := runPythonOracle(t, "shlex_split.py", shlexLines)
	for i, line := range shlexLines {
		got, err := shlexSplit(line)
		if msg, failed := oracle[i]["err"]; failed {
			if err == nil {
				t.Errorf("%q: Python fails (%v), we got %q", line, msg, got)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", line, err)
			continue
		}
		if err := sameJSON(oracle[i]["ok"], toAnyList(got)); err != nil {
			t.Errorf("%q: %v", line, err)
		}
	}
}

func toAnyList(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

func TestPyLiteralTable(t *testing.T) {
	cases := []struct {
		in   string
		want any
		ok   bool
	}{
		{"42", 42, true},
		{"'x y'", "x y", true},
		{"true", nil, false},
		{"None", nil, true},
		{"1 # c", 1, true},
		{"foo # c", nil, false},
	}
	for _, c := range cases {
		got, ok := pyLiteral(c.in)
		if ok != c.ok || (ok && got != c.want) {
			t.Errorf("pyLiteral(%q) = %#v, %v; want %#v, %v", c.in, got, ok, c.want, c.ok)
		}
	}
}
