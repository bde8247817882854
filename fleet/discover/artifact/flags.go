package artifact

import "strings"

// flagValue returns the value of the last occurrence of any of names, written
// "--name value" or "--name=value" (argparse, clap and llama.cpp all let the
// last occurrence win).
func flagValue(args []string, names ...string) (string, bool) {
	value, found := "", false
	for i := 0; i < len(args); i++ {
		v, ok, skip := matchFlag(args, i, names)
		if ok {
			value, found = v, true
		}
		i += skip
	}
	return value, found
}

// matchFlag checks args[i] against names; skip is 1 when the value was the next word.
func matchFlag(args []string, i int, names []string) (value string, ok bool, skip int) {
	for _, name := range names {
		if v, eq := strings.CutPrefix(args[i], name+"="); eq {
			return v, true, 0
		}
		if args[i] == name && i+1 < len(args) {
			return args[i+1], true, 1
		}
	}
	return "", false, 0
}

// flagValues returns the words after the last occurrence of name up to the
// next option (argparse nargs="+"), or its "=" value.
func flagValues(args []string, names ...string) []string {
	var values []string
	for i := 0; i < len(args); i++ {
		if got, ok := valuesAt(args, i, names); ok {
			values = got
		}
	}
	return values
}

func valuesAt(args []string, i int, names []string) ([]string, bool) {
	for _, name := range names {
		if v, eq := strings.CutPrefix(args[i], name+"="); eq {
			return []string{v}, true
		}
		if args[i] == name {
			return wordsUntilOption(args[i+1:]), true
		}
	}
	return nil, false
}

func wordsUntilOption(args []string) []string {
	var out []string
	for _, a := range args {
		if strings.HasPrefix(a, "-") {
			break
		}
		out = append(out, a)
	}
	return out
}

// splitList splits a comma-separated value, dropping empty items.
func splitList(value string) []string {
	var out []string
	for _, item := range strings.Split(value, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
