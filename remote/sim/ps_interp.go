package sim

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// psSession runs one PowerShell script: a small interpreter for the
// statements straylight and the seed's handlers send (assignments, if with
// Test-Path, the call operator on Start-VLLM.ps1, exit, and the native
// commands of the vocabulary). Anything else stops the script with exit
// code 1 and "not simulated: <statement>" on stderr.
type psSession struct {
	ctx      context.Context
	host     *psHost
	stdin    psStdin
	out      psOutput
	vars     map[string]string // lower-cased names
	env      map[string]string // the process's environment set by the script ($env:), lower-cased names
	cwd      string            // Set-Location's folder ("" until set)
	errs     []string          // error records, sent as CLIXML when the script ends
	lastExit int               // $LASTEXITCODE
	lastOK   bool              // $?
}

// psFlow tells the caller whether a statement ended the script.
type psFlow struct {
	exit bool
	code int
}

func newPSSession(ctx context.Context, h *psHost, stdin psStdin, out psOutput) *psSession {
	return &psSession{ctx: ctx, host: h, stdin: stdin, out: out, vars: map[string]string{}, env: map[string]string{}, lastOK: true}
}

// runScript runs a whole script and returns powershell.exe's exit code: the
// script's `exit N`, else 0 or 1 from $? (what -EncodedCommand does).
func (s *psSession) runScript(script string) int {
	if c, ok := findPSContract(script); ok {
		return s.finish(s.runContract(c))
	}
	return s.finish(s.runBlock(psStripComments(script)))
}

// runFile runs `powershell.exe -File <path> <args>`.
func (s *psSession) runFile(path string, args []string) int {
	tokens := make([]psToken, len(args))
	for i, a := range args {
		tokens[i] = psToken{text: a, bare: true}
	}
	return s.finish(s.invoke(path, tokens, "-File "+path))
}

// finish flushes error records to stderr as CLIXML, as powershell.exe does
// when its error stream is redirected, and computes the exit code.
func (s *psSession) finish(f psFlow) int {
	if len(s.errs) > 0 {
		s.out.writeStderr([]byte(psCLIXML(s.errs)))
	}
	switch {
	case f.exit:
		return f.code
	case s.lastOK:
		return 0
	}
	return 1
}

func (s *psSession) runBlock(block string) psFlow {
	for _, stmt := range psSplitStatements(block) {
		if s.ctx.Err() != nil {
			return psFlow{exit: true, code: wsExitTerminated}
		}
		if f := s.runStatement(stmt); f.exit {
			return f
		}
	}
	return psFlow{}
}

func (s *psSession) runStatement(stmt string) psFlow {
	lower := strings.ToLower(stmt)
	switch {
	case psHasKeyword(lower, "if"):
		return s.runIf(stmt)
	case psHasKeyword(lower, "exit"):
		return s.runExit(stmt)
	case strings.HasPrefix(stmt, "$"):
		return s.runAssignment(stmt)
	case strings.HasPrefix(stmt, "&"):
		return s.runCall(stmt)
	case strings.HasPrefix(stmt, "["):
		return s.runSetEnv(stmt)
	}
	return s.runCommandStatement(stmt)
}

// notSimulated ends the script: exit 1, the statement named on stderr.
func (s *psSession) notSimulated(stmt string) psFlow {
	s.errs = append(s.errs, "not simulated: "+stmt)
	return psFlow{exit: true, code: 1}
}

// lookup resolves a variable for expansion; unknown variables are empty, as
// in PowerShell.
func (s *psSession) lookup(name string) string {
	switch lower := strings.ToLower(name); lower {
	case "lastexitcode":
		return strconv.Itoa(s.lastExit)
	case "?":
		return psBool(s.lastOK)
	case "true", "false":
		return psBool(lower == "true")
	case "env:computername":
		return s.host.hostname
	}
	if envName, ok := strings.CutPrefix(strings.ToLower(name), "env:"); ok {
		return s.env[envName]
	}
	return s.vars[strings.ToLower(name)]
}

func psBool(b bool) string {
	if b {
		return "True"
	}
	return "False"
}

var psAssignmentPattern = lazyre.New(`^\$([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$`)

// psSimpleValue matches the right-hand sides the interpreter evaluates: one
// quoted string, one variable, or one number or bare word.
var psSimpleValue = lazyre.New(`^(?:'(?:[^']|'')*'|"(?:[^"` + "`" + `]|""|` + "`" + `.)*"|\$[A-Za-z_][A-Za-z0-9_:]*|-?[A-Za-z0-9_.]+)$`)

