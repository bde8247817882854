package remote

import (
	"context"
	"fmt"
	"slices"
)

// WindowsPaths is what a transport to a Windows host offers win_file
// tasks: a path's kind, and making it a directory, removing it or touching
// it (the path-kind and set-path scripts, docs/winrm-scripts.md).
type WindowsPaths interface {
	// PathKind is "absent", "file" or "directory".
	PathKind(ctx context.Context, path string) (string, error)
	// SetPath makes path what state says (directory, absent, touch), after
	// checking on the host, in the same script, that it is still kind.
	SetPath(ctx context.Context, path, state, kind string) error
}

// pathKindBody reports what the path is: a directory, another existing
// item (a file), or nothing.
const pathKindBody = `$ProgressPreference = 'SilentlyContinue'
$ErrorActionPreference = 'Stop'
try {
    $kind = 'absent'
    if (Test-Path -LiteralPath $Path -PathType Container) { $kind = 'directory' }
    elseif (Test-Path -LiteralPath $Path) { $kind = 'file' }
    [ordered]@{ kind = $kind } | ConvertTo-Json -Compress
    exit 0
} catch {
    [Console]::Error.WriteLine($_.Exception.Message)
    exit 1
}
`

// setPathBody checks the path is still the kind the plan saw (exit 3 if
// not), then: directory creates it with its missing parents; absent
// removes a file, or a directory with what it holds (a link itself, never
// what it points to); touch creates an empty file or sets an existing
// item's write and access times to now (win_file.ps1 does each of these,
// docs/ansible-semantics.md).
const setPathBody = `$ProgressPreference = 'SilentlyContinue'
$ErrorActionPreference = 'Stop'
try {
    $now = 'absent'
    if (Test-Path -LiteralPath $Path -PathType Container) { $now = 'directory' }
    elseif (Test-Path -LiteralPath $Path) { $now = 'file' }
    if ($now -ne $Kind) {
        [Console]::Error.WriteLine("$Path is $now on the host, the plan saw $Kind")
        exit 3
    }
    if ($State -eq 'directory') {
        $null = [System.IO.Directory]::CreateDirectory($Path)
    } elseif ($State -eq 'absent') {
        $item = Get-Item -LiteralPath $Path -Force
        if ($item.Attributes -band [System.IO.FileAttributes]::ReparsePoint) {
            if ($item.PSIsContainer) { [System.IO.Directory]::Delete($Path, $false) } else { [System.IO.File]::Delete($Path) }
        } else {
            Remove-Item -LiteralPath $Path -Recurse -Force
        }
    } elseif ($State -eq 'touch') {
        if ($now -eq 'absent') { [System.IO.File]::WriteAllBytes($Path, (New-Object byte[] 0)) }
        $item = Get-Item -LiteralPath $Path -Force
        $stamp = Get-Date
        $item.LastWriteTime = $stamp
        $item.LastAccessTime = $stamp
    } else {
        [Console]::Error.WriteLine("state $State is not directory, absent or touch")
        exit 2
    }
    $kind = 'absent'
    if (Test-Path -LiteralPath $Path -PathType Container) { $kind = 'directory' }
    elseif (Test-Path -LiteralPath $Path) { $kind = 'file' }
    [ordered]@{ kind = $kind } | ConvertTo-Json -Compress
    exit 0
} catch {
    [Console]::Error.WriteLine($_.Exception.Message)
    exit 1
}
`

type pathKindAnswer struct {
	Kind string `json:"kind"`
}

// PathKind runs the path-kind script.
func (w *WinRM) PathKind(ctx context.Context, path string) (string, error) {
	op := "path kind " + path
	script, err := markedScript("path-kind", pathKindBody, psParam{"Path", path})
	if err != nil {
		return "", w.refused(op, err)
	}
	var answer pathKindAnswer
	if err := w.runScript(ctx, op, script, nil, &answer); err != nil {
		return "", err
	}
	if !slices.Contains([]string{"absent", "file", "directory"}, answer.Kind) {
		return "", fmt.Errorf("%s: %s: unexpected kind %q", w.Describe(), op, answer.Kind)
	}
	return answer.Kind, nil
}

// SetPath runs the set-path script.
func (w *WinRM) SetPath(ctx context.Context, path, state, kind string) error {
	op := state + " " + path
	if !slices.Contains([]string{"directory", "absent", "touch"}, state) {
		return w.refused(op, fmt.Errorf("state %q is not directory, absent or touch", state))
	}
	script, err := markedScript("set-path", setPathBody, psParam{"Path", path}, psParam{"State", state}, psParam{"Kind", kind})
	if err != nil {
		return w.refused(op, err)
	}
	var answer pathKindAnswer
	return w.runScript(ctx, op, script, nil, &answer)
}
