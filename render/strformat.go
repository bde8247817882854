package render

//lint:file-ignore ST1005 CPython's error messages, byte for byte

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// str.format as Python runs it (Objects/stringlib/unicode_format.h) for
// the replacement fields templates write: {} and {0} (positional), {name}
// (keyword), !s and !r, {{ and }}, and the format specs of str, int and
// float (strspec.go). What straylight does not implement (an attribute or
// item such as {0.name} or {0[1]}, !a, a nested field in a spec, the
// locale's n) is refused as not supported: never rendered differently
// from Python.

// formatFields substitutes the fields of one format string.
type formatFields struct {
	c methodCall
	// next is the next automatic field number; manual tells that a
	// numbered field was used (Python refuses to mix the two).
	next         int
	auto, manual bool
	out          strings.Builder
}

func strFormat(s string, c methodCall) (any, error) {
	f := &formatFields{c: c}
	for s != "" {
		rest, err := f.step(s)
		if err != nil {
			return nil, err
		}
		s = rest
	}
	return f.out.String(), nil
}

// step consumes literal text up to a brace, and the brace's field or
// escape; it returns what is left.
func (f *formatFields) step(s string) (string, error) {
	i := strings.IndexAny(s, "{}")
	if i < 0 {
		f.out.WriteString(s)
		return "", nil
	}
	f.out.WriteString(s[:i])
	s = s[i:]
	switch {
	case strings.HasPrefix(s, "{{"), strings.HasPrefix(s, "}}"):
		f.out.WriteByte(s[0])
		return s[2:], nil
	case s[0] == '}':
		return "", errors.New("Single '}' encountered in format string")
	}
	end, err := fieldEnd(s)
	if err != nil {
		return "", err
	}
	return s[end+1:], f.field(s[1:end])
}

// fieldEnd is the index of the brace closing the field s starts with
// (nested braces belong to its format spec).
func fieldEnd(s string) (int, error) {
	depth := 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '{':
			depth++
		case '}':
			depth--
			if depth == 0 {
				return i, nil
			}
		}
	}
	if len(s) == 1 {
		return 0, errors.New("Single '{' encountered in format string")
	}
	return 0, errors.New("expected '}' before end of string")
}

// field writes one replacement field: name[!conversion][:spec].
func (f *formatFields) field(field string) error {
	name, conversion, spec := splitField(field)
	if strings.ContainsAny(name, ".[") {
		return fmt.Errorf("str.format() field '{%s}' with an attribute or item "+notSupportedMark, name)
	}
	value, err := f.value(name)
	if err != nil {
		return err
	}
	if value, err = convertField(value, conversion); err != nil {
		return err
	}
	text, err := formatValue(value, spec)
	f.out.WriteString(text)
	return err
}

// splitField splits a field at its ! and : (the name ends at either).
func splitField(field string) (name, conversion, spec string) {
	name, spec, _ = strings.Cut(field, ":")
	if i := strings.IndexByte(name, '!'); i >= 0 {
		name, conversion = name[:i], name[i:]
	}
	return name, conversion, spec
}

// convertField applies a field's conversion: !s is str(), !r repr().
func convertField(value any, conversion string) (any, error) {
	switch conversion {
	case "":
		return value, nil
	case "!s":
		return pyStr(value), nil
	case "!r":
		return pyRepr(value), nil
	case "!":
		return nil, errors.New("end of string while looking for conversion specifier")
	case "!a":
		return nil, errors.New("str.format() conversion !a " + notSupportedMark)
	}
	if len([]rune(conversion)) > 2 {
		return nil, errors.New("expected ':' after conversion specifier")
	}
	return nil, fmt.Errorf("Unknown conversion specifier %s", conversion[1:])
}

// value is the argument a field names: the next positional one, a
// numbered one, or a keyword one.
func (f *formatFields) value(name string) (any, error) {
	if name == "" {
		return f.automatic()
	}
	if index, err := strconv.Atoi(name); err == nil && index >= 0 {
		return f.numbered(index)
	}
	if value, ok := f.c.kwargs[name]; ok {
		return value, nil
	}
	return nil, fmt.Errorf("KeyError: '%s'", name)
}

func (f *formatFields) automatic() (any, error) {
	if f.manual {
		return nil, errors.New("cannot switch from manual field specification to automatic field numbering")
	}
	f.auto = true
	f.next++
	return f.positional(f.next - 1)
}

func (f *formatFields) numbered(index int) (any, error) {
	if f.auto {
		return nil, errors.New("cannot switch from automatic field numbering to manual field specification")
	}
	f.manual = true
	return f.positional(index)
}

func (f *formatFields) positional(index int) (any, error) {
	if index >= len(f.c.args) {
		return nil, fmt.Errorf("Replacement index %d out of range for positional args tuple", index)
	}
	return f.c.args[index], nil
}
