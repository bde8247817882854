package remote

import (
	"context"
	"fmt"
	"slices"
	"strings"
)

// WindowsPaths is what a transport to a Windows host offers win_file
// tasks: paths' kinds, and making a path a directory, removing it or
// touching it (the path-kind and set-path scripts, docs/winrm-scripts.md).
type WindowsPaths interface {
	// PathKinds is each path's kind, "absent", "file" or "directory", in
	// one round trip.
	PathKinds(ctx context.Context, paths []string) ([]string, error)
	// SetPath makes path what state says (directory, absent, touch), after
	// checking on the host, in the same script, that it is still kind.
	SetPath(ctx context.Context, path, state, kind string) error
}

// pathKindBody reports what each of the paths ('|' between them, a
// character Windows forbids in names) is: a directory, another existing
// item (a file), or nothing.
const pathKindBody = `$ProgressPreference = 'SilentlyContinue'
$ErrorActionPreference = 'Stop'
try {
    $kinds = New-Object System.Collections.Generic.List[string]
    foreach ($p in $Paths.Split('|')) {
        $kind = 'absent'
        if (Test-Path -LiteralPath $p -PathType Container) { $kind = 'directory' }
        elseif (Test-Path -LiteralPath $p) { $kind = 'file' }
        $kinds.Add($kind)
    }
    [ordered]@{ kinds = [string[]]$kinds.ToArray() } | ConvertTo-Json -Compress
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

// PathKinds runs the path-kind script on the paths.
func (w *WinRM) PathKinds(ctx context.Context, paths []string) ([]string, error) {
	op := "path kind " + strings.Join(paths, ", ")
	if len(paths) == 0 || slices.ContainsFunc(paths, func(p string) bool { return p == "" || strings.Contains(p, "|") }) {
		return nil, w.refused(op, fmt.Errorf("paths must be given, none empty or holding '|'"))
	}
	script, err := markedScript("path-kind", pathKindBody, psParam{"Paths", strings.Join(paths, "|")})
	if err != nil {
		return nil, w.refused(op, err)
	}
	var answer struct {
		Kinds []string `json:"kinds"`
	}
	if err := w.runScript(ctx, op, script, nil, &answer); err != nil {
		return nil, err
	}
	if len(answer.Kinds) != len(paths) || slices.ContainsFunc(answer.Kinds, func(k string) bool { return !slices.Contains([]string{"absent", "file", "directory"}, k) }) {
		return nil, fmt.Errorf("%s: %s: unexpected kinds %q for %d paths", w.Describe(), op, answer.Kinds, len(paths))
	}
	return answer.Kinds, nil
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
