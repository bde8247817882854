package artifact

import (
	"bytes"
	"fmt"
	"path"
	"strings"
)

// unitLine is one logical line of a unit file, continuations joined.
type unitLine struct {
	section, key, value string
	line                int
}

// recognizeUnit reads a systemd unit: ExecStart= lines (continuations with a
// trailing backslash joined), Environment= and EnvironmentFile= of [Service].
func recognizeUnit(file string, content []byte) (Findings, error) {
	lines := unitLines(string(content))
	env, envFiles, err := unitEnvironment(lines)
	if err != nil {
		return Findings{}, fmt.Errorf("%s:%w", file, err)
	}
	var found Findings
	for _, l := range lines {
		if l.section != "Service" || l.key != "ExecStart" {
			continue
		}
		b, ok, err := execStart(l, env, Source{File: file, Line: l.line})
		if err != nil {
			return Findings{}, fmt.Errorf("%s:%w", file, err)
		}
		if ok {
			b.Unit, b.EnvFiles = path.Base(file), envFiles
			found.Backends = append(found.Backends, b)
		}
	}
	return found, nil
}

func execStart(l unitLine, env map[string]string, src Source) (Backend, bool, error) {
	value := strings.TrimLeft(l.value, "-@:+!")
	args, err := SplitWords(value)
	if err != nil {
		return Backend{}, false, fmt.Errorf("%d: ExecStart: %w", l.line, err)
	}
	if len(args) > 0 && isShell(args[0]) && len(args) >= 3 && args[1] == "-c" {
		return recognizeShellText(args[2], env, src)
	}
	b, ok := recognizeCommand(args, env, src)
	return b, ok, nil
}

// recognizeShellText reads `sh -c '...'` bodies: the first server command wins.
func recognizeShellText(text string, env map[string]string, src Source) (Backend, bool, error) {
	commands, err := SplitCommands(text)
	if err != nil {
		return Backend{}, false, fmt.Errorf("%d: %w", src.Line, err)
	}
	for _, c := range commands {
		if b, ok := recognizeCommand(c.Args, env, src); ok {
			return b, true, nil
		}
	}
	return Backend{}, false, nil
}

func isShell(program string) bool {
	switch path.Base(program) {
	case "sh", "bash", "dash", "zsh":
		return true
	}
	return false
}

func unitEnvironment(lines []unitLine) (map[string]string, []string, error) {
	env := map[string]string{}
	var files []string
	for _, l := range lines {
		switch {
		case l.section != "Service":
		case l.key == "Environment":
			if err := addUnitEnv(env, l); err != nil {
				return nil, nil, err
			}
		case l.key == "EnvironmentFile":
			files = append(files, strings.TrimPrefix(l.value, "-"))
		}
	}
	return env, files, nil
}

// addUnitEnv reads Environment="A=1" B=2 (quoted assignments, space separated).
func addUnitEnv(env map[string]string, l unitLine) error {
	words, err := SplitWords(l.value)
	if err != nil {
		return fmt.Errorf("%d: Environment: %w", l.line, err)
	}
	for _, w := range words {
		if name, value, ok := assignment(w); ok {
			env[name] = value
		}
	}
	return nil
}

// unitLines splits a unit file into key=value lines with their section.
func unitLines(text string) []unitLine {
	var out []unitLine
	section := ""
	raw := strings.Split(text, "\n")
	for i := 0; i < len(raw); i++ {
		start := i + 1
		line := strings.TrimSpace(raw[i])
		for strings.HasSuffix(line, "\\") && i+1 < len(raw) {
			i++
			line = strings.TrimSuffix(line, "\\") + " " + strings.TrimSpace(raw[i])
		}
		if s, ok := sectionName(line); ok {
			section = s
			continue
		}
		if l, ok := keyValue(line, section, start); ok {
			out = append(out, l)
		}
	}
	return out
}

func sectionName(line string) (string, bool) {
	if strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]") {
		return line[1 : len(line)-1], true
	}
	return "", false
}

func keyValue(line, section string, n int) (unitLine, bool) {
	if line == "" || line[0] == '#' || line[0] == ';' {
		return unitLine{}, false
	}
	key, value, ok := strings.Cut(line, "=")
	if !ok {
		return unitLine{}, false
	}
	return unitLine{section: section, key: strings.TrimSpace(key), value: strings.TrimSpace(value), line: n}, true
}

// looksLikeUnit reports whether text has a [Service] section.
// looksLikeUnit: a unit file by its content. It reads the bytes as they
// are (formatOf runs on every rendered and deployed file; a string copy of
// each was 9 MB of a 1,000-host plan).
func looksLikeUnit(content []byte) bool {
	return bytes.Contains(content, []byte("\n[Service]")) || bytes.HasPrefix(content, []byte("[Service]")) ||
		bytes.HasPrefix(content, []byte("[Unit]"))
}
