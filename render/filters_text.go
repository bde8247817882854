package render

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
	"github.com/straylight-fleet/straylight/internal/shquote"
)

func addTextFilters(filters map[string]filter) {
	filters["regex_replace"] = filter{params: []string{"pattern", "replacement", "ignorecase", "multiline"}, fn: filterRegexReplace}
	filters["regex_search"] = filter{params: []string{"regex", "group1", "group2", "group3", "group4", "ignorecase", "multiline"}, fn: filterRegexSearch}
	filters["regex_findall"] = filter{params: []string{"regex", "multiline", "ignorecase"}, fn: filterRegexFindall}
	filters["regex_escape"] = filter{params: []string{"re_type"}, fn: filterRegexEscape}
	filters["quote"] = filter{fn: filterQuote}
	filters["basename"] = filter{fn: stringFilter(pyBasename)}
	filters["dirname"] = filter{fn: stringFilter(pyDirname)}
	filters["win_basename"] = filter{fn: stringFilter(winBasename)}
	filters["win_dirname"] = filter{fn: stringFilter(winDirname)}
	filters["split"] = filter{params: []string{"sep", "maxsplit"}, fn: filterSplit}
	filters["comment"] = filter{params: commentParams, fn: filterComment}
}

// compilePython compiles a Python regular expression with Go's engine,
// which shares its common syntax ((?P<name>), classes, anchors) but not
// look-around or backreferences; those report an error.
func compilePython(pattern string, ignoreCase, multiline bool) (*regexp.Regexp, error) {
	flags := ""
	if ignoreCase {
		flags += "i"
	}
	if multiline {
		flags += "m"
	}
	if flags != "" {
		pattern = "(?" + flags + ")" + pattern
	}
	pattern = strings.ReplaceAll(pattern, `\Z`, `\z`)
	re, err := regexp.Compile(pattern)
	if err != nil {
		return nil, fmt.Errorf("unsupported regular expression %q: %w", pattern, err)
	}
	return re, nil
}

func filterRegexReplace(in any, args []any) (any, error) {
	re, err := compilePython(pyStr(or(args[0], "")), pyTruthy(or(args[2], false)), pyTruthy(or(args[3], false)))
	if err != nil {
		return nil, err
	}
	template := pyStr(or(args[1], ""))
	text := pyStr(in)
	var b strings.Builder
	last := 0
	for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
		b.WriteString(text[last:m[0]])
		if err := expandPython(&b, template, re, text, m); err != nil {
			return nil, err
		}
		last = m[1]
	}
	b.WriteString(text[last:])
	return b.String(), nil
}

// expandPython writes re.sub's replacement template for match m: \1, \g<1>
// and \g<name> are groups, \n and friends are characters.
func expandPython(b *strings.Builder, template string, re *regexp.Regexp, text string, m []int) error {
	for i := 0; i < len(template); i++ {
		if template[i] != '\\' || i+1 == len(template) {
			b.WriteByte(template[i])
			continue
		}
		group, width, err := replacementGroup(template[i+1:], re)
		if err != nil {
			return err
		}
		if group >= 0 {
			if m[2*group] >= 0 {
				b.WriteString(text[m[2*group]:m[2*group+1]])
			}
			i += width
			continue
		}
		b.WriteString(pyUnescape(template[i : i+2]))
		i++
	}
	return nil
}

var groupReference = lazyre.New(`^(?:(\d{1,2})|g<([^>]*)>)`)

// replacementGroup reads the group a replacement escape refers to: the
// group number and how many bytes after the backslash it took, or -1.
func replacementGroup(rest string, re *regexp.Regexp) (int, int, error) {
	m := groupReference().FindStringSubmatch(rest)
	if m == nil {
		return -1, 0, nil
	}
	name := m[1] + m[2]
	group, err := strconv.Atoi(name)
	if err != nil {
		group = re.SubexpIndex(name)
	}
	if group < 0 || group > re.NumSubexp() {
		return 0, 0, fmt.Errorf("invalid group reference %s", name)
	}
	return group, len(m[0]), nil
}

// filterRegexSearch is Ansible's regex_search: the match, or with '\\1' /
// '\\g<name>' arguments the list of those groups; None without a match.
func filterRegexSearch(in any, args []any) (any, error) {
	re, err := compilePython(pyStr(or(args[0], "")), pyTruthy(or(args[5], false)), pyTruthy(or(args[6], false)))
	if err != nil {
		return nil, err
	}
	groups, err := searchGroups(args[1:5], re)
	if err != nil {
		return nil, err
	}
	text := pyStr(in)
	m := re.FindStringSubmatchIndex(text)
	if m == nil {
		return nil, nil
	}
	if len(groups) == 0 {
		return text[m[0]:m[1]], nil
	}
	out := pyList{}
	for _, group := range groups {
		out = append(out, matchGroup(text, m, group))
	}
	return out, nil
}

