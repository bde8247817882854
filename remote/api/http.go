package api

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

const (
	// IdleConnTimeout stays below vLLM's 5 s keep-alive (VLLM_HTTP_TIMEOUT_KEEP_ALIVE)
	// so the client never reuses a connection the server is about to close.
	IdleConnTimeout = 4 * time.Second
	// DialTimeout bounds the TCP connect; a host that drops SYNs costs this much.
	DialTimeout = 3 * time.Second
	// DefaultRequestTimeout applies to a GET whose context has no deadline, so a
	// server that accepts and never answers cannot hang a caller forever.
	DefaultRequestTimeout = 10 * time.Second

	maxJSONBody    = 4 << 20
	maxMetricsBody = 32 << 20
	maxErrorBody   = 1 << 20
)

// NewTransport returns the transport every client here uses by default: a
// dial timeout, idle connections dropped after IdleConnTimeout, and no proxy
// (fleet hosts are reached directly on the LAN). It takes a connection
// dialed before the request when the request carries one (dialFirst).
func NewTransport() *http.Transport {
	dialer := newDialer()
	return &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if conn := takeDialed(ctx, addr); conn != nil {
				return conn, nil
			}
			return dialer.DialContext(ctx, network, addr)
		},
		IdleConnTimeout:       IdleConnTimeout,
		MaxIdleConnsPerHost:   4,
		TLSHandshakeTimeout:   5 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
}

func newDialer() *net.Dialer {
	return &net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second}
}

// NewHTTPClient returns a client on NewTransport. It has no total timeout on
// purpose: streams can run long; requests are bounded by their context (and
// StreamChat's idle timeout).
func NewHTTPClient() *http.Client {
	return &http.Client{Transport: NewTransport()}
}

// endpoints splits a base URL given with or without a trailing /v1 into the
// server root (for /health, /metrics, /version) and the OpenAI API root.
type endpoints struct {
	root string
	v1   string
}

func newEndpoints(baseURL string) endpoints {
	root := strings.TrimRight(strings.TrimSpace(baseURL), "/")
	root = strings.TrimSuffix(root, "/v1")
	return endpoints{root: root, v1: root + "/v1"}
}

func (e endpoints) rootPath(path string) string { return e.root + path }
func (e endpoints) apiPath(path string) string  { return e.v1 + path }

// withDefaultTimeout gives ctx DefaultRequestTimeout unless it already has a deadline.
func withDefaultTimeout(ctx context.Context) (context.Context, context.CancelFunc) {
	if _, ok := ctx.Deadline(); ok {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, DefaultRequestTimeout)
}

// get performs a GET and returns the response with its body still open.
// The key, when set, is sent as a bearer token.
func get(ctx context.Context, hc *http.Client, url, key, accept string) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, fmt.Errorf("build request: %w", err)
	}
	setAuth(req, key)
	if accept != "" {
		req.Header.Set("Accept", accept)
	}
	return hc.Do(req)
}

func setAuth(req *http.Request, key string) {
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
}

// readLimited reads at most limit bytes of body, failing when there is more.
func readLimited(body io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(body, limit+1))
	if err != nil {
		return b, err
	}
	if int64(len(b)) > limit {
		return b[:limit], fmt.Errorf("response body larger than %d bytes", limit)
	}
	return b, nil
}

// fetch GETs url and returns the body of a 200 answer. Any other status is
// decoded into an *APIError; transport failures are returned as they are so
// that callers can classify them (see Probe).
func fetch(ctx context.Context, hc *http.Client, url, key string, limit int64) ([]byte, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := get(ctx, hc, url, key, "application/json")
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return okBody(resp, limit, Hint{Secrets: []string{key}})
}

func okBody(resp *http.Response, limit int64, hint Hint) ([]byte, error) {
	if resp.StatusCode != http.StatusOK {
		body, _ := readLimited(resp.Body, maxErrorBody)
		return nil, DecodeError(resp.StatusCode, body, hint)
	}
	return readLimited(resp.Body, limit)
}

func clientOrDefault(hc *http.Client) *http.Client {
	if hc == nil {
		return NewHTTPClient()
	}
	return hc
}
