package hvedit

import (
	"strings"
	"testing"
)

// Strings that would change meaning or break the file unquoted are quoted,
// and every one reads back as itself.
func TestStringsAreQuotedWhenYAMLNeedsIt(t *testing.T) {
	cases := []struct{ value, want string }{
		{"awq", "awq"},
		{"Qwen/Qwen2.5-7B-Instruct-AWQ", "Qwen/Qwen2.5-7B-Instruct-AWQ"},
		{"a: b", `"a: b"`},
		{"*alias", `"*alias"`},
		{"&anchor", `"&anchor"`},
		{"!tag", `"!tag"`},
		{"x # not a comment", `"x # not a comment"`},
		{"- item", `"- item"`},
		{"[a]", `"[a]"`},
		{"{a: 1}", `"{a: 1}"`},
		{"yes", `"yes"`}, {"off", `"off"`}, {"True", `"True"`}, {"null", `"null"`}, {"~", `"~"`},
		{"8000", `"8000"`}, {"0.9", `"0.9"`}, {"1e5", `"1e5"`}, {"0x1F", `"0x1F"`}, {"2024-01-02", `"2024-01-02"`},
		{"12:30", `"12:30"`}, {".inf", `".inf"`}, {"7b-chat", "7b-chat"}, {"7b", `"7b"`}, {"8k-model", "8k-model"},
		{"", `""`}, {" lead", `" lead"`}, {"trail ", `"trail "`},
		{"two\nlines", `"two\nlines"`}, {"tab\there", `"tab\there"`}, {`back\slash`, `"back\\slash"`},
		{`say "hi"`, `"say \"hi\""`}, {"it's", `"it's"`}, {"{{ vllm.port }}", `"{{ vllm.port }}"`},
		{"%percent", `"%percent"`}, {"@at", `"@at"`}, {"`tick", "\"`tick\""}, {"|pipe", `"|pipe"`}, {">gt", `">gt"`},
		{"bell\a", `"bell\x07"`}, {"line\u2028sep", `"line\u2028sep"`}, {"modèle", `"modèle"`},
	}
	for _, c := range cases {
		got, _ := setText(t, "vllm:\n  quantization: awq\n", []string{"vllm", "quantization"}, c.value)
		if want := "vllm:\n  quantization: " + c.want + "\n"; got != want {
			t.Errorf("%q: got %q, want %q", c.value, got, want)
		}
		if v := decodeYAML(t, got)["vllm"].(map[string]any)["quantization"]; v != c.value {
			t.Errorf("%q reads back as %#v", c.value, v)
		}
	}
}

func TestQuotingStyleOfTheOldValueIsKept(t *testing.T) {
	cases := []struct{ old, value, want string }{
		{`"llama31-8b-wintermute"`, "new-name", `"new-name"`},
		{`'single'`, "it's", `'it''s'`},
		{`'single'`, "two\nlines", `"two\nlines"`},
		{`plain`, "also-plain", `also-plain`},
		{`plain`, "needs: quotes", `"needs: quotes"`},
		{`!!str 5`, "6", `!!str "6"`},
		{`!unsafe "{{ x }}"`, "{{ y }}", `!unsafe "{{ y }}"`},
		{`|` + "\n    block", "text", `"text"`},
	}
	for _, c := range cases {
		text := "vllm:\n  name: " + c.old + "\n  port: 1\n"
		got, _ := setText(t, text, []string{"vllm", "name"}, c.value)
		if want := "vllm:\n  name: " + c.want + "\n  port: 1\n"; got != want {
			t.Errorf("old %s, new %q: got %q, want %q", c.old, c.value, got, want)
		}
	}
}

func TestAddedStringsFollowTheirSiblings(t *testing.T) {
	got, _ := setText(t, readString(t, seedCopy(t, "armitage.yml")), []string{"vllm", "tokenizer"}, "Qwen/Qwen2.5-7B")
	if !strings.HasSuffix(got, "\n  tokenizer: \"Qwen/Qwen2.5-7B\"\n") {
		t.Errorf("got %q", got)
	}
	got, _ = setText(t, "vllm:\n  a: x\n  b: y\n", []string{"vllm", "c"}, "z")
	if got != "vllm:\n  a: x\n  b: y\n  c: z\n" {
		t.Errorf("got %q", got)
	}
}