func searchGroups(args []any, re *regexp.Regexp) ([]int, error) {
	var groups []int
	for _, arg := range args {
		if arg == notGiven {
			continue
		}
		spec := pyStr(arg)
		if !strings.HasPrefix(spec, `\`) {
			//lint:ignore ST1005 Ansible's regex_search message, byte for byte
			return nil, fmt.Errorf("Unknown argument")
		}
		group, _, err := replacementGroup(spec[1:], re)
		if err != nil || group < 0 {
			//lint:ignore ST1005 Ansible's regex_search message, byte for byte
			return nil, fmt.Errorf("Unknown argument")
		}
		groups = append(groups, group)
	}
	return groups, nil
}

func matchGroup(text string, m []int, group int) any {
	if m[2*group] < 0 {
		return nil
	}
	return text[m[2*group]:m[2*group+1]]
}

// filterRegexFindall is re.findall: whole matches without groups, the group
// with one, lists of groups with several.
func filterRegexFindall(in any, args []any) (any, error) {
	re, err := compilePython(pyStr(or(args[0], "")), pyTruthy(or(args[2], false)), pyTruthy(or(args[1], false)))
	if err != nil {
		return nil, err
	}
	text := pyStr(in)
	out := pyList{}
	for _, m := range re.FindAllStringSubmatchIndex(text, -1) {
		out = append(out, findallItem(text, m, re.NumSubexp()))
	}
	return out, nil
}

func findallItem(text string, m []int, groups int) any {
	switch groups {
	case 0:
		return text[m[0]:m[1]]
	case 1:
		return emptyIfNil(matchGroup(text, m, 1))
	}
	item := make(pyTuple, groups)
	for g := 1; g <= groups; g++ {
		item[g-1] = emptyIfNil(matchGroup(text, m, g))
	}
	return item
}

func emptyIfNil(x any) any {
	if x == nil {
		return ""
	}
	return x
}

// filterRegexEscape is Python's re.escape (and Ansible's posix_basic).
func filterRegexEscape(in any, args []any) (any, error) {
	text := pyStr(in)
	switch pyStr(or(args[0], "python")) {
	case "python":
		return escapeRunes(text, "()[]{}?*+-|^$\\.&~# \t\n\r\v\f"), nil
	case "posix_basic":
		return escapeRunes(text, `].[^$*\`), nil // re.sub(r'([].[^$*\\])', r'\\\1', string)
	}
	//lint:ignore ST1005 Ansible's regex_escape message, byte for byte
	return nil, fmt.Errorf("Regex type (%s) not yet implemented", pyStr(args[0]))
}

// escapeRunes is s with a backslash before each rune of special: re.escape
// (Python's own set) and regex_escape's posix_basic.
func escapeRunes(s, special string) string {
	var b strings.Builder
	for _, r := range s {
		if strings.ContainsRune(special, r) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	return b.String()
}

// filterQuote is Ansible's quote: shlex.quote.
func filterQuote(in any, _ []any) (any, error) {
	if in == nil {
		in = ""
	}
	return shquote.Quote(pyStr(in)), nil
}

// pyBasename is posixpath.basename: the part after the last slash.
func pyBasename(p string) string { return p[strings.LastIndex(p, "/")+1:] }

// pyDirname is posixpath.dirname: the part before the last slash, with
// trailing slashes removed unless it is all slashes.
func pyDirname(p string) string {
	head := p[:strings.LastIndex(p, "/")+1]
	if head != "" && strings.Trim(head, "/") != "" {
		head = strings.TrimRight(head, "/")
	}
	return head
}

// winBasename and winDirname are ntpath's basename and dirname.
func winBasename(p string) string {
	_, rest := splitDrive(p)
	return rest[strings.LastIndexAny(rest, `\/`)+1:]
}

func winDirname(p string) string {
	drive, rest := splitDrive(p)
	head := rest[:strings.LastIndexAny(rest, `\/`)+1]
	if strings.Trim(head, `\/`) != "" {
		head = strings.TrimRight(head, `\/`)
	}
	return drive + head
}

func splitDrive(p string) (string, string) {
	if len(p) >= 2 && p[1] == ':' {
		return p[:2], p[2:]
	}
	return "", p
}

// filterSplit is Ansible's split: str.split(sep, maxsplit).
func filterSplit(in any, args []any) (any, error) {
	text := pyStr(in)
	maxSplit := -1
	if n, ok := or(args[1], nil).(int); ok {
		maxSplit = n
	}
	sep := or(args[0], nil)
	var parts []string
	switch {
	case sep == nil:
		parts = splitWhitespace(text, maxSplit)
	case pyStr(sep) == "":
		return nil, fmt.Errorf("empty separator")
	case maxSplit < 0:
		parts = strings.Split(text, pyStr(sep))
	default:
		parts = strings.SplitN(text, pyStr(sep), maxSplit+1)
	}
	return stringList(parts), nil
}

func splitWhitespace(text string, maxSplit int) []string {
	if maxSplit < 0 {
		return strings.FieldsFunc(text, isPythonSpace)
	}
	var parts []string
	rest := strings.TrimLeftFunc(text, isPythonSpace)
	for rest != "" && len(parts) < maxSplit {
		end := strings.IndexFunc(rest, isPythonSpace)
		if end < 0 {
			break
		}
		parts = append(parts, rest[:end])
		rest = strings.TrimLeftFunc(rest[end:], isPythonSpace)
	}
	if rest != "" {
		parts = append(parts, rest)
	}
	return parts
}
