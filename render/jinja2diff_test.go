package render

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/oracle"
)

// TestWhitespaceMatchesJinja2 renders a few thousand generated templates
// of text, whitespace and tags (if, for, set, filter, comments, raw blocks,
// each tag with or without -, + and the line it sits on) under trim_blocks
// and lstrip_blocks on and off, with each core's own Jinja2 (Debian's 3.1.2
// beside ansible-core 2.14, the virtual environment's beside the newest),
// and compares the bytes. Expressions are literals and every template ends
// in text, so what is compared is Jinja2's lexer and whitespace control,
// which the template module uses as it is. It found gonja's lstrip_blocks
// stripping spaces in the middle of a line (lstrip.go) and its raw blocks
// (rawblock.go).
func TestWhitespaceMatchesJinja2(t *testing.T) {
	cores := oracle.Cores(t)
	templates := generatedTemplates(rand.New(rand.NewPCG(7, 13)), 1500)
	input := filepath.Join(t.TempDir(), "templates.json")
	data, err := json.Marshal(templates)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(input, data, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, core := range cores {
		t.Run("ansible-core "+core.Version, func(t *testing.T) {
			compareWithJinja2(t, jinja2Renders(t, core, input), templates)
		})
	}
}

// jinja2Case is one template under one setting, and what Jinja2 made of it.
type jinja2Case struct {
	Src    string  `json:"src"`
	Trim   bool    `json:"trim"`
	Lstrip bool    `json:"lstrip"`
	Out    *string `json:"out"`
	Err    string  `json:"err"`
}

const jinja2Script = `
import json, sys, jinja2
out = []
for c in json.load(open(sys.argv[1])):
    for trim in (True, False):
        for lstrip in (False, True):
            env = jinja2.Environment(trim_blocks=trim, lstrip_blocks=lstrip, keep_trailing_newline=True)
            case = dict(src=c, trim=trim, lstrip=lstrip)
            try:
                case["out"] = env.from_string(c).render()
            except Exception as e:
                case["err"] = str(e)
            out.append(case)
json.dump(out, sys.stdout)
`

// jinja2Renders runs the templates through the Python beside core's
// ansible-playbook, whose Jinja2 that core's template module uses.
func jinja2Renders(t *testing.T, core oracle.Core, input string) []jinja2Case {
	python := filepath.Join(core.Bin, "python3")
	out, err := exec.Command(python, "-c", jinja2Script, input).Output()
	if err != nil {
		t.Fatalf("%s: %v", python, err)
	}
	var cases []jinja2Case
	if err := json.Unmarshal(out, &cases); err != nil {
		t.Fatal(err)
	}
	return cases
}

func compareWithJinja2(t *testing.T, cases []jinja2Case, templates []string) {
	if len(cases) != 4*len(templates) {
		t.Fatalf("Jinja2 rendered %d cases of %d templates", len(cases), len(templates))
	}
	e := NewEngine(Options{})
	scope := NewScope(map[string]any{}, Magic{})
	failed := 0
	for _, c := range cases {
		opts := TemplateOptions{NewlineSequence: "\n", TrimBlocks: c.Trim, LstripBlocks: c.Lstrip}
		out, err := e.RenderTemplate("gen.j2", []byte(c.Src), scope, opts)
		if msg := jinja2Mismatch(c, out, err); msg != "" {
			if failed++; failed <= 10 {
				t.Errorf("trim_blocks=%v lstrip_blocks=%v %q: %s", c.Trim, c.Lstrip, c.Src, msg)
			}
		}
	}
	if failed > 0 {
		t.Errorf("%d of %d cases differ from Jinja2", failed, len(cases))
	}
}

func jinja2Mismatch(c jinja2Case, out []byte, err error) string {
	switch {
	case c.Out == nil && err == nil:
		return fmt.Sprintf("Jinja2 fails (%s), straylight writes %q", c.Err, out)
	case c.Out != nil && err != nil:
		return fmt.Sprintf("Jinja2 writes %q, straylight fails: %v", *c.Out, err)
	case c.Out != nil && string(out) != *c.Out:
		return fmt.Sprintf("Jinja2 writes %q, straylight %q", *c.Out, out)
	}
	return ""
}

// generatedTemplates are n templates of nested tags, text and whitespace,
// each ending in text (so that Ansible's trailing-newline rule, which is
// not Jinja2's, does not come in).
func generatedTemplates(r *rand.Rand, n int) []string {
	g := templateGen{r: r}
	out := make([]string, n)
	for i := range out {
		out[i] = g.body(0) + "|END"
	}
	return out
}

type templateGen struct{ r *rand.Rand }

var genSpace = []string{"", " ", "  ", "\n", " \n", "\n ", "\t", "\n\n", " \n  "}

func (g templateGen) pick(items ...string) string { return items[g.r.IntN(len(items))] }
func (g templateGen) ws() string                  { return genSpace[g.r.IntN(len(genSpace))] }
func (g templateGen) sign() string                { return g.pick("", "", "-", "+") }

func (g templateGen) tag(body string) string {
	return "{%" + g.sign() + " " + body + " " + g.sign() + "%}"
}

func (g templateGen) body(depth int) string {
	var b strings.Builder
	for range 1 + g.r.IntN(3) {
		b.WriteString(g.node(depth))
	}
	return b.String()
}

func (g templateGen) node(depth int) string {
	x := g.r.Float64()
	switch {
	case depth > 2 || x < 0.3:
		return g.pick("a", "b c", "x", "", " y ") + g.ws()
	case x < 0.45:
		return g.ws() + "{{" + g.pick("", "-") + " 'v' " + g.pick("", "-") + "}}" + g.ws()
	case x < 0.55:
		return g.ws() + "{#" + g.pick("", "-", "+") + " c " + g.pick("", "-", "+") + "#}" + g.ws()
	case x < 0.7:
		return g.ws() + g.tag(g.pick("if true", "if false")) + g.body(depth+1) + g.ws() + g.elseBranch(depth) + g.ws() + g.tag("endif") + g.ws()
	case x < 0.8:
		return g.ws() + g.tag("for i in [1, 2]") + g.body(depth+1) + g.ws() + g.tag("endfor") + g.ws()
	case x < 0.88:
		return g.ws() + g.tag("set s = 'q'") + g.ws()
	case x < 0.95:
		return g.ws() + g.rawBlock() + g.ws()
	}
	return g.ws() + g.tag("filter upper") + g.body(depth+1) + g.tag("endfilter") + g.ws()
}

func (g templateGen) elseBranch(depth int) string {
	if g.r.IntN(3) > 0 {
		return ""
	}
	return g.tag("else") + g.body(depth+1)
}

// rawBlock is a raw block; its start takes no + (Jinja2 reads {% raw +%}
// as an unknown tag, and straylight as a raw block).
func (g templateGen) rawBlock() string {
	begin := "{%" + g.sign() + " raw " + g.pick("", "-") + "%}"
	return begin + g.pick("", "{{ r }}", " z ", "\n  w\n  ") + g.ws() + g.tag("endraw")
}
