package sim

import (
	"fmt"
	"strconv"
	"strings"
)

// llamaArgs is what the lab's llama-server reads of its command line: the
// flags of ggml-org/llama.cpp's common/arg.cpp that shape its HTTP answers.
type llamaArgs struct {
	port     int      // --port; llama-server's default is 8080
	aliases  []string // -a/--alias, comma-separated; none: the model path
	model    string   // -m/--model
	metrics  bool     // --metrics: /metrics answers (off by default)
	noSlots  bool     // --no-slots: /slots answers 501
	parallel int      // -np/--parallel: slots; default 1 here
	ctxSize  int      // -c/--ctx-size: shared by the slots; default 4096 here
	apiKey   string   // --api-key
}

const llamaDefaultPort = 8080

// parseUnitExecStart reads a systemd unit's ExecStart (continuation lines
// joined) and the llama-server flags on it.
func parseUnitExecStart(unit string) (llamaArgs, error) {
	line, err := execStartLine(unit)
	if err != nil {
		return llamaArgs{}, err
	}
	words, err := splitCommandLine(line)
	if err != nil {
		return llamaArgs{}, fmt.Errorf("ExecStart: %w", err)
	}
	for i, w := range words {
		if base := w[strings.LastIndex(w, "/")+1:]; base == "llama-server" {
			return parseLlamaFlags(words[i+1:])
		}
	}
	return llamaArgs{}, fmt.Errorf("ExecStart runs no llama-server: %q", line)
}

// execStartLine is the unit's last ExecStart= value, with "\"-continued
// lines joined as systemd joins them.
func execStartLine(unit string) (string, error) {
	joined := strings.ReplaceAll(strings.ReplaceAll(unit, "\r\n", "\n"), "\\\n", " ")
	found := ""
	for _, l := range strings.Split(joined, "\n") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(l), "ExecStart="); ok {
			found = strings.TrimLeft(strings.TrimSpace(v), "-@:+!")
		}
	}
	if found == "" {
		return "", fmt.Errorf("no ExecStart= line")
	}
	return found, nil
}

// splitCommandLine splits at blanks, honouring '…' and "…" quotes, as
// systemd splits ExecStart.
func splitCommandLine(line string) ([]string, error) {
	var words []string
	var cur strings.Builder
	quote, inWord := rune(0), false
	for _, r := range line {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, fmt.Errorf("unterminated %c quote", quote)
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// parseLlamaFlags reads the flags after llama-server (--flag value or
// --flag=value); switches it does not model are skipped.
func parseLlamaFlags(argv []string) (llamaArgs, error) {
	a := llamaArgs{port: llamaDefaultPort, parallel: 1, ctxSize: 4096}
	for i := 0; i < len(argv); i++ {
		flag, value, hasValue := strings.Cut(argv[i], "=")
		set, takes := a.setter(flag)
		if !takes {
			a.setSwitch(flag)
			continue
		}
		if !hasValue {
			if i+1 >= len(argv) {
				return a, fmt.Errorf("llama-server: %s needs a value", flag)
			}
			i, value = i+1, argv[i+1]
		}
		if err := set(value); err != nil {
			return a, fmt.Errorf("llama-server: %s %q: %w", flag, value, err)
		}
	}
	if a.model == "" {
		return a, fmt.Errorf("llama-server: no -m/--model")
	}
	return a, nil
}

// setter is how a flag that takes a value sets it.
func (a *llamaArgs) setter(flag string) (func(string) error, bool) {
	str := func(dst *string) func(string) error { return func(v string) error { *dst = v; return nil } }
	switch flag {
	case "--port":
		return intSetter(&a.port), true
	case "-np", "--parallel":
		return intSetter(&a.parallel), true
	case "-c", "--ctx-size":
		return intSetter(&a.ctxSize), true
	case "-m", "--model":
		return str(&a.model), true
	case "--api-key":
		return str(&a.apiKey), true
	case "-a", "--alias":
		return func(v string) error { a.aliases = splitAliases(v); return nil }, true
	case "--host", "-ngl", "--n-gpu-layers", "-t", "--threads", "-b", "--batch-size":
		return func(string) error { return nil }, true
	}
	return nil, false
}

func (a *llamaArgs) setSwitch(flag string) {
	switch flag {
	case "--metrics":
		a.metrics = true
	case "--no-slots":
		a.noSlots = true
	case "--slots":
		a.noSlots = false
	}
}

func intSetter(dst *int) func(string) error {
	return func(v string) error {
		n, err := strconv.Atoi(v)
		if err != nil || n <= 0 {
			return fmt.Errorf("want a positive number")
		}
		*dst = n
		return nil
	}
}

func splitAliases(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// servedIDs are /v1/models' ids: the aliases, else the model path.
func (a llamaArgs) servedIDs() []string {
	if len(a.aliases) > 0 {
		return a.aliases
	}
	return []string{a.model}
}
