$ProgressPreference = 'SilentlyContinue'
$ErrorActionPreference = 'Stop'
try {
    if (-not (Test-Path -LiteralPath $Path)) { '{"exists":false}'; exit 0 }
    $bytes = [System.IO.File]::ReadAllBytes($Path)
    $sha = [System.Security.Cryptography.SHA256]::Create()
    $hash = [System.BitConverter]::ToString($sha.ComputeHash($bytes)).Replace('-', '').ToLowerInvariant()
    [ordered]@{ exists = $true; sha256 = $hash; content = [System.Convert]::ToBase64String($bytes) } | ConvertTo-Json -Compress
    exit 0
} catch {
    [Console]::Error.WriteLine($_.Exception.Message)
    exit 1
}
