package sim

import (
	"embed"
	"strings"
)

// The lab runs only the script bodies straylight ships, and the example
// repository's Start-VLLM.ps1 as reviewed: copies of each are in scripts/
// (the lab shares no code with the client, so these are copies, and the
// tests on both sides compare them). A script whose body differs from its
// copy fails with "not simulated" instead of being trusted by its marker:
// a broken body fails a test rather than passing it.
//
//go:embed scripts/*.ps1
var psScripts embed.FS

// psContractParamNames lists each contract's parameters in the order the
// client writes them (docs/winrm-scripts.md).
func psContractParamNames(op string) ([]string, bool) {
	switch op {
	case "read-file":
		return []string{"Path"}, true
	case "write-file":
		return []string{"Path", "Sha256", "Backup"}, true
	case "host-status":
		return []string{"Container"}, true
	case "host-info":
		return []string{}, true
	case "remove-temp":
		return []string{"Path"}, true
	case "path-kind":
		return []string{"Paths"}, true
	case "set-path":
		return []string{"Path", "State", "Kind"}, true
	}
	return nil, false
}

// psKnownScript returns the reviewed text of scripts/<name>.
func psKnownScript(name string) string {
	raw, err := psScripts.ReadFile("scripts/" + name)
	if err != nil {
		return "" // never equal to a real script: the lab refuses it
	}
	return string(raw)
}

// psSameText compares two script texts, ignoring CRLF against LF (a file
// deployed from a Windows checkout may have either).
func psSameText(got, want string) bool {
	return want != "" && strings.ReplaceAll(got, "\r\n", "\n") == strings.ReplaceAll(want, "\r\n", "\n")
}
