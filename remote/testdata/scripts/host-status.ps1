# straylight:host-status v1
$Container = 'vllm-wintermute'
$ProgressPreference = 'SilentlyContinue'
function Invoke-Probe([string]$Exe, [string[]]$Arguments) {
    if (-not (Get-Command $Exe -CommandType Application -ErrorAction SilentlyContinue)) { return @('', 127) }
    $lines = @(& $Exe @Arguments 2>$null)
    return @(($lines -join [Environment]::NewLine), $LASTEXITCODE)
}
$gpu = Invoke-Probe 'nvidia-smi' @('--query-gpu=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw', '--format=csv,noheader,nounits')
$docker = Invoke-Probe 'docker' @('ps', '-a', '--filter', "name=^$Container$", '--format', '{{json .}}')
[ordered]@{ gpu_csv = $gpu[0]; gpu_exit = $gpu[1]; docker = $docker[0]; docker_exit = $docker[1] } | ConvertTo-Json -Compress
exit 0
