package artifact

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"path"
	"slices"
	"strings"
	"sync"

	"github.com/straylight-fleet/straylight/internal/memo"
	"github.com/straylight-fleet/straylight/internal/plainyaml"
	"github.com/straylight-fleet/straylight/internal/yamlline"
	"gopkg.in/yaml.v3"
)

// Recognize reads one rendered file and returns the servers and proxies it
// starts or configures. The format is chosen by name and content: a systemd
// unit, YAML (compose, LiteLLM, llama-swap, a vLLM or SGLang --config file,
// several documents allowed) or shell text (scripts, Dockerfiles, anything
// else). A file that should be YAML but does not parse, or whose known keys
// have the wrong shape, is an error naming file, line and key, and nothing
// from it is returned. A file with nothing recognisable returns empty
// Findings and no error.
func Recognize(file string, content []byte) (Findings, error) {
	return new(Recognizer).Recognize(file, content)
}

// Recognizer is Recognize for many files: shell text with the same content
// (a start script copied to every host of a fleet) is split into commands
// and read once, whatever the name it is read under (a script's findings
// name its file only in their sources, which each caller's copy gets), and
// a YAML file read again under the same name with the same content
// (discovery's rendered file, then the plan's) is decoded once. The zero
// value is ready; it is safe for concurrent use. Each caller gets its own
// copy of the findings (Findings.clone).
type Recognizer struct {
	mu      sync.Mutex
	scripts map[string]*readScript
	yamls   memo.Map[yamlFile, recognized]
}

type yamlFile struct{ name, content string }

// recognized is one YAML file's reading, made once: a caller that finds
// another reading it waits for that reading.
type recognized struct {
	found Findings
	err   error
}

// readScript is one script text's reading, made once and named for no
// file: its backends' sources have an empty File, and err is the lexing
// error before scriptError places it in a file.
type readScript struct {
	once     sync.Once
	backends []Backend
	err      error
}

// Recognize is the package's Recognize.
func (rz *Recognizer) Recognize(file string, content []byte) (Findings, error) {
	switch formatOf(file, content) {
	case formatUnit:
		return recognizeUnit(file, content)
	case formatYAML:
		return rz.recognizeYAML(file, content)
	}
	return rz.recognizeScript(file, content)
}

// recognizeScript reads shell text once per content: a caller racing
// another on one text waits for its reading. Each caller gets its own
// copy, its backends' sources naming its file.
func (rz *Recognizer) recognizeScript(file string, content []byte) (Findings, error) {
	s := rz.script(content)
	s.once.Do(func() { s.backends, s.err = readCommands(SplitCommands(string(content))) })
	if s.err != nil {
		return Findings{}, scriptError(file, s.err)
	}
	found := Findings{Backends: s.backends}.clone()
	for i := range found.Backends {
		found.Backends[i].Source.File = file
	}
	return found, nil
}

// script is the reading of a script text. It is not a memo.Map: looking
// the content up as m[string(content)] does not copy it, and a start
// script is read for every host (a copy for each: +9 MB at 1,000 hosts).
func (rz *Recognizer) script(content []byte) *readScript {
	rz.mu.Lock()
	defer rz.mu.Unlock()
	if rz.scripts == nil {
		rz.scripts = map[string]*readScript{}
	}
	s, ok := rz.scripts[string(content)]
	if !ok {
		s = new(readScript)
		rz.scripts[string(content)] = s
	}
	return s
}

// recognizeYAML reads a YAML file once per name and content; a caller
// racing another on one file waits for its reading (the proxy's config,
// the largest file of a fleet, is read by its discovery and its routes at
// once). Each caller gets its own copy: callers set a backend's source and
// append its notes, and hosts are read in parallel.
func (rz *Recognizer) recognizeYAML(file string, content []byte) (Findings, error) {
	r := rz.yamls.Get(yamlFile{file, string(content)}, func() recognized {
		found, err := recognizeYAML(file, content)
		return recognized{found, err}
	})
	return r.found.clone(), r.err
}

