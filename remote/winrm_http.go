package remote

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/masterzen/winrm"
	"github.com/masterzen/winrm/soap"
)

// soapPoster is the winrm.Transporter straylight installs through
// Parameters.TransportDecorator, in place of the library's clientRequest,
// ClientNTLM and Encryption, for reasons found in the pinned source:
//   - their Post drops the HTTP status of any response typed
//     application/soap+xml (the deferred error goes to unnamed results), so
//     a 401 surfaces as "EOF" and could not be reported as ErrAuth;
//   - &winrm.ClientNTLM{} ignores Parameters.Dial (30 s connect timeout)
//     and never seals, which Windows refuses over plain HTTP
//     (AllowUnencrypted=false); go-ntlmssp's Negotiator under it resends the
//     request with Basic credentials when the server does not offer NTLM;
//   - winrm.Encryption seals, but shares one NTLM state between the
//     library's concurrent requests, builds its own http.Client (no dial or
//     TLS settings) and falls back to unsealed NTLM when its handshake fails.
//
// Basic sends the credentials with each request; NTLM is winrm_ntlm.go.
// Everything else (SOAP messages, shells, polling, parsing) is the library's.
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
	session := p.sessions.get()
	defer p.sessions.put(session)
	resp, err := p.send(session, message.String())
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

func (p *soapPoster) send(session *httpSession, message string) (*http.Response, error) {
	if p.sessions.settings.ntlm {
		return p.postNTLM(session, message)
	}
	req, err := http.NewRequest(http.MethodPost, p.url, strings.NewReader(message))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", soapContentType)
	req.SetBasicAuth(p.user, p.password)
	return session.client.Do(req)
}

// httpSettings is what the HTTP side of the transport is built from.
type httpSettings struct {
	https, verify  bool
	ntlm           bool
	caPEM          []byte
	connectTimeout time.Duration
	readTimeout    time.Duration
}

// sessionPool lends each request a session of its own: an HTTP client with
// a single connection and, for NTLM, that connection's authentication.
// NTLM authenticates a connection, not a request, and sealing numbers the
// messages of that connection: a connection shared by concurrent requests
// would break both. A returned session keeps its authenticated connection
// for the next request.
type sessionPool struct {
	settings httpSettings
	conns    *connSet
	mu       sync.Mutex
	idle     []*httpSession
}

// httpSession is one connection's client and, for NTLM, its state.
type httpSession struct {
	client *http.Client
	ntlm   *ntlmSession // nil until authenticated
}

// maxIdleSessions bounds the authenticated connections kept between calls.
const maxIdleSessions = 4

func newSessionPool(s httpSettings, conns *connSet) *sessionPool {
	return &sessionPool{settings: s, conns: conns}
}

func (p *sessionPool) get() *httpSession {
	p.mu.Lock()
	defer p.mu.Unlock()
	if n := len(p.idle); n > 0 {
		session := p.idle[n-1]
		p.idle = p.idle[:n-1]
		return session
	}
	return &httpSession{client: newHTTPClient(p.settings, p.conns), ntlm: &ntlmSession{}}
}

func (p *sessionPool) put(session *httpSession) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if len(p.idle) < maxIdleSessions {
		p.idle = append(p.idle, session)
		return
	}
	session.client.CloseIdleConnections()
}

// newHTTPClient builds one session's client. Proxies are not used: a WinRM
// connection goes straight to the host (and NTLM authenticates the
// connection, which a proxy would break).
func newHTTPClient(s httpSettings, conns *connSet) *http.Client {
	return &http.Client{Transport: &http.Transport{
		DialContext:           conns.dialContext,
		TLSClientConfig:       tlsConfig(s),
		TLSHandshakeTimeout:   s.connectTimeout,
		ResponseHeaderTimeout: s.readTimeout,
		IdleConnTimeout:       90 * time.Second,
		MaxConnsPerHost:       1,
	}}
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
