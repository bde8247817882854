package plan

import (
	"github.com/straylight-fleet/straylight/fleet/discover"
	"github.com/straylight-fleet/straylight/remote"
)

// DeployedServer is one of the repository's servers on a host as the
// host's deployed files describe it: the live monitor probes and compares
// it (what runs is what was deployed), and says apart what the repository
// would change. Never a key: only names, ports and a note.
type DeployedServer struct {
	RepositoryPort int      `json:"repository_port"` // which of the host's servers: its port in the repository
	Known          bool     `json:"known"`           // false: the repository's values stand in (Note says why)
	Port           int      `json:"port"`
	Model          string   `json:"model,omitempty"`
	Served         []string `json:"served"`
	Container      string   `json:"container,omitempty"`
	Differs        []string `json:"differs,omitempty"` // what deploying the repository would change in what is served
	Note           string   `json:"note,omitempty"`
}

// Deployed returns the host's server whose repository port is port, or nil.
func (h *HostPlan) Deployed(port int) *DeployedServer {
	for i := range h.Servers {
		if h.Servers[i].RepositoryPort == port {
			return &h.Servers[i]
		}
	}
	return nil
}

// recognizers read the plan's files, shared by its hosts: a script every
// host receives is split into commands once. rendered is the fleet's (the
// files discovery read already), deployed the plan's own, so the hosts'
// bytes are never kept beyond the plan.
type recognizers struct{ rendered, deployed *discover.Recognizer }

// recognize keeps what the file describes as rendered and, when the host
// holds another version, as deployed: the servers the discovery recognisers
// find, not the host's bytes (they may hold keys), which the caller drops.
func (f *fileWork) recognize(st remote.FileState, rz recognizers) {
	ff := discover.FileFindings{Dest: f.change.Dest}
	ff.Rendered, _ = discover.RecognizeFileWith(rz.rendered, f.change.Dest, f.src, f.content) // discovery reports a rendered file that does not parse
	switch f.change.Action {
	case ActionCreate:
		ff.State = discover.FileMissing
	case ActionUpdate:
		ff.State = discover.FileDiffers
		if len(ff.Rendered.Backends) > 0 {
			ff.Deployed, ff.DeployedErr = recognizeDeployed(f, st.Content, rz.deployed)
		}
	}
	f.findings = ff
}

func recognizeDeployed(f *fileWork, content []byte, rz *discover.Recognizer) (discover.Findings, string) {
	found, err := discover.RecognizeFileWith(rz, f.change.Dest, f.src, content)
	if err != nil {
		return found, err.Error()
	}
	return found, ""
}

// unread marks every file unread, for a host whose files could not be read.
func (w *hostWork) unread(why string) {
	for _, f := range w.files {
		f.findings = discover.FileFindings{Dest: f.change.Dest, State: discover.FileUnread, DeployedErr: why}
		f.findings.Rendered, _ = discover.RecognizeFileWith(w.rz.rendered, f.change.Dest, f.src, f.content)
	}
}

// servingByHost groups the fleet's servers by host, in the fleet's order:
// once per plan, not a copy of the whole fleet per host (at 1,000 hosts
// that copy was 56 % of a --check's allocations).
func servingByHost(f *discover.Fleet) map[string][]discover.GPUHost {
	byHost := map[string][]discover.GPUHost{}
	for g := range f.EachServing() {
		byHost[g.Name] = append(byHost[g.Name], g)
	}
	return byHost
}

// addServers pairs each of the host's servers in the repository's fleet
// with what its deployed files say it runs.
func (w *hostWork) addServers(servers []discover.GPUHost) {
	if len(servers) == 0 {
		return
	}
	files := make([]discover.FileFindings, len(w.files))
	for i, fw := range w.files {
		files[i] = fw.findings
	}
	for _, g := range servers {
		w.plan.Servers = append(w.plan.Servers, w.deployedServer(g, files))
	}
}

func (w *hostWork) deployedServer(g discover.GPUHost, files []discover.FileFindings) DeployedServer {
	d := discover.DeployedServer(g, files)
	s := d.Server
	return DeployedServer{RepositoryPort: g.Port, Known: d.Known, Port: s.Port, Model: s.Model, Served: s.Served,
		Container: s.Container, Differs: maskAll(d.Differs, w.secrets), Note: MaskSecrets(d.Note, w.secrets)}
}

func maskAll(list, secrets []string) []string {
	out := make([]string, len(list))
	for i, s := range list {
		out[i] = MaskSecrets(s, secrets)
	}
	return out
}
