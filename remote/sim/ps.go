package sim

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// psHost is what the command vocabulary runs against: one simulated Windows
// host's filesystem, runtime and name.
type psHost struct {
	fs         *FS
	runtime    Runtime // nil: a host without GPUs, docker or vLLM
	hostname   string
	user       string        // the WinRM account ([Environment]::UserName)
	faults     *psHostFaults // nil: none
	allowSleep bool          // Start-Sleep, for tests of polling and deadlines
	services   *psServices   // its Windows services (ps_services.go); nil: none
}

// psOutput receives a command's output streams.
type psOutput interface {
	writeStdout(p []byte)
	writeStderr(p []byte)
}

// psStdin is a command's stdin, read whole.
type psStdin interface {
	readAll(ctx context.Context) ([]byte, error)
}

var errPSNoRuntime = errors.New("docker not found on PATH (this simulated host has no vLLM runtime)")

// runCommand executes one WinRM command line and records its exit code. A
// panic in the interpreter fails the command, never the server.
func (h *psHost) runCommand(ctx context.Context, line string, cmd *wsCommand) {
	defer func() {
		if r := recover(); r != nil {
			cmd.writeStderr(fmt.Appendf(nil, "simulated host failed: %v\r\n", r))
			cmd.finish(1)
		}
	}()
	cmd.finish(h.run(ctx, line, cmd.stdin, cmd))
}

// run interprets a command line the way cmd.exe would start it: either
// powershell.exe with its arguments, or one of the simulated cmd commands.
func (h *psHost) run(ctx context.Context, line string, stdin psStdin, out psOutput) int {
	args, err := cmdSplitArgs(line)
	if err == nil && len(args) > 0 && psIsPowerShellExe(args[0]) {
		return h.runPowerShellCLI(ctx, line, args[1:], stdin, out)
	}
	if err != nil {
		return cmdNotSimulated(line, out)
	}
	if rest, ok := cmdSlashC(line, args); ok {
		return h.run(ctx, rest, stdin, out)
	}
	return h.runCmd(line, args, out)
}

var cmdSlashCPattern = lazyre.New(`(?is)^\s*(?:"[^"]*"|\S+)\s+/c\s+(.*)$`)

// cmdSlashC recognises `cmd /c <command>` and returns <command>.
func cmdSlashC(line string, args []string) (string, bool) {
	if len(args) < 3 || !strings.EqualFold(args[1], "/c") {
		return "", false
	}
	if name := strings.ToLower(psBaseName(args[0])); name != "cmd" && name != "cmd.exe" {
		return "", false
	}
	m := cmdSlashCPattern().FindStringSubmatch(line)
	if m == nil {
		return "", false // e.g. a quoted "/c"
	}
	return strings.TrimSpace(m[1]), true
}

func psIsPowerShellExe(arg string) bool {
	switch strings.ToLower(psBaseName(arg)) {
	case "powershell", "powershell.exe", "pwsh", "pwsh.exe":
		return true
	}
	return false
}

// psBaseName is the last element of a Windows or POSIX path.
func psBaseName(p string) string {
	return p[strings.LastIndexAny(p, `\/`)+1:]
}

// cmdSplitArgs splits a cmd.exe command line: spaces separate arguments,
// double quotes group them, ^ escapes outside quotes, and the operators
// & | < > outside quotes are not simulated.
func cmdSplitArgs(line string) ([]string, error) {
	var args []string
	var cur strings.Builder
	inArg, quoted := false, false
	for i := 0; i < len(line); i++ {
		c := line[i]
		switch {
		case c == '"':
			quoted, inArg = !quoted, true
		case quoted:
			cur.WriteByte(c)
		case c == '^' && i+1 < len(line):
			i++
			cur.WriteByte(line[i])
			inArg = true
		case strings.IndexByte("&|<>", c) >= 0:
			return nil, errPSUnsupported
		case c == ' ' || c == '\t':
			args, inArg = cmdEndArg(args, &cur, inArg), false
		default:
			cur.WriteByte(c)
			inArg = true
		}
	}
	return cmdEndArg(args, &cur, inArg), nil
}

func cmdEndArg(args []string, cur *strings.Builder, inArg bool) []string {
	if inArg {
		args = append(args, cur.String())
	}
	cur.Reset()
	return args
}

// runCmd runs one command as cmd.exe would: echo, exit and the native
// commands of the vocabulary; anything else is not simulated.
func (h *psHost) runCmd(line string, args []string, out psOutput) int {
	if len(args) == 0 {
		return 0
	}
	switch strings.ToLower(args[0]) {
	case "echo":
		out.writeStdout([]byte(cmdEchoText(line, args) + "\r\n"))
		return 0
	case "exit":
		if code, ok := cmdExitCode(args[1:]); ok {
			return code
		}
	}
	if r, ok := h.nativeCommand(args[0], args[1:]); ok {
		out.writeStdout([]byte(r.stdout))
		out.writeStderr([]byte(r.stderr))
		return r.code
	}
	return cmdNotSimulated(line, out)
}

// cmdEchoText is what `echo …` prints: the rest of the line, verbatim.
func cmdEchoText(line string, args []string) string {
	trimmed := strings.TrimSpace(line)
	if len(args) == 1 {
		return "ECHO is on."
	}
	if !strings.EqualFold(trimmed[:min(len(trimmed), 5)], "echo ") {
		return strings.Join(args[1:], " ")
	}
	return trimmed[5:]
}

