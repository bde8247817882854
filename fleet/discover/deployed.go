package discover

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/discover/artifact"
)

// FileState is how a host's file compares with the repository's rendering.
type FileState int

const (
	FileInSync  FileState = iota // the host holds exactly what the repository renders
	FileDiffers                  // the host holds another version
	FileMissing                  // the host has no such file yet
	FileUnread                   // the host's file could not be read
)

// Findings are what the recognisers find in one file.
type Findings = artifact.Findings

// FileFindings is what one file straylight deploys describes, as the
// repository renders it and as the host holds it: the servers the
// recognisers find there, never the bytes (a deployed file may hold keys,
// which the findings keep only as references).
type FileFindings struct {
	Dest        string
	State       FileState
	Rendered    artifact.Findings
	Deployed    artifact.Findings // read only when State is FileDiffers
	DeployedErr string            // the deployed file is not readable as what it should be; or why it was not read
}

// Recognizer recognises many files, lexing a script that many hosts
// receive once (artifact.Recognizer).
type Recognizer = artifact.Recognizer

// RecognizeFileWith runs the discovery recognisers on a file's content,
// read as discovery reads a rendered file (a copy into a directory under
// the source's name), through rz, shared by the files of a plan: the start
// script every host receives is split into commands once, not once per
// host.
func RecognizeFileWith(rz *Recognizer, dest, src string, content []byte) (artifact.Findings, error) {
	return recognizeAs(rz, dest, src, content)
}

// Deployment is one of the repository's servers as the host's deployed
// files describe it.
type Deployment struct {
	// Server is the server as deployed (port, model, served names,
	// container), the repository's own when not Known.
	Server GPUHost
	Known  bool
	// Differs says what the repository would change in what is served
	// ("port 8000 → 8001"); empty when it changes nothing served.
	Differs []string
	// Note says why what is deployed is not known (then the repository's
	// values stand in), or "".
	Note string
}

// DeployedServer finds g (one of the repository's servers on its host) in
// the file that describes it and reads that file's deployed version.
// Files: the host's files straylight deploys, with their states.
func DeployedServer(g GPUHost, files []FileFindings) Deployment {
	file, at, ok := describing(g, files)
	if !ok {
		return unknown(g, "no file straylight deploys to "+g.Name+" says how this server starts, so what is deployed is not known")
	}
	switch file.State {
	case FileInSync:
		return Deployment{Server: g, Known: true}
	case FileMissing:
		return unknown(g, file.Dest+" is not on the host yet (never deployed)")
	case FileUnread:
		return unknown(g, "the deployed "+file.Dest+" could not be read: "+file.DeployedErr)
	}
	return deployedFrom(g, file, at)
}

// unknown keeps the repository's server with the reason.
func unknown(g GPUHost, why string) Deployment {
	return Deployment{Server: g, Note: why + "; compared with the repository"}
}

// describing is the file whose rendered version starts g (same kind and
// reachable port) and g's index among that file's servers.
func describing(g GPUHost, files []FileFindings) (FileFindings, int, bool) {
	for _, f := range files {
		for i, b := range f.Rendered.Backends {
			if string(b.Kind) == cmpOr(g.Kind, "vllm") && reachablePort(b) == g.Port {
				return f, i, true
			}
		}
	}
	return FileFindings{}, 0, false
}

// reachablePort is the port the server answers on from outside: the
// published one for a container.
func reachablePort(b artifact.Backend) int {
	if b.HostPort != 0 {
		return b.HostPort
	}
	return b.Port
}

// deployedFrom reads g's counterpart in the deployed version of file: the
// server at the same place among the file's servers.
func deployedFrom(g GPUHost, file FileFindings, at int) Deployment {
	if file.DeployedErr != "" {
		return unknown(g, "the deployed "+file.Dest+" is not readable: "+file.DeployedErr)
	}
	got := file.Deployed.Backends
	if len(got) != len(file.Rendered.Backends) || got[at].Kind != file.Rendered.Backends[at].Kind || reachablePort(got[at]) == 0 {
		return unknown(g, fmt.Sprintf("the deployed %s starts %s, not a server straylight can pair with the repository's", file.Dest, servers(got)))
	}
	d := deployedServer(g, got[at])
	return Deployment{Server: d, Known: true, Differs: differences(d, g)}
}

func servers(bs []artifact.Backend) string {
	if len(bs) == 0 {
		return "no server"
	}
	var out []string
	for _, b := range bs {
		out = append(out, string(b.Kind)+" on port "+strconv.Itoa(reachablePort(b)))
	}
	return strings.Join(out, ", ")
}

// deployedServer is g with what the deployed file says it runs.
func deployedServer(g GPUHost, b artifact.Backend) GPUHost {
	d := g
	d.Port, d.Model, d.Served = reachablePort(b), b.Model, slices.Clone(b.ServedNames)
	if b.Container != "" {
		d.Container = b.Container
	}
	if d.BaseURL != "" {
		d.BaseURL = withPort(d.BaseURL, d.Port)
	}
	return d
}

// withPort replaces the port of a scheme://host:port base URL.
func withPort(base string, port int) string {
	if i := strings.LastIndex(base, ":"); i > strings.Index(base, "://")+2 {
		return base[:i+1] + strconv.Itoa(port)
	}
	return base + ":" + strconv.Itoa(port)
}

// differences says what the repository (repo) would change in what the
// deployed server (d) serves.
func differences(d, repo GPUHost) []string {
	var out []string
	if d.Port != repo.Port {
		out = append(out, fmt.Sprintf("port %d → %d", d.Port, repo.Port))
	}
	if !slices.Equal(d.Served, repo.Served) {
		out = append(out, fmt.Sprintf("serves %s → %s", quoted(d.Served), quoted(repo.Served)))
	}
	if d.Model != repo.Model && d.Model != "" && repo.Model != "" {
		out = append(out, fmt.Sprintf("model %q → %q", d.Model, repo.Model))
	}
	return out
}

func quoted(names []string) string {
	if len(names) == 0 {
		return "nothing"
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return strings.Join(q, ", ")
}
