package plainyaml

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/bench/benchrepo"
	"gopkg.in/yaml.v3"
)

// oracle is what yaml.v3 reads: the single document's root, or why not.
func oracle(data []byte) (*yaml.Node, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		return nil, err
	}
	var next yaml.Node
	if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("a second document (%v)", err)
	}
	if len(doc.Content) != 1 {
		return nil, fmt.Errorf("%d roots", len(doc.Content))
	}
	return doc.Content[0], nil
}

// difference is the first way two trees differ, comments aside; "" when
// they do not.
func difference(got, want *yaml.Node, path string) string {
	if got.Kind != want.Kind || got.Tag != want.Tag || got.Value != want.Value || got.Style != want.Style ||
		got.Line != want.Line || got.Column != want.Column || got.Anchor != want.Anchor || got.Alias != want.Alias {
		return fmt.Sprintf("%s: got %s, yaml.v3 %s", path, describe(got), describe(want))
	}
	if len(got.Content) != len(want.Content) {
		return fmt.Sprintf("%s: %d children, yaml.v3 %d", path, len(got.Content), len(want.Content))
	}
	for i := range got.Content {
		if d := difference(got.Content[i], want.Content[i], fmt.Sprintf("%s/%d", path, i)); d != "" {
			return d
		}
	}
	return ""
}

func describe(n *yaml.Node) string {
	return fmt.Sprintf("kind %d tag %q value %q style %d at %d:%d", n.Kind, n.Tag, n.Value, n.Style, n.Line, n.Column)
}

// agree fails t when Parse takes data and yaml.v3 reads it otherwise (or
// not at all); it tells whether Parse took it.
func agree(t *testing.T, name string, data []byte) bool {
	t.Helper()
	got, ok := Parse(data)
	if !ok {
		return false
	}
	want, err := oracle(data)
	if err != nil {
		t.Errorf("%s: Parse took what yaml.v3 refuses (%v):\n%s", name, err, data)
		return true
	}
	if d := difference(got, want, ""); d != "" {
		t.Errorf("%s: %s\n%s", name, d, data)
	}
	return true
}

