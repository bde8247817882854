package render

import (
	"fmt"
	"os"
	"os/user"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// addPathURLFilters adds the filters of filters_path.go and filters_url.go
// that both cores run alike.
func addPathURLFilters(filters map[string]filter) {
	addPathFilters(filters)
	addURLFilters(filters)
}

// addPathFilters adds Ansible's path filters (ansible/plugins/filter/
// core.py: unicode_wrap around os.path and ntpath) that both cores have.
func addPathFilters(filters map[string]filter) {
	filters["path_join"] = filter{fn: filterPathJoin}
	filters["splitext"] = filter{fn: pathFilter(func(p string) (any, error) { return pyTuple(stringList(pySplitExt(p))), nil })}
	filters["realpath"] = filter{fn: pathFilter(func(p string) (any, error) { return pyRealPath(p) })}
	filters["relpath"] = filter{params: []string{"start"}, fn: filterRelPath}
	filters["expanduser"] = filter{fn: pathFilter(func(p string) (any, error) { return pyExpandUser(p), nil })}
	filters["expandvars"] = filter{fn: pathFilter(func(p string) (any, error) { return pyExpandVars(p), nil })}
	filters["win_splitdrive"] = filter{fn: pathFilter(func(p string) (any, error) { return pyTuple(stringList(ntSplitDrive(p))), nil })}
	filters["fileglob"] = filter{fn: pathFilter(func(p string) (any, error) { return stringList(pyFileGlob(p)), nil })}
}

// pathFilters219 are the path filters only ansible-core 2.19 has
// (normpath, commonpath): under 2.14 their name is unknown, and the
// template fails as 2.14's does ("Could not load").
func pathFilters219(dataTagging func() bool) map[string]filter {
	only219 := func(name string, fn func(any, []any) (any, error)) filter {
		return filter{fn: func(in any, args []any) (any, error) {
			if !dataTagging() {
				//lint:ignore ST1005 ansible-core 2.14's message, byte for byte
				return nil, fmt.Errorf("Could not load \"%s\": '%s'", name, name)
			}
			return fn(in, args)
		}}
	}
	return map[string]filter{
		"normpath":   only219("normpath", pathFilter(func(p string) (any, error) { return pyNormPath(p), nil })),
		"commonpath": only219("commonpath", filterCommonPath),
	}
}

// pathFilter is an os.path function of a str, as unicode_wrap calls it:
// anything else fails as os.fspath does.
func pathFilter(fn func(string) (any, error)) func(any, []any) (any, error) {
	return func(in any, _ []any) (any, error) {
		p, err := fsPath(in)
		if err != nil {
			return nil, err
		}
		return fn(p)
	}
}

// fsPath is Python's os.fspath on an engine value: a str, else TypeError.
func fsPath(x any) (string, error) {
	if s, ok := x.(string); ok {
		return s, nil
	}
	return "", fmt.Errorf("expected str, bytes or os.PathLike object, not %s", typeName(x))
}

// filterPathJoin is Ansible's path_join: os.path.join of a string (itself)
// or of a sequence's items; anything else fails.
func filterPathJoin(in any, _ []any) (any, error) {
	if s, ok := in.(string); ok {
		return s, nil
	}
	items, ok := asList(in)
	if !ok {
		//lint:ignore ST1005 Python's message, byte for byte
		return nil, fmt.Errorf("|path_join expects string or sequence, got %s instead.", pyClass(in))
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("join() missing 1 required positional argument: 'a'")
	}
	parts := make([]string, len(items))
	for i, item := range items {
		s, ok := item.(string)
		if !ok {
			return nil, fmt.Errorf("join() argument must be str, bytes, or os.PathLike object, not '%s'", typeName(item))
		}
		parts[i] = s
	}
	return pyJoin(parts...), nil
}

// pyClass is how Python's str(type(x)) names x's type.
func pyClass(x any) string { return "<class '" + typeName(x) + "'>" }

// pyJoin is posixpath.join: an absolute part starts over, a slash is put
// between parts unless the path so far is empty or ends in one.
func pyJoin(parts ...string) string {
	path := parts[0]
	for _, part := range parts[1:] {
		switch {
		case strings.HasPrefix(part, "/"):
			path = part
		case path == "" || strings.HasSuffix(path, "/"):
			path += part
		default:
			path += "/" + part
		}
	}
	return path
}

// pySplit is posixpath.split: head (trailing slashes removed unless it is
// all slashes) and the part after the last slash.
func pySplit(p string) (head, tail string) {
	i := strings.LastIndex(p, "/") + 1
	head, tail = p[:i], p[i:]
	if head != "" && strings.Trim(head, "/") != "" {
		head = strings.TrimRight(head, "/")
	}
	return head, tail
}

// pySplitExt is posixpath.splitext: the extension from the last dot of the
// last part, unless that part is only dots before it (".bashrc").
func pySplitExt(p string) []string {
	sep, dot := strings.LastIndex(p, "/"), strings.LastIndex(p, ".")
	if dot > sep {
		for i := sep + 1; i < dot; i++ {
			if p[i] != '.' {
				return []string{p[:dot], p[dot:]}
			}
		}
	}
	return []string{p, ""}
}

// ntSplitDrive is ntpath.splitdrive (Python 3.11): a drive letter ("C:")
// or a UNC share ("//host/share"), and the rest.
func ntSplitDrive(p string) []string {
	if len(p) < 2 {
		return []string{"", p}
	}
	norm := strings.ReplaceAll(p, "/", `\`)
	if strings.HasPrefix(norm, `\\`) {
		return uncSplit(p, norm)
	}
	if norm[1] == ':' {
		return []string{p[:2], p[2:]}
	}
	return []string{"", p}
}

// uncSplit is splitdrive's UNC branch: up to the separator after the
// share's name.
func uncSplit(p, norm string) []string {
	start := 2
	if len(norm) >= 8 && strings.ToUpper(norm[:8]) == `\\?\UNC\` {
		start = 8
	}
	index := indexFrom(norm, `\`, start)
	if index < 0 {
		return []string{p, ""}
	}
	index2 := indexFrom(norm, `\`, index+1)
	if index2 < 0 {
		return []string{p, ""}
	}
	return []string{p[:index2], p[index2:]}
}

// indexFrom is Python's s.find(sub, start).
func indexFrom(s, sub string, start int) int {
	if start > len(s) {
		return -1
	}
	if i := strings.Index(s[start:], sub); i >= 0 {
		return start + i
	}
	return -1
}

// pyNormPath is posixpath.normpath: . and empty parts dropped, .. taking
// its parent away where there is one; two leading slashes kept, three or
// more made one.
func pyNormPath(p string) string {
	if p == "" {
		return "."
	}
	slashes := 0
	if strings.HasPrefix(p, "/") {
		slashes = 1
		if strings.HasPrefix(p, "//") && !strings.HasPrefix(p, "///") {
			slashes = 2
		}
	}
	var parts []string
	for _, part := range strings.Split(p, "/") {
		switch {
		case part == "" || part == ".":
		case part != ".." || (slashes == 0 && len(parts) == 0) || (len(parts) > 0 && parts[len(parts)-1] == ".."):
			parts = append(parts, part)
		case len(parts) > 0:
			parts = parts[:len(parts)-1]
		}
	}
	out := strings.Repeat("/", slashes) + strings.Join(parts, "/")
	if out == "" {
		return "."
	}
	return out
}

// pyAbsPath is posixpath.abspath: joined to the working directory, then
// normalized.
func pyAbsPath(p string) (string, error) {
	if !strings.HasPrefix(p, "/") {
		cwd, err := os.Getwd()
		if err != nil {
			return "", err
		}
		p = pyJoin(cwd, p)
	}
	return pyNormPath(p), nil
}

// pyRealPath is posixpath.realpath (strict=False): symbolic links resolved
// part by part, parts that do not exist kept as they are.
func pyRealPath(p string) (string, error) {
	path, _ := joinRealPath("", p, map[string]*string{})
	return pyAbsPath(path)
}

// joinRealPath is posixpath._joinrealpath: rest's parts resolved onto
// path; ok is false on a symbolic link loop (the rest is then kept).
func joinRealPath(path, rest string, seen map[string]*string) (string, bool) {
	if strings.HasPrefix(rest, "/") {
		rest, path = rest[1:], "/"
	}
	for rest != "" {
		var name string
		name, rest, _ = strings.Cut(rest, "/")
		switch {
		case name == "" || name == ".":
			continue
		case name == "..":
			path = parentOf(path)
			continue
		}
		newPath := pyJoin(path, name)
		if st, err := os.Lstat(newPath); err != nil || st.Mode()&os.ModeSymlink == 0 {
			path = newPath
			continue
		}
		resolved, ok := resolveLink(path, newPath, seen)
		if !ok {
			return pyJoin(resolved, rest), false
		}
		path = resolved
	}
	return path, true
}

// parentOf is _joinrealpath's step for a "..".
func parentOf(path string) string {
	if path == "" {
		return ".."
	}
	head, name := pySplit(path)
	if name == ".." {
		return pyJoin(head, "..", "..")
	}
	return head
}

// resolveLink resolves the symbolic link newPath (under path), with
// _joinrealpath's cache of links seen and its loop rule.
func resolveLink(path, newPath string, seen map[string]*string) (string, bool) {
	if cached, ok := seen[newPath]; ok {
		if cached != nil {
			return *cached, true
		}
		return newPath, false
	}
	seen[newPath] = nil
	target, err := os.Readlink(newPath)
	if err != nil {
		return newPath, true
	}
	resolved, ok := joinRealPath(path, target, seen)
	if ok {
		seen[newPath] = &resolved
	}
	return resolved, ok
}

// filterRelPath is Ansible's relpath: posixpath.relpath(path, start),
// start the working directory unless given.
func filterRelPath(in any, args []any) (any, error) {
	if !pyTruthy(in) {
		return nil, fmt.Errorf("no path specified")
	}
	p, err := fsPath(in)
	if err != nil {
		return nil, err
	}
	start := "."
	if s := or(args[0], nil); s != nil {
		if start, err = fsPath(s); err != nil {
			return nil, err
		}
	}
	return pyRelPath(p, start)
}

// pyRelPath is posixpath.relpath: ".." for each part of start past the
// common prefix, then the rest of path.
func pyRelPath(p, start string) (string, error) {
	absStart, err := pyAbsPath(start)
	if err != nil {
		return "", err
	}
	absPath, err := pyAbsPath(p)
	if err != nil {
		return "", err
	}
	startParts, pathParts := nonEmpty(strings.Split(absStart, "/")), nonEmpty(strings.Split(absPath, "/"))
	common := 0
	for common < len(startParts) && common < len(pathParts) && startParts[common] == pathParts[common] {
		common++
	}
	var rel []string
	for range startParts[common:] {
		rel = append(rel, "..")
	}
	rel = append(rel, pathParts[common:]...)
	if len(rel) == 0 {
		return ".", nil
	}
	return pyJoin(rel...), nil
}

func nonEmpty(parts []string) []string {
	var out []string
	for _, part := range parts {
		if part != "" {
			out = append(out, part)
		}
	}
	return out
}

// pyExpandUser is posixpath.expanduser: a leading ~ is $HOME (or the
// user's home in the password database), ~name that user's home; a user
// not found leaves the path as it is.
func pyExpandUser(p string) string {
	if !strings.HasPrefix(p, "~") {
		return p
	}
	i := indexFrom(p, "/", 1)
	if i < 0 {
		i = len(p)
	}
	home, ok := userHome(p[1:i])
	if !ok {
		return p
	}
	if out := strings.TrimRight(home, "/") + p[i:]; out != "" {
		return out
	}
	return "/"
}

// userHome is name's home directory, the current user's for "".
func userHome(name string) (string, bool) {
	if name == "" {
		if home, ok := os.LookupEnv("HOME"); ok {
			return home, true
		}
		u, err := user.Current()
		if err != nil {
			return "", false
		}
		return u.HomeDir, true
	}
	u, err := user.Lookup(name)
	if err != nil {
		return "", false
	}
	return u.HomeDir, true
}

// envVarPattern is posixpath's _varprog: $name or ${name}, name of ASCII
// word characters.
var envVarPattern = lazyre.New(`\$([A-Za-z0-9_]+|\{[^}]*\})`)

// pyExpandVars is posixpath.expandvars: each $name or ${name} set in the
// controller's environment replaced by its value, others left.
func pyExpandVars(p string) string {
	var b strings.Builder
	last := 0
	for _, m := range envVarPattern().FindAllStringSubmatchIndex(p, -1) {
		name := p[m[2]:m[3]]
		if strings.HasPrefix(name, "{") {
			name = name[1 : len(name)-1]
		}
		if value, ok := os.LookupEnv(name); ok {
			b.WriteString(p[last:m[0]] + value)
			last = m[1]
		}
	}
	return b.String() + p[last:]
}

// filterCommonPath is ansible-core 2.19's commonpath: os.path.commonpath
// of a sequence of paths.
func filterCommonPath(in any, _ []any) (any, error) {
	items, ok := asList(in)
	if !ok {
		//lint:ignore ST1005 Python's message, byte for byte
		return nil, fmt.Errorf("|commonpath expects sequence, got %s instead.", pyClass(in))
	}
	if len(items) == 0 {
		return nil, fmt.Errorf("commonpath() arg is an empty sequence")
	}
	paths := make([]string, len(items))
	for i, item := range items {
		p, err := fsPath(item)
		if err != nil {
			return nil, err
		}
		paths[i] = p
	}
	return pyCommonPath(paths)
}

// pyCommonPath is posixpath.commonpath: the longest common run of parts
// (. and empty parts dropped) of the lexically smallest and largest part
// lists, absolute paths and relative ones not mixed.
func pyCommonPath(paths []string) (string, error) {
	isAbs := strings.HasPrefix(paths[0], "/")
	var lists [][]string
	for _, p := range paths {
		if strings.HasPrefix(p, "/") != isAbs {
			//lint:ignore ST1005 Python's message, byte for byte
			return "", fmt.Errorf("Can't mix absolute and relative paths")
		}
		var parts []string
		for _, part := range strings.Split(p, "/") {
			if part != "" && part != "." {
				parts = append(parts, part)
			}
		}
		lists = append(lists, parts)
	}
	lo, hi := lists[0], lists[0]
	for _, parts := range lists[1:] {
		if compareStrings(parts, lo) < 0 {
			lo = parts
		}
		if compareStrings(parts, hi) > 0 {
			hi = parts
		}
	}
	common := lo
	for i := range lo {
		if lo[i] != hi[i] {
			common = lo[:i]
			break
		}
	}
	prefix := ""
	if isAbs {
		prefix = "/"
	}
	return prefix + strings.Join(common, "/"), nil
}

// compareStrings orders lists of strings as Python does.
func compareStrings(a, b []string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		if c := strings.Compare(a[i], b[i]); c != 0 {
			return c
		}
	}
	return len(a) - len(b)
}
