package sim

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// This file gives the lab's Windows hosts services with state, and the
// statements straylight's win_service, win_command and win_shell tasks
// send: sc.exe query, qc, config and GetKeyName; Start-, Stop-, Restart-
// and Resume-Service; [System.Environment]::SetEnvironmentVariable and
// $env:NAME; Set-Content and Set-Location; `if ($LASTEXITCODE -ne 0)`.
// Each runs against the host's state: nothing here recognises a script.
//
// Names, as Windows takes them (no Windows host checked this here,
// docs/windows-verification.md): sc.exe query, qc and config open a
// service by its name only (OpenService: lpServiceName is "not the
// service display name"); sc.exe GetKeyName takes a display name only
// (GetServiceKeyName); the cmdlets' -Name, without wildcards, makes a
// ServiceController of the name (PowerShell's Service.cs:327-343,
// AddIfValidService, at 60b3b304, the Windows PowerShell 5.1 code),
// which takes it as a display name first, then as a service name
// (.NET Framework's ServiceController.GenerateNames,
// System.ServiceProcess/ServiceController.cs:697-745 in
// microsoft/referencesource at ec9fa9ae). All compare without case.

// WindowsService is a service of a lab Windows host, as sc.exe shows it.
type WindowsService struct {
	Name string
	// DisplayName is what the Services applet shows; "" is the name
	// itself (what sc.exe create gives without DisplayName=).
	DisplayName string
	// Status is Running, Stopped or Paused.
	Status string
	// StartMode is auto, delayed, manual or disabled.
	StartMode string
}

// display is the service's display name.
func (svc WindowsService) display() string {
	if svc.DisplayName != "" {
		return svc.DisplayName
	}
	return svc.Name
}

// psServices is one host's services, guarded: every WinRM command of the
// host shares them.
type psServices struct {
	mu sync.Mutex
	m  map[string]WindowsService // by lower-cased name
}

func newPSServices(list []WindowsService) *psServices {
	s := &psServices{m: map[string]WindowsService{}}
	for _, svc := range list {
		s.set(svc)
	}
	return s
}

func (s *psServices) set(svc WindowsService) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[strings.ToLower(svc.Name)] = svc
}

