package render

import (
	"fmt"
	"strconv"
	"strings"
)

// commentStyles are the comment filter's predefined styles
// (ansible/plugins/filter/core.py's comment()).
var commentStyles = map[string]map[string]string{
	"plain":  {"decoration": "# "},
	"erlang": {"decoration": "% "},
	"c":      {"decoration": "// "},
	"cblock": {"beginning": "/*", "decoration": " * ", "end": " */"},
	"xml":    {"beginning": "<!--", "decoration": " - ", "end": "-->"},
}

var commentParams = []string{"style", "decoration", "beginning", "prefix", "prefix_count", "postfix", "postfix_count", "end", "newline"}

// filterComment is Ansible's comment filter: the text, each line
// decorated, between a prefix and a postfix line.
func filterComment(in any, args []any) (any, error) {
	style := pyStr(or(args[0], "plain"))
	sp, ok := commentStyles[style]
	if !ok {
		return nil, fmt.Errorf("KeyError: '%s'", style)
	}
	p := commentDefaults(sp, args)
	for i, name := range commentParams[1:] {
		if args[i+1] != notGiven {
			p[name] = pyStr(args[i+1])
		}
	}
	return composeComment(pyStr(in), p)
}

func commentDefaults(sp map[string]string, args []any) map[string]string {
	deco := sp["decoration"]
	if args[1] != notGiven {
		deco = pyStr(args[1])
	}
	p := map[string]string{"newline": "\n", "beginning": "", "prefix": strings.TrimRight(deco, " \t\n"),
		"prefix_count": "1", "decoration": "", "postfix": strings.TrimRight(deco, " \t\n"), "postfix_count": "1", "end": ""}
	for k, v := range sp {
		p[k] = v
	}
	return p
}

func composeComment(text string, p map[string]string) (string, error) {
	nl, deco := p["newline"], p["decoration"]
	prefixCount, err1 := strconv.Atoi(p["prefix_count"])
	postfixCount, err2 := strconv.Atoi(p["postfix_count"])
	if err1 != nil || err2 != nil {
		return "", fmt.Errorf("comment: prefix_count and postfix_count must be integers")
	}
	var b strings.Builder
	if p["beginning"] != "" {
		b.WriteString(p["beginning"] + nl)
	}
	if pre := p["prefix"]; pre != "" && pre != nl {
		b.WriteString(repeatString(pre+nl, prefixCount))
	} else if pre != "" {
		b.WriteString(repeatString(nl, prefixCount))
	}
	body := deco + strings.ReplaceAll(text, nl, nl+deco)
	b.WriteString(strings.ReplaceAll(body, deco+nl, strings.TrimRight(deco, " \t\n")+nl))
	for i := 0; i < postfixCount; i++ {
		b.WriteString(nl + p["postfix"])
	}
	if p["end"] != "" {
		b.WriteString(nl + p["end"])
	}
	return b.String(), nil
}