func (s *psSession) runAssignment(stmt string) psFlow {
	m := psAssignmentPattern().FindStringSubmatch(stmt)
	if m == nil || strings.HasPrefix(m[2], "=") || !psSimpleValue().MatchString(strings.TrimSpace(m[2])) {
		return s.notSimulated(stmt)
	}
	tokens, err := psTokenize(m[2], s.lookup)
	if err != nil || len(tokens) != 1 {
		return s.notSimulated(stmt)
	}
	s.vars[strings.ToLower(m[1])] = tokens[0].text
	s.lastOK = true
	return psFlow{}
}

func (s *psSession) runExit(stmt string) psFlow {
	tokens, err := psTokenize(strings.TrimSpace(stmt[len("exit"):]), s.lookup)
	switch {
	case err != nil || len(tokens) > 1:
		return s.notSimulated(stmt)
	case len(tokens) == 0:
		return psFlow{exit: true, code: 0}
	}
	code, err := strconv.ParseInt(tokens[0].text, 10, 32)
	if err != nil {
		return s.notSimulated(stmt)
	}
	return psFlow{exit: true, code: int(code)}
}

// runIf runs `if (cond) { … } [elseif (…) { … }] [else { … }]`.
func (s *psSession) runIf(stmt string) psFlow {
	cond, rest, err := psBracketed(stmt[len("if"):], '(')
	if err != nil {
		return s.notSimulated(stmt)
	}
	then, rest, err := psBracketed(rest, '{')
	if err != nil {
		return s.notSimulated(stmt)
	}
	otherwise, err := psElseBranch(rest)
	if err != nil {
		return s.notSimulated(stmt)
	}
	ok, err := s.evalCondition(cond)
	switch {
	case err != nil:
		return s.notSimulated(stmt)
	case ok:
		return s.runBlock(then)
	}
	return s.runBlock(otherwise)
}

// psElseBranch returns the code of an else or elseif branch ("" for none).
func psElseBranch(rest string) (string, error) {
	lower := strings.ToLower(rest)
	switch {
	case rest == "":
		return "", nil
	case psHasKeyword(lower, "elseif"):
		return "if" + rest[len("elseif"):], nil
	case psHasKeyword(lower, "else"):
		block, after, err := psBracketed(rest[len("else"):], '{')
		if err == nil && after != "" {
			err = errPSUnsupported
		}
		return block, err
	}
	return "", errPSUnsupported
}

// evalCondition understands Test-Path, negated with -not or !, in parentheses.
func (s *psSession) evalCondition(cond string) (bool, error) {
	c := strings.TrimSpace(cond)
	lower := strings.ToLower(c)
	switch {
	case strings.HasPrefix(c, "!"):
		v, err := s.evalCondition(c[1:])
		return !v, err
	case psHasKeyword(lower, "-not"):
		v, err := s.evalCondition(c[len("-not"):])
		return !v, err
	case strings.HasPrefix(c, "("):
		inner, rest, err := psBracketed(c, '(')
		if err != nil || rest != "" {
			return false, errPSUnsupported
		}
		return s.evalCondition(inner)
	}
	tokens, err := psTokenize(c, s.lookup)
	if v, ok := evalComparison(tokens); err == nil && ok {
		return v, nil
	}
	if err != nil || len(tokens) == 0 || !tokens[0].bare || !strings.EqualFold(tokens[0].text, "Test-Path") {
		return false, errPSUnsupported
	}
	return s.testPath(tokens[1:])
}

// testPath evaluates Test-Path [-Path|-LiteralPath] P [-PathType Leaf|Container|Any]
// against the simulated filesystem.
func (s *psSession) testPath(args []psToken) (bool, error) {
	path, pathType := "", "any"
	for i := 0; i < len(args); i++ {
		name, isParam := psParamName(args[i])
		switch {
		case isParam && i+1 < len(args) && (name == "path" || name == "literalpath" || name == "lp"):
			i++
			path = args[i].text
		case isParam && i+1 < len(args) && name == "pathtype":
			i++
			pathType = strings.ToLower(args[i].text)
		case isParam || path != "":
			return false, errPSUnsupported
		default:
			path = args[i].text
		}
	}
	return s.host.testPath(path, pathType)
}

// psParamName returns a bare `-Name` token's lower-cased name.
func psParamName(t psToken) (string, bool) {
	if !t.bare || len(t.text) < 2 || t.text[0] != '-' {
		return "", false
	}
	return strings.ToLower(t.text[1:]), true
}

func (h *psHost) testPath(path, pathType string) (bool, error) {
	if path == "" {
		return false, errPSUnsupported
	}
	switch pathType {
	case "leaf":
		return h.fs.Exists(path), nil
	case "container":
		return h.isDir(path), nil
	case "any":
		return h.fs.Exists(path) || h.isDir(path), nil
	}
	return false, errPSUnsupported
}

