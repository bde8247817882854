package remote

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// nvidiaSMIArgs is the query both transports run.
func nvidiaSMIArgs() []string {
	return []string{
		"--query-gpu=index,name,utilization.gpu,memory.used,memory.total,temperature.gpu,power.draw",
		"--format=csv,noheader,nounits",
	}
}

const nvidiaSMIFields = 7

// exitNotFound is the exit code of a program that is not installed (POSIX
// shells' convention; the host-status script uses it too).
const exitNotFound = 127

// ParseNvidiaSMI reads the output of nvidia-smi's query (csv, noheader,
// nounits). A field nvidia-smi cannot fill, such as "[N/A]" or
// "[Not Supported]", becomes nil. A row it cannot read is an error quoting it.
func ParseNvidiaSMI(output string) ([]GPU, error) {
	lines := strings.Split(output, "\n")
	reader := csv.NewReader(strings.NewReader(output))
	reader.TrimLeadingSpace = true
	reader.FieldsPerRecord = -1
	var gpus []GPU
	for {
		record, err := reader.Read()
		if err == io.EOF {
			return gpus, nil
		}
		if err != nil {
			return nil, csvError(err, lines)
		}
		if len(record) == 1 && strings.TrimSpace(record[0]) == "" {
			continue // a line of blanks
		}
		line, _ := reader.FieldPos(0)
		gpu, err := gpuFromRecord(record)
		if err != nil {
			return nil, fmt.Errorf("nvidia-smi line %d %q: %w", line, lineAt(lines, line), err)
		}
		gpus = append(gpus, gpu)
	}
}

func csvError(err error, lines []string) error {
	var parseErr *csv.ParseError
	if errors.As(err, &parseErr) {
		return fmt.Errorf("nvidia-smi line %d %q: %w", parseErr.Line, lineAt(lines, parseErr.Line), parseErr.Err)
	}
	return fmt.Errorf("nvidia-smi output: %w", err)
}

func lineAt(lines []string, number int) string {
	if number < 1 || number > len(lines) {
		return ""
	}
	return strings.TrimRight(lines[number-1], "\r")
}

func gpuFromRecord(record []string) (GPU, error) {
	if len(record) != nvidiaSMIFields {
		return GPU{}, fmt.Errorf("want %d fields, got %d", nvidiaSMIFields, len(record))
	}
	index, err := strconv.Atoi(strings.TrimSpace(record[0]))
	if err != nil || index < 0 {
		return GPU{}, fmt.Errorf("index %q is not a GPU index", record[0])
	}
	gpu := GPU{Index: index, Name: strings.TrimSpace(record[1])}
	targets := []**float64{&gpu.UtilPercent, &gpu.MemUsedMiB, &gpu.MemTotalMiB, &gpu.TempC, &gpu.PowerW}
	for i, target := range targets {
		if *target, err = optionalNumber(record[i+2]); err != nil {
			return GPU{}, err
		}
	}
	return gpu, nil
}

// optionalNumber is nil for nvidia-smi's bracketed placeholders ("[N/A]",
// "[Not Supported]", "[Unknown Error]", ...) and the number otherwise.
func optionalNumber(field string) (*float64, error) {
	field = strings.TrimSpace(field)
	if strings.HasPrefix(field, "[") && strings.HasSuffix(field, "]") {
		return nil, nil
	}
	value, err := strconv.ParseFloat(field, 64)
	if err != nil || math.IsNaN(value) || math.IsInf(value, 0) {
		return nil, fmt.Errorf("%q is not a number", field)
	}
	return &value, nil
}

// dockerPSLine is the part of `docker ps --format '{{json .}}'` straylight reads.
type dockerPSLine struct {
	ID     string `json:"ID"`
	Names  string `json:"Names"`
	Image  string `json:"Image"`
	State  string `json:"State"`
	Status string `json:"Status"`
}

// ParseDockerPS reads `docker ps -a --filter "name=^<name>$" --format
// '{{json .}}'` output: one JSON object a line. It returns the container
// called name (the first one when name is empty), or nil when there is none.
func ParseDockerPS(output, name string) (*Container, error) {
	for number, line := range strings.Split(output, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		var row dockerPSLine
		if err := json.Unmarshal([]byte(line), &row); err != nil {
			return nil, fmt.Errorf("docker ps line %d %q: %w", number+1, abbreviate(line, 120), err)
		}
		if name == "" || hasName(row.Names, name) {
			return containerFrom(row), nil
		}
	}
	return nil, nil
}

func hasName(names, name string) bool {
	for _, candidate := range strings.Split(names, ",") {
		if strings.TrimPrefix(strings.TrimSpace(candidate), "/") == name {
			return true
		}
	}
	return false
}

