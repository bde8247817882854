$ProgressPreference = 'SilentlyContinue'
$ErrorActionPreference = 'Stop'
$Tmp = $Path + '.straylight-tmp'
try {
    $null = [System.IO.Directory]::CreateDirectory([System.IO.Path]::GetDirectoryName($Path))
    $sha = [System.Security.Cryptography.SHA256]::Create()
    $fs = [System.IO.File]::Create($Tmp)
    try {
        foreach ($line in $input) {
            $bytes = [System.Convert]::FromBase64String($line)
            $fs.Write($bytes, 0, $bytes.Length)
            $null = $sha.TransformBlock($bytes, 0, $bytes.Length, $bytes, 0)
        }
        $fs.Flush($true)
    } finally { $fs.Dispose() }
    $null = $sha.TransformFinalBlock((New-Object byte[] 0), 0, 0)
    $got = [System.BitConverter]::ToString($sha.Hash).Replace('-', '').ToLowerInvariant()
    if ($got -ne $Sha256) {
        Remove-Item -LiteralPath $Tmp -Force
        [Console]::Error.WriteLine("hash mismatch: expected $Sha256, got $got")
        exit 2
    }
    $kept = ''
    if (Test-Path -LiteralPath $Path) { Copy-Item -LiteralPath $Path -Destination $Backup -Force; $kept = $Backup }
    Move-Item -LiteralPath $Tmp -Destination $Path -Force
    [ordered]@{ sha256 = $got; backup = $kept } | ConvertTo-Json -Compress
    exit 0
} catch {
    Remove-Item -LiteralPath $Tmp -Force -ErrorAction SilentlyContinue
    [Console]::Error.WriteLine($_.Exception.Message)
    exit 1
}
