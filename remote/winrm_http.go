package remote

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	ntlmssp "github.com/Azure/go-ntlmssp"
	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

// soapPoster is the winrm.Transporter straylight installs through
// Parameters.TransportDecorator, in place of the library's clientRequest and
// ClientNTLM, for three reasons found in the pinned source:
//   - their Post drops the HTTP status of any response typed
//     application/soap+xml (the deferred error goes to unnamed results), so
//     a 401 surfaces as "EOF" and could not be reported as ErrAuth;
//   - &winrm.ClientNTLM{} ignores Parameters.Dial (30 s connect timeout);
//   - go-ntlmssp's Negotiator, which ClientNTLM wraps, resends the request
//     with Basic credentials when the server's 401 does not offer NTLM, which
//     over plain HTTP would send the password in clear.
//
// NTLM here is that same Negotiator. Its Basic fallback is kept where a
// verified certificate protects the credential (the simulated lab's
// "NTLM-compatible" endpoint relies on it) and refused on plain HTTP or with
// certificate validation off. Everything else (SOAP messages, shells,
// polling, parsing) is the library's.
type soapPoster struct {
	url            string
	user, password string
	sessions       *sessionPool
}

// httpError is a non-200 answer. Its text keeps the body: the library
// recognises the OperationTimeout fault ("poll again") by that text.
type httpError struct {
	Status int
	Body   string
}

func (e *httpError) Error() string { return fmt.Sprintf("http error %d: %s", e.Status, e.Body) }

// maxResponse bounds one SOAP answer (the envelope is 150 KiB; faults are small).
const maxResponse = 16 << 20

// Transport is called by winrm.NewClientWithParameters; the poster is built
// already.
func (p *soapPoster) Transport(*winrm.Endpoint) error { return nil }

// Post sends one SOAP message and returns the answer's body.
func (p *soapPoster) Post(_ *winrm.Client, message *soap.SoapMessage) (string, error) {
	req, err := http.NewRequest(http.MethodPost, p.url, strings.NewReader(message.String()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/soap+xml;charset=UTF-8")
	// For NTLM the Negotiator turns these credentials into the handshake.
	req.SetBasicAuth(p.user, p.password)
	client := p.sessions.get()
	defer p.sessions.put(client)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return "", fmt.Errorf("reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", &httpError{Status: resp.StatusCode, Body: string(body)}
	}
	if ct := resp.Header.Get("Content-Type"); !strings.Contains(ct, "application/soap+xml") {
		return "", fmt.Errorf("answer of type %q, not application/soap+xml", ct)
	}
	return string(body), nil
}

// errBasicFallback is the refusal of the negotiator's Basic fallback.
var errBasicFallback = errors.New("the server offered only Basic authentication, and with " +
	"ansible_winrm_transport ntlm over a connection without a verified certificate the password is not sent " +
	"that way (use https with certificate validation, or set ansible_winrm_transport: basic to accept this)")

// refuseBasic sits under the NTLM negotiator where Basic would be unsafe.
type refuseBasic struct{ next http.RoundTripper }

func (r refuseBasic) RoundTrip(req *http.Request) (*http.Response, error) {
	if strings.HasPrefix(req.Header.Get("Authorization"), "Basic ") {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, errBasicFallback
	}
	return r.next.RoundTrip(req)
}

// httpSettings is what the HTTP side of the transport is built from.
type httpSettings struct {
	https, verify  bool
	ntlm           bool
	caPEM          []byte
	connectTimeout time.Duration
	readTimeout    time.Duration
}

// sessionPool lends each request an HTTP client of its own, with a single
// connection. NTLM authenticates a connection, not a request: the
// negotiator's handshake (anonymous try, NEGOTIATE, AUTHENTICATE) must stay
// on one connection, which a transport shared by concurrent requests does
// not guarantee. A returned client keeps its authenticated connection for
// the next request.
type sessionPool struct {
	settings httpSettings
	conns    *connSet
	mu       sync.Mutex
	idle     []*http.Client
}

// maxIdleSessions bounds the authenticated connections kept between calls.
const maxIdleSessions = 4

func newSessionPool(s httpSettings, conns *connSet) *sessionPool {
	return &sessionPool{settings: s, conns: conns}
}

func (p *sessionPool) get() *http.Client {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.idle); n > 0 {
		client := p.idle[n-1]
		p.idle = p.idle[:n-1]
		return client
	}
	return newHTTPClient(p.settings, p.conns)
}

func (p *sessionPool) put(client *http.Client) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) < maxIdleSessions {
		p.idle = append(p.idle, client)
		return
	}
	client.CloseIdleConnections()
}

// newHTTPClient builds one session's client. Proxies are not used: a WinRM
// connection goes straight to the host (and NTLM authenticates the
// connection, which a proxy would break).
func newHTTPClient(s httpSettings, conns *connSet) *http.Client {
	var rt http.RoundTripper = &http.Transport{
		DialContext:           conns.dialContext,
		TLSClientConfig:       tlsConfig(s),
		TLSHandshakeTimeout:   s.connectTimeout,
		ResponseHeaderTimeout: s.readTimeout,
		IdleConnTimeout:       90 * time.Second,
		MaxConnsPerHost:       1,
	}
	if s.ntlm && !(s.https && s.verify) {
		rt = refuseBasic{next: rt}
	}
	if s.ntlm {
		rt = ntlmssp.Negotiator{RoundTripper: rt}
	}
	return &http.Client{Transport: rt}
}

func tlsConfig(s httpSettings) *tls.Config {
	config := &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: !s.verify} //nolint:gosec // ansible_winrm_server_cert_validation: ignore
	if len(s.caPEM) > 0 {
		config.RootCAs = x509.NewCertPool()
		config.RootCAs.AppendCertsFromPEM(s.caPEM)
	}
	return config
}

// connSet dials the host and remembers the open connections, so Close can
// cut requests the library would otherwise leave waiting.
type connSet struct {
	dialer net.Dialer
	mu     sync.Mutex
	open   map[net.Conn]struct{}
	closed bool
}

func newConnSet(connectTimeout time.Duration) *connSet {
	return &connSet{
		dialer: net.Dialer{Timeout: connectTimeout, KeepAlive: 30 * time.Second},
		open:   map[net.Conn]struct{}{},
	}
}

// dial is the Parameters.Dial form (no context).
func (s *connSet) dial(network, addr string) (net.Conn, error) {
	return s.dialContext(context.Background(), network, addr)
}

func (s *connSet) dialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	conn, err := s.dialer.DialContext(ctx, network, addr)
	if err != nil {
		return nil, err
	}
	tracked := &trackedConn{Conn: conn, set: s}
	if !s.remember(tracked) {
		conn.Close()
		return nil, net.ErrClosed
	}
	return tracked, nil
}

func (s *connSet) remember(c net.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	s.open[c] = struct{}{}
	return true
}

func (s *connSet) forget(c net.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.open, c)
}

func (s *connSet) closeAll() {
	s.mu.Lock()
	s.closed = true
	conns := make([]net.Conn, 0, len(s.open))
	for c := range s.open {
		conns = append(conns, c)
	}
	s.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// trackedConn leaves its connSet when closed.
type trackedConn struct {
	net.Conn
	set *connSet
}

func (c *trackedConn) Close() error {
	c.set.forget(c)
	return c.Conn.Close()
}
