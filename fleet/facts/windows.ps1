# straylight:facts v1 (PowerShell). Prints the facts straylight gathers on
# a Windows host as one JSON object, each computed from the source
# ansible.windows.setup reads it from; fleet/facts/windows.go reads it.
# Only HOME, PATH, USER and the play's exported variables of the
# environment are read.
$ErrorActionPreference = 'Stop'
$ipProps = [System.Net.NetworkInformation.IPGlobalProperties]::GetIPGlobalProperties()
$fqdn = $ipProps.HostName
if ($ipProps.DomainName) { $fqdn = $ipProps.HostName + '.' + $ipProps.DomainName }
$version = [Environment]::OSVersion.Version
$cs = $null; $os = $null
try { $cs = Get-CimInstance -ClassName Win32_ComputerSystem } catch { }
try { $os = Get-CimInstance -ClassName Win32_OperatingSystem } catch { }
$domain = ''
if ($cs -and $cs.PartOfDomain) { $domain = [string]$cs.Domain }
$arch = $env:PROCESSOR_ARCHITEW6432
if (-not $arch) { $arch = $env:PROCESSOR_ARCHITECTURE }
$arch2 = switch ($arch) { 'x86' { 'i386' } 'ARM' { 'arm' } 'IA64' { 'ia64' } 'AMD64' { 'x86_64' } 'ARM64' { 'arm64' } default { 'unknown' } }
# ansible_env as setup.ps1 builds it (every Env: item, its own name, the
# value without trailing backslashes), kept to HOME, PATH, USER and the
# play's exported variables, $straylightExported (fleet/facts/windows.go).
$envNames = @('HOME', 'PATH', 'USER') + $straylightExported
$envFacts = [ordered]@{}
foreach ($item in Get-ChildItem -LiteralPath Env: | Sort-Object Name) {
    if ($envNames -contains $item.Name) { $envFacts[$item.Name] = $item.Value.TrimEnd('\') }
}
$facts = [ordered]@{
    hostname                   = $ipProps.HostName
    fqdn                       = $fqdn
    nodename                   = $fqdn
    domain                     = $domain
    system                     = [Environment]::OSVersion.Platform.ToString()
    kernel                     = $version.ToString()
    distribution               = $(if ($os) { $os.Caption } else { $null })
    distribution_version       = $version.ToString()
    distribution_major_version = $version.Major.ToString()
    os_family                  = 'Windows'
    architecture               = $(if ($os) { $os.OSArchitecture } else { $null })
    architecture2              = $arch2
    processor_vcpus            = [Environment]::ProcessorCount
    memtotal_mb                = $(if ($cs) { [int][Math]::Ceiling($cs.TotalPhysicalMemory / 1024 / 1024) } else { $null })
    swaptotal_mb               = 0
    env                        = $envFacts
    user_id                    = $env:USERNAME
    user_dir                   = $env:USERPROFILE
    user_gecos                 = ''
}
$facts | ConvertTo-Json -Compress -Depth 3
