package render

import (
	"fmt"
	"io"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/nodes"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/nikolalohinski/gonja/v2/tokens"
)

// {% raw %}...{% endraw %} is written as Jinja2's lexer reads it
// (jinja2/lexer.py, Lexer.__init__'s raw rules and tokeniter's
// OptionalLStrip, Jinja2 3.1.6), which gonja's lexer does not follow:
//   - no trim_blocks after {% raw %}: its newline stays (gonja dropped it);
//   - {% raw -%} strips the whitespace that starts the text, {%- endraw %}
//     the whitespace that ends it (gonja kept both);
//   - under lstrip_blocks, the spaces before {% endraw %} on its own line
//     go (gonja kept them);
//   - an empty block is nothing (gonja's parser panicked).
// What is around the block (the whitespace before {%- raw %}, lstrip
// before it, and all after {% endraw %}) gonja handles as for any block.
// The scanner that blanks string literals (lexfix.go) meets every raw
// block and keeps its text by the offset of its {% raw %}, which gonja's
// tokens keep (the scanner's rewrites keep every length); the parser takes
// the text of the block it reads from there.

// rawBlock is one {% raw %}...{% endraw %} as written: where it starts,
// its content, and the whitespace control of its two tags.
type rawBlock struct {
	at        int // the offset of its {% raw %}
	content   string
	beginDash bool // {% raw -%}
	endSign   byte // {%- endraw %}: '-', {%+ endraw %}: '+', else 0
}

// newRawBlock reads the block's tags with the template's block markers.
func newRawBlock(at int, begin, content, end string, marks delimiters) rawBlock {
	b := rawBlock{at: at, content: content, beginDash: strings.HasSuffix(begin, "-"+marks.blockEnd)}
	if rest := strings.TrimPrefix(end, marks.blockStart); rest != "" && (rest[0] == '-' || rest[0] == '+') {
		b.endSign = rest[0]
	}
	return b
}

// text is what Jinja2 writes for the block (newlines as newline).
func (b rawBlock) text(lstripBlocks bool, newline string) string {
	text := b.content
	if b.beginDash {
		text = strings.TrimLeftFunc(text, isPythonSpace)
	}
	switch {
	case b.endSign == '-':
		text = strings.TrimRightFunc(text, isPythonSpace)
	case b.endSign != '+' && lstripBlocks:
		text = lstripBeforeTag(text)
	}
	if newline == "" {
		return text
	}
	return strings.ReplaceAll(text, "\n", newline)
}

// lstripBeforeTag drops the whitespace between the text's last line start
// and the tag, when that is all the line holds. The text starting a line
// (line_starting) matters only to a text without a newline, and such a
// text is not all whitespace: {% raw -%} would have stripped it.
func lstripBeforeTag(text string) string {
	if cut, ok := blankLastLine(text, false); ok {
		return text[:cut]
	}
	return text
}

// rawText is a raw block's node: its text, written as it is.
type rawText struct {
	at   *tokens.Token
	text string
}

func (r *rawText) Position() *tokens.Token { return r.at }
func (r *rawText) String() string          { return fmt.Sprintf("raw(Line=%d Col=%d)", r.at.Line, r.at.Col) }

func (r *rawText) Execute(rd *exec.Renderer, _ *nodes.ControlStructureBlock) error {
	_, err := io.WriteString(rd.Output, r.text)
	return err
}

// rawParser reads the block up to {% endraw %}; its text is gonja's until
// positionedStatements sets Jinja2's.
func rawParser(p *parser.Parser, args *parser.Parser) (nodes.ControlStructure, error) {
	at := p.Current()
	wrapper, _, err := p.WrapUntil("endraw")
	if err != nil {
		return nil, err
	}
	if !args.End() {
		return nil, args.Error("raw controlStructure doesn't accept parameters.", args.Current())
	}
	switch len(wrapper.Nodes) {
	case 0:
		return &rawText{at: at}, nil
	case 1:
		if data, ok := wrapper.Nodes[0].(*nodes.Data); ok {
			return &rawText{at: data.Position(), text: data.Data.Val}, nil
		}
	}
	return nil, p.Error("raw controlStructure can only contains a single data node", at)
}
