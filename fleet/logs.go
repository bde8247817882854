package fleet

import (
	"context"
	"fmt"

	"github.com/straylight-fleet/straylight/remote"
)

// HostLogs streams a GPU host's backend log — its vLLM container's, over
// the host's own transport (WinRM, SSH or local) — to sink: the last lines
// lines, then, with follow, every new line until ctx ends.
func (s *Session) HostLogs(ctx context.Context, repo *Repo, host string, lines int, follow bool, sink func(string)) error {
	g, err := gpuHostNamed(repo, host)
	if err != nil {
		return err
	}
	if g.Container == "" {
		return fmt.Errorf("%s: no vLLM container is configured (vllm.container_name), so there is no log to read", host)
	}
	t, err := s.cfg.Transports(g.Conn)
	if err != nil {
		return fmt.Errorf("%s: %w", host, err)
	}
	defer t.Close()
	reader, ok := t.(remote.LogReader)
	if !ok {
		return fmt.Errorf("%s: the %s transport cannot read logs", host, t.Describe())
	}
	req := remote.LogRequest{Target: remote.LogTarget{Container: g.Container}, Lines: lines, Follow: follow}
	return reader.Logs(ctx, req, sink)
}

func gpuHostNamed(repo *Repo, host string) (GPUHost, error) {
	for _, g := range repo.Fleet().GPU {
		if g.Name == host {
			return g, nil
		}
	}
	return GPUHost{}, fmt.Errorf("%s is not a GPU host of this repository", host)
}
