package remote

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/straylight-fleet/straylight/internal/lazyre"
	"github.com/straylight-fleet/straylight/internal/shquote"
)

// StatusQuery names what a host's backend runs as: a container (Docker or
// Podman), a systemd unit, or both.
type StatusQuery struct {
	Container string
	Unit      string
}

// SystemdUnit is the part of `systemctl show` straylight shows.
type SystemdUnit struct {
	Name        string
	LoadState   string // loaded, not-found, ...
	ActiveState string // active, inactive, failed, activating, ...
	SubState    string // running, dead, exited, auto-restart, ...
	Since       time.Time
	Restarts    int // NRestarts
	MainPID     int
}

// HostStatus is HostSnapshot plus the systemd unit's state.
type HostStatus struct {
	HostSnapshot
	Engine  string       // "docker" or "podman": which one answered
	Unit    *SystemdUnit // nil when no unit was asked for
	UnitErr string
}

// StatusReader is implemented by transports that report systemd units
// and Podman containers along with GPUs and Docker.
type StatusReader interface {
	Status(ctx context.Context, q StatusQuery) (HostStatus, error)
}

var unitNamePattern = lazyre.New(`^[A-Za-z0-9:_.@\\-]+$`)

func (q StatusQuery) check() error {
	if q.Container != "" && !containerName().MatchString(q.Container) {
		return fmt.Errorf("container name %q is not a container name", q.Container)
	}
	if q.Unit != "" && !unitNamePattern().MatchString(q.Unit) {
		return fmt.Errorf("unit name %q is not a systemd unit name", q.Unit)
	}
	return nil
}

// Snapshot gathers GPU and container state in one round trip.
func (s *SSH) Snapshot(ctx context.Context, container string) (HostSnapshot, error) {
	status, err := s.Status(ctx, StatusQuery{Container: container})
	return status.HostSnapshot, err
}

// Status runs nvidia-smi, docker (or podman) ps and systemctl show in one
// script, one round trip, in the connection's status shell (one /bin/sh
// kept open for the purpose: docs/ssh.md, "Status shell"). A probe that
// fails is reported in the status, not as an error: the host answered.
func (s *SSH) Status(ctx context.Context, q StatusQuery) (HostStatus, error) {
	op := "host status"
	if err := q.check(); err != nil {
		return HostStatus{}, s.fail(op, err)
	}
	run := s.shellStatus
	if s.conn.sessionPerStatus {
		run = s.sessionStatus
	}
	sections, err := run(ctx, q)
	if err != nil {
		return HostStatus{}, s.fail(op, err)
	}
	return statusFrom(sections, q), nil
}

// sessionStatus runs the status script in a session of its own (what
// every refresh did before the status shell; kept for comparison).
func (s *SSH) sessionStatus(ctx context.Context, q StatusQuery) (map[string]section, error) {
	var stdout, stderr bytes.Buffer
	code, err := s.execRaw(ctx, "/bin/sh -c "+shquote.Always(statusScript(q)), sessionIO{stdout: &stdout, stderr: &stderr})
	if err != nil {
		return nil, err
	}
	if code != 0 {
		return nil, scriptError(code, stderr.String())
	}
	return parseSections(stdout.Bytes())
}

// statusPreamble sets the locale and defines section, which prints one
// probe as "name exit length" and its output.
const statusPreamble = `LC_ALL=C; export LC_ALL
section() { n=$1; shift; if command -v "$1" >/dev/null 2>&1; then o=$("$@" 2>&1); c=$?; else o=; c=127; fi; printf '%s %d %d\n%s\n' "$n" "$c" "${#o}" "$o"; }
`

// statusScript is the whole status script, for a shell of its own.
// Status needs no privilege, so it runs without become.
func statusScript(q StatusQuery) string { return statusPreamble + statusProbes(q) }

// statusProbes calls section for each probe the query needs.
func statusProbes(q StatusQuery) string {
	var b strings.Builder
	b.WriteString("section gpu nvidia-smi " + strings.Join(nvidiaSMIArgs(), " ") + "\n")
	if q.Container != "" || q.Unit == "" {
		filter := shquote.Always("name=^" + q.Container + "$")
		fmt.Fprintf(&b, "if command -v docker >/dev/null 2>&1 || ! command -v podman >/dev/null 2>&1; then "+
			"section docker docker ps -a --filter %s --format '{{json .}}'; else "+
			"section podman podman ps -a --filter %s --format json; fi\n", filter, filter)
	}
	if q.Unit != "" {
		fmt.Fprintf(&b, "section unit systemctl show %s --no-pager "+
			"--property=Id,LoadState,ActiveState,SubState,ActiveEnterTimestamp,NRestarts,MainPID\n", shquote.Always(q.Unit))
	}
	return b.String()
}

type section struct {
	name   string
	exit   int
	output string
}

// parseSections reads the status script's whole output.
func parseSections(out []byte) (map[string]section, error) {
	sections, _, err := readSections(bufio.NewReader(bytes.NewReader(out)), len(out), "")
	return sections, err
}

