package filemod

import (
	"fmt"
	"slices"
	"strconv"
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
	for k := range args {
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("argument %q of %s is not supported", k, module)
		}
	}
	return nil
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
// does (yes/no, on/off, 1/0, true/false); def when it is absent.
func BoolArg(args map[string]any, name string, def bool) (bool, error) {
	if args[name] == nil {
		return def, nil
	}
	return boolArg(args, name)
}

func boolArg(args map[string]any, name string) (bool, error) {
	switch v := args[name].(type) {
	case nil:
		return false, nil
	case bool:
		return v, nil
	case string:
		if b, ok := pyBool(v); ok {
			return b, nil
		}
	case int:
		return v != 0, nil
	}
	return false, fmt.Errorf("%s: %v is not a boolean", name, args[name])
}

func pyBool(s string) (bool, bool) {
	switch s {
	case "yes", "on", "1", "true", "True", "y", "t":
		return true, true
	case "no", "off", "0", "false", "False", "n", "f", "":
		return false, true
	}
	b, err := strconv.ParseBool(s)
	return b, err == nil
}
