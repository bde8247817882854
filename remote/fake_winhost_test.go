package remote

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// fakeWindows is the host behind fakeWSMan: a case-insensitive filesystem and
// canned nvidia-smi/docker output, driven by straylight's marked scripts as
// docs/winrm-scripts.md describes them. Written from the doc, not from the
// client's code, so a shared misreading cannot pass.
type fakeWindows struct {
	mu    sync.Mutex
	files map[string][]byte // key: lower case, backslashes

	gpuCSV     string
	gpuExit    int
	docker     string
	dockerExit int

	corruptWrites bool     // damage what arrives, as a broken transfer would
	lieAboutHash  bool     // answer a wrong sha256 after a good write
	stdinProblems []string // contract violations seen in write-file's stdin
}

func newFakeWindows() *fakeWindows {
	return &fakeWindows{files: map[string][]byte{}}
}

func winKey(path string) string { return strings.ToLower(strings.ReplaceAll(path, "/", `\`)) }

func (h *fakeWindows) put(path string, content []byte) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.files[winKey(path)] = append([]byte(nil), content...)
}

func (h *fakeWindows) get(path string) ([]byte, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	content, ok := h.files[winKey(path)]
	return content, ok
}

func (h *fakeWindows) paths() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for k := range h.files {
		out = append(out, k)
	}
	return out
}

var (
	markerLine = regexp.MustCompile(`^# straylight:([a-z-]+) v1$`)
	paramLine  = regexp.MustCompile(`^\$([A-Za-z0-9]+) = '((?:[^']|'')*)'$`)
)

// parseMarkedScript finds the marker line (skipping leading statements such
// as masterzen's $ProgressPreference prefix) and the assignments after it.
func parseMarkedScript(script string) (op string, params map[string]string, ok bool) {
	lines := strings.Split(script, "\n")
	for i, line := range lines {
		m := markerLine.FindStringSubmatch(strings.TrimRight(line, "\r"))
		if m == nil {
			continue
		}
		params = map[string]string{}
		for _, next := range lines[i+1:] {
			p := paramLine.FindStringSubmatch(strings.TrimRight(next, "\r"))
			if p == nil {
				break
			}
			params[p[1]] = strings.ReplaceAll(p[2], "''", "'")
		}
		return m[1], params, true
	}
	return "", nil, false
}

func (h *fakeWindows) runScript(op string, params map[string]string, c *fakeCommand) int {
	switch op {
	case "read-file":
		return h.readFile(params["Path"], c)
	case "write-file":
		return h.writeFile(params, c)
	case "host-status":
		return h.hostStatus(c)
	}
	c.writeStderr("not simulated: straylight:" + op)
	return 1
}

func (h *fakeWindows) readFile(path string, c *fakeCommand) int {
	content, ok := h.get(path)
	if !ok {
		c.writeStdout(`{"exists":false}` + "\r\n")
		return 0
	}
	sum := sha256.Sum256(content)
	answer, _ := json.Marshal(map[string]any{
		"exists": true, "sha256": hex.EncodeToString(sum[:]), "content": base64.StdEncoding.EncodeToString(content),
	})
	c.writeStdout(string(answer) + "\r\n")
	return 0
}

func (h *fakeWindows) writeFile(params map[string]string, c *fakeCommand) int {
	path, tmp := params["Path"], params["Path"]+".straylight-tmp"
	content := h.decodeStdin(c.readAllStdin())
	h.put(tmp, content)
	sum := sha256.Sum256(content)
	got := hex.EncodeToString(sum[:])
	if got != params["Sha256"] {
		h.remove(tmp)
		c.writeStderr(fmt.Sprintf("hash mismatch: expected %s, got %s", params["Sha256"], got))
		return 2
	}
	backup := ""
	if old, ok := h.get(path); ok {
		backup = params["Backup"]
		h.put(backup, old)
	}
	h.put(path, content)
	h.remove(tmp)
	if h.lieAboutHash {
		got = strings.Repeat("0", 64)
	}
	answer, _ := json.Marshal(map[string]string{"sha256": got, "backup": backup})
	c.writeStdout(string(answer) + "\r\n")
	return 0
}

// decodeStdin decodes each line on its own, as the real script does, and
// notes any line the contract does not allow.
func (h *fakeWindows) decodeStdin(stdin []byte) []byte {
	if len(stdin) > 0 && !bytes.HasSuffix(stdin, []byte("\n")) {
		h.noteProblem("stdin does not end with a newline")
	}
	var content []byte
	for _, line := range strings.Split(strings.TrimSuffix(string(stdin), "\n"), "\n") {
		if len(line) > 76 {
			h.noteProblem(fmt.Sprintf("line of %d characters", len(line)))
		}
		decoded, err := base64.StdEncoding.DecodeString(line)
		if err != nil {
			h.noteProblem(fmt.Sprintf("line %q does not decode on its own: %v", line, err))
		}
		content = append(content, decoded...)
	}
	if h.corruptWrites && len(content) > 0 {
		content[0] ^= 0xff
	}
	return content
}

func (h *fakeWindows) noteProblem(problem string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stdinProblems = append(h.stdinProblems, problem)
}

func (h *fakeWindows) remove(path string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.files, winKey(path))
}

func (h *fakeWindows) hostStatus(c *fakeCommand) int {
	h.mu.Lock()
	answer, _ := json.Marshal(map[string]any{
		"gpu_csv": h.gpuCSV, "gpu_exit": h.gpuExit, "docker": h.docker, "docker_exit": h.dockerExit,
	})
	h.mu.Unlock()
	c.writeStdout(string(answer) + "\r\n")
	return 0
}
