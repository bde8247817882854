package filemod

import (
	"errors"
	"fmt"
	"slices"
	"strings"
)

// What ansible.windows.win_command and win_shell decide, read at commit
// a1e2a842 (plugins/modules/win_command.ps1 and win_shell.ps1, :N below):
// creates — a path that exists skips the command, "skipped, since X
// exists" (win_command :83-87, win_shell :79-84) — then removes, the
// reverse (win_command :89-93, win_shell :85-90), both tested before chdir
// applies; chdir is the process's working directory (win_command :101-103,
// win_shell :142-144); otherwise the command runs and is changed
// (win_command :133, win_shell :173), a non-zero exit code failing it
// (win_command :144, win_shell :184). win_shell runs its text in a new
// powershell.exe; straylight runs it in the PowerShell session it sends,
// after the task's environment is set, as Ansible's module wrapper sets it
// in the module's process, which the command inherits
// (lib/ansible/executor/powershell/module_wrapper.ps1:68-78 at c9ac477e:
// [System.Environment]::SetEnvironmentVariable per variable). win_command
// runs the words of its line through PowerShell's call operator.

// winCommandArgNames are the arguments straylight runs (win_command
// :12-17, win_shell :50-58); stdin, argv, executable, no_profile and
// output_encoding_override are left to Ansible.
var winCommandArgNames = []string{"cmd", "chdir", "creates", "removes"}

// WinCommandArgs are a win_command or win_shell task's arguments.
type WinCommandArgs struct {
	Shell   bool     `json:"shell,omitempty"` // win_shell: Line is PowerShell
	Line    string   `json:"line"`
	Words   []string `json:"words,omitempty"` // win_command: the line's words
	Chdir   string   `json:"chdir,omitempty"`
	Creates string   `json:"creates,omitempty"`
	Removes string   `json:"removes,omitempty"`
	// Env is the task's environment keyword, set in the process before
	// the command runs. Never serialized: it may hold secrets.
	Env []EnvVar `json:"-"`
}

// ParseWinCommandArgs reads a win_command or win_shell task's templated
// arguments; line is the free-form text or cmd.
func ParseWinCommandArgs(shell bool, line string, args map[string]any) (WinCommandArgs, error) {
	module := map[bool]string{true: "win_shell", false: "win_command"}[shell]
	if err := onlyArgs(module, args, winCommandArgNames); err != nil {
		return WinCommandArgs{}, err
	}
	a := WinCommandArgs{Shell: shell, Line: strings.TrimSpace(line), Chdir: String(args["chdir"]),
		Creates: String(args["creates"]), Removes: String(args["removes"])}
	if err := a.checkPaths(); err != nil {
		return a, err
	}
	if a.Line == "" {
		return a, errors.New("no command given")
	}
	if shell {
		return a, nil
	}
	var err error
	a.Words, err = splitWindowsLine(a.Line)
	return a, err
}

// checkPaths refuses what straylight would not test as the module does:
// %VAR% (a path argument expands it, Ansible.Basic's "path" type),
// wildcards, line breaks and quotes.
func (a WinCommandArgs) checkPaths() error {
	for _, p := range []string{a.Chdir, a.Creates, a.Removes} {
		if strings.ContainsAny(p, "%*?[]'\"\r\n\x00\u2018\u2019\u201a\u201b") {
			return fmt.Errorf("chdir, creates and removes: straylight tests plain paths only (%q)", p)
		}
	}
	return nil
}