// isDir reports whether a directory exists: the FS stores files only, so a
// directory exists when some file lies beneath it.
func (h *psHost) isDir(path string) bool {
	prefix := strings.TrimRight(fsKey(path), `\`) + `\`
	for _, p := range h.fs.List() {
		if strings.HasPrefix(fsKey(p), prefix) {
			return true
		}
	}
	return false
}

// runCall runs `& <path-or-command> <args>`.
func (s *psSession) runCall(stmt string) psFlow {
	tokens, err := psTokenize(stmt[1:], s.lookup)
	if err != nil || len(tokens) == 0 || psAnyOperator(tokens) {
		return s.notSimulated(stmt)
	}
	return s.invoke(tokens[0].text, tokens[1:], stmt)
}

func (s *psSession) runCommandStatement(stmt string) psFlow {
	tokens, err := psTokenize(stmt, s.lookup)
	if err != nil || len(tokens) == 0 || psAnyOperator(tokens) {
		return s.notSimulated(stmt)
	}
	if !tokens[0].bare && len(tokens) == 1 {
		return s.writeOutput(tokens, stmt) // a string on its own is output
	}
	if !tokens[0].bare {
		return s.notSimulated(stmt)
	}
	return s.invoke(tokens[0].text, tokens[1:], stmt)
}

func psAnyOperator(tokens []psToken) bool {
	for _, t := range tokens {
		if psIsOperator(t) {
			return true
		}
	}
	return false
}

// invoke runs a command by name: the Start-VLLM.ps1 script, the output
// cmdlets, Start-Sleep (tests only) or a native command.
func (s *psSession) invoke(name string, args []psToken, stmt string) psFlow {
	switch lower := strings.ToLower(name); {
	case psIsStartVLLMScript(name):
		return s.runStartVLLM(name, args, stmt)
	case lower == "echo" || lower == "write-output" || lower == "write" || lower == "write-host":
		return s.writeOutput(args, stmt)
	case lower == "write-error":
		return s.writeError(args, stmt)
	case (lower == "start-sleep" || lower == "sleep") && s.host.allowSleep:
		return s.sleep(args, stmt)
	case lower == "start-service" || lower == "stop-service" || lower == "restart-service" || lower == "resume-service":
		return s.serviceCmdlet(name, args, stmt)
	case lower == "set-content":
		return s.setContent(args, stmt)
	case lower == "set-location":
		return s.setLocation(args, stmt)
	}
	r, ok := s.host.nativeCommand(name, psTexts(args))
	if !ok {
		return s.notSimulated(stmt)
	}
	s.out.writeStdout([]byte(r.stdout))
	s.out.writeStderr([]byte(r.stderr))
	s.lastExit, s.lastOK = r.code, r.code == 0
	return psFlow{}
}

func psTexts(tokens []psToken) []string {
	out := make([]string, len(tokens))
	for i, t := range tokens {
		out[i] = t.text
	}
	return out
}

// writeOutput prints each argument on its own line (Write-Output and its
// aliases); parameters such as -NoNewline are not simulated.
func (s *psSession) writeOutput(args []psToken, stmt string) psFlow {
	var b strings.Builder
	for _, a := range args {
		if _, isParam := psParamName(a); isParam {
			return s.notSimulated(stmt)
		}
		b.WriteString(a.text + "\r\n")
	}
	s.out.writeStdout([]byte(b.String()))
	s.lastOK = true
	return psFlow{}
}

// writeError is Write-Error [-Message] <text>: a non-terminating error
// record, which powershell.exe sends to stderr as CLIXML when the script ends.
func (s *psSession) writeError(args []psToken, stmt string) psFlow {
	if len(args) == 2 && strings.EqualFold(args[0].text, "-Message") {
		args = args[1:]
	}
	if len(args) != 1 {
		return s.notSimulated(stmt)
	}
	s.errs = append(s.errs, args[0].text)
	s.lastOK = false
	return psFlow{}
}

// sleep is Start-Sleep [-Seconds] N | -Milliseconds N; a terminate signal
// ends it at once.
func (s *psSession) sleep(args []psToken, stmt string) psFlow {
	d, ok := psSleepDuration(psTexts(args))
	if !ok {
		return s.notSimulated(stmt)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		s.lastOK = true
		return psFlow{}
	case <-s.ctx.Done():
		return psFlow{exit: true, code: wsExitTerminated}
	}
}

func psSleepDuration(args []string) (time.Duration, bool) {
	unit := time.Second
	if len(args) == 2 {
		switch strings.ToLower(args[0]) {
		case "-seconds", "-s":
		case "-milliseconds", "-m":
			unit = time.Millisecond
		default:
			return 0, false
		}
		args = args[1:]
	}
	if len(args) != 1 {
		return 0, false
	}
	n, err := strconv.ParseFloat(args[0], 64)
	if err != nil || n < 0 || n*float64(unit) > float64(soapMaxOperationTimeout) {
		return 0, false
	}
	return time.Duration(n * float64(unit)), true
}

// psIsStartVLLMScript recognises the seed's handler script by its path.
func psIsStartVLLMScript(path string) bool {
	p := strings.ToLower(strings.ReplaceAll(path, "/", `\`))
	return strings.HasSuffix(p, `\scripts\start-vllm.ps1`)
}

// runStartVLLM runs `<…\scripts\Start-VLLM.ps1> -Action Restart`: the
// script must exist on the FS and be the reviewed copy in
// scripts/Start-VLLM.ps1; the lab then does what that script does (read
// config.yml, docker rm -f, docker run) against the Runtime, and like the
// script reports a failure as one stderr line and exit code 1, which the
// caller's $LASTEXITCODE carries.
func (s *psSession) runStartVLLM(path string, args []psToken, stmt string) psFlow {
	if !psIsRestartAction(args) {
		return s.notSimulated(stmt)
	}
	content, exists := s.host.fs.ReadFile(path)
	if !exists {
		s.errs = append(s.errs, "& : The term '"+path+"' is not recognized as the name of a cmdlet, function,"+
			" script file, or operable program. Check the spelling of the name, or if a path was included,"+
			" verify that the path is correct and try again.")
		s.lastOK = false
		return psFlow{}
	}
	if !psSameText(string(content), psKnownScript("Start-VLLM.ps1")) {
		return s.notSimulated(stmt + ": " + path + " is not the Start-VLLM.ps1 the lab simulates" +
			" (remote/sim/scripts/Start-VLLM.ps1)")
	}
	if err := s.host.restartVLLM(path); err != nil {
		s.out.writeStderr([]byte("Start-VLLM.ps1 -Action Restart failed: " + err.Error() + "\r\n"))
		s.lastExit, s.lastOK = 1, false
		return psFlow{}
	}
	s.lastExit, s.lastOK = 0, true
	return psFlow{}
}

// restartVLLM is Start-VLLM.ps1's Restart, step by step: config.yml next to
// the scripts directory, then docker (rm, run).
func (h *psHost) restartVLLM(scriptPath string) error {
	config := psParentDir(psParentDir(scriptPath)) + `\config.yml`
	switch {
	case !h.fs.Exists(config):
		return errors.New("Cannot find path '" + config + "' because it does not exist.")
	case h.runtime == nil:
		return errPSNoRuntime
	case !h.dockerRunning():
		//lint:ignore ST1005 ends with docker's own message, word for word
		return errors.New("docker rm -f failed (exit 1): " + psDockerDownMessage)
	}
	if err := h.runtime.RestartVLLM(); err != nil {
		return errors.New("docker run failed (exit 125): " + err.Error())
	}
	return nil
}

// psParentDir is Split-Path -Parent for a Windows path.
func psParentDir(p string) string {
	p = strings.ReplaceAll(p, "/", `\`)
	return p[:max(strings.LastIndex(p, `\`), 0)]
}

// psIsRestartAction accepts `-Action Restart` and `-Action:Restart`.
func psIsRestartAction(args []psToken) bool {
	texts := psTexts(args)
	if len(texts) == 1 {
		texts = strings.SplitN(texts[0], ":", 2)
	}
	return len(texts) == 2 && strings.EqualFold(texts[0], "-Action") && strings.EqualFold(texts[1], "Restart")
}

// noSuchService is Start-, Stop- or Restart-Service -Name 'X' [-Force]
// [-ErrorAction Stop] for a service the host lacks (the lab's Windows
// hosts run vLLM as a Docker Desktop container started by Start-VLLM.ps1,
// not as a service; a test gives a host services, ps_services.go): the
// cmdlet's "no such service" error: $? is false, and with -ErrorAction
// Stop the error is terminating and the script exits 1, as powershell.exe
// does.
func (s *psSession) noSuchService(cmdlet string, args []psToken, stmt string) psFlow {
	texts, stop := psServiceOptions(psTexts(args))
	if len(texts) != 2 || !strings.EqualFold(texts[0], "-Name") {
		return s.notSimulated(stmt)
	}
	s.errs = append(s.errs, cmdlet+" : Cannot find any service with service name '"+texts[1]+"'.")
	s.lastOK = false
	return psFlow{exit: stop, code: 1}
}

// psServiceOptions takes -Force and -ErrorAction Stop off the arguments.
func psServiceOptions(texts []string) (rest []string, stop bool) {
	for i := 0; i < len(texts); i++ {
		switch {
		case strings.EqualFold(texts[i], "-Force"):
		case strings.EqualFold(texts[i], "-ErrorAction") && i+1 < len(texts) && strings.EqualFold(texts[i+1], "Stop"):
			stop = true
			i++
		default:
			rest = append(rest, texts[i])
		}
	}
	return rest, stop
}
