package artifact

import (
	"bytes"
	"cmp"
	"fmt"
	"path"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
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
		} else if msg, glued := gluedExecStart(l, env); glued {
			found.Problems = append(found.Problems, fmt.Sprintf("%s:%d: %s", file, l.line, msg))
		}
	}
	if b, ok := ollamaDropIn(file, lines, env); ok && len(found.Backends) == 0 {
		b.EnvFiles = envFiles
		found.Backends = append(found.Backends, b)
	}
	return found, nil
}

// ollamaDropIn reads a drop-in (UNIT.service.d/*.conf) that starts nothing
// itself but configures Ollama: one over ollama.service, or one that sets
// OLLAMA_HOST (a file elsewhere, a copy kept for reference, is not one). It changes the
// environment of the unit Ollama's installer writes, whose ExecStart is
// `ollama serve` (ollama/ollama @ fb307609 : scripts/install.sh), so the
// server listens where OLLAMA_HOST says, by default on 11434. The source
// is the line that sets OLLAMA_HOST, else the first [Service] line.
func ollamaDropIn(file string, lines []unitLine, env map[string]string) (Backend, bool) {
	unit, dropIn := dropInUnit(file)
	_, setsHost := env["OLLAMA_HOST"]
	if !dropIn || hasExecStart(lines) || !(setsHost || unit == "ollama.service") {
		return Backend{}, false
	}
	l, _ := identify([]string{"ollama", "serve"}, env)
	b := l.backend(Source{File: file, Line: envLine(lines, "OLLAMA_HOST")})
	b.Unit, b.DropIn = unit, true
	b.Notes = append(b.Notes, "a drop-in over "+unit+": its ExecStart (ollama serve, from Ollama's installer) is not in this file")
	return b, true
}

// dropInUnit names the unit a drop-in file changes: /etc/systemd/system/
// ollama.service.d/override.conf → ollama.service; false for a file
// outside such a folder.
func dropInUnit(file string) (string, bool) {
	dir := path.Base(path.Dir(file))
	if unit, ok := strings.CutSuffix(dir, ".d"); ok && strings.Contains(unit, ".") {
		return unit, true
	}
	return path.Base(file), false
}

func hasExecStart(lines []unitLine) bool {
	for _, l := range lines {
		if l.section == "Service" && l.key == "ExecStart" && l.value != "" {
			return true
		}
	}
	return false
}

// envLine is the line of the last Environment= that sets name, else of
// the first [Service] key.
func envLine(lines []unitLine, name string) int {
	found, first := 0, 0
	for _, l := range lines {
		if l.section != "Service" {
			continue
		}
		if first == 0 {
			first = l.line
		}
		if l.key == "Environment" && strings.Contains(l.value, name+"=") {
			found = l.line
		}
	}
	return cmp.Or(found, first)
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

// gluedDirective matches a word that ends in a unit directive run into
// it: "serveRestart=always" is "serve" followed by "Restart=always".
var gluedDirective = lazyre.New(`^(.+?)((?:Restart|RestartSec|Type|User|Group|WorkingDirectory|Environment|EnvironmentFile|ExecStartPre|ExecStartPost|ExecStop|ExecReload|TimeoutStartSec|TimeoutStopSec|KillMode|LimitNOFILE|StandardOutput|StandardError|SyslogIdentifier|Nice|WantedBy)=.*)$`)

// gluedExecStart explains an ExecStart that starts no server because the
// next directive ran into its last word — a template line ending in a
// Jinja block tag, whose newline Ansible's trim_blocks removes — when the
// words before the glued directive would start one. As rendered, systemd
// runs the glued word, so the unit is not counted as a server; the
// message says why.
func gluedExecStart(l unitLine, env map[string]string) (string, bool) {
	args, err := SplitWords(strings.TrimLeft(l.value, "-@:+!"))
	if err != nil || len(args) == 0 {
		return "", false
	}
	last := args[len(args)-1]
	m := gluedDirective().FindStringSubmatch(last)
	if m == nil {
		return "", false
	}
	fixed := append(append([]string{}, args[:len(args)-1]...), m[1])
	if _, ok := recognizeCommand(fixed, env, Source{}); !ok {
		return "", false
	}
	return fmt.Sprintf("ExecStart ends in %q, the next directive (%s) run into %q: the template's line probably ends in a Jinja block tag whose newline trim_blocks removed; as rendered the unit runs %q and starts no server",
		last, m[2], m[1], strings.Join(args, " ")), true
}
