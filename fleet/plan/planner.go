package plan

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/ansible/delegate"
	"github.com/straylight-fleet/straylight/fleet/discover"
	"github.com/straylight-fleet/straylight/fleet/state"
)

// Planner builds plans for a repository: it renders every file task for every
// host and compares the result with what the host holds now.
type Planner struct {
	Repo        *ansible.Repo
	Fleet       *discover.Fleet // the repository's fleet; nil: read from Repo
	Transports  TransportFactory
	ReadTimeout time.Duration // per host, for reading its files
	Parallel    int           // hosts read at once
	// Ansible runs ansible-playbook --check --diff for the tasks straylight
	// does not run itself (delegate.go); nil: they stay unsupported.
	Ansible *delegate.Runner
}

// Plan renders and compares everything; it never writes.
func (p *Planner) Plan(ctx context.Context) (*Plan, error) {
	r := p.Repo
	plan := &Plan{Repo: r.Root, Limit: r.Limit(), Findings: append([]Finding(nil), r.Findings...)}
	for _, pb := range r.Playbooks {
		plan.Playbooks = append(plan.Playbooks, pb.Path)
	}
	plan.Fleet = p.fleet() // first, as Session.Plan has it: the plan reads the rendered files through its Recognizer
	works, err := p.renderAll(plan)
	if err != nil {
		return nil, err
	}
	p.readAll(ctx, works)
	for _, w := range works {
		plan.Hosts = append(plan.Hosts, w.plan)
		plan.secrets = ansible.AppendUnique(plan.secrets, w.secrets...)
	}
	ansible.SortLongestFirst(plan.secrets)
	p.delegateAll(ctx, plan, works)
	serving := servingByHost(plan.Fleet)
	for _, w := range works {
		w.addServers(serving[w.name])
	}
	lintFleet(plan, works)
	orderHosts(plan)
	plan.checkSomethingPlanned()
	plan.summarize()
	return plan, nil
}

// renderAll renders every limited host's tasks, in play order.
func (p *Planner) renderAll(plan *Plan) ([]*hostWork, error) {
	var works []*hostWork
	st := state.Open(p.Repo.Root)
	rz := recognizers{rendered: plan.Fleet.Recognizer(), deployed: new(discover.Recognizer)}
	texts := textSet{}
	for _, host := range p.Repo.PlannedHosts() {
		tasks, err := p.Repo.RenderHost(host, true)
		if err != nil {
			plan.Findings = append(plan.Findings, ansible.ErrorFinding(host, err))
		}
		w := newHostWork(tasks, rz, texts)
		w.modeChains = p.Repo.SymbolicModeChains // asked only of a symbolic mode: it may run ansible --version
		if w.pending, err = ReadPending(st, host); err != nil {
			plan.Findings = append(plan.Findings, Finding{Severity: SevError, Host: host,
				Message: fmt.Sprintf("cannot read the pending-restart record (a restart may be owed): %v; fix or remove it", err)})
		}
		works = append(works, w)
	}
	return works, nil
}

func (p *Planner) fleet() *discover.Fleet {
	if p.Fleet != nil {
		return p.Fleet
	}
	return discover.Read(p.Repo)
}

// readAll reads every host's current files concurrently, each host bounded
// by its own timeout, then completes each host's plan. A fixed set of
// workers takes the hosts in turn: a goroutine per host grew a fresh stack
// through the same deep YAML and diff code for every host.
func (p *Planner) readAll(ctx context.Context, works []*hostWork) {
	limit := p.Parallel
	if limit < 1 {
		limit = 32
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(limit, len(works)) {
		wg.Go(func() {
			for i := int(next.Add(1)) - 1; i < len(works); i = int(next.Add(1)) - 1 {
				p.readHost(ctx, works[i])
			}
		})
	}
	wg.Wait()
}

func (p *Planner) readHost(ctx context.Context, w *hostWork) {
	if len(w.files) == 0 {
		w.finish(nil)
		return
	}
	tr, err := p.Transports(w.conn)
	if err != nil {
		w.finish(err)
		return
	}
	defer tr.Close()
	timeout := p.ReadTimeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	hctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	w.finish(w.readFiles(hctx, tr))
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// notReachable formats a transport failure for the plan.
func notReachable(err error) string { return fmt.Sprintf("not reachable: %v", err) }
