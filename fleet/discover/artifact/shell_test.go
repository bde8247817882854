package artifact

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

func TestSplitCommands(t *testing.T) {
	cases := []struct {
		in   string
		want []Command
	}{
		{"vllm serve m --port 8000", []Command{{[]string{"vllm", "serve", "m", "--port", "8000"}, 1}}},
		{"a 'b c' \"d $X \\\" e\" f\\ g", []Command{{[]string{"a", "b c", `d $X " e`, "f g"}, 1}}},
		{"a \\\n  b \\\n  c\nd", []Command{{[]string{"a", "b", "c"}, 1}, {[]string{"d"}, 4}}},
		{"# comment\nx && y | z; w & v", []Command{{[]string{"x"}, 2}, {[]string{"y"}, 2}, {[]string{"z"}, 2}, {[]string{"w"}, 2}, {[]string{"v"}, 2}}},
		{"echo a#b '' \"\"", []Command{{[]string{"echo", "a#b", "", ""}, 1}}},
		{"x '\n\n' y\nz", []Command{{[]string{"x", "\n\n", "y"}, 1}, {[]string{"z"}, 4}}},
		{`"a\nb" 'c\d'`, []Command{{[]string{`a\nb`, `c\d`}, 1}}},
	}
	for _, c := range cases {
		got, err := SplitCommands(c.in)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("SplitCommands(%q) = %v, %v; want %v", c.in, got, err, c.want)
		}
	}
}

func TestSplitCommandsRefusesOpenQuotes(t *testing.T) {
	for in, want := range map[string]QuoteError{"a\n'b": {2, '\''}, `x "y`: {1, '"'}} {
		_, err := SplitCommands(in)
		var qe *QuoteError
		if !errors.As(err, &qe) || *qe != want {
			t.Errorf("SplitCommands(%q) error %v, want %+v", in, err, want)
		}
	}
}

// quoteWord writes w so that a POSIX shell reads it back as one word.
func quoteWord(w string) string {
	return "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
}

// FuzzSplitCommands checks that splitting never panics, that line numbers
// stay within the text, and that the words of a command, quoted again and
// split, come back unchanged.
func FuzzSplitCommands(f *testing.F) {
	f.Fuzz(func(t *testing.T, text string) {
		commands, err := SplitCommands(text)
		if err != nil {
			return
		}
		lines := strings.Count(text, "\n") + 1
		for _, c := range commands {
			if c.Line < 1 || c.Line > lines {
				t.Fatalf("line %d outside 1..%d", c.Line, lines)
			}
			quoted := make([]string, len(c.Args))
			for i, w := range c.Args {
				quoted[i] = quoteWord(w)
			}
			again, err := SplitWords(strings.Join(quoted, " "))
			if err != nil || !reflect.DeepEqual(again, c.Args) {
				t.Fatalf("round trip of %q gave %q, %v", c.Args, again, err)
			}
		}
	})
}
