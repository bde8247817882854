package ui

import (
	"context"
	"time"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/fleet/status"
)

// statusSource is the live status monitor as the UI uses it
// (*status.Monitor): it probes in the background and publishes snapshots.
type statusSource interface {
	Run(ctx context.Context, interval time.Duration, publish func(status.Snapshot)) <-chan struct{}
	SetTargets(hosts []status.Target, proxy *status.ProxyTarget)
	Close() error
}

// planInterval is how often the plan (drift) is recomputed in the
// background; edits and deploys recompute it at once.
const planInterval = 30 * time.Second

// engine is the apply engine as the UI drives it (*apply.Engine), through
// the same Observer events as headless --apply.
type engine interface {
	Apply(ctx context.Context, plan *plan.Plan, obs apply.Observer) (apply.ApplySummary, error)
	Restart(ctx context.Context, host string, obs apply.Observer) (apply.ApplySummary, error)
	TestRoute(ctx context.Context, route string, obs apply.Observer) (apply.RouteResult, error)
}

// services is everything the UI asks of the rest of straylight. Every one of
// them may touch the disk or the network, so the model calls them only from
// tea.Cmds, never from Update or View. Tests replace them.
type services struct {
	open    func() (*fleet.Repo, error)
	plan    func(ctx context.Context, repo *fleet.Repo) (*plan.Plan, error)
	monitor func(repo *fleet.Repo) statusSource
	// targets are the monitor's targets: what p found deployed (nil p:
	// the repository's, saying so).
	targets  func(repo *fleet.Repo, p *plan.Plan) ([]status.Target, *status.ProxyTarget)
	engine   func(repo *fleet.Repo, hosts []string) engine
	gitState func(root string) gitState
	commit   func(root string, files []string, message string) error
	openEdit func(repo *fleet.Repo, g fleet.GPUHost) (*fleet.VarsEdit, error)
	// logs streams a host's backend log (the last lines, then, following,
	// each new one) until ctx ends.
	logs func(ctx context.Context, repo *fleet.Repo, host string, lines int, follow bool, sink func(string)) error
	// passphrases are the session's questions for encrypted SSH keys'
	// passphrases (Session.PassphraseRequests); nil: none are asked.
	passphrases func() <-chan fleet.PassphraseRequest
	// addHost writes a host like a template (n); suggest proposes its address.
	addHost func(repo *fleet.Repo, req fleet.NewHost) (*fleet.AddedHost, error)
	suggest func(template string) string
	// planEvery is how often the plan (drift) is recomputed in the background.
	planEvery time.Duration
}

// defaultServices are the real ones, all from the one session.
func defaultServices(cfg Config) services {
	s := cfg.session()
	return services{
		open:        s.Open,
		plan:        s.Plan,
		monitor:     func(repo *fleet.Repo) statusSource { return s.Monitor(repo) },
		targets:     s.DeployedTargets,
		engine:      func(repo *fleet.Repo, hosts []string) engine { return s.Engine(repo, hosts) },
		gitState:    readGitState,
		commit:      fleet.Commit,
		openEdit:    s.OpenEdit,
		logs:        s.HostLogs,
		passphrases: s.PassphraseRequests,
		addHost:     s.AddHost,
		suggest:     s.SuggestAddress,
		planEvery:   planInterval,
	}
}
