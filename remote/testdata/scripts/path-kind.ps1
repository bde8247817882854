# straylight:path-kind v1
$Path = 'C:\vllm\cache'
$ProgressPreference = 'SilentlyContinue'
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
