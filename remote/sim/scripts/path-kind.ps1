$ProgressPreference = 'SilentlyContinue'
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
