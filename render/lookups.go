package render

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// The lookups straylight runs itself, on the controller's files and
// environment as ansible-playbook would: env, file, template, vars,
// first_found, fileglob and password (an existing password file,
// lookup_password.go). Any other lookup is an error naming it.

type lookupFunc func(e *Engine, s *Scope, terms []any, kw map[string]any) ([]any, error)

func lookupNamed(name string) (lookupFunc, bool) {
	switch name {
	case "env":
		return lookupEnv, true
	case "file":
		return lookupFile, true
	case "template":
		return lookupTemplate, true
	case "vars":
		return lookupVars, true
	case "first_found":
		return lookupFirstFound, true
	case "fileglob":
		return lookupFileglob, true
	case "password":
		return lookupPassword, true
	}
	return nil, false
}

// lookupGlobal is lookup() (list is false: the results joined with commas,
// as Ansible's wantlist=False) or query() and q() (a list).
func (e *Engine) lookupGlobal(s *Scope, list bool) func(*exec.VarArgs) *exec.Value {
	return func(args *exec.VarArgs) *exec.Value {
		if len(args.Args) == 0 {
			return exec.AsValue(fmt.Errorf("lookup() needs the lookup's name"))
		}
		name := strings.TrimPrefix(strings.TrimPrefix(args.Args[0].String(), "ansible.builtin."), "ansible.legacy.")
		fn, ok := lookupNamed(name)
		if !ok {
			return exec.AsValue(fmt.Errorf("lookup plugin %q "+notSupportedMark+" (it runs env, file, template, vars, first_found, fileglob, password)", name))
		}
		kw := map[string]any{}
		for k, v := range args.KwArgs {
			kw[k] = toPy(v)
		}
		out, err := fn(e, s, lookupTerms(args.Args[1:]), kw)
		if err != nil {
			return exec.AsValue(err)
		}
		return exec.AsValue(lookupResult(out, list || pyTruthy(kw["wantlist"])))
	}
}

// lookupTerms are the terms, a list argument spliced in.
func lookupTerms(args []*exec.Value) []any {
	var out []any
	for _, a := range args {
		if l, ok := asList(toPy(a)); ok {
			out = append(out, l...)
		} else {
			out = append(out, toPy(a))
		}
	}
	return out
}

func lookupResult(out []any, list bool) any {
	if list {
		return pyList(out)
	}
	strs := make([]string, 0, len(out))
	for _, o := range out {
		s, ok := o.(string)
		if !ok {
			if len(out) == 1 {
				return o
			}
			return pyList(out)
		}
		strs = append(strs, s)
	}
	return strings.Join(strs, ",")
}

func lookupEnv(_ *Engine, _ *Scope, terms []any, kw map[string]any) ([]any, error) {
	var out []any
	for _, t := range terms {
		v, ok := os.LookupEnv(pyStr(t))
		if !ok && kw["default"] != nil {
			out = append(out, kw["default"])
			continue
		}
		out = append(out, v)
	}
	return out, nil
}

func lookupFile(_ *Engine, s *Scope, terms []any, kw map[string]any) ([]any, error) {
	var out []any
	for _, t := range terms {
		path, err := s.findFile("files", pyStr(t))
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		text := string(data)
		if v, ok := kw["rstrip"]; !ok || pyTruthy(v) {
			text = strings.TrimRight(text, " \t\r\n\v\f")
		}
		if pyTruthy(kw["lstrip"]) {
			text = strings.TrimLeft(text, " \t\r\n\v\f")
		}
		out = append(out, text)
	}
	return out, nil
}