// readSections reads sections until the one named end (its exit code is
// returned) or, with end empty, until the input ends. A section longer
// than limit is refused before anything is allocated for it.
func readSections(r *bufio.Reader, limit int, end string) (map[string]section, int, error) {
	sections := map[string]section{}
	for {
		header, err := r.ReadString('\n')
		if header == "" && err != nil {
			return sections, 0, endOfSections(end, err)
		}
		sec, err := readSection(r, header, limit)
		if err != nil {
			return nil, 0, err
		}
		if end != "" && sec.name == end {
			return sections, sec.exit, nil
		}
		sections[sec.name] = sec
	}
}

// endOfSections: the input may end only when no end section is expected.
func endOfSections(end string, err error) error {
	if end == "" {
		return nil
	}
	return fmt.Errorf("host status: the status shell ended before answering: %w", err)
}

// readSection reads one section's body after its header.
func readSection(r *bufio.Reader, header string, limit int) (section, error) {
	sec, length, err := parseSectionHeader(header)
	if err != nil {
		return section{}, err
	}
	if length >= limit { // a length no output this size can hold: never allocate it
		return section{}, fmt.Errorf("host status: section %s claims %d bytes (at most %d)", sec.name, length, limit)
	}
	body := make([]byte, length+1)
	if _, err := io.ReadFull(r, body); err != nil {
		return section{}, fmt.Errorf("host status: section %s is cut short", sec.name)
	}
	sec.output = string(body[:length])
	return sec, nil
}

func parseSectionHeader(header string) (section, int, error) {
	fields := strings.Fields(header)
	if len(fields) != 3 {
		return section{}, 0, fmt.Errorf("host status: unreadable line %q", abbreviate(header, 120))
	}
	code, err1 := strconv.Atoi(fields[1])
	length, err2 := strconv.Atoi(fields[2])
	if err1 != nil || err2 != nil || length < 0 {
		return section{}, 0, fmt.Errorf("host status: unreadable line %q", abbreviate(header, 120))
	}
	return section{name: fields[0], exit: code}, length, nil
}

func statusFrom(sections map[string]section, q StatusQuery) HostStatus {
	gpu := probeFrom(sections["gpu"])
	var status HostStatus
	if sec, ok := sections["podman"]; ok {
		status.Engine = "podman"
		status.HostSnapshot = buildSnapshot(gpu, probeOutput{ExitCode: 0}, q.Container)
		status.Container, status.DockerErr = podmanContainer(probeFrom(sec), q.Container)
	} else {
		status.Engine = "docker"
		status.HostSnapshot = buildSnapshot(gpu, probeFrom(sections["docker"]), q.Container)
	}
	if sec, ok := sections["unit"]; ok {
		status.Unit, status.UnitErr = unitFrom(probeFrom(sec), q.Unit)
	}
	return status
}

func probeFrom(sec section) probeOutput {
	return probeOutput{Output: sec.output, ExitCode: sec.exit, Missing: sec.exit == exitNotFound}
}

// podmanPS is one entry of `podman ps --format json`.
type podmanPS struct {
	ID     string   `json:"Id"`
	Names  []string `json:"Names"`
	Image  string   `json:"Image"`
	State  string   `json:"State"`
	Status string   `json:"Status"`
}

func podmanContainer(probe probeOutput, name string) (*Container, string) {
	if err := probeError("podman", probe); err != "" {
		return nil, err
	}
	var rows []podmanPS
	if err := json.Unmarshal([]byte(strings.TrimSpace(probe.Output)), &rows); err != nil {
		return nil, fmt.Sprintf("podman ps: %v", err)
	}
	for _, row := range rows {
		for _, n := range row.Names {
			if name == "" || n == name {
				return &Container{ID: row.ID, Name: n, Image: row.Image, State: strings.ToLower(row.State), Status: row.Status}, ""
			}
		}
	}
	return nil, ""
}

// unitFrom reads `systemctl show` KEY=VALUE lines.
func unitFrom(probe probeOutput, name string) (*SystemdUnit, string) {
	if err := probeError("systemctl", probe); err != "" {
		return nil, err
	}
	unit := &SystemdUnit{Name: name}
	for _, line := range strings.Split(probe.Output, "\n") {
		key, value, _ := strings.Cut(strings.TrimSpace(line), "=")
		unit.set(key, value)
	}
	if unit.LoadState == "" {
		return nil, fmt.Sprintf("systemctl show %s: no LoadState in %q", name, abbreviate(probe.Output, 120))
	}
	return unit, ""
}

func (u *SystemdUnit) set(key, value string) {
	switch key {
	case "Id":
		u.Name = value
	case "LoadState":
		u.LoadState = value
	case "ActiveState":
		u.ActiveState = value
	case "SubState":
		u.SubState = value
	case "NRestarts":
		u.Restarts, _ = strconv.Atoi(value)
	case "MainPID":
		u.MainPID, _ = strconv.Atoi(value)
	case "ActiveEnterTimestamp":
		u.Since, _ = time.Parse("Mon 2006-01-02 15:04:05 MST", value)
	}
}