func TestNewValueReplacingOtherTypesDropsOldQuotes(t *testing.T) {
	got, _ := setText(t, "vllm:\n  port: \"8000\"\n", []string{"vllm", "port"}, 8001)
	if got != "vllm:\n  port: 8001\n" {
		t.Errorf("got %q", got)
	}
}

func TestListsFollowTheFileStyle(t *testing.T) {
	names := []string{"llama31-8b-wintermute", "local/reasoner"}
	cases := []struct{ name, text, want string }{
		{"scalar to flow list in a file without lists",
			"vllm:\n  served_model_name: \"old\"  # ← KEY FIX\n  port: 1\n",
			"vllm:\n  served_model_name: [\"llama31-8b-wintermute\", \"local/reasoner\"]  # ← KEY FIX\n  port: 1\n"},
		{"scalar to block list in a file with block lists",
			"tags:\n  - a\nvllm:\n  served_model_name: old  # note\n  port: 1\n",
			"tags:\n  - a\nvllm:\n  served_model_name:  # note\n    - llama31-8b-wintermute\n    - local/reasoner\n  port: 1\n"},
		{"indentless block list replaced",
			"vllm:\n  served_model_name:\n  - a\n  - b\n  port: 1\n",
			"vllm:\n  served_model_name:\n  - llama31-8b-wintermute\n  - local/reasoner\n  port: 1\n"},
		{"flow list replaced",
			"vllm:\n  served_model_name: ['a', 'b']\n",
			"vllm:\n  served_model_name: ['llama31-8b-wintermute', 'local/reasoner']\n"},
		{"block list to a scalar",
			"vllm:\n  served_model_name:\n    - a\n    - b\n  port: 1\n",
			""},
		{"added block list",
			"x:\n- 1\nvllm:\n  port: 1\n",
			"x:\n- 1\nvllm:\n  port: 1\n  served_model_name:\n  - llama31-8b-wintermute\n  - local/reasoner\n"},
		{"block list at the end of a file without final newline",
			"vllm:\n  served_model_name:\n    - a",
			"vllm:\n  served_model_name:\n    - llama31-8b-wintermute\n    - local/reasoner"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var value any = names
			want := c.want
			if want == "" {
				value, want = "one", "vllm:\n  served_model_name: one\n  port: 1\n"
			}
			got, _ := setText(t, c.text, []string{"vllm", "served_model_name"}, value)
			if got != want {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

func TestMappingValueReplacedByScalar(t *testing.T) {
	text := "vllm:\n  extra:\n    a: 1\n    b: 2\n  port: 1\n"
	got, _ := setText(t, text, []string{"vllm", "extra"}, "none")
	if got != "vllm:\n  extra: none\n  port: 1\n" {
		t.Errorf("got %q", got)
	}
	got, _ = setText(t, text+"last:\n  a: 1", []string{"last"}, 0)
	if got != text+"last: 0" {
		t.Errorf("got %q", got)
	}
}

func TestMultiLineScalarsAreReplacedWhole(t *testing.T) {
	cases := []struct{ old, want string }{
		{"plain text\n    that goes on\n\n    and on", "short"},
		{"\"double quoted\n    over lines\"", `"short"`},
		{"'single \n    quoted'", `'short'`},
		{">-\n    folded\n    text", `"short"`},
		{"|\n    literal\n\n    # not a comment", `"short"`},
	}
	for _, c := range cases {
		text := "vllm:\n  v: " + c.old + "\n  port: 1  # keep\n"
		got, _ := setText(t, text, []string{"vllm", "v"}, "short")
		if want := "vllm:\n  v: " + c.want + "\n  port: 1  # keep\n"; got != want {
			t.Errorf("old %q: got %q, want %q", c.old, got, want)
		}
	}
}
