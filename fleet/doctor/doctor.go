package doctor

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/straylight-fleet/straylight/remote"
)

// Input is one host to check. Every part is optional: the steps of a part
// that is absent are skipped (a proxy host has no Backend, a host reached
// only over HTTP has no Transport).
type Input struct {
	Host      string
	Transport remote.Transport // the host's transport (WinRM, SSH, local)
	// TransportErr is why no transport could be built for the host (an
	// unsupported connection, a bad setting): the connect step fails with it.
	TransportErr error
	Container    string // the vLLM container docker should know
	// Backend is the host's vLLM; nil: not a GPU host, whose nvidia-smi and
	// docker steps are skipped along with the backend's.
	Backend *Backend
	Proxy   *Proxy
	// HTTPClient is used for the backend and the proxy; nil: remote/api's default.
	HTTPClient *http.Client
	// StepTimeout bounds each step; 0: DefaultStepTimeout.
	StepTimeout time.Duration
}

// Backend is the host's vLLM.
type Backend struct {
	BaseURL       string // without /v1
	APIKey        string
	ExpectedModel string // the name the proxy routes to it; "" skips that check
	// Kind is the server's kind ("vllm", "llama.cpp", …; "" is vllm): the
	// /metrics families checked are vLLM's, so another kind skips that step.
	Kind string
}

// Proxy is a LiteLLM proxy.
type Proxy struct {
	BaseURL string
	Key     string // the master or a virtual key
	// Routes are the proxy's routes as the repository defines them (the
	// engine's view); nil: asked from the proxy's GET /model/info.
	Routes []Route
	// UpstreamKeys holds the API key of an upstream by its api_base (LiteLLM
	// does not report them); upstreams without one are asked without a key.
	UpstreamKeys map[string]string
}

// Route is one proxy route: the alias clients send, the upstream's api_base
// (ending in /v1) and the model name the proxy sends there.
type Route struct {
	Alias, APIBase, UpstreamModel string
}

// DefaultStepTimeout bounds one step: long enough for a cold Windows
// PowerShell start and 1 MB over WinRM, short enough that a host that hangs
// is named quickly.
const DefaultStepTimeout = 60 * time.Second

// Status is a step's outcome.
type Status string

const (
	Pass Status = "pass"
	Fail Status = "fail"
	Skip Status = "skip" // not applicable, or an earlier step it needs failed
)

// Step is one line of the report.
type Step struct {
	Name     string        `json:"step"`
	Status   Status        `json:"status"`
	Duration time.Duration `json:"duration_ns"`
	Detail   string        `json:"detail,omitempty"` // what was measured or found
	Cause    string        `json:"cause,omitempty"`  // on failure: the likely cause
	Fix      string        `json:"fix,omitempty"`    // on failure: what to do
}

// Report is one host's run.
type Report struct {
	Host  string `json:"host"`
	Steps []Step `json:"steps"`
}

// OK reports whether no step failed.
func (r Report) OK() bool {
	for _, s := range r.Steps {
		if s.Status == Fail {
			return false
		}
	}
	return true
}

// AllOK reports whether every report is OK (the CLI's exit code 0).
func AllOK(reports []Report) bool {
	for _, r := range reports {
		if !r.OK() {
			return false
		}
	}
	return true
}

// Run checks one host. It returns when every step has run or been skipped;
// ctx cancels the run (the steps still running fail with the cause).
func Run(ctx context.Context, in Input) Report {
	r := &run{in: in, ctx: ctx, report: Report{Host: in.Host}}
	r.hostSteps()
	r.backendSteps()
	r.proxySteps()
	return r.report
}

// run is one Run in progress.
type run struct {
	in     Input
	ctx    context.Context
	report Report
}

// outcome is what a step function returns; Run adds the name and the time.
type outcome struct {
	status             Status
	detail, cause, fix string
}

func passed(detail string) outcome { return outcome{status: Pass, detail: detail} }

func skipped(why string) outcome { return outcome{status: Skip, detail: why} }

func failed(cause, fix string) outcome { return outcome{status: Fail, cause: cause, fix: fix} }

// step runs f under the step timeout and records it.
func (r *run) step(name string, f func(ctx context.Context) outcome) Status {
	ctx, cancel := context.WithTimeout(r.ctx, r.timeout())
	defer cancel()
	start := time.Now()
	o := f(ctx)
	r.report.Steps = append(r.report.Steps, Step{Name: name, Status: o.status, Duration: time.Since(start),
		Detail: o.detail, Cause: o.cause, Fix: o.fix})
	return o.status
}

// skip records a step that cannot run.
func (r *run) skip(name, why string) {
	r.report.Steps = append(r.report.Steps, Step{Name: name, Status: Skip, Detail: why})
}

func (r *run) skipAll(names []string, why string) {
	for _, name := range names {
		r.skip(name, why)
	}
}

func (r *run) timeout() time.Duration {
	if r.in.StepTimeout > 0 {
		return r.in.StepTimeout
	}
	return DefaultStepTimeout
}

// RunAll checks the hosts concurrently (at most parallel at a time; 0 or
// less: all at once) and returns their reports in the order given.
func RunAll(ctx context.Context, inputs []Input, parallel int) []Report {
	if parallel <= 0 {
		parallel = max(len(inputs), 1)
	}
	reports := make([]Report, len(inputs))
	slots := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, in := range inputs {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			reports[i] = Run(ctx, in)
		})
	}
	wg.Wait()
	return reports
}