func containerFrom(row dockerPSLine) *Container {
	state := strings.ToLower(row.State)
	if state == "" {
		state = stateFromStatus(row.Status) // docker before 1.13 printed no State
	}
	return &Container{ID: row.ID, Name: strings.Split(row.Names, ",")[0], Image: row.Image, State: state, Status: row.Status}
}

func stateFromStatus(status string) string {
	lower := strings.ToLower(status)
	for _, prefix := range []struct{ prefix, state string }{
		{"up", "running"}, {"exited", "exited"}, {"created", "created"},
		{"restarting", "restarting"}, {"removal", "removing"}, {"dead", "dead"},
	} {
		if strings.HasPrefix(lower, prefix.prefix) {
			if prefix.state == "running" && strings.Contains(lower, "(paused)") {
				return "paused"
			}
			return prefix.state
		}
	}
	return ""
}

// probeOutput is what one status command printed, from either transport.
type probeOutput struct {
	Output   string
	Stderr   string // the first stderr line, or all of it
	ExitCode int
	Missing  bool   // the program is not installed
	User     string // the account the probe ran as, when the transport knows it
}

// buildSnapshot turns the two probes into a HostSnapshot. A failing probe
// is reported in the snapshot, not as an error: the host answered.
func buildSnapshot(gpu, docker probeOutput, container string) HostSnapshot {
	var snap HostSnapshot
	if err := probeError("nvidia-smi", gpu); err != "" {
		snap.GPUError = err
	} else if gpus, parseErr := ParseNvidiaSMI(gpu.Output); parseErr != nil {
		snap.GPUError = parseErr.Error()
	} else {
		snap.GPUs = gpus
	}
	if err := probeError("docker", docker); err != "" {
		snap.DockerErr = err
	} else if c, parseErr := ParseDockerPS(docker.Output, container); parseErr != nil {
		snap.DockerErr = parseErr.Error()
	} else {
		snap.Container = c
	}
	return snap
}

// probeError words a failed probe: a known cause first (DockerCause), else
// the program's first stderr line, else its first stdout line.
func probeError(program string, probe probeOutput) string {
	switch {
	case probe.Missing:
		return program + " not found"
	case probe.ExitCode != 0:
		if program == "docker" {
			if cause := DockerCause(probe.Stderr, probe.User); cause != "" {
				return cause
			}
		}
		message := firstLine(probe.Stderr)
		if message == "" {
			message = firstLine(probe.Output)
		}
		if message == "" {
			return fmt.Sprintf("%s exited %d", program, probe.ExitCode)
		}
		return fmt.Sprintf("%s exited %d: %s", program, probe.ExitCode, message)
	}
	return ""
}

// Docker Desktop's engine pipes on Windows, and the daemon socket elsewhere.
var (
	dockerPipe        = lazyre.New(`(?i)pipe[/\\]+(docker_engine|dockerDesktop\w*Engine)`)
	dockerPipeMissing = lazyre.New(`(?i)cannot find the file specified|error during connect`)
	dockerDenied      = lazyre.New(`(?i)access is denied|permission denied`)
	dockerNoDaemon    = lazyre.New(`(?i)cannot connect to the docker daemon`)
)

// DockerCause maps docker's first stderr line to the reason an operator can
// act on: Docker Desktop not running for the WinRM user (it runs only in a
// logged-in session), its pipe refusing that user, or no daemon. "" when
// the line is none of these.
func DockerCause(stderr, user string) string {
	full, _, _ := strings.Cut(strings.TrimSpace(stderr), "\n")
	full = strings.TrimSpace(full)
	line := abbreviate(full, 200)
	who := "user " + user
	if user == "" {
		who = "this user"
	}
	switch {
	case dockerPipe().MatchString(full) && dockerDenied().MatchString(full):
		return fmt.Sprintf("Docker Desktop's engine refuses %s (its pipe admits SYSTEM, Administrators and the user who started it): docker: %s", who, line)
	case dockerPipe().MatchString(full) && dockerPipeMissing().MatchString(full):
		return fmt.Sprintf("Docker Desktop is not running for %s (it runs only in a logged-in session): docker: %s", who, line)
	case dockerDenied().MatchString(full) && strings.Contains(full, "docker.sock"):
		return fmt.Sprintf("%s may not use the docker daemon's socket: docker: %s", who, line)
	case dockerNoDaemon().MatchString(full):
		return "the docker daemon is not running: docker: " + line
	}
	return ""
}

func firstLine(text string) string {
	line, _, _ := strings.Cut(strings.TrimSpace(text), "\n")
	return abbreviate(strings.TrimSpace(line), 200)
}
