package remote

import (
	"context"
	"fmt"
	"strings"
)

// HostInfo is what the host-info script reports about a Windows host: the
// PowerShell that runs straylight's scripts, the WinRM account and its
// temp directory.
type HostInfo struct {
	PSVersion string `json:"ps_version"` // e.g. 5.1.19041.4894
	PSEdition string `json:"ps_edition"` // Desktop (Windows PowerShell) or Core
	User      string `json:"user"`
	TempDir   string `json:"temp"` // ends with a backslash
	OS        string `json:"os"`
}

const hostInfoBody = `$ProgressPreference = 'SilentlyContinue'
[ordered]@{ ps_version = $PSVersionTable.PSVersion.ToString(); ps_edition = [string]$PSVersionTable.PSEdition; user = [Environment]::UserName; temp = [System.IO.Path]::GetTempPath(); os = [Environment]::OSVersion.VersionString } | ConvertTo-Json -Compress
exit 0
`

// removeTempBody deletes one directory, and only one named
// straylight-doctor-* directly inside the account's temp directory: the
// doctor's scratch space, never anything else.
const removeTempBody = `$ProgressPreference = 'SilentlyContinue'
$ErrorActionPreference = 'Stop'
try {
    $temp = [System.IO.Path]::GetFullPath([System.IO.Path]::GetTempPath())
    $full = [System.IO.Path]::GetFullPath($Path).TrimEnd('\')
    $parent = [System.IO.Path]::GetDirectoryName($full) + '\'
    $leaf = [System.IO.Path]::GetFileName($full)
    if (($parent -ne $temp) -or ($leaf -notlike 'straylight-doctor-*')) {
        [Console]::Error.WriteLine("refused: $Path is not a straylight-doctor-* directory in $temp")
        exit 2
    }
    if (Test-Path -LiteralPath $full) { Remove-Item -LiteralPath $full -Recurse -Force }
    '{"removed":true}'
    exit 0
} catch {
    [Console]::Error.WriteLine($_.Exception.Message)
    exit 1
}
`

// DoctorDirPrefix starts the name of the doctor's scratch directory.
const DoctorDirPrefix = "straylight-doctor-"

// HostInfo runs the host-info script.
func (w *WinRM) HostInfo(ctx context.Context) (HostInfo, error) {
	script, err := markedScript("host-info", hostInfoBody)
	if err != nil {
		return HostInfo{}, w.refused("host info", err)
	}
	var info HostInfo
	err = w.runScript(ctx, "host info", script, nil, &info)
	return info, err
}

// RemoveTempDir deletes dir, which must be a straylight-doctor-* directory
// directly inside the account's temp directory (the host checks it too).
func (w *WinRM) RemoveTempDir(ctx context.Context, dir string) error {
	leaf := dir[strings.LastIndexAny(dir, `\/`)+1:]
	if !strings.HasPrefix(leaf, DoctorDirPrefix) {
		return w.refused("remove temp", fmt.Errorf("%q is not a %s* directory", dir, DoctorDirPrefix))
	}
	script, err := markedScript("remove-temp", removeTempBody, psParam{"Path", dir})
	if err != nil {
		return w.refused("remove temp", err)
	}
	var answer struct {
		Removed bool `json:"removed"`
	}
	return w.runScript(ctx, "remove temp", script, nil, &answer)
}