// lookupTemplate is the template lookup: each file rendered with the
// lookup's options and the core's rules for the result (templateFile).
func lookupTemplate(e *Engine, s *Scope, terms []any, kw map[string]any) ([]any, error) {
	opts, err := e.lookupTemplateKeywords(kw)
	if err != nil {
		return nil, err
	}
	if opts.vars != nil {
		s = s.With(opts.vars)
	}
	var out []any
	for _, t := range terms {
		path, err := s.findFile("templates", pyStr(t))
		if err != nil {
			return nil, err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		value, err := e.templateFile(path, string(data), s, lookupTemplateOptions(s, path, opts.trimBlocks), opts)
		if err != nil {
			return nil, err
		}
		out = append(out, value)
	}
	return out, nil
}

// templateLookupOptions are the template lookup's keyword arguments.
type templateLookupOptions struct {
	vars       map[string]any // template_vars
	convert    bool           // convert_data (2.14 only)
	trimBlocks bool           // trim_blocks (2.19 only)
	marks      delimiters     // variable_start_string, ... (zero: Jinja2's)
}

// lookupTemplateKeywords reads the template lookup's keywords: 2.14 has
// convert_data and no trim_blocks (lib/ansible/plugins/lookup/template.py:
// 108-156 at v2.14.18), 2.19 trim_blocks and a convert_data it no longer
// reads (:106-175 at v2.19.14); both take template_vars and the variable
// and comment delimiters.
func (e *Engine) lookupTemplateKeywords(kw map[string]any) (templateLookupOptions, error) {
	opts := templateLookupOptions{convert: true, trimBlocks: true}
	if v, ok := kw["convert_data"]; ok && !e.dataTagging() {
		opts.convert = pyTruthy(v)
	}
	if v, ok := kw["trim_blocks"]; ok && e.dataTagging() {
		opts.trimBlocks = pyTruthy(v)
	}
	marks, err := lookupDelimiters(kw)
	if err != nil {
		return opts, err
	}
	opts.marks = marks
	if v, ok := kw["template_vars"]; ok {
		vars, isDict := v.(pyDict)
		if !isDict {
			return opts, fmt.Errorf("template lookup: template_vars must be a dict, got %s", typeName(v))
		}
		opts.vars = plain(vars).(map[string]any)
	}
	return opts, nil
}

// lookupDelimiters are the template lookup's variable and comment
// markers (it has no block markers): the zero value when they are
// Jinja2's.
func lookupDelimiters(kw map[string]any) (delimiters, error) {
	return readDelimiters(kw, "template lookup", "variable_", "comment_")
}

// readDelimiters reads the markers whose option names start with one of
// kinds from args (a nil value is the default), refusing an empty one.
func readDelimiters(args map[string]any, what string, kinds ...string) (delimiters, error) {
	var d delimiters
	for _, f := range d.fields() {
		v, ok := args[f.option]
		if !ok || v == nil || !hasAnyPrefix(f.option, kinds) {
			continue
		}
		if *f.own = pyStr(v); *f.own == "" {
			return delimiters{}, fmt.Errorf("%s: %s must not be empty", what, f.option)
		}
	}
	return d.normal(), nil
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, prefix := range prefixes {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// lookupTemplateOptions are the template lookup's: its Jinja2 searchpath
// is the file's own folder, then the search path's folders with their
// templates/ first (lib/ansible/plugins/lookup/template.py:128-138 at
// v2.14.18, :144-154 at v2.19.14).
func lookupTemplateOptions(s *Scope, path string, trimBlocks bool) TemplateOptions {
	opts := TemplateDefaults()
	opts.TrimBlocks = trimBlocks
	opts.SearchPath = append([]string{filepath.Dir(path)}, TemplateSearchPath(s.search...)...)
	return opts
}

func lookupVars(e *Engine, s *Scope, terms []any, kw map[string]any) ([]any, error) {
	var out []any
	for _, t := range terms {
		name := pyStr(t)
		raw, ok := s.Raw(name)
		if !ok {
			if d, has := kw["default"]; has {
				out = append(out, d)
				continue
			}
			return nil, &UndefinedError{Name: name, Hint: fmt.Sprintf("No variable found with this name: %s", name)}
		}
		v, err := e.TemplateOrdered(s, raw)
		if err != nil {
			return nil, err
		}
		out = append(out, canonical(v))
	}
	return out, nil
}

// lookupFirstFound is first_found: the first of the files (terms, or a
// mapping's files and paths) that exists, as an absolute path.
func lookupFirstFound(_ *Engine, s *Scope, terms []any, kw map[string]any) ([]any, error) {
	names, paths := firstFoundCandidates(terms, kw)
	for _, n := range names {
		for _, p := range paths {
			if path, err := s.findFile("files", filepath.Join(p, n)); err == nil {
				return []any{path}, nil
			}
		}
	}
	if pyTruthy(kw["skip"]) {
		return []any{}, nil
	}
	return nil, ansibleText("No file was found when using first_found.")
}

func firstFoundCandidates(terms []any, kw map[string]any) (names, paths []string) {
	collect := func(v any, into *[]string) {
		if l, ok := asList(canonical(v)); ok {
			for _, e := range l {
				*into = append(*into, pyStr(e))
			}
		} else if v != nil {
			*into = append(*into, strings.Split(pyStr(v), ",")...)
		}
	}
	for _, t := range append(terms, kw["files"]) {
		if d, ok := canonical(t).(pyDict); ok {
			f, _ := d.get("files")
			p, _ := d.get("paths")
			collect(f, &names)
			collect(p, &paths)
		} else {
			collect(t, &names)
		}
	}
	collect(kw["paths"], &paths)
	if len(paths) == 0 {
		paths = []string{""}
	}
	return names, paths
}

// lookupFileglob is fileglob: the files matching each pattern (Python's
// glob, in the directory's order: pyFileGlob), in the first search
// directory holding any.
func lookupFileglob(_ *Engine, s *Scope, terms []any, _ map[string]any) ([]any, error) {
	var out []any
	for _, t := range terms {
		pattern := pyStr(t)
		for _, dir := range s.searchDirs("files", pattern) {
			matches := pyFileGlob(dir)
			for _, m := range matches {
				out = append(out, m)
			}
			if len(matches) > 0 { // the first directory with a match
				break
			}
		}
	}
	return out, nil
}

// findFile finds a lookup's file: absolute as given, else in each search
// directory's sub directory, then the directory itself.
func (s *Scope) findFile(sub, name string) (string, error) {
	candidates := s.searchDirs(sub, name)
	for _, c := range candidates {
		if st, err := os.Stat(c); err == nil && !st.IsDir() {
			return c, nil
		}
	}
	return "", fmt.Errorf("could not locate file in lookup: %s (looked in %s)", name, strings.Join(candidates, ", "))
}

func (s *Scope) searchDirs(sub, name string) []string {
	if filepath.IsAbs(name) {
		return []string{name}
	}
	var out []string
	for _, d := range s.search {
		out = append(out, filepath.Join(d, sub, name), filepath.Join(d, name))
	}
	if len(out) == 0 {
		out = []string{name}
	}
	return out
}

// ansibleText is an error whose text is Ansible's own, capitals and full
// stop included.
type ansibleText string

func (m ansibleText) Error() string { return string(m) }
