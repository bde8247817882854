package sim

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"strconv"
	"time"
)

// DockerPS prints what
// `docker ps -a --filter "name=^<name>$" --format "{{json .}}"` prints on the
// host: one JSON line for the vLLM container (running while serving,
// restarting while loading or crash-looping, exited when stopped), nothing for
// any other name.
func (s *VLLMServer) DockerPS(name string) string {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name != s.containerNameLocked() {
		return ""
	}
	return dockerPSLine(s.containerLocked(time.Now())) + "\n"
}

// DockerRunning is the container's State.Running: true while it runs or
// restarts (a loading or failed vLLM shows as restarting); found is false
// for another name.
func (s *VLLMServer) DockerRunning(name string) (running, found bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if name != s.containerNameLocked() {
		return false, false
	}
	state := s.containerLocked(time.Now()).state
	return state == "running" || state == "restarting", true
}

// DockerImageID is the ID of the container's image: a checksum of its
// name.
func (s *VLLMServer) DockerImageID() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return dockerImageID(s.cfg.Image)
}

// DockerHasImage: the host has the image the reference names (the
// container's, by name or ID; the host has no other).
func (s *VLLMServer) DockerHasImage(ref string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return ref == s.cfg.Image || ref == dockerImageID(s.cfg.Image)
}

func dockerImageID(ref string) string {
	sum := sha256.Sum256([]byte(ref))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// dockerImageEnvJSON is the image's environment, which the container
// holds, as dockerEnvFormat prints it: one variable, a PATH, as images
// set one.
const dockerImageEnvJSON = `"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"` + "\n"

func (s *VLLMServer) containerName() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.containerNameLocked()
}

func (s *VLLMServer) containerNameLocked() string {
	switch {
	case s.opts.ContainerName != "":
		return s.opts.ContainerName
	case s.cfg.ContainerName != "":
		return s.cfg.ContainerName
	}
	return "vllm-" + s.opts.Hostname
}

// dockerContainer is the part of the Engine API's container summary that
// `docker ps` formats.
type dockerContainer struct {
	id, name, image, command string
	created                  time.Time
	state, status, ports     string
}

func (s *VLLMServer) containerLocked(now time.Time) dockerContainer {
	sum := sha256.Sum256([]byte(s.opts.Hostname + "/" + s.containerNameLocked()))
	c := dockerContainer{id: hex.EncodeToString(sum[:])[:12], name: s.containerNameLocked(),
		image: s.cfg.Image, command: "vllm serve --model " + s.cfg.Model, created: s.created}
	since := humanDuration(now.Sub(s.stateSince))
	switch s.state {
	case VLLMServing:
		c.state, c.status = "running", "Up "+humanDuration(now.Sub(s.containerStarted))
		port := strconv.Itoa(s.cfg.Port)
		c.ports = fmt.Sprintf("%s->%s/tcp", net.JoinHostPort(s.opts.IP, s.publishedPortLocked()), port)
	case VLLMLoading, VLLMFailed:
		c.state, c.status = "restarting", fmt.Sprintf("Restarting (%d) %s ago", s.exitCode, since)
	default:
		c.state, c.status = "exited", fmt.Sprintf("Exited (%d) %s ago", s.exitCode, since)
	}
	return c
}

func (s *VLLMServer) publishedPortLocked() string {
	_, port, _ := net.SplitHostPort(s.addrFor(s.cfg))
	return port
}

// dockerPSLine renders docker's {{json .}}: the CLI's ContainerContext
// marshalled as a map (keys sorted, HTML characters escaped as \u003e …).
func dockerPSLine(c dockerContainer) string {
	m := map[string]string{
		"Command":      strconv.Quote(ellipsis(c.command, 20)),
		"CreatedAt":    c.created.UTC().Format("2006-01-02 15:04:05 -0700 MST"),
		"ID":           c.id,
		"Image":        c.image,
		"Labels":       "maintainer=NVIDIA CORPORATION <cudatools@nvidia.com>",
		"LocalVolumes": "1",
		"Mounts":       "hf-cache",
		"Names":        c.name,
		"Networks":     "bridge",
		"Ports":        c.ports,
		"RunningFor":   humanDuration(time.Since(c.created)) + " ago",
		"Size":         "0B",
		"State":        c.state,
		"Status":       c.status,
	}
	b, _ := json.Marshal(m)
	return string(b)
}

// ellipsis is the docker CLI's: cut to width-1 runes and add "…".
func ellipsis(s string, width int) string {
	r := []rune(s)
	if len(r) <= width {
		return s
	}
	return string(r[:width-1]) + "…"
}

// humanDuration is github.com/docker/go-units' HumanDuration.
func humanDuration(d time.Duration) string {
	seconds := int(d.Seconds())
	switch {
	case seconds < 1:
		return "Less than a second"
	case seconds == 1:
		return "1 second"
	case seconds < 60:
		return fmt.Sprintf("%d seconds", seconds)
	}
	return humanMinutes(d)
}

func humanMinutes(d time.Duration) string {
	minutes := int(d.Minutes())
	switch {
	case minutes == 1:
		return "About a minute"
	case minutes < 60:
		return fmt.Sprintf("%d minutes", minutes)
	}
	return humanHours(d)
}

func humanHours(d time.Duration) string {
	hours := int(d.Hours() + 0.5)
	switch {
	case hours == 1:
		return "About an hour"
	case hours < 48:
		return fmt.Sprintf("%d hours", hours)
	case hours < 24*7*2:
		return fmt.Sprintf("%d days", hours/24)
	case hours < 24*30*2:
		return fmt.Sprintf("%d weeks", hours/24/7)
	case hours < 24*365*2:
		return fmt.Sprintf("%d months", hours/24/30)
	}
	return fmt.Sprintf("%d years", int(d.Hours())/24/365)
}