// clone copies the findings deep enough that a caller's changes (a field
// set, an append to a backend's lists) never reach another caller's copy.
func (f Findings) clone() Findings {
	out := Findings{Backends: slices.Clone(f.Backends), Proxies: slices.Clone(f.Proxies), Problems: slices.Clip(f.Problems)}
	for i := range out.Backends {
		b := &out.Backends[i]
		b.ServedNames, b.EnvFiles, b.Notes = slices.Clip(b.ServedNames), slices.Clip(b.EnvFiles), slices.Clip(b.Notes)
	}
	for i := range out.Proxies {
		out.Proxies[i].Routes, out.Proxies[i].Settings = slices.Clone(out.Proxies[i].Routes), slices.Clip(out.Proxies[i].Settings)
	}
	return out
}

type format int

const (
	formatShell format = iota
	formatUnit
	formatYAML
)

func formatOf(file string, content []byte) format {
	name := strings.TrimSuffix(path.Base(file), ".j2")
	switch ext := path.Ext(name); {
	case ext == ".service" || looksLikeUnit(content):
		return formatUnit
	case ext == ".yaml" || ext == ".yml":
		return formatYAML
	}
	return formatShell
}

// recognizeYAML decodes every document of the file before looking at any.
func recognizeYAML(file string, content []byte) (Findings, error) {
	docs, err := decodeDocuments(file, content)
	if err != nil {
		return Findings{}, err
	}
	var found Findings
	for _, doc := range docs {
		f, err := recognizeDocument(file, doc)
		if err != nil {
			return Findings{}, err
		}
		found.merge(f)
	}
	return found, nil
}

// decodeDocuments reads every document of the file; a plain one
// (internal/plainyaml: a rendered vLLM config, say) skips yaml.v3's
// tokenizer, with the same nodes.
func decodeDocuments(file string, content []byte) ([]*yaml.Node, error) {
	if root, ok := plainyaml.Parse(content); ok {
		return []*yaml.Node{root}, nil
	}
	dec := yaml.NewDecoder(bytes.NewReader(content))
	var docs []*yaml.Node
	for {
		var doc yaml.Node
		err := dec.Decode(&doc)
		if errors.Is(err, io.EOF) {
			yamlline.ToFileLines(content, docs)
			return docs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("%s: not valid YAML: %w", file, err)
		}
		if len(doc.Content) > 0 {
			docs = append(docs, doc.Content[0])
		}
	}
}

func recognizeDocument(file string, root *yaml.Node) (Findings, error) {
	if root.Kind != yaml.MappingNode {
		return Findings{}, nil
	}
	if services := mapValue(root, "services"); services != nil {
		return recognizeCompose(file, services)
	}
	if list := mapValue(root, "model_list"); list != nil {
		return recognizeLiteLLM(file, root, list)
	}
	if models := mapValue(root, "models"); isLlamaSwap(models) {
		return recognizeLlamaSwap(file, root, models)
	}
	if m := vllmMapping(root); m != nil {
		return recognizeVLLMMapping(file, m)
	}
	if spec := podSpec(root); spec != nil {
		return recognizeManifest(file, spec)
	}
	if kind, ok := serverConfigKind(root); ok {
		return recognizeServerConfig(file, root, kind)
	}
	return Findings{}, nil
}

// readCommands is what the simple commands of shell text start, their
// sources naming no file; err is SplitCommands' error.
func readCommands(commands []Command, err error) ([]Backend, error) {
	if err != nil {
		return nil, err
	}
	var backends []Backend
	for _, c := range commands {
		if b, ok := recognizeCommand(c.Args, nil, Source{Line: c.Line}); ok {
			backends = append(backends, b)
		}
	}
	return backends, nil
}

// scriptError places a lexing error on its line.
func scriptError(file string, err error) error {
	var qe *QuoteError
	if errors.As(err, &qe) {
		return fmt.Errorf("%s:%d: %w", file, qe.Line, err)
	}
	return fmt.Errorf("%s: %w", file, err)
}
