<#
.SYNOPSIS
  Starts, stops or restarts this host's vLLM container from config.yml.
.DESCRIPTION
  config.yml (deployed by the windows-vllm-deploy role from host_vars) is the
  single source of truth: every flag passed to vLLM comes from it.

  Written for Windows PowerShell 5.1 (and later). Exit code 0 on success; on
  failure one line on stderr naming what failed and exit code 1, so a WinRM
  caller (Ansible's win_shell, straylight) sees the failure in the exit code.
#>
[CmdletBinding()]
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

# Invoke-Native runs a program and returns its exit code, stdout lines and
# stderr lines. Windows PowerShell 5.1 turns each redirected stderr line of a
# native program into an error record, which $ErrorActionPreference = 'Stop'
# would make a terminating error (docker writes warnings and "No such
# container" there); inside this function the preference is 'Continue', so
# stderr is data and only the exit code decides.
function Invoke-Native([string]$FilePath, [string[]]$ArgumentList) {
    if (-not (Get-Command $FilePath -CommandType Application -ErrorAction SilentlyContinue)) {
        throw "$FilePath not found on PATH for user $env:USERNAME"
    }
    $ErrorActionPreference = 'Continue'
    $stdout = New-Object System.Collections.Generic.List[string]
    $stderr = New-Object System.Collections.Generic.List[string]
    foreach ($item in (& $FilePath @ArgumentList 2>&1)) {
        if ($item -is [System.Management.Automation.ErrorRecord]) {
            $stderr.Add($item.Exception.Message)
        } else {
            $stdout.Add([string]$item)
        }
    }
    return [pscustomobject]@{ ExitCode = $LASTEXITCODE; Stdout = $stdout; Stderr = $stderr }
}

function Get-VllmArguments($Config) {
    $vllmArgs = @('--model', $Config.model)
    if ($Config.served_model_name) { $vllmArgs += @('--served-model-name', $Config.served_model_name) }
    $vllmArgs += @('--max-model-len', $Config.max_model_len)
    $vllmArgs += @('--gpu-memory-utilization', $Config.gpu_memory_utilization)
    if ($Config.quantization) { $vllmArgs += @('--quantization', $Config.quantization) }
    $vllmArgs += @('--tensor-parallel-size', $Config.tensor_parallel_size)
    if ($Config.max_num_seqs) { $vllmArgs += @('--max-num-seqs', $Config.max_num_seqs) }
    # vLLM listens on every interface of the container by default.
    $vllmArgs += @('--port', $Config.port)
    return $vllmArgs
}

# Stop-Vllm removes the container; one that does not exist (a first deploy)
# is not an error.
function Stop-Vllm($Config) {
    $result = Invoke-Native 'docker' @('rm', '-f', $Config.container_name)
    $missing = @($result.Stderr | Where-Object { $_ -match 'No such container' }).Count -gt 0
    if ($result.ExitCode -ne 0 -and -not $missing) {
        throw "docker rm -f $($Config.container_name) failed (exit $($result.ExitCode)): $($result.Stderr -join ' ')"
    }
}

function Start-Vllm($Config) {
    if ($Config.enabled -ne 'true') { Write-Output "vLLM disabled in $configPath"; return }
    $port = "$($Config.port):$($Config.port)"
    $hfCache = "$env:USERPROFILE\.cache\huggingface:/root/.cache/huggingface"
    $dockerArgs = @('run', '-d', '--name', $Config.container_name, '--gpus', 'all', '--ipc=host', '-p', $port,
        '-v', $hfCache, '-e', 'HF_HUB_OFFLINE=1', $Config.image) + @(Get-VllmArguments $Config)
    $result = Invoke-Native 'docker' $dockerArgs
    if ($result.ExitCode -ne 0) {
        throw "docker run failed (exit $($result.ExitCode)): $($result.Stderr -join ' ')"
    }
    Write-Output "started $($Config.container_name): $($result.Stdout -join '')"
}

try {
    $config = Read-VllmConfig $configPath
    switch ($Action) {
        'Start'   { Start-Vllm $config }
        'Stop'    { Stop-Vllm $config }
        'Restart' { Stop-Vllm $config; Start-Vllm $config }
    }
    exit 0
} catch {
    [Console]::Error.WriteLine("Start-VLLM.ps1 -Action ${Action} failed: $($_.Exception.Message)")
    exit 1
}
