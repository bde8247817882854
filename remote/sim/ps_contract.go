package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// The scripts straylight sends (docs/winrm-scripts.md) start with a marker
// line `# straylight:<op> v1`, possibly after leading statements such as
// masterzen's `$ProgressPreference = 'SilentlyContinue';`, followed by one
// single-quoted assignment per parameter of the op, in order, then the body.
// The lab reads the parameters, checks that the body is the one straylight
// ships (scripts/<op>.ps1) and performs in Go what that body does on a real
// host; any other body is refused.

var psContractMarker = lazyre.New(`^(?:.*;)?\s*#\s*straylight:([A-Za-z0-9_-]+)\s+v(\d+)\s*$`)

var psContractParam = lazyre.New(`^\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*=\s*'((?:[^']|'')*)'\s*;?\s*$`)

// psContract is one recognised contract script.
type psContract struct {
	op, version string
	params      map[string]string // lower-cased names
	body        string            // what follows the parameters
}

func (c psContract) marker() string { return "# straylight:" + c.op + " v" + c.version }

func findPSContract(script string) (psContract, bool) {
	lines := strings.Split(script, "\n")
	for i, line := range lines {
		m := psContractMarker().FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m != nil {
			c := psContract{op: strings.ToLower(m[1]), version: m[2]}
			c.params, c.body = psContractParams(c.op, lines[i+1:])
			return c, true
		}
	}
	return psContract{}, false
}

// psContractParams reads the op's assignments directly after the marker and
// returns them with the rest of the script.
func psContractParams(op string, lines []string) (map[string]string, string) {
	params := map[string]string{}
	names, _ := psContractParamNames(op)
	n := 0
	for n < len(lines) && n < len(names) {
		m := psContractParam().FindStringSubmatch(strings.TrimRight(lines[n], "\r"))
		if m == nil || !strings.EqualFold(m[1], names[n]) {
			break
		}
		params[strings.ToLower(m[1])] = strings.ReplaceAll(m[2], "''", "'")
		n++
	}
	return params, strings.Join(lines[n:], "\n")
}

func (s *psSession) runContract(c psContract) psFlow {
	if _, known := psContractParamNames(c.op); c.version != "1" || !known {
		return s.notSimulated(c.marker())
	}
	if !psSameText(c.body, psKnownScript(c.op+".ps1")) {
		return s.notSimulated(c.marker() + ": its body is not the one straylight ships" +
			" (the lab runs only the body in remote/sim/scripts/" + c.op + ".ps1)")
	}
	switch c.op {
	case "read-file":
		return s.contractReadFile(c)
	case "write-file":
		return s.contractWriteFile(c)
	case "host-status":
		return s.contractHostStatus(c)
	case "host-info":
		return s.contractHostInfo()
	case "remove-temp":
		return s.contractRemoveTemp(c)
	case "path-kind":
		return s.contractPathKind(c)
	case "set-path":
		return s.contractSetPath(c)
	}
	return s.notSimulated(c.marker())
}

// fail ends a contract script with an error record and an exit code.
func (s *psSession) fail(code int, message string) psFlow {
	s.errs = append(s.errs, message)
	return psFlow{exit: true, code: code}
}

// param returns a required parameter; ok is false (and the script failed)
// when it is missing.
func (s *psSession) param(c psContract, name string) (string, bool) {
	v, ok := c.params[strings.ToLower(name)]
	if !ok {
		s.fail(1, "missing parameter $"+name+" in "+c.marker())
	}
	return v, ok
}

// writeJSON prints one line of compact JSON (ConvertTo-Json -Compress).
func (s *psSession) writeJSON(v any) psFlow {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return s.fail(1, err.Error())
	}
	s.out.writeStdout(append(bytes.TrimRight(b.Bytes(), "\n"), '\r', '\n'))
	return psFlow{exit: true, code: 0}
}

func psSHA256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

type psFileAbsent struct {
	Exists bool `json:"exists"`
}