func TestParseAgreesWithYAMLv3OnTheRepositorysFiles(t *testing.T) {
	root := filepath.Join("..", "..")
	var taken, files int
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() && d.Name() == ".git" {
			return err
		}
		if d.IsDir() || !strings.HasSuffix(path, ".yml") && !strings.HasSuffix(path, ".yaml") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		files++
		if agree(t, path, data) {
			taken++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Parse took %d of the repository's %d YAML files; yaml.v3 read the rest", taken, files)
	if taken < 25 {
		t.Errorf("Parse took only %d of %d files: the check says little", taken, files)
	}
}

// The benchmark's repository (bench/benchrepo) is what README's figures
// measure: Parse must take every vars file of it, the same as yaml.v3.
func TestParseTakesTheBenchmarkRepositorysVars(t *testing.T) {
	root := t.TempDir()
	if err := benchrepo.Write(root, benchrepo.Options{Hosts: 10, OutDir: filepath.Join(root, "out")}); err != nil {
		t.Fatal(err)
	}
	vars, err := filepath.Glob(filepath.Join(root, "inventory", "*_vars", "*.yml"))
	if err != nil || len(vars) < 13 {
		t.Fatalf("vars files %v (%v): want the 10 hosts' and the 3 groups'", vars, err)
	}
	for _, path := range vars {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !agree(t, path, data) {
			t.Errorf("%s: Parse declined it", path)
		}
	}
}

func TestParseAgreesWithYAMLv3OnGeneratedDocuments(t *testing.T) {
	rng := rand.New(rand.NewPCG(13, 2026))
	var taken int
	const documents = 40000
	for i := range documents {
		data := generate(rng)
		if agree(t, fmt.Sprintf("document %d", i), data) {
			taken++
		}
		if t.Failed() {
			return
		}
	}
	t.Logf("Parse took %d of %d generated documents", taken, documents)
	if taken < documents/10 || taken > documents*9/10 {
		t.Errorf("Parse took %d of %d: the generator misses one side", taken, documents)
	}
}

// generate writes a document of plain block YAML (half of them), or one
// with something outside the subset, or wrong, now and then.
func generate(rng *rand.Rand) []byte {
	g := generator{rng: rng, noisy: rng.IntN(2) == 0, newline: pick(rng, []string{"\n", "\n", "\r\n"})}
	g.indents = []int{0}
	if rng.IntN(5) == 0 {
		g.b.WriteString(pick(rng, []string{"---", "--- # start", "---  "}) + g.newline)
	}
	for range 1 + rng.IntN(12) {
		g.line()
	}
	text := g.b.String()
	if rng.IntN(6) == 0 {
		text = strings.TrimSuffix(text, g.newline)
	}
	return []byte(text)
}

type generator struct {
	rng          *rand.Rand
	b            strings.Builder
	noisy        bool
	newline      string
	indents      []int
	expectDeeper bool
}

// chance is true one time in n, and only in a noisy document.
func (g *generator) chance(n int) bool { return g.noisy && g.rng.IntN(n) == 0 }

func (g *generator) line() {
	switch g.rng.IntN(14) {
	case 0:
		g.b.WriteString(strings.Repeat(" ", g.rng.IntN(4)) + g.newline)
		return
	case 1:
		g.b.WriteString(strings.Repeat(" ", g.rng.IntN(6)) + "# " + pick(g.rng, comments) + g.newline)
		return
	}
	if g.expectDeeper && g.rng.IntN(3) == 0 {
		g.sequence()
		return
	}
	g.b.WriteString(strings.Repeat(" ", g.indent()) + g.key() + ":")
	g.expectDeeper = g.rng.IntN(4) == 0
	if !g.expectDeeper || g.chance(15) {
		g.b.WriteString(strings.Repeat(" ", 1+g.rng.IntN(2)) + g.value())
	}
	if g.rng.IntN(8) == 0 {
		g.b.WriteString(pick(g.rng, []string{" # note", "  #x", " ", " # " + pick(g.rng, comments)}))
	}
	if g.chance(10) {
		g.b.WriteString(pick(g.rng, []string{"#", "\t", ":", " :"}))
	}
	g.b.WriteString(g.newline)
}

// sequence writes the pending key's value as a block sequence, its
// dashes in line with the key or deeper, each item a scalar or a mapping.
func (g *generator) sequence() {
	g.expectDeeper = false
	indent := g.indents[len(g.indents)-1] + g.rng.IntN(3)
	for range 1 + g.rng.IntN(3) {
		dashes := strings.Repeat(" ", indent) + "-" + strings.Repeat(" ", 1+g.rng.IntN(2))
		if g.chance(10) {
			dashes = strings.Repeat(" ", max(indent+g.rng.IntN(3)-1, 0)) + pick(g.rng, []string{"-", "- - ", "-\t", "--"})
		}
		if g.rng.IntN(2) == 0 {
			g.b.WriteString(dashes + g.value() + g.newline)
			continue
		}
		keys := len(dashes) - g.rng.IntN(10)/9
		g.b.WriteString(dashes + g.key() + ": " + g.value() + g.newline)
		for range g.rng.IntN(3) {
			g.b.WriteString(strings.Repeat(" ", keys) + g.key() + ":" + pick(g.rng, []string{" ", " ", ""}) + g.value() + g.newline)
		}
	}
}

func (g *generator) indent() int {
	indent := g.indents[len(g.indents)-1]
	switch {
	case g.expectDeeper && g.rng.IntN(5) > 0 || g.chance(12):
		indent += 1 + g.rng.IntN(4)
		g.indents = append(g.indents, indent)
	case len(g.indents) > 1 && g.rng.IntN(3) == 0:
		g.indents = g.indents[:1+g.rng.IntN(len(g.indents)-1)]
		indent = g.indents[len(g.indents)-1]
	}
	if g.chance(20) {
		indent += g.rng.IntN(3) - 1
	}
	return max(indent, 0)
}

func (g *generator) key() string {
	if g.chance(6) {
		return pick(g.rng, oddKeys)
	}
	return pick(g.rng, goodKeys)
}

func (g *generator) value() string {
	if g.chance(4) {
		return pick(g.rng, oddValues)
	}
	return pick(g.rng, goodValues)
}

func pick(rng *rand.Rand, from []string) string { return from[rng.IntN(len(from))] }

var comments = []string{"note", "\u2190 KEY FIX", "caf\u00e9", "a: b", "#", "- x", "\"q"}

var goodKeys = []string{
	"vllm", "model", "served_model_name", "port", "enabled", "a.b", "x-y", "path/to", "k9",
	"true", "null", "on", "yes", "No", "80", "007", "1.5", "_", "Key", "FALSE", "t", "n0",
}

var oddKeys = []string{
	"-", "a b", "'q'", "\"dq\"", "<<", "? k", "- item", "---", "...", "key ", "\u00e9", "0x1F", "1e3",
	"very_" + strings.Repeat("long_", 40) + "key", "2024-01-01", "1_0",
}

var goodValues = []string{
	"Qwen/Qwen2.5-7B-Instruct-AWQ", "\"model-gpu-0001\"", "'single'", "vllm/vllm-openai:latest",
	"20000", "0", "-0", "-12", "007", "09", "0.81", "00.5", "-1.5", ".5", ".inf", ".Inf", ".iNf", ".NAN",
	"1.2.3", "7B", "127.0.0.1", "12345678901234567890", "true", "True", "TRUE", "tRUE", "false", "yes",
	"no", "on", "off", "y", "n", "~", "null", "NULL", "nUll", "/opt/vllm", "(x)", "a:b", "http://x:1/y",
	"\"\"", "''", "a  b", "trailing   ", "x,y", "what?", "it's", "say \"hi\"", "a\\b", "'q' # c",
	"~x", "nullx", "0.", ".", "-.5", "1.5e", "-7B", "0.1.2-rc", "99999999999999999999.5",
}

var oddValues = []string{
	"a: b", "a #b", "a#b", "[1, 2]", "{a: 1}", "&anchor", "*alias", "!tag x", "|", ">", "- a", "-",
	"%x", "@x", "`x`", "\"with \\\" escape\"", "\"open", "'it''s'", "'open", "tab\there", "caf\u00e9",
	"\"q\" tail", "a:", "<<", "-.inf", "+1", "1_000", "1e3", "0x1F", "0o17", "0b101", "2024-01-01",
	"2024-1-2", "2001-12-14t21:59:43.10-05:00", "b[1]", "x}",
}

func TestParseDeclines(t *testing.T) {
	for _, doc := range []string{
		"",
		"# only a comment\n",
		"---\n",
		"a: 1\n  b: 2\n",         // deeper after a scalar
		"  a: 1\n",               // indented root
		"a:\n    b: 1\n  c: 2\n", // between two levels
		"a: [1, 2]\n",
		"- a\n",            // a sequence at the root
		"a:\n- - 1\n",      // nested
		"a:\n-\n",          // a null item
		"a:\n- # c\n  b\n", // an item on the next line
		"a: 1\n- b\n",
		"a:\n  - b\n - c\n",
		"a:\n  - b: 1\n   c: 2\n",
		"a: |\n  x\n",
		"a: &x 1\n",
		"a: !!str 1\n",
		"a: \"x\\ty\"\n",
		"a: \"x\n  y\"\n",
		"a: b\n  c\n", // a plain scalar over two lines
		"a:\tb\n",
		"a: b\rc: d\n",
		"a: caf\xc3\xa9\n",
		"---\n---\na: 1\n",
		"a: 1\n---\nb: 2\n",
		"a: 1\n...\n",
		"a: caf\xc3\xa9 # caf\xc3\xa9\n",
		"a: 1 # \xe2\x80\xa8\n", // U+2028: a line break to yaml.v3
		"a: 1 # \xff\n",
		"a: 2024-01-01\n",
		"a: 1e3\n",
		"a: b: c\n",
		"\"a\": 1\n",
	} {
		if n, ok := Parse([]byte(doc)); ok {
			t.Errorf("Parse(%q) = %s, want false (yaml.v3's to read)", doc, describe(n))
		}
	}
}

func TestParseTakesWhatYAMLv3ReadsTheSame(t *testing.T) {
	for _, doc := range []string{
		"a:\n",
		"a:\nb: 1\n",
		"a:   # c\n  \nb:\n",
		"x:\n  a:  # c\n  b: 2\nc:",
		"---\na: 1\n",
		"--- # c\r\na: 1\r\n",
		"# \u2190 KEY FIX\na: 1 # caf\u00e9\n",
		"a: 127.0.0.1\n",
		"a:\n- 1\n- x\nb: 2\n",
		"a:\n  - 1\n  -   'x'  # c\nb:\n",
		"model_list:\n  - model_name: local/gpu-0001\n    litellm_params:\n      model: openai/m\n" +
			"      api_base: http://127.0.0.1:20000/v1\n    model_info:\n      mode: chat\n  - model_name: b\n" +
			"litellm_settings:\n  drop_params: true\n",
		"a:\n  - b:\n    c: 1\n  - d:\n      e: 2\n",
		"a:\n- b:\n  - 1\n- c\n",
	} {
		if !agree(t, fmt.Sprintf("%q", doc), []byte(doc)) {
			t.Errorf("Parse(%q) declined", doc)
		}
	}
}

func TestParseTakesAConfigAsYAMLv3Does(t *testing.T) {
	config := "# {{ ansible_managed }}\r\nvllm:\r\n  enabled: true\r\n  model: \"Qwen/Qwen2.5-7B-Instruct-AWQ\"\r\n" +
		"  port: 20000   # the API\r\n  gpu_memory_utilization: 0.81\r\n  quantization: 'awq'\r\n\r\n" +
		"  image: vllm/vllm-openai:latest\r\nother: ~\r\n"
	if !agree(t, "config", []byte(config)) {
		t.Fatal("Parse declined a plain config")
	}
	root, _ := Parse([]byte(config))
	port := root.Content[1].Content[5]
	if port.Value != "20000" || port.Tag != "!!int" || port.Line != 5 || port.Column != 9 {
		t.Errorf("port = %s, want 20000 !!int at 5:9", describe(port))
	}
}

func FuzzParse(f *testing.F) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 40 {
		f.Add(generate(rng))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		agree(t, "input", data)
	})
}

func BenchmarkParse(b *testing.B) {
	config := []byte("# Ansible managed\r\nvllm:\r\n  enabled: true\r\n  model: \"Qwen/Qwen2.5-7B-Instruct-AWQ\"\r\n" +
		"  served_model_name: \"model-gpu-0001\"\r\n  port: 20000\r\n  container_name: \"vllm-gpu-0001\"\r\n" +
		"  image: \"vllm/vllm-openai:latest\"\r\n  max_model_len: 9216\r\n  gpu_memory_utilization: 0.81\r\n" +
		"  quantization: \"awq\"\r\n  tensor_parallel_size: 1\r\n  auto_switch: true\r\n" +
		"  check_interval_minutes: 5\r\n  idle_threshold_minutes: 5\r\n")
	b.Run("plainyaml", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, ok := Parse(config); !ok {
				b.Fatal("declined")
			}
		}
	})
	b.Run("yaml.v3", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := oracle(config); err != nil {
				b.Fatal(err)
			}
		}
	})
}
