$ProgressPreference = 'SilentlyContinue'
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
