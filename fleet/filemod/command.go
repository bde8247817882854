package filemod

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
	"github.com/straylight-fleet/straylight/internal/shquote"
)

// What ansible.builtin.command and shell decide, read in ansible-core's
// lib/ansible/modules/command.py main() at commit c9ac477e (:N below):
// chdir first (:305-312), then creates — a glob that matches skips the
// command, "not run command since 'X' exists" (:321-326) — then removes,
// the reverse (:329-333); otherwise the command runs and is changed
// (:338-346), and a non-zero exit code fails it (:367-369). In check mode
// it does not run: with creates or removes given it reports changed,
// without them skipped, "Command would have run if not in check mode"
// (:347-354). straylight's plan predicts the real run (changed where
// check mode skips), and its apply runs the same test before the command.

// commandArgNames are the arguments straylight runs (:250-262); argv is
// command's only, executable shell's.
var commandArgNames = []string{"cmd", "argv", "chdir", "creates", "removes", "executable", "stdin", "stdin_add_newline"}

// CommandArgs are a command or shell task's arguments, as the module
// reads them.
type CommandArgs struct {
	Shell        bool     `json:"shell,omitempty"`
	Argv         []string `json:"argv,omitempty"` // command: the words it runs, no shell
	Line         string   `json:"line,omitempty"` // shell: what sh (or Executable) runs
	Executable   string   `json:"executable,omitempty"`
	Chdir        string   `json:"chdir,omitempty"`
	Creates      string   `json:"creates,omitempty"`
	Removes      string   `json:"removes,omitempty"`
	Stdin        *string  `json:"stdin,omitempty"`
	StdinNewline bool     `json:"stdin_add_newline,omitempty"`
	// Env is the task's environment keyword: the run script exports it.
	// Its values may be secrets, so it is never serialized.
	Env []EnvVar `json:"-"`
}

// globPath is a creates or removes pattern straylight tests in sh as
// Python's glob.glob would match it: no whitespace, quotes or characters
// the shell would read otherwise.
var globPath = lazyre.New(`^[A-Za-z0-9_./@%+=:,*?\[\]-]+$`)

// ParseCommandArgs reads a command or shell task's templated arguments.
// line is the free-form text or cmd; words is line split as shlex.split
// splits it (command only).
func ParseCommandArgs(shell bool, line string, words []string, args map[string]any) (CommandArgs, error) {
	module := "command"
	if shell {
		module = "shell"
	}
	if err := onlyArgs(module, args, commandArgNames); err != nil {
		return CommandArgs{}, err
	}
	a := CommandArgs{Shell: shell, Line: line, Argv: words, Executable: String(args["executable"]), Chdir: String(args["chdir"]),
		Creates: String(args["creates"]), Removes: String(args["removes"]), Stdin: optString(args, "stdin")}
	nl, err := BoolArg(args, "stdin_add_newline", true)
	a.StdinNewline = nl
	if err != nil {
		return a, err
	}
	if args["argv"] != nil && strings.TrimSpace(line) != "" {
		return a, errors.New("only command or argv can be given, not both")
	}
	if err := a.readArgv(args); err != nil {
		return a, err
	}
	return a, a.check()
}

// readArgv takes command's argv argument: a list of strings.
func (a *CommandArgs) readArgv(args map[string]any) error {
	list, ok := args["argv"].([]any)
	if args["argv"] != nil && !ok {
		return errors.New("argv must be a list of strings")
	}
	for _, v := range list {
		a.Argv = append(a.Argv, String(v))
	}
	return nil
}

// check applies the module's checks (:281-293) and refuses what
// straylight would not run as Ansible does.
func (a CommandArgs) check() error {
	switch {
	case a.Shell && len(a.Argv) > 0:
		return errors.New("argv is command's argument, not shell's")
	case !a.Shell && a.Executable != "":
		return errors.New("executable is not used by the command module (Ansible warns and ignores it); write it with shell")
	case strings.TrimSpace(a.Line) == "" && len(a.Argv) == 0:
		return errors.New("no command given")
	case a.Creates != "" && !globPath().MatchString(a.Creates), a.Removes != "" && !globPath().MatchString(a.Removes):
		return fmt.Errorf("creates and removes: straylight tests plain paths and globs only (%q, %q)", a.Creates, a.Removes)
	case !a.Shell && slices.ContainsFunc(a.Argv, expands):
		return errors.New("an argument with $ or a leading ~ is expanded by the command module (expand_argument_vars), which straylight leaves to Ansible")
	}
	return nil
}

// expands: the module expands ~ and $VAR in command's arguments (:345).
func expands(arg string) bool { return strings.Contains(arg, "$") || strings.HasPrefix(arg, "~") }

// GuardScript is the module's test before it runs anything, as POSIX sh:
// change to chdir (exit 3 with the module's message when it cannot), then
// print "creates" when the creates glob matches, "removes" when the
// removes glob matches nothing, else "run".
func (a CommandArgs) GuardScript() string { return a.guard("") + "echo run\n" }

