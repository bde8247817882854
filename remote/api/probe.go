package api

import (
	"context"
	"errors"
	"io"
	"net"
	"net/url"
	"slices"
	"strings"
	"sync"
	"syscall"
)

// ProbeState is what the three health checks (docs/remote-facts.md) say about
// a vLLM server.
type ProbeState int

const (
	StateUnknown     ProbeState = iota
	StateServing                // /health 200 and the expected id in /v1/models
	StateLoading                // connection refused or dropped: weights still loading (or not running)
	StateUnreachable            // timeout or another transport failure
	StateEngineDead             // /health answered non-200
	StateNotServing             // alive, but the expected id is not in /v1/models
)

var stateNames = [...]string{"unknown", "serving", "loading", "unreachable", "engine-dead", "not-serving"}

func (s ProbeState) String() string {
	if s < 0 || int(s) >= len(stateNames) {
		return "unknown"
	}
	return stateNames[s]
}

// ProbeResult is the outcome of VLLM.Probe.
type ProbeResult struct {
	State  ProbeState
	Reason string   // one line; empty when serving
	Models []string // ids of /v1/models when it answered
	Err    error    // the failure behind State, for errors.Is/As; nil when serving
}

// Probe runs the health checks concurrently within ctx (DefaultRequestTimeout
// when ctx has no deadline): connection refused → Loading, other transport
// failure → Unreachable, /health non-200 → EngineDead, expectedName missing
// from /v1/models → NotServing. An empty expectedName skips the last check.
func (c *VLLM) Probe(ctx context.Context, expectedName string) ProbeResult {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	var healthErr, modelsErr error
	var ids []string
	var wg sync.WaitGroup
	wg.Go(func() { healthErr = c.Health(ctx) })
	wg.Go(func() { ids, modelsErr = c.Models(ctx) })
	wg.Wait()
	return classifyProbe(expectedName, healthErr, ids, modelsErr)
}

// TransportFailure is Probe's verdict when a request to the server got no
// HTTP answer (refused, dropped, no answer before the deadline): what Probe
// returns whenever its /health fails that way. Nil when err is nil or an
// HTTP answer: then /v1/models and /metrics say more.
func TransportFailure(err error) *ProbeResult {
	if state, reason, ok := transportState(err); ok {
		return &ProbeResult{State: state, Reason: reason, Err: err}
	}
	return nil
}

func classifyProbe(expected string, healthErr error, ids []string, modelsErr error) ProbeResult {
	for _, err := range []error{healthErr, modelsErr} {
		if state, reason, ok := transportState(err); ok {
			return ProbeResult{State: state, Reason: reason, Err: err}
		}
	}
	switch {
	case errors.Is(healthErr, ErrModelLoading):
		return ProbeResult{State: StateLoading, Reason: healthErr.Error(), Models: ids, Err: healthErr}
	case healthErr != nil:
		return ProbeResult{State: StateEngineDead, Reason: healthErr.Error(), Models: ids, Err: healthErr}
	case modelsErr != nil:
		return ProbeResult{State: StateNotServing, Reason: "/v1/models: " + modelsErr.Error(), Err: modelsErr}
	case expected != "" && !slices.Contains(ids, expected):
		err := notServingError(expected, ids)
		return ProbeResult{State: StateNotServing, Reason: err.Error(), Models: ids, Err: err}
	}
	return ProbeResult{State: StateServing, Models: ids}
}

func notServingError(expected string, ids []string) error {
	if len(ids) == 0 {
		return errors.New("serves no model, not `" + expected + "`")
	}
	return errors.New("serves `" + strings.Join(ids, "`, `") + "`, not `" + expected + "`")
}

// transportState classifies an error that never reached an HTTP answer.
func transportState(err error) (ProbeState, string, bool) {
	var apiErr *APIError
	if err == nil || errors.As(err, &apiErr) || errors.Is(err, ErrEngineDead) || errors.Is(err, ErrModelLoading) {
		return StateUnknown, "", false
	}
	if errors.Is(err, syscall.ECONNREFUSED) {
		return StateLoading, "connection refused: vLLM is loading its weights or not running", true
	}
	if droppedConnection(err) {
		return StateLoading, "connection accepted and dropped (EOF or reset): vLLM is loading behind " +
			"a port proxy (Docker Desktop's accepts while the container starts) or not running", true
	}
	return StateUnreachable, describeTransportError(err), true
}

// droppedConnection: the connection was accepted, then closed or reset
// before an answer. Docker Desktop's port proxy does this while the
// container behind it is not listening yet, so, like a refusal, it says
// "loading or not running" and the host-side probe tells which. When the
// close lands before net/http has written the request, net/http reports it
// with an unexported error whose text is all there is to match.
func droppedConnection(err error) bool {
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNABORTED) ||
		strings.Contains(err.Error(), "server closed idle connection")
}

// describeTransportError words a transport failure in one line, without the URL.
func describeTransportError(err error) string {
	var dnsErr *net.DNSError
	var netErr net.Error
	switch {
	case errors.Is(err, context.Canceled):
		return "probe canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "no answer before the deadline (timeout)"
	case errors.As(err, &dnsErr):
		return "cannot resolve host " + dnsErr.Name
	case errors.As(err, &netErr) && netErr.Timeout():
		return "no answer before the deadline (timeout)"
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		err = urlErr.Err
	}
	return oneLine(err.Error(), 200)
}
