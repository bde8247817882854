package filemod

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// fileArgNames and lineArgNames are the arguments straylight runs, by
// module; aliases are Ansible's.
var (
	fileArgNames = []string{"path", "dest", "name", "state", "src", "mode", "owner", "group", "modification_time", "access_time"}
	lineArgNames = []string{"path", "dest", "destfile", "name", "regexp", "regex", "search_string", "line", "value", "state",
		"insertafter", "insertbefore", "create", "backrefs", "firstmatch", "backup", "mode", "owner", "group", "validate"}
	blockArgNames = []string{"path", "dest", "destfile", "name", "block", "content", "marker", "marker_begin", "marker_end", "state",
		"insertafter", "insertbefore", "create", "backup", "mode", "owner", "group", "validate", "append_newline", "prepend_newline"}
)

// ParseFileArgs reads the file module's templated arguments; an argument
// straylight does not run is an error naming it.
func ParseFileArgs(args map[string]any) (FileArgs, error) {
	if err := onlyArgs("file", args, fileArgNames); err != nil {
		return FileArgs{}, err
	}
	a := FileArgs{Path: firstString(args, "path", "dest", "name"), State: String(args["state"]), Src: String(args["src"]),
		Mode: ModeString(args["mode"]), Owner: String(args["owner"]), Group: String(args["group"])}
	mt, at := String(args["modification_time"]), String(args["access_time"])
	switch {
	case (mt != "" || at != "") && a.State != "touch":
		return a, fmt.Errorf("modification_time and access_time are supported with state=touch only")
	case (mt != "" && mt != "preserve") || (at != "" && at != "preserve"):
		return a, fmt.Errorf("modification_time and access_time: only \"preserve\" is supported")
	}
	a.PreserveTimes = mt == "preserve" && at == "preserve"
	return a, a.Check()
}

// ParseLineArgs reads lineinfile's templated arguments.
func ParseLineArgs(args map[string]any) (LineArgs, error) {
	if err := onlyArgs("lineinfile", args, lineArgNames); err != nil {
		return LineArgs{}, err
	}
	a := LineArgs{Path: firstString(args, "path", "dest", "destfile", "name"),
		Regexp: optString(args, "regexp", "regex"), SearchString: optString(args, "search_string"),
		Line: optString(args, "line", "value"), InsertAfter: optString(args, "insertafter"),
		InsertBefore: optString(args, "insertbefore")}
	state := String(args["state"])
	if state != "" && state != "present" && state != "absent" {
		return a, fmt.Errorf("state %q is not present or absent", state)
	}
	a.Absent = state == "absent"
	var err error
	for name, dst := range map[string]*bool{"create": &a.Create, "backrefs": &a.Backrefs, "firstmatch": &a.FirstMatch} {
		if *dst, err = boolArg(args, name); err != nil {
			return a, err
		}
	}
	if a.Path == "" {
		return a, fmt.Errorf("missing path")
	}
	if err := a.check(); err != nil {
		return a, err
	}
	_, err = a.compile() // a pattern Go cannot run is refused now, by name
	return a, err
}

// ParseBlockArgs reads blockinfile's templated arguments.
func ParseBlockArgs(args map[string]any) (BlockArgs, error) {
	if err := onlyArgs("blockinfile", args, blockArgNames); err != nil {
		return BlockArgs{}, err
	}
	a := BlockArgs{Path: firstString(args, "path", "dest", "destfile", "name"), Block: firstString(args, "block", "content"),
		Marker: stringOr(args, "marker", "# {mark} ANSIBLE MANAGED BLOCK"), MarkerBegin: stringOr(args, "marker_begin", "BEGIN"),
		MarkerEnd: stringOr(args, "marker_end", "END"), InsertAfter: optString(args, "insertafter"), InsertBefore: optString(args, "insertbefore")}
	state := String(args["state"])
	if state != "" && state != "present" && state != "absent" {
		return a, fmt.Errorf("state %q is not present or absent", state)
	}
	a.Absent = state == "absent"
	var err error
	for name, dst := range map[string]*bool{"create": &a.Create, "append_newline": &a.AppendNewline, "prepend_newline": &a.PrependNewline} {
		if *dst, err = boolArg(args, name); err != nil {
			return a, err
		}
	}
	for _, name := range []string{"append_newline", "prepend_newline"} {
		if _, ok := args[name]; ok {
			a.NewlineArgs = append(a.NewlineArgs, name)
		}
	}
	if a.Path == "" {
		return a, fmt.Errorf("missing path")
	}
	return a, a.check()
}

// stringOr is the argument, or the module's default when it is not given.
func stringOr(args map[string]any, name, def string) string {
	if p := optString(args, name); p != nil {
		return *p
	}
	return def
}

func onlyArgs(module string, args map[string]any, allowed []string) error {
	switch refused := RefusedArgs(args, allowed); len(refused) {
	case 0:
		return nil
	case 1:
		return fmt.Errorf("argument %s of %s is not supported", refused[0], module)
	default:
		return fmt.Errorf("arguments %s of %s are not supported", strings.Join(refused, ", "), module)
	}
}