// cmdExitCode reads `exit`, `exit N` and `exit /b N`.
func cmdExitCode(args []string) (int, bool) {
	if len(args) > 0 && strings.EqualFold(args[0], "/b") {
		args = args[1:]
	}
	switch len(args) {
	case 0:
		return 0, true
	case 1:
		n, err := strconv.ParseInt(args[0], 10, 32)
		return int(n), err == nil
	}
	return 0, false
}

func cmdNotSimulated(line string, out psOutput) int {
	out.writeStderr([]byte("not simulated: " + strings.TrimSpace(line) + "\r\n"))
	return 1
}

// psNvidiaQueryFields is the one GPU query the simulated nvidia-smi answers.
const psNvidiaQueryFields = "index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw"

// psIsNvidiaQuery accepts exactly
// --query-gpu=<psNvidiaQueryFields> --format=csv,noheader,nounits (either order).
func psIsNvidiaQuery(args []string) bool {
	if len(args) != 2 {
		return false
	}
	want := map[string]bool{"--query-gpu=" + psNvidiaQueryFields: true, "--format=csv,noheader,nounits": true}
	return args[0] != args[1] && want[args[0]] && want[args[1]]
}

// psDockerPSContainer accepts `ps -a --filter name=^X$ --format {{json .}}`
// (flags in any order, `--all`, `--flag=value`) and returns X.
func psDockerPSContainer(args []string) (string, bool) {
	if len(args) == 0 || args[0] != "ps" {
		return "", false
	}
	flags, ok := psDockerFlags(args[1:])
	if !ok || !flags.all || flags.format != "{{json .}}" {
		return "", false
	}
	name, found := strings.CutPrefix(flags.filter, "name=^")
	name, anchored := strings.CutSuffix(name, "$")
	return name, found && anchored && name != ""
}

type psDockerPSFlags struct {
	all            bool
	filter, format string
}

func psDockerFlags(args []string) (psDockerPSFlags, bool) {
	var f psDockerPSFlags
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(args[i], "=")
		if !hasValue && (name == "--filter" || name == "--format") && i+1 < len(args) {
			i++
			value = args[i]
		}
		switch name {
		case "-a", "--all":
			f.all = !hasValue
		case "--filter":
			f.filter = value
		case "--format":
			f.format = value
		default:
			return f, false
		}
	}
	return f, true
}

// psInvocation is what powershell.exe was asked to run.
type psInvocation struct {
	script   string   // -EncodedCommand or -Command
	file     string   // -File
	fileArgs []string // arguments after -File's path
}

// runPowerShellCLI runs `powershell.exe [flags] -EncodedCommand …` and the
// -Command and -File forms.
func (h *psHost) runPowerShellCLI(ctx context.Context, line string, args []string, stdin psStdin, out psOutput) int {
	inv, err := psParseCLIArgs(args)
	if err != nil {
		return cmdNotSimulated(line, out)
	}
	s := newPSSession(ctx, h, stdin, out)
	if inv.file != "" {
		return s.runFile(inv.file, inv.fileArgs)
	}
	return s.runScript(inv.script)
}

type psCLIParamSpec struct {
	name  string
	value bool // takes a value
}

// psCLIParams lists powershell.exe's parameters in the order its prefix
// matching tries them.
func psCLIParams() []psCLIParamSpec {
	return []psCLIParamSpec{
		{"encodedcommand", true}, {"executionpolicy", true}, {"command", false}, {"file", false},
		{"noprofile", false}, {"noninteractive", false}, {"nologo", false}, {"inputformat", true},
		{"outputformat", true}, {"windowstyle", true}, {"version", true}, {"sta", false},
		{"mta", false}, {"configurationname", true},
	}
}

var errPSCLI = errors.New("unsupported powershell.exe arguments")

func psParseCLIArgs(args []string) (psInvocation, error) {
	for i := 0; i < len(args); i++ {
		if !strings.HasPrefix(args[i], "-") && !strings.HasPrefix(args[i], "/") {
			return psInvocation{script: strings.Join(args[i:], " ")}, nil
		}
		name, takesValue, err := psCLIParam(args[i][1:])
		if err != nil {
			return psInvocation{}, err
		}
		switch {
		case name == "command":
			return psInvocation{script: strings.Join(args[i+1:], " ")}, nil
		case name == "file" && i+1 < len(args):
			return psInvocation{file: args[i+1], fileArgs: args[i+2:]}, nil
		case takesValue && i+1 >= len(args):
			return psInvocation{}, errPSCLI
		case name == "encodedcommand":
			script, err := psDecodeEncodedCommand(args[i+1])
			return psInvocation{script: script}, err
		case takesValue:
			i++
		}
	}
	return psInvocation{}, errPSCLI
}

// psCLIParam resolves a possibly abbreviated parameter name.
func psCLIParam(arg string) (string, bool, error) {
	arg = strings.ToLower(arg)
	switch arg {
	case "e", "ec", "enc":
		return "encodedcommand", true, nil
	case "ep", "ex":
		return "executionpolicy", true, nil
	case "c":
		return "command", false, nil
	}
	for _, p := range psCLIParams() {
		if arg != "" && strings.HasPrefix(p.name, arg) {
			return p.name, p.value, nil
		}
	}
	return "", false, errPSCLI
}

// psDecodeEncodedCommand reverses -EncodedCommand: base64 of UTF-16LE.
func psDecodeEncodedCommand(b64 string) (string, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		raw, err = base64.RawStdEncoding.DecodeString(strings.TrimRight(b64, "="))
	}
	if err != nil || len(raw)%2 != 0 {
		return "", errPSCLI
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = uint16(raw[2*i]) | uint16(raw[2*i+1])<<8
	}
	return strings.TrimPrefix(string(utf16.Decode(units)), "\ufeff"), nil
}
