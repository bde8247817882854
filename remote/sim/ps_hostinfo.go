package sim

import "strings"

// The lab's Windows: Windows PowerShell 5.1 on Windows 10 22H2. The values
// are what $PSVersionTable and [Environment]::OSVersion print there.
const (
	psLabVersion = "5.1.19041.4894"
	psLabOS      = "Microsoft Windows NT 10.0.19045.0"
)

type psHostInfo struct {
	PSVersion string `json:"ps_version"`
	PSEdition string `json:"ps_edition"`
	User      string `json:"user"`
	Temp      string `json:"temp"`
	OS        string `json:"os"`
}

// tempDir is the account's %TEMP%, as [System.IO.Path]::GetTempPath()
// prints it (with the trailing backslash).
func (h *psHost) tempDir() string {
	return `C:\Users\` + h.userOrDefault() + `\AppData\Local\Temp\`
}

func (h *psHost) userOrDefault() string {
	if h.user == "" {
		return "Administrator"
	}
	return h.user
}

// contractHostInfo is scripts/host-info.ps1.
func (s *psSession) contractHostInfo() psFlow {
	return s.writeJSON(psHostInfo{PSVersion: psLabVersion, PSEdition: "Desktop",
		User: s.host.userOrDefault(), Temp: s.host.tempDir(), OS: psLabOS})
}

type psRemoved struct {
	Removed bool `json:"removed"`
}

// contractRemoveTemp is scripts/remove-temp.ps1: it deletes one
// straylight-doctor-* directory directly inside the temp directory, and
// refuses any other path with exit code 2.
func (s *psSession) contractRemoveTemp(c psContract) psFlow {
	path, ok := s.param(c, "Path")
	if !ok {
		return psFlow{exit: true, code: 1}
	}
	full := strings.TrimRight(strings.ReplaceAll(path, "/", `\`), `\`)
	parent, leaf := psParentDir(full)+`\`, psBaseName(full)
	if !strings.EqualFold(parent, s.host.tempDir()) || !strings.HasPrefix(strings.ToLower(leaf), "straylight-doctor-") {
		return s.fail(2, "refused: "+path+" is not a straylight-doctor-* directory in "+s.host.tempDir())
	}
	prefix := fsKey(full) + `\`
	for _, p := range s.host.fs.List() {
		if strings.HasPrefix(fsKey(p), prefix) {
			s.host.fs.Remove(p)
		}
	}
	return s.writeJSON(psRemoved{Removed: true})
}