// RefusedArgs are the names of args that allowed does not hold, quoted, in
// name order: args is a map, and a plan must say the same on every run.
func RefusedArgs(args map[string]any, allowed []string) []string {
	var refused []string
	for k := range args {
		if !slices.Contains(allowed, k) {
			refused = append(refused, strconv.Quote(k))
		}
	}
	slices.Sort(refused)
	return refused
}

func firstString(args map[string]any, names ...string) string {
	if p := optString(args, names...); p != nil {
		return *p
	}
	return ""
}

func optString(args map[string]any, names ...string) *string {
	for _, n := range names {
		if v, ok := args[n]; ok && v != nil {
			s := String(v)
			return &s
		}
	}
	return nil
}

// String prints a templated argument as Ansible passes it to a module's
// str option.
func String(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case bool:
		if x {
			return "True"
		}
		return "False"
	}
	return fmt.Sprint(v)
}

// ModeString reads a mode: a YAML integer (mode: 0755 is the number 493)
// is printed back in octal, as Ansible reads it.
func ModeString(v any) string {
	if n, ok := v.(int); ok {
		return fmt.Sprintf("%04o", n)
	}
	return String(v)
}

// BoolArg reads a boolean module argument as Ansible's argument spec
// reads type: bool: def when it is absent or null (the spec skips a None
// value), else check_type_bool's answer, and a value that is not a
// boolean is an error naming the argument, as the module fails on it
// (ansible-core 2.19.14 lib/ansible/module_utils/common/validation.py:487-503,
// lib/ansible/module_utils/parsing/convert_bool.py:12-34; 2.14.18
// validation.py:468-484, convert_bool.py:11-29, the same sets).
func BoolArg(args map[string]any, name string, def bool) (bool, error) {
	if args[name] == nil {
		return def, nil
	}
	return boolArg(args, name)
}

// LooseBoolArg reads an argument as boolean(value, strict=False) does:
// true for a value of BOOLEANS_TRUE, false for any other (def when it is
// absent or null). Action plugins read some arguments so, before and
// instead of the module (template's trim_blocks and lstrip_blocks,
// 2.19.14 lib/ansible/plugins/action/template.py:59-60; copy's decrypt,
// action/copy.py:230; 2.14.18 template.py:50-51, copy.py:233).
func LooseBoolArg(args map[string]any, name string, def bool) bool {
	if args[name] == nil {
		return def
	}
	b, ok := pyBoolean(args[name])
	return ok && b
}

func boolArg(args map[string]any, name string) (bool, error) {
	if args[name] == nil {
		return false, nil
	}
	if b, ok := pyBoolean(args[name]); ok {
		return b, nil
	}
	return false, &NotBoolError{Arg: name, Value: args[name]}
}

// NotBoolError is a boolean argument whose value is not one: the module
// fails on it.
type NotBoolError struct {
	Arg   string
	Value any
}

func (e *NotBoolError) Error() string {
	return fmt.Sprintf("%s: %s is not a boolean (Ansible takes yes/no, on/off, true/false, y/n, t/f, 1/0)", e.Arg, pyRepr(e.Value))
}

// WinBoolArg reads a boolean argument of a PowerShell module as
// Ansible.Basic's argument spec does: ParseBool takes the value's string,
// lowered and trimmed, from BOOLEANS_TRUE and BOOLEANS_FALSE, which hold
// "1.0" and "0.0" besides Python's words (lib/ansible/module_utils/csharp/Ansible.Basic.cs:49-50,
// 476-493 at c9ac477e); absent or null is def.
func WinBoolArg(args map[string]any, name string, def bool) (bool, error) {
	switch v := args[name].(type) {
	case nil:
		return def, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "1.0":
			return true, nil
		case "0.0":
			return false, nil
		}
	}
	return BoolArg(args, name, def)
}

// pyBoolean is convert_bool.boolean(value): a bool as it is; a string
// lowered and stripped, then looked up in BOOLEANS_TRUE and
// BOOLEANS_FALSE; a number equal to 1 or 0 (Python's 1 == 1.0 == True);
// ok false for anything else ("" and 2 included).
func pyBoolean(v any) (b bool, ok bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		return boolWord(strings.ToLower(strings.TrimSpace(x)))
	case int:
		return boolNumber(float64(x))
	case int64:
		return boolNumber(float64(x))
	case float64:
		return boolNumber(x)
	}
	return false, false
}

func boolWord(s string) (bool, bool) {
	switch s {
	case "y", "yes", "on", "1", "true", "t":
		return true, true
	case "n", "no", "off", "0", "false", "f":
		return false, true
	}
	return false, false
}

func boolNumber(f float64) (bool, bool) {
	return f == 1, f == 1 || f == 0
}

// pyRepr shows a rejected value: a string quoted, anything else as Go
// prints it.
func pyRepr(v any) string {
	if s, ok := v.(string); ok {
		return strconv.Quote(s)
	}
	return fmt.Sprint(v)
}
