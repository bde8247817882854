<#
.SYNOPSIS
  Starts, stops or restarts this host's vLLM container from config.yml.
.DESCRIPTION
  config.yml (deployed by the windows-vllm-deploy role from host_vars) is the
  single source of truth: every flag passed to vLLM comes from it.
#>
param(
    [ValidateSet('Start', 'Stop', 'Restart')]
    [string]$Action = 'Restart'
)
$ErrorActionPreference = 'Stop'
$configPath = Join-Path (Split-Path -Parent $PSScriptRoot) 'config.yml'

# config.yml is flat "key: value" lines under "vllm:"; PowerShell has no YAML
# parser built in, and this file is generated, so a line reader is enough.
function Read-VllmConfig([string]$Path) {
    $config = @{}
    foreach ($line in Get-Content -LiteralPath $Path) {
        if ($line -match '^\s{2}([a-z_]+):\s*(.*?)\s*$') {
            $config[$Matches[1]] = $Matches[2].Trim('"')
        }
    }
    return $config
}

function Get-VllmArgs($c) {
    $args = @('--model', $c.model)
    if ($c.served_model_name) { $args += @('--served-model-name', $c.served_model_name) }
    $args += @('--max-model-len', $c.max_model_len)
    $args += @('--gpu-memory-utilization', $c.gpu_memory_utilization)
    if ($c.quantization) { $args += @('--quantization', $c.quantization) }
    $args += @('--tensor-parallel-size', $c.tensor_parallel_size)
    if ($c.max_num_seqs) { $args += @('--max-num-seqs', $c.max_num_seqs) }
    # vLLM listens on every interface of the container by default.
    $args += @('--port', $c.port)
    return $args
}

function Stop-Vllm($c) {
    docker rm -f $c.container_name 2>$null | Out-Null
}

function Start-Vllm($c) {
    if ($c.enabled -ne 'true') { Write-Output "vLLM disabled in $configPath"; return }
    $port = "$($c.port):$($c.port)"
    $hfCache = "$env:USERPROFILE\.cache\huggingface:/root/.cache/huggingface"
    docker run -d --name $c.container_name --gpus all --ipc=host -p $port `
        -v $hfCache -e HF_HUB_OFFLINE=1 $c.image @(Get-VllmArgs $c)
    if ($LASTEXITCODE -ne 0) { throw "docker run failed with exit code $LASTEXITCODE" }
}

$config = Read-VllmConfig $configPath
switch ($Action) {
    'Start'   { Start-Vllm $config }
    'Stop'    { Stop-Vllm $config }
    'Restart' { Stop-Vllm $config; Start-Vllm $config }
}
