package fleet

import "fmt"

// Restrict keeps only what a saved plan recorded, and refuses the apply when
// the plan is stale: a live file's hash or the rendered content changed since
// it was saved. Secrets are never in saved plans: the fresh render supplies
// the content, and its hash must equal the recorded one.
func Restrict(fresh, saved *Plan) (*Plan, error) {
	out := *fresh
	out.Hosts = nil
	for _, sh := range saved.Hosts {
		fh := fresh.Host(sh.Host)
		if fh == nil {
			return nil, fmt.Errorf("plan is stale: host %s is no longer planned", sh.Host)
		}
		h, err := restrictHost(fh, sh)
		if err != nil {
			return nil, err
		}
		out.Hosts = append(out.Hosts, h)
	}
	out.summarize()
	return &out, nil
}

func restrictHost(fresh, saved *HostPlan) (*HostPlan, error) {
	h := *fresh
	h.Files = nil
	for _, sf := range saved.Files {
		ff := fresh.file(sf.Dest)
		if ff == nil {
			return nil, fmt.Errorf("plan is stale: %s:%s is no longer planned", saved.Host, sf.Dest)
		}
		if ff.OldSHA256 != sf.OldSHA256 {
			return nil, fmt.Errorf("plan is stale: %s:%s changed on the host since the plan was saved", saved.Host, sf.Dest)
		}
		if ff.NewSHA256 != sf.NewSHA256 {
			return nil, fmt.Errorf("plan is stale: the repository now renders %s:%s differently", saved.Host, sf.Dest)
		}
		h.Files = append(h.Files, ff)
	}
	return &h, nil
}

func (h *HostPlan) file(dest string) *FileChange {
	for _, f := range h.Files {
		if f.Dest == dest {
			return f
		}
	}
	return nil
}