type psFilePresent struct {
	Exists  bool   `json:"exists"`
	SHA256  string `json:"sha256"`
	Content string `json:"content"`
}

func (s *psSession) contractReadFile(c psContract) psFlow {
	path, ok := s.param(c, "Path")
	if !ok {
		return psFlow{exit: true, code: 1}
	}
	if s.host.fs.Kind(path) == "directory" { // ReadAllBytes on a directory
		return s.fail(1, "Access to the path '"+path+"' is denied.")
	}
	content, exists := s.host.fs.ReadFile(path)
	if !exists {
		return s.writeJSON(psFileAbsent{})
	}
	return s.writeJSON(psFilePresent{true, psSHA256Hex(content), base64.StdEncoding.EncodeToString(content)})
}

type psWriteResult struct {
	SHA256 string `json:"sha256"`
	Backup string `json:"backup"`
}

// psWriteRequest is a write-file script's parameters.
type psWriteRequest struct {
	path, sha256, backup string
}

func (s *psSession) writeRequest(c psContract) (psWriteRequest, bool) {
	path, ok1 := s.param(c, "Path")
	sum, ok2 := s.param(c, "Sha256")
	backup, ok3 := s.param(c, "Backup")
	return psWriteRequest{path, sum, backup}, ok1 && ok2 && ok3
}

// contractWriteFile decodes stdin into <Path>.straylight-tmp, verifies its
// hash, keeps the old file at Backup and moves the temp file over Path.
func (s *psSession) contractWriteFile(c psContract) psFlow {
	req, ok := s.writeRequest(c)
	if !ok {
		return psFlow{exit: true, code: 1}
	}
	raw, err := s.stdin.readAll(s.ctx)
	if s.ctx.Err() != nil {
		return psFlow{exit: true, code: wsExitTerminated}
	}
	if err != nil {
		return s.fail(1, "cannot read stdin: "+err.Error())
	}
	content, err := base64.StdEncoding.DecodeString(psStripSpace(raw))
	if err != nil {
		return s.fail(1, "stdin is not base64: "+err.Error())
	}
	return s.replaceFile(req, content)
}

func (s *psSession) replaceFile(req psWriteRequest, content []byte) psFlow {
	fs := s.host.fs
	tmp := req.path + ".straylight-tmp"
	fs.WriteFile(tmp, content)
	got := psSHA256Hex(content)
	if !strings.EqualFold(got, req.sha256) {
		fs.Remove(tmp)
		return s.fail(2, "hash mismatch: expected "+req.sha256+", got "+got)
	}
	backup := ""
	if old, exists := fs.ReadFile(req.path); exists && req.backup != "" {
		fs.WriteFile(req.backup, old)
		backup = req.backup
	}
	fs.Move(tmp, req.path)
	return s.writeJSON(psWriteResult{SHA256: got, Backup: backup})
}

func psStripSpace(b []byte) string {
	return strings.Map(func(r rune) rune {
		if strings.ContainsRune(" \t\r\n", r) {
			return -1
		}
		return r
	}, string(b))
}

type psHostStatus struct {
	GPUCSV     string `json:"gpu_csv"`
	GPUExit    int    `json:"gpu_exit"`
	GPUErr     string `json:"gpu_err"`
	Docker     string `json:"docker"`
	DockerExit int    `json:"docker_exit"`
	DockerErr  string `json:"docker_err"`
	User       string `json:"user"`
}

// contractHostStatus gathers the GPU query and the container's docker ps
// line in one round trip, as scripts/host-status.ps1 does.
func (s *psSession) contractHostStatus(c psContract) psFlow {
	container, ok := s.param(c, "Container")
	if !ok {
		return psFlow{exit: true, code: 1}
	}
	gpu, docker := s.host.probeNvidiaSMI(), s.host.probeDocker(container)
	return s.writeJSON(psHostStatus{GPUCSV: gpu.out, GPUExit: gpu.code, GPUErr: gpu.err,
		Docker: docker.out, DockerExit: docker.code, DockerErr: docker.err, User: s.host.user})
}
