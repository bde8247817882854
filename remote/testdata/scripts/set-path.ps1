# straylight:set-path v1
$Path = 'C:\vllm\cache'
$State = 'directory'
$Kind = 'absent'
$ProgressPreference = 'SilentlyContinue'
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