// get returns the service of that name (Windows compares them without case).
func (s *psServices) get(name string) (WindowsService, bool) {
	if s == nil {
		return WindowsService{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	svc, ok := s.m[strings.ToLower(name)]
	return svc, ok
}

// keyName is the name of the service whose display name is display
// (GetServiceKeyName).
func (s *psServices) keyName(display string) (string, bool) {
	if s == nil {
		return "", false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, svc := range s.m {
		if strings.EqualFold(svc.display(), display) {
			return svc.Name, true
		}
	}
	return "", false
}

// controllerName is the service a cmdlet's -Name finds: the one whose
// display name it is, else the one of that name (ServiceController).
func (s *psServices) controllerName(name string) string {
	if key, ok := s.keyName(name); ok {
		return key
	}
	return name
}

// update changes a service with change, when it exists.
func (s *psServices) update(name string, change func(*WindowsService) error) (bool, error) {
	if s == nil {
		return false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	svc, ok := s.m[strings.ToLower(name)]
	if !ok {
		return false, nil
	}
	err := change(&svc)
	s.m[strings.ToLower(name)] = svc
	return true, err
}

// list is every service, by name.
func (s *psServices) list() []WindowsService {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]WindowsService, 0, len(s.m))
	for _, svc := range s.m {
		out = append(out, svc)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// scNoService is sc.exe's answer for a service that does not exist.
const scNoService = "[SC] OpenService FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n\r\n"

// scNative runs `sc.exe query|qc|config|GetKeyName NAME [start= MODE]`.
func (h *psHost) scNative(args []string) (psNative, bool) {
	if len(args) < 2 {
		return psNative{}, false
	}
	verb, name := strings.ToLower(args[0]), args[1]
	switch {
	case verb == "query" && len(args) == 2:
		return h.scAnswer(name, scQuery), true
	case verb == "qc" && len(args) == 2:
		return h.scAnswer(name, scQC), true
	case verb == "getkeyname" && len(args) == 2:
		return h.scKeyName(name), true
	case verb == "config" && len(args) == 4 && strings.EqualFold(args[2], "start="):
		return h.scConfigStart(name, args[3])
	}
	return psNative{}, false
}

func (h *psHost) scAnswer(name string, format func(WindowsService) string) psNative {
	svc, ok := h.services.get(name)
	if !ok {
		return psNative{stdout: scNoService, code: 1060}
	}
	return psNative{stdout: format(svc)}
}

// scKeyName is sc.exe GetKeyName DISPLAYNAME: the service's name, or
// 1060 when no service has that display name.
func (h *psHost) scKeyName(display string) psNative {
	key, ok := h.services.keyName(display)
	if !ok {
		return psNative{stdout: "[SC] GetServiceKeyName FAILED 1060:\r\n\r\nThe specified service does not exist as an installed service.\r\n\r\n", code: 1060}
	}
	return psNative{stdout: "[SC] GetServiceKeyName SUCCESS\r\nName = " + key + "\r\n"}
}

var scStates = map[string]string{"Running": "4  RUNNING", "Stopped": "1  STOPPED", "Paused": "7  PAUSED"}

func scQuery(svc WindowsService) string {
	return fmt.Sprintf("\r\nSERVICE_NAME: %s \r\n        TYPE               : 10  WIN32_OWN_PROCESS  \r\n        STATE              : %s \r\n"+
		"                                (STOPPABLE, NOT_PAUSABLE, ACCEPTS_SHUTDOWN)\r\n        WIN32_EXIT_CODE    : 0  (0x0)\r\n"+
		"        SERVICE_EXIT_CODE  : 0  (0x0)\r\n        CHECKPOINT         : 0x0\r\n        WAIT_HINT          : 0x0\r\n\r\n", svc.Name, scStates[svc.Status])
}

var scStartTypes = map[string]string{"auto": "2   AUTO_START", "delayed": "2   AUTO_START  (DELAYED)", "manual": "3   DEMAND_START", "disabled": "4   DISABLED"}

func scQC(svc WindowsService) string {
	return fmt.Sprintf("[SC] QueryServiceConfig SUCCESS\r\n\r\nSERVICE_NAME: %s\r\n        TYPE               : 10  WIN32_OWN_PROCESS \r\n"+
		"        START_TYPE         : %s\r\n        ERROR_CONTROL      : 1   NORMAL\r\n        BINARY_PATH_NAME   : C:\\Program Files\\%s\\%s.exe\r\n"+
		"        LOAD_ORDER_GROUP   : \r\n        TAG                : 0\r\n        DISPLAY_NAME       : %s\r\n        DEPENDENCIES       : \r\n"+
		"        SERVICE_START_NAME : LocalSystem\r\n", svc.Name, scStartTypes[svc.StartMode], svc.Name, svc.Name, svc.display())
}

// scStartModes maps sc.exe config's start= values to start modes.
var scStartModes = map[string]string{"auto": "auto", "delayed-auto": "delayed", "demand": "manual", "disabled": "disabled"}

func (h *psHost) scConfigStart(name, value string) (psNative, bool) {
	mode, known := scStartModes[strings.ToLower(value)]
	if !known {
		return psNative{}, false
	}
	found, _ := h.services.update(name, func(svc *WindowsService) error { svc.StartMode = mode; return nil })
	if !found {
		return psNative{stdout: scNoService, code: 1060}, true
	}
	return psNative{stdout: "[SC] ChangeServiceConfig SUCCESS\r\n"}, true
}

// serviceCmdlet is Start-, Stop-, Restart- or Resume-Service -Name 'X'
// [-Force] [-ErrorAction Stop]: the service X names (its display name or
// its name, controllerName) changes state as Windows changes it
// (starting a disabled service fails, starting a running one or
// stopping a stopped one does nothing). A name no service answers to gets the
// cmdlet's "no such service" error. With -ErrorAction Stop an error is
// terminating and the script exits 1, as powershell.exe does.
func (s *psSession) serviceCmdlet(cmdlet string, args []psToken, stmt string) psFlow {
	texts, stop := psServiceOptions(psTexts(args))
	if len(texts) != 2 || !strings.EqualFold(texts[0], "-Name") {
		return s.notSimulated(stmt)
	}
	verb := strings.ToLower(strings.TrimSuffix(cmdlet, "-Service"))
	found, err := s.host.services.update(s.host.services.controllerName(texts[1]), func(svc *WindowsService) error { return svc.apply(verb) })
	switch {
	case !found:
		return s.noSuchService(cmdlet, args, stmt)
	case err != nil:
		s.errs = append(s.errs, cmdlet+" : "+err.Error())
		s.lastOK = false
		return psFlow{exit: stop, code: 1}
	}
	s.lastOK = true
	return psFlow{}
}

// apply is what the cmdlet's verb does to the service.
func (svc *WindowsService) apply(verb string) error {
	startable := svc.StartMode != "disabled"
	switch {
	case verb == "stop":
		svc.Status = "Stopped"
	case (verb == "start" || verb == "restart") && !startable:
		//lint:ignore ST1005 the cmdlet's own message
		return fmt.Errorf("Service '%s (%s)' cannot be started due to the following error: Cannot start service %s on computer '.'.", svc.display(), svc.Name, svc.Name)
	case verb == "start" && svc.Status == "Paused":
		//lint:ignore ST1005 the cmdlet's own message
		return fmt.Errorf("Service '%s (%s)' cannot be started due to the following error: An instance of the service is already running.", svc.display(), svc.Name)
	default: // start, restart, resume
		svc.Status = "Running"
	}
	return nil
}

// psSetEnvPattern is [System.Environment]::SetEnvironmentVariable('N', V)
// with V a single-quoted string or $null.
var psSetEnvPattern = lazyre.New(`(?i)^\[(?:System\.)?Environment\]::SetEnvironmentVariable\(\s*('(?:[^']|'')*')\s*,\s*('(?:[^']|'')*'|\$null)\s*\)$`)

// runSetEnv sets (or, with $null, removes) a variable of the session's
// process environment, which $env:NAME reads.
func (s *psSession) runSetEnv(stmt string) psFlow {
	m := psSetEnvPattern().FindStringSubmatch(stmt)
	if m == nil {
		return s.notSimulated(stmt)
	}
	name := strings.ToLower(psSingleQuoted(m[1]))
	if strings.EqualFold(m[2], "$null") {
		delete(s.env, name)
	} else {
		s.env[name] = psSingleQuoted(m[2])
	}
	s.lastOK = true
	return psFlow{}
}

// psSingleQuoted is a '…' literal's text.
func psSingleQuoted(lit string) string {
	return strings.ReplaceAll(lit[1:len(lit)-1], "''", "'")
}

// evalComparison evaluates `A -eq B` and `A -ne B` (as strings, which
// covers $LASTEXITCODE against a number).
func evalComparison(tokens []psToken) (bool, bool) {
	if len(tokens) != 3 || !tokens[1].bare {
		return false, false
	}
	switch strings.ToLower(tokens[1].text) {
	case "-eq":
		return strings.EqualFold(tokens[0].text, tokens[2].text), true
	case "-ne":
		return !strings.EqualFold(tokens[0].text, tokens[2].text), true
	}
	return false, false
}

// setContent is Set-Content -LiteralPath|-Path P -Value V: the file holds
// V and a CRLF, as Windows PowerShell writes one string; its folder must
// exist.
func (s *psSession) setContent(args []psToken, stmt string) psFlow {
	opts, ok := psNamedArgs(args, "literalpath", "path", "value")
	path := s.resolve(opts["literalpath"] + opts["path"])
	if !ok || path == "" {
		return s.notSimulated(stmt)
	}
	if dir := psParentDir(path); !s.host.isDir(dir) {
		s.errs = append(s.errs, "Set-Content : Could not find a part of the path '"+path+"'.")
		s.lastOK = false
		return psFlow{}
	}
	s.host.fs.WriteFile(path, []byte(opts["value"]+"\r\n"))
	s.lastOK = true
	return psFlow{}
}

// resolve is a relative path taken from Set-Location's folder.
func (s *psSession) resolve(path string) string {
	if path == "" || s.cwd == "" || strings.HasPrefix(path, `\`) || len(path) > 1 && path[1] == ':' {
		return path
	}
	return strings.TrimRight(s.cwd, `\`) + `\` + path
}

// setLocation is Set-Location -LiteralPath P [-ErrorAction Stop]: the
// folder must exist.
func (s *psSession) setLocation(args []psToken, stmt string) psFlow {
	texts, stop := psServiceOptions(psTexts(args))
	if len(texts) != 2 || !strings.EqualFold(texts[0], "-LiteralPath") && !strings.EqualFold(texts[0], "-Path") {
		return s.notSimulated(stmt)
	}
	if !s.host.isDir(texts[1]) {
		s.errs = append(s.errs, "Set-Location : Cannot find path '"+texts[1]+"' because it does not exist.")
		s.lastOK = false
		return psFlow{exit: stop, code: 1}
	}
	s.cwd, s.lastOK = texts[1], true
	return psFlow{}
}

// psNamedArgs reads -Name value pairs of the allowed names (lower-cased).
func psNamedArgs(args []psToken, allowed ...string) (map[string]string, bool) {
	out := map[string]string{}
	for i := 0; i < len(args); i += 2 {
		name, isParam := psParamName(args[i])
		if !isParam || i+1 >= len(args) || !slices.Contains(allowed, name) {
			return nil, false
		}
		out[name] = args[i+1].text
	}
	return out, true
}