// splitWindowsLine splits a command line into words as the program's C
// runtime would (spaces separate, double quotes group) where that is
// unambiguous: a backslash before a quote, an empty word or a word
// PowerShell 5.1 would pass differently is refused.
func splitWindowsLine(line string) ([]string, error) {
	if strings.Contains(line, `\"`) || strings.Contains(line, `""`) {
		return nil, errors.New(`win_command: backslash-escaped or empty quoted words are left to Ansible`)
	}
	var words []string
	var cur strings.Builder
	quoted, inWord := false, false
	for _, r := range line {
		switch {
		case r == '"':
			quoted, inWord = !quoted, true
		case (r == ' ' || r == '\t') && !quoted:
			if inWord {
				words, inWord = append(words, cur.String()), false
				cur.Reset()
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quoted {
		return nil, errors.New("win_command: unbalanced double quote in the line")
	}
	if inWord {
		words = append(words, cur.String())
	}
	if slices.ContainsFunc(words, func(w string) bool { return strings.ContainsAny(w, " \t") && strings.HasSuffix(w, `\`) }) {
		return nil, errors.New(`win_command: a quoted word ending in a backslash is left to Ansible`)
	}
	return words, nil
}

// GuardScript is the module's test before it runs anything, in
// PowerShell: "creates" when the creates path exists, "removes" when the
// removes path does not, else "run".
func (a WinCommandArgs) GuardScript() string { return a.guard("") + "Write-Output 'run'\nexit 0\n" }

func (a WinCommandArgs) guard(prefix string) string {
	var b strings.Builder
	if a.Creates != "" {
		fmt.Fprintf(&b, "if (Test-Path -LiteralPath %s) { Write-Output '%screates'; exit 0 }\n", PSQuoteName(a.Creates), prefix)
	}
	if a.Removes != "" {
		fmt.Fprintf(&b, "if (-not (Test-Path -LiteralPath %s)) { Write-Output '%sremoves'; exit 0 }\n", PSQuoteName(a.Removes), prefix)
	}
	return b.String()
}

// Skipped is the module's message when the guard's answer skips the
// command, or "" when it runs.
func (a WinCommandArgs) Skipped(answer string) string {
	switch strings.TrimSpace(answer) {
	case "creates":
		return fmt.Sprintf("skipped, since %s exists", a.Creates)
	case "removes":
		return fmt.Sprintf("skipped, since %s does not exist", a.Removes)
	}
	return ""
}

// RunScript is the PowerShell an apply runs: the environment set, the
// guard again (a skip prints "skipped: creates" or "skipped: removes" and
// exits 0), chdir as the working directory, then the command: win_shell's
// text as written, win_command's words through the call operator.
func (a WinCommandArgs) RunScript() string {
	var b strings.Builder
	b.WriteString(PSEnvLines(a.Env))
	b.WriteString(a.guard("skipped: "))
	if a.Chdir != "" {
		fmt.Fprintf(&b, "Set-Location -LiteralPath %s -ErrorAction Stop\n", PSQuoteName(a.Chdir))
	}
	if a.Shell {
		return b.String() + a.Line + "\n"
	}
	quoted := make([]string, len(a.Words))
	for i, w := range a.Words {
		quoted[i] = PSQuoteName(w)
	}
	return b.String() + psStopOnError + "& " + strings.Join(quoted, " ") + "\n"
}

// psStopOnError makes a program that cannot be started (not found) a
// terminating error, so the script exits 1 as the module fails ("Failed
// to run", win_command.ps1:129); otherwise PowerShell goes on with
// $LASTEXITCODE at 0. A native program's exit code is not an error to
// PowerShell 5.1 and still comes back through $LASTEXITCODE.
const psStopOnError = "$ErrorActionPreference = 'Stop'\n"

// PSEnvLines sets each variable in the PowerShell process as Ansible's
// module wrapper does (module_wrapper.ps1:74-76 at c9ac477e), the value a
// single-quoted string; a null value removes the variable, as
// SetEnvironmentVariable does with $null.
func PSEnvLines(env []EnvVar) string {
	var b strings.Builder
	for _, e := range env {
		v := PSQuoteName(e.Value)
		if e.Null {
			v = "$null"
		}
		fmt.Fprintf(&b, "[System.Environment]::SetEnvironmentVariable(%s, %s)\n", PSQuoteName(e.Name), v)
	}
	return b.String()
}

// CheckPSEnv refuses values a single-quoted PowerShell string in
// straylight's scripts does not carry: line breaks, NUL, and the
// typographic quotes PowerShell also reads as single quotes.
func CheckPSEnv(env []EnvVar) error {
	for _, e := range env {
		if e.Structured {
			return fmt.Errorf("environment variable %s is a list or a mapping, which straylight does not send to PowerShell", e.Name)
		}
		if strings.ContainsAny(e.Value, "\r\n\x00\u2018\u2019\u201a\u201b") {
			return fmt.Errorf("environment variable %s holds a line break, NUL or typographic quote, which straylight does not send to PowerShell", e.Name)
		}
	}
	return nil
}
