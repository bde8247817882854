$ProgressPreference = 'SilentlyContinue'
[ordered]@{ ps_version = $PSVersionTable.PSVersion.ToString(); ps_edition = [string]$PSVersionTable.PSEdition; user = [Environment]::UserName; temp = [System.IO.Path]::GetTempPath(); os = [Environment]::OSVersion.VersionString } | ConvertTo-Json -Compress
exit 0
