package demo

import (
	"fmt"
	"strings"
	"sync"

	"github.com/straylight-fleet/straylight/remote/sim"
)

// spareAddress is the loopback address the lab keeps for the next host
// the operator adds (straylight's `n`): the form suggests it, and when a
// host is added there the lab starts a Windows GPU host for it.
type spareAddress struct {
	mu   sync.Mutex
	addr string
}

func (s *spareAddress) reserve(lab *sim.Lab) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.addr = lab.ReserveAddress()
}

func (s *spareAddress) get() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addr
}

// SuggestAddress is the address to offer for a new host: one the lab
// serves once the host is added (fleet.Config.SuggestAddress).
func (d *Demo) SuggestAddress(template string) string { return d.spare.get() }

// HostAdded starts a lab Windows GPU host for a host straylight added to
// the repository at the suggested address (fleet.Config.HostAdded), and
// keeps another address for the next one. The new machine has vLLM
// installed but stopped (its config.yml says enabled: false) and no
// Start-VLLM.ps1 yet: the first deploy writes both and starts it.
func (d *Demo) HostAdded(name, address string) error {
	if address != d.spare.get() {
		return fmt.Errorf("the demo lab serves a new host only at %s, not %s: %s has no lab machine", d.spare.get(), address, name)
	}
	spec, err := d.newHostSpec(name)
	if err != nil {
		return err
	}
	if _, err := d.Lab.AddGPUHost(spec, address); err != nil {
		return err
	}
	d.spare.reserve(d.Lab)
	return nil
}

// newHostSpec renders the new host's config.yml from the repository and
// stops it.
func (d *Demo) newHostSpec(name string) (sim.GPUHostSpec, error) {
	repo, err := d.open()
	if err != nil {
		return sim.GPUHostSpec{}, err
	}
	files, err := repo.RenderedFiles(name)
	if err != nil {
		return sim.GPUHostSpec{}, fmt.Errorf("demo: render %s: %w", name, err)
	}
	installed := map[string]string{}
	for path, content := range files {
		if strings.HasSuffix(path, configName) {
			installed[path] = strings.Replace(content, "enabled: true", "enabled: false", 1)
		}
	}
	if len(installed) == 0 {
		return sim.GPUHostSpec{}, fmt.Errorf("demo: %s renders no %s: not a Windows vLLM host", name, configName)
	}
	return gpuSpec(name, installed, d.opts), nil
}
