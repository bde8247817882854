package api

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"sync/atomic"
	"syscall"
)

// A first request to a server that is down costs net/http far more than
// the refused connect itself: Client.Do queues the request, starts a
// goroutine to dial, waits for it and wraps its error — 65 µs and 65
// allocations against a bare dial's 13 µs and 22 on this machine. A
// --check probes every host of the fleet once, on a fresh client, and
// at 1,000 hosts that are not running that was a tenth of its CPU time
// (README.md, "Performance"). dialFirst connects before the request: a
// refused connection is answered at once, as net/http would have worded
// it; a connection that is made carries the request (the transport of
// NewTransport takes it), so a server that is up costs no more than
// before and no connection is made twice.

// dialed is a connection made before a request, for the transport to take
// instead of dialing; whoever takes it first owns it.
type dialed struct {
	addr  string
	conn  net.Conn
	taken atomic.Bool
}

type dialedKey struct{}

// takeDialed is the connection the request's context carries for addr,
// or nil.
func takeDialed(ctx context.Context, addr string) net.Conn {
	d, ok := ctx.Value(dialedKey{}).(*dialed)
	if !ok || d.addr != addr || d.taken.Swap(true) {
		return nil
	}
	return d.conn
}

// release closes the connection when the transport did not take it (it
// had an idle one to the server, or another transport ran the request).
func (d *dialed) release() {
	if !d.taken.Swap(true) {
		d.conn.Close()
	}
}

// dialFirst connects to rawURL's server and returns a context carrying
// the connection for the request, and a release to call once the request
// is done; or, when the server refused the connection, the error Client.Do
// would have returned. Any other dial failure (a timeout, an unknown name)
// is left to the request itself, and its own wording: ctx comes back as it
// was.
func dialFirst(ctx context.Context, rawURL string) (context.Context, func(), error) {
	addr, ok := dialAddress(rawURL)
	if !ok {
		return ctx, func() {}, nil
	}
	conn, err := newDialer().DialContext(ctx, "tcp", addr)
	switch {
	case err == nil:
		d := &dialed{addr: addr, conn: conn}
		return context.WithValue(ctx, dialedKey{}, d), d.release, nil
	case errors.Is(err, syscall.ECONNREFUSED):
		return ctx, func() {}, &url.Error{Op: "Get", URL: rawURL, Err: err}
	}
	return ctx, func() {}, nil
}

// dialAddress is the host:port net/http dials for a plain-HTTP URL (its
// canonicalAddr); false for anything else (https, a bad URL).
func dialAddress(rawURL string) (string, bool) {
	u, err := url.Parse(rawURL)
	if err != nil || u.Scheme != "http" || u.Hostname() == "" {
		return "", false
	}
	port := u.Port()
	if port == "" {
		port = "80"
	}
	return net.JoinHostPort(u.Hostname(), port), true
}

// takesDialed reports whether hc runs its requests on an http.Transport:
// NewHTTPClient's takes a connection dialed first; another one dials its
// own (the first is closed unused), and a fake one is never dialed around.
func takesDialed(hc *http.Client) bool {
	_, ok := hc.Transport.(*http.Transport)
	return ok
}
