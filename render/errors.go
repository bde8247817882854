package render

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"github.com/nikolalohinski/gonja/v2/exec"
	"github.com/nikolalohinski/gonja/v2/parser"
	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// UndefinedError is a variable or attribute that is not defined: Ansible's
// AnsibleUndefinedVariable. Inside a template it is a value that default(),
// `is defined` and mandatory() accept; anything else using it fails.
type UndefinedError struct {
	// Name is the variable, or the attribute or key, that is missing.
	Name string
	// Hint explains it when there is more to say than the name.
	Hint string
}

func (e *UndefinedError) Error() string {
	if e.Hint != "" {
		return e.Hint
	}
	return fmt.Sprintf("undefined variable '%s'", e.Name)
}

// notSupportedMark is in the message of every error for what is valid in
// Ansible but straylight's renderer does not evaluate (a lookup plugin it
// does not run, a global such as now(), a #jinja2: override).
const notSupportedMark = "is not supported by straylight"

// NotSupported tells whether err, or an error it was made from (a message
// included), is for something valid that Ansible evaluates and
// straylight's renderer does not: not bad input, but a template only
// Ansible can render. It returns that clause alone ("lookup plugin
// "password" is not supported by straylight (...)"), without the values
// the rest of the message may quote.
func NotSupported(err error) (string, bool) {
	if err == nil {
		return "", false
	}
	for _, part := range strings.Split(err.Error(), ": ") {
		if strings.Contains(part, notSupportedMark) {
			return part, true
		}
	}
	return "", false
}

// ErrorKind classifies an Error.
type ErrorKind int

const (
	// ErrUndefined: the template uses a variable or attribute that is not
	// defined.
	ErrUndefined ErrorKind = iota + 1
	// ErrSyntax: the template does not parse.
	ErrSyntax
	// ErrRender: anything else going wrong while rendering (a filter given
	// the wrong type, a recursive variable, ...).
	ErrRender
)

// Error is the error of RenderTemplate and TemplateValue. Its message reads
// like "roles/x/templates/a.j2:7: undefined variable 'vllm_foo'".
type Error struct {
	// Template is the template's name as the caller gave it (or the value
	// being templated, for TemplateValue).
	Template string
	// Line is the 1-based line in the template, 0 when unknown.
	Line int
	Kind ErrorKind
	// Variable is the undefined variable or attribute, for ErrUndefined.
	Variable string
	// Message describes the failure, without the location.
	Message string
	Err     error
}

