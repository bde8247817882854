$ProgressPreference = 'SilentlyContinue'
function Invoke-Probe([string[]]$Candidates, [string[]]$Arguments) {
    $ErrorActionPreference = 'Continue'
    $exe = $null
    foreach ($candidate in $Candidates) {
        $found = Get-Command $candidate -CommandType Application -ErrorAction SilentlyContinue | Select-Object -First 1
        if ($found) { $exe = $found.Path; break }
    }
    if (-not $exe) { return @{ out = ''; err = ''; code = 127 } }
    $out = New-Object System.Collections.Generic.List[string]
    $err = ''
    foreach ($item in (& $exe @Arguments 2>&1)) {
        if ($item -is [System.Management.Automation.ErrorRecord]) {
            if (-not $err) { $err = $item.Exception.Message }
        } else {
            $out.Add([string]$item)
        }
    }
    return @{ out = ($out -join [Environment]::NewLine); err = $err; code = $LASTEXITCODE }
}
$gpu = Invoke-Probe @('nvidia-smi', "$env:ProgramFiles\NVIDIA Corporation\NVSMI\nvidia-smi.exe", "$env:SystemRoot\System32\nvidia-smi.exe") @('--query-gpu=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw', '--format=csv,noheader,nounits')
$docker = Invoke-Probe @('docker', "$env:ProgramFiles\Docker\Docker\resources\bin\docker.exe") @('ps', '-a', '--filter', "name=^$Container$", '--format', '{{json .}}')
[ordered]@{ gpu_csv = $gpu.out; gpu_exit = $gpu.code; gpu_err = $gpu.err; docker = $docker.out; docker_exit = $docker.code; docker_err = $docker.err; user = [Environment]::UserName } | ConvertTo-Json -Compress
exit 0
