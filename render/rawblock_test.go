package render

import "testing"

// The texts are Jinja2 3.1.6's for the same blocks (jinja2.Environment
// with the same trim_blocks and lstrip_blocks, rendering the block alone).
func TestRawBlockTextIsJinja2s(t *testing.T) {
	jinja := delimiters{}.orJinja()
	cases := []struct {
		begin, content, end string
		lstrip              bool
		want                string
	}{
		{"{% raw %}", "\n{{ a }}\n", "{% endraw %}", false, "\n{{ a }}\n"},
		{"{%- raw -%}", "  {{ a }}  ", "{%- endraw -%}", false, "{{ a }}"},
		{"{% raw -%}", "\n  b\n  ", "{%- endraw %}", false, "b"},
		{"{% raw %}", "\n  {{ a }}\n  ", "{% endraw %}", true, "\n  {{ a }}\n"},
		{"{% raw %}", "\n  {{ a }}\n  ", "{% endraw %}", false, "\n  {{ a }}\n  "},
		{"{% raw -%}", "\n  {{ a }}\n  ", "{% endraw %}", true, "{{ a }}\n"},
		{"{% raw -%}", "  ", "{% endraw %}", true, ""},
		{"{% raw %}", "a\n\t", "{%+ endraw %}", true, "a\n\t"},
		{"{% raw %}", "a\n\tx ", "{% endraw %}", true, "a\n\tx "},
		{"{% raw %}", "{{ x | ansible.builtin.to_json }}", "{% endraw %}", false, "{{ x | ansible.builtin.to_json }}"},
		{"{% raw %}", "", "{% endraw %}", true, ""},
	}
	for _, c := range cases {
		b := newRawBlock(0, c.begin, c.content, c.end, jinja)
		if got := b.text(c.lstrip, ""); got != c.want {
			t.Errorf("%s%q%s (lstrip %v): got %q, want %q", c.begin, c.content, c.end, c.lstrip, got, c.want)
		}
	}
	b := newRawBlock(0, "{% raw %}", "a\nb\n", "{% endraw %}", jinja)
	if got := b.text(false, "\r\n"); got != "a\r\nb\r\n" {
		t.Errorf("newline_sequence: got %q", got)
	}
	marks := delimiters{blockStart: "<%", blockEnd: "%>"}.orJinja()
	if b := newRawBlock(0, "<% raw -%>", " x ", "<%- endraw %>", marks); b.text(false, "") != "x" {
		t.Errorf("custom markers: got %q", b.text(false, ""))
	}
}