// guard is the test, its answers prefixed: a skip prints its answer and
// exits 0.
func (a CommandArgs) guard(prefix string) string {
	var b strings.Builder
	if a.Chdir != "" {
		fmt.Fprintf(&b, "cd -- %s 2>/dev/null || { echo 'Unable to change directory before execution: no such directory' %s >&2; exit 3; }\n",
			shquote.Always(a.Chdir), shquote.Always(a.Chdir))
	}
	if a.Creates != "" {
		fmt.Fprintf(&b, "for p in %s; do if [ -e \"$p\" ] || [ -L \"$p\" ]; then echo '%screates'; exit 0; fi; done\n", a.Creates, prefix)
	}
	if a.Removes != "" {
		fmt.Fprintf(&b, "m=; for p in %s; do if [ -e \"$p\" ] || [ -L \"$p\" ]; then m=1; fi; done; [ -n \"$m\" ] || { echo '%sremoves'; exit 0; }\n", a.Removes, prefix)
	}
	return b.String()
}

// Skipped is the module's message when the guard's answer skips the
// command, or "" when it runs.
func (a CommandArgs) Skipped(answer string) string {
	switch strings.TrimSpace(answer) {
	case "creates":
		return fmt.Sprintf("Did not run command since '%s' exists", a.Creates)
	case "removes":
		return fmt.Sprintf("Did not run command since '%s' does not exist", a.Removes)
	}
	return ""
}

// RunScript is the POSIX sh an apply runs: the task's environment
// exported (Ansible runs the module with it), the guard again (the module
// tests creates and removes when it runs; a skip prints "skipped:
// creates" or "skipped: removes" and exits 0), then the command — its
// words quoted (command runs them without a shell), or the line in sh -c
// or the executable's -c (shell).
func (a CommandArgs) RunScript() string {
	return ExportLines(a.Env) + a.guard("skipped: ") + "exec " + a.commandLine() + "\n"
}

// HandlerScript is the POSIX sh a handler runs: RunScript when the module
// would change directory or test creates and removes first, or shell runs
// another executable; else shell's line as it is, or command's words each
// quoted only where sh would read it otherwise (shlex.quote), so that a
// plain handler reads as written ("systemctl restart vllm").
func (a CommandArgs) HandlerScript() string {
	if a.Chdir != "" || a.Creates != "" || a.Removes != "" || a.Executable != "" {
		return a.RunScript()
	}
	if a.Shell {
		return ExportLines(a.Env) + a.Line
	}
	return ExportLines(a.Env) + a.words(shquote.Quote)
}

func (a CommandArgs) commandLine() string {
	if !a.Shell {
		return a.words(shquote.Always)
	}
	return orString(a.Executable, "/bin/sh") + " -c " + shquote.Always(a.Line)
}

// words is command's argv as one sh line, each word quoted by quote.
func (a CommandArgs) words(quote func(string) string) string {
	words := make([]string, len(a.Argv))
	for i, w := range a.Argv {
		words[i] = quote(w)
	}
	return strings.Join(words, " ")
}

func orString(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// StdinBytes is what the command reads: stdin, with a newline unless
// stdin_add_newline is false (the module's data and binary_data, :343).
func (a CommandArgs) StdinBytes() []byte {
	if a.Stdin == nil {
		return nil
	}
	if a.StdinNewline {
		return []byte(*a.Stdin + "\n")
	}
	return []byte(*a.Stdin)
}

// Describe is the command as a plan shows it.
func (a CommandArgs) Describe() string {
	if a.Shell {
		return a.Line
	}
	return strings.Join(a.Argv, " ")
}

// EnvVar is one variable of a task's environment keyword.
type EnvVar struct {
	Name  string
	Value string
	// Null: the value was null, which sh exports as "None" (Python's str)
	// and PowerShell's SetEnvironmentVariable takes as "remove it".
	Null bool
	// Structured: the value was a list or a mapping, which sh gets as
	// Python prints it and straylight does not send to PowerShell.
	Structured bool
}

// envName is what sh's export accepts as a variable's name.
var envName = lazyre.New(`^[A-Za-z_][A-Za-z0-9_]*$`)

// EnvVars checks and sorts a task's merged environment, each value already
// printed as Python's str() prints it (the shell's env_prefix,
// lib/ansible/plugins/shell/__init__.py:78-79 at c9ac477e: a list or a
// mapping as its repr, null as None). A name sh cannot export is an error.
func EnvVars(env []EnvVar) ([]EnvVar, error) {
	out := slices.SortedFunc(slices.Values(env), func(a, b EnvVar) int { return strings.Compare(a.Name, b.Name) })
	for _, e := range out {
		if !envName().MatchString(e.Name) {
			return nil, fmt.Errorf("environment variable name %q is not one sh can export ([A-Za-z_][A-Za-z0-9_]*)", e.Name)
		}
	}
	return out, nil
}

// ExportLines is sh that exports the variables, one line each.
func ExportLines(env []EnvVar) string {
	var b strings.Builder
	for _, e := range env {
		fmt.Fprintf(&b, "export %s=%s\n", e.Name, shquote.Always(e.Value))
	}
	return b.String()
}
