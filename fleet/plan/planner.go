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
	"github.com/straylight-fleet/straylight/internal/growstack"
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
	works := p.planHosts(ctx, plan.Fleet)
	for _, w := range works {
		plan.Findings = append(plan.Findings, w.findings...)
	}
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

// planHosts plans every limited host, in play order: renders its tasks,
// reads its current files, compares and checks its vllm values. The hosts
// are independent, so a fixed set of workers takes them in turn (on 2
// CPUs, rendering and comparing 1,000 hosts one after another left one
// idle); a goroutine per host grew a fresh stack through the same deep
// YAML and diff code for every host.
func (p *Planner) planHosts(ctx context.Context, fleet *discover.Fleet) []*hostWork {
	hosts := p.Repo.PlannedHosts()
	works := make([]*hostWork, len(hosts))
	st := state.Open(p.Repo.Root)
	rz := recognizers{rendered: fleet.Recognizer(), deployed: new(discover.Recognizer)}
	texts := newTextSet()
	p.forEachHost(len(hosts), func(i int) {
		w := p.startHost(hosts[i], st, rz, texts)
		p.readHost(ctx, w)
		w.lint = w.validate(fleet)
		works[i] = w
	})
	return works
}

// startHost renders host's tasks and reads its pending-restart record;
// what fails is kept in the work's findings.
func (p *Planner) startHost(host string, st *state.Store, rz recognizers, texts *textSet) *hostWork {
	tasks, renderErr := p.Repo.RenderHost(host, true)
	w := newHostWork(tasks, rz, texts)
	if renderErr != nil {
		w.findings = append(w.findings, ansible.ErrorFinding(host, renderErr))
	}
	w.core = p.Repo
	var err error
	if w.pending, err = ReadPending(st, host); err != nil {
		w.findings = append(w.findings, Finding{Severity: SevError, Host: host,
			Message: fmt.Sprintf("cannot read the pending-restart record (a restart may be owed): %v; fix or remove it", err)})
	}
	return w
}

func (p *Planner) fleet() *discover.Fleet {
	if p.Fleet != nil {
		return p.Fleet
	}
	return discover.Read(p.Repo)
}

// forEachHost calls do(0) … do(n-1), Parallel at once (the hosts' reads
// wait on the network), and returns when all have returned.
func (p *Planner) forEachHost(n int, do func(i int)) {
	limit := p.Parallel
	if limit < 1 {
		limit = 32
	}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(limit, n) {
		wg.Go(func() {
			growstack.Grow()
			for i := int(next.Add(1)) - 1; i < n; i = int(next.Add(1)) - 1 {
				do(i)
			}
		})
	}
	wg.Wait()
}

// readHost reads the host's current files, bounded by its own timeout,
// then completes its plan.
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
