package sim

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
)

// The scripts straylight sends (docs/winrm-scripts.md) start with a marker
// line `# straylight:<op> v1`, possibly after leading statements such as
// masterzen's `$ProgressPreference = 'SilentlyContinue';`, followed by one
// single-quoted parameter per line. The lab reads the marker and the
// parameters and performs the operation on its FS; the rest of the script
// (real PowerShell for real hosts) is not interpreted.

var psContractMarker = regexp.MustCompile(`^(?:.*;)?\s*#\s*straylight:([A-Za-z0-9_-]+)\s+v(\d+)\s*$`)

var psContractParam = regexp.MustCompile(`^\s*\$([A-Za-z_][A-Za-z0-9_]*)\s*=\s*'((?:[^']|'')*)'\s*;?\s*$`)

// psContract is one recognised contract script.
type psContract struct {
	op, version string
	params      map[string]string // lower-cased names
}

func (c psContract) marker() string { return "# straylight:" + c.op + " v" + c.version }

func findPSContract(script string) (psContract, bool) {
	lines := strings.Split(script, "\n")
	for i, line := range lines {
		m := psContractMarker.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m != nil {
			return psContract{op: strings.ToLower(m[1]), version: m[2], params: psContractParams(lines[i+1:])}, true
		}
	}
	return psContract{}, false
}

// psContractParams reads the assignments directly after the marker.
func psContractParams(lines []string) map[string]string {
	params := map[string]string{}
	for _, line := range lines {
		m := psContractParam.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m == nil {
			break
		}
		params[strings.ToLower(m[1])] = strings.ReplaceAll(m[2], "''", "'")
	}
	return params
}

func (s *psSession) runContract(c psContract) psFlow {
	if c.version != "1" {
		return s.notSimulated(c.marker())
	}
	switch c.op {
	case "read-file":
		return s.contractReadFile(c)
	case "write-file":
		return s.contractWriteFile(c)
	case "host-status":
		return s.contractHostStatus(c)
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
	Docker     string `json:"docker"`
	DockerExit int    `json:"docker_exit"`
}

// contractHostStatus gathers the GPU query and the container's docker ps
// line in one round trip.
func (s *psSession) contractHostStatus(c psContract) psFlow {
	container, ok := s.param(c, "Container")
	if !ok {
		return psFlow{exit: true, code: 1}
	}
	if s.host.runtime == nil {
		// No nvidia-smi or docker on PATH: both commands fail.
		return s.writeJSON(psHostStatus{GPUExit: 1, DockerExit: 1})
	}
	rt := s.host.runtime
	return s.writeJSON(psHostStatus{GPUCSV: rt.NvidiaSMI(), Docker: rt.DockerPS(container)})
}