func (e *Error) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Template, e.Line, e.Message)
	}
	return fmt.Sprintf("%s: %s", e.Template, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

func undefinedValue(err *UndefinedError) *exec.Value { return exec.AsValue(err) }

// undefinedMessages recognise an undefined value in an error message. gonja
// flattens any error a filter, test or function returns into a string
// ("invalid call to filter 'lower': ..."), so an UndefinedError passed
// through one is found again by its message; gonja's own strict-mode
// messages (attributes of its literal values) are recognised too.
var undefinedMessages = sync.OnceValue(func() []*regexp.Regexp {
	return compileAll(
		`(?s)undefined variable '([^']*)'.*`,
		`'[^']*' has no (?:attribute|host) '([^']*)'`,
		`No (first|last|aggregated) item, sequence was empty\.`,
		`list object has no element (-?\d+)`,
		`there is no (previous|next) item`,
		`Unable to evaluate name "([^"]*)"`,
		`attribute '([^']*)' not found`,
		`item '?([^' ]*)'? not found`,
	)
})

// compileAll compiles expressions (on first use: see lazyre).
func compileAll(exprs ...string) []*regexp.Regexp {
	out := make([]*regexp.Regexp, len(exprs))
	for i, e := range exprs {
		out[i] = regexp.MustCompile(e)
	}
	return out
}

// cause unwraps one level, including gonja's *exec.Value holding an error
// (which gonja returns as an error without an Unwrap method).
func cause(err error) error {
	if value, ok := err.(*exec.Value); ok {
		inner, _ := value.Interface().(error)
		return inner
	}
	return errors.Unwrap(err)
}

// isWrapper tells whether err only wraps another error: gonja's pkg/errors
// wrappers and *exec.Value.
func isWrapper(err error) bool {
	switch fmt.Sprintf("%T", err) {
	case "*errors.withStack", "*errors.withMessage", "*exec.Value":
		return true
	}
	return false
}

// asUndefined finds the undefined variable behind err, if that is what err is.
func asUndefined(err error) (*UndefinedError, bool) {
	for current := err; current != nil; current = cause(current) {
		if undefined, ok := current.(*UndefinedError); ok {
			return undefined, true
		}
	}
	if err == nil {
		return nil, false
	}
	for i, pattern := range undefinedMessages() {
		if m := pattern.FindStringSubmatch(err.Error()); m != nil {
			if i >= 5 {
				return &UndefinedError{Name: m[1]}, true
			}
			return &UndefinedError{Name: m[1], Hint: m[0]}, true
		}
	}
	return nil, false
}

// isUndefinedValue tells whether a filter or test input is undefined.
func isUndefinedValue(v *exec.Value) bool {
	if !v.IsError() {
		return false
	}
	_, ok := asUndefined(v.Interface().(error))
	return ok
}

var gonjaLine = lazyre.New(`at line (\d+)`)

// innermostLine finds the line of the innermost template node gonja
// reported in err's chain ("Unable to render expression at line 7: ...").
func innermostLine(err error) int {
	line := 0
	for current := err; current != nil; current = cause(current) {
		own := current.Error()
		if inner := cause(current); inner != nil {
			own = strings.TrimSuffix(own, inner.Error())
		}
		if m := gonjaLine().FindStringSubmatch(own); m != nil {
			line, _ = strconv.Atoi(m[1])
		}
	}
	return line
}

// newError turns a failure while rendering template into an *Error.
func newError(template string, err error, line int) *Error {
	if line == 0 {
		line = innermostLine(err)
	}
	if undefined, ok := asUndefined(err); ok {
		return &Error{Template: template, Line: line, Kind: ErrUndefined, Variable: undefined.Name, Message: undefined.Error(), Err: err}
	}
	var syntax *parser.SyntaxError
	if errors.As(err, &syntax) {
		return &Error{Template: template, Line: syntax.Line, Kind: ErrSyntax, Message: "template syntax error: " + syntax.Message, Err: err}
	}
	return &Error{Template: template, Line: line, Kind: ErrRender, Message: rootMessage(err), Err: err}
}

// rootMessage drops gonja's wrapping ("Unable to render expression at line
// 3: ...: unable to evaluate filter ...") and keeps the cause.
func rootMessage(err error) string {
	for isWrapper(err) && cause(err) != nil {
		err = cause(err)
	}
	return cleanMessage(err.Error())
}

var (
	refusedName  = lazyre.New(`(?:Could not load "|No (?:filter|test) named ')ansible\.(?:builtin|legacy)\.[A-Za-z_0-9]+.*$`)
	internalCall = lazyre.New(`invalid call to function '(?:__straylight_[a-z]+|[^']*\.bound(?:List|Dict|Reader)\.func\d+)': `)
	gonjaCall    = lazyre.New(`invalid call to (filter|function|test|method) '([^']*)'(?: of [^:]*)?: `)
	// gonjaNode is gonja's dump of the filter node it was evaluating
	// ("unable to evaluate filter &{<Token[Name] Val='x' ...> x [] map[]}: ").
	gonjaNode = lazyre.New(`unable to evaluate filter &\{<Token\[[^\]]*\][^>]*>.*?\}: `)
	// internalPrefix is one of the engine's own filters, functions or
	// tests naming itself before the error it passes on.
	internalPrefix = lazyre.New(`(?:filter|function|test) __straylight_[a-z_]+: `)
	// unknownName is gonja's message for a filter or test it has not.
	unknownName = lazyre.New(`(filter|test) '([^']*)' not found$`)
)

// cleanMessage rewords gonja's "invalid call to filter 'x': " (which it
// says of any error a filter returns), drops the engine's own calls and
// gonja's dump of the filter node it was evaluating, says an unknown
// filter or test as Jinja2 does, and a refused collection name as the
// core says it.
func cleanMessage(msg string) string {
	if refused := refusedName().FindString(msg); refused != "" {
		return refused // qualifiedRefused's message, which gonja's wrapping buries
	}
	msg = internalCall().ReplaceAllString(msg, "")
	msg = gonjaNode().ReplaceAllString(msg, "")
	msg = gonjaCall().ReplaceAllString(msg, "$1 $2: ")
	msg = internalPrefix().ReplaceAllString(msg, "")
	if unknown := unknownName().FindStringSubmatch(msg); unknown != nil {
		return fmt.Sprintf("No %s named '%s'.", unknown[1], unknown[2]) // Jinja2's, as Ansible reports it
	}
	return msg
}
