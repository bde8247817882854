package remote

import (
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// The PowerShell scripts straylight sends (docs/winrm-scripts.md is the
// contract the simulated lab reads). Each begins with its marker line, then
// its parameters as single-quoted assignments, one per line, then the body.

const readFileBody = `$ProgressPreference = 'SilentlyContinue'
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
`

// writeFileBody decodes the base64 lines arriving on stdin ($input) into a
// temp file next to $Path, checks the hash, keeps a backup, then replaces.
const writeFileBody = `$ProgressPreference = 'SilentlyContinue'
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
`

// hostStatusBody runs nvidia-smi and docker once each. Each probe reports
// its stdout lines (joined as they came: Out-String would format them to a
// width), its first stderr line and its exit code; 127 when the program is
// found neither on PATH nor in its known install directories. Native stderr
// is merged (2>&1) with $ErrorActionPreference 'Continue' inside the
// function, so Windows PowerShell 5.1 hands it over as error records the
// script reads, never as an error that stops it. user names the account
// WinRM runs as (Docker Desktop's engine admits only some users).
const hostStatusBody = `$ProgressPreference = 'SilentlyContinue'
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
`

// psExitTrailer makes a win_shell script's exit code survive: through
// -EncodedCommand powershell.exe exits 0 or 1 unless told otherwise.
const psExitTrailer = "\nexit $LASTEXITCODE\n"

// maxCommandLine is cmd.exe's limit; file contents travel over stdin instead.
const maxCommandLine = 8191

const psCommandPrefix = "powershell.exe -NoProfile -NonInteractive -ExecutionPolicy Bypass -EncodedCommand "

type psParam struct{ name, value string }

// containerName is what Docker accepts as a container name.
var containerName = lazyre.New(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

func readFileScript(path string) (string, error) {
	return markedScript("read-file", readFileBody, psParam{"Path", path})
}

func writeFileScript(path, sha256, backup string) (string, error) {
	return markedScript("write-file", writeFileBody,
		psParam{"Path", path}, psParam{"Sha256", sha256}, psParam{"Backup", backup})
}

func hostStatusScript(container string) (string, error) {
	if container != "" && !containerName().MatchString(container) {
		return "", fmt.Errorf("container name %q is not a Docker container name", container)
	}
	return markedScript("host-status", hostStatusBody, psParam{"Container", container})
}

func markedScript(op, body string, params ...psParam) (string, error) {
	var b strings.Builder
	fmt.Fprintf(&b, "# straylight:%s v1\n", op)
	for _, p := range params {
		quoted, err := psQuote(p.value)
		if err != nil {
			return "", fmt.Errorf("$%s: %w", p.name, err)
		}
		fmt.Fprintf(&b, "$%s = %s\n", p.name, quoted)
	}
	b.WriteString(body)
	return b.String(), nil
}

// psQuote makes a PowerShell single-quoted string. PowerShell also takes the
// typographic quotes U+2018-U+201B as single quotes; rather than escape them
// (which the lab's parser need not know), such values are refused, as are
// line breaks that would break the one-parameter-per-line contract.
func psQuote(value string) (string, error) {
	if strings.ContainsAny(value, "\r\n\x00\u2018\u2019\u201a\u201b") {
		return "", fmt.Errorf("%q holds a line break, NUL or typographic quote", value)
	}
	return "'" + strings.ReplaceAll(value, "'", "''") + "'", nil
}

// encodedPowerShell is the command line running script through
// -EncodedCommand: base64 of the script's UTF-16LE bytes.
func encodedPowerShell(script string) (string, error) {
	units := utf16.Encode([]rune(script))
	raw := make([]byte, 0, 2*len(units))
	for _, u := range units {
		raw = binary.LittleEndian.AppendUint16(raw, u)
	}
	return checkCommandLine(psCommandPrefix + base64.StdEncoding.EncodeToString(raw))
}

func checkCommandLine(line string) (string, error) {
	if len(line) > maxCommandLine {
		return "", fmt.Errorf("command line of %d characters exceeds Windows' %d; send large data over stdin",
			len(line), maxCommandLine)
	}
	if strings.Contains(line, "]]>") {
		// The library wraps the command in CDATA, which this would end.
		return "", errors.New(`command holds "]]>", which WS-Management's CDATA cannot carry`)
	}
	return line, nil
}

// cmdCommandLine is a win_command line, sent to cmd.exe as written.
func cmdCommandLine(script string) (string, error) {
	if strings.ContainsAny(script, "\r\n") {
		return "", errors.New("a cmd command is one line; use the PowerShell shell for scripts")
	}
	return checkCommandLine(script)
}

// base64Lines is content as the write-file script reads it from stdin:
// base64 in lines of 76 characters, each ending with a newline. 76 is a
// multiple of 4, so every line decodes on its own.
func base64Lines(content []byte) []byte {
	encoded := base64.StdEncoding.EncodeToString(content)
	out := make([]byte, 0, len(encoded)+len(encoded)/76+1)
	for len(encoded) > 0 {
		n := min(76, len(encoded))
		out = append(out, encoded[:n]...)
		out = append(out, '\n')
		encoded = encoded[n:]
	}
	return out
}

// stdinChunkSize is how much stdin one Send carries: whole 77-byte lines,
// small enough that their base64 (the SOAP body) stays inside the envelope.
func stdinChunkSize(envelope int) int {
	const soapOverhead = 4096
	lines := (envelope - soapOverhead) * 3 / 4 / 77
	return max(1, lines) * 77
}
