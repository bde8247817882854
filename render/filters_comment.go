package render

import (
	"fmt"
	"strings"
)

// commentStyles are the comment filter's predefined styles (Ansible's
// plugins/filter/core.py, comment()).
var commentStyles = map[string]map[string]string{
	"plain":  {"decoration": "# "},
	"erlang": {"decoration": "% "},
	"c":      {"decoration": "// "},
	"cblock": {"beginning": "/*", "decoration": " * ", "end": " */"},
	"xml":    {"beginning": "<!--", "decoration": " - ", "end": "-->"},
}

// filterComment wraps text in a comment of the given style, the way
// Ansible's comment filter does: a prefix line, each line decorated, a
// postfix line. Only the style is taken; keyword overrides are an error.
func filterComment(in any, args []any) (any, error) {
	style := pyStr(or(args[0], "plain"))
	params, ok := commentStyles[style]
	if !ok {
		return nil, fmt.Errorf("comment: unknown style %q", style)
	}
	p := map[string]string{"newline": "\n", "prefix": strings.TrimRight(params["decoration"], " "),
		"postfix": strings.TrimRight(params["decoration"], " ")}
	for k, v := range params {
		p[k] = v
	}
	return commentText(pyStr(in), p), nil
}

func commentText(text string, p map[string]string) string {
	nl, deco := p["newline"], p["decoration"]
	var b strings.Builder
	if p["beginning"] != "" {
		b.WriteString(p["beginning"] + nl)
	}
	if p["prefix"] != "" {
		b.WriteString(p["prefix"] + nl)
	}
	body := deco + strings.ReplaceAll(text, nl, nl+deco)
	b.WriteString(strings.ReplaceAll(body, deco+nl, strings.TrimRight(deco, " \t")+nl))
	b.WriteString(nl + p["postfix"])
	if p["end"] != "" {
		b.WriteString(nl + p["end"])
	}
	return b.String()
}
