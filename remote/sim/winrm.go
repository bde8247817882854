package sim

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"time"
)

// soapContentType is what every SOAP response carries, faults included.
const soapContentType = "application/soap+xml;charset=UTF-8"

// winrmMaxRequestBody bounds a request body. masterzen/winrm sends Send
// envelopes larger than its own MaxEnvelopeSize, so the bound is generous.
const winrmMaxRequestBody = 16 << 20

// WinRMOptions configures a simulated Windows host's WinRM endpoint.
type WinRMOptions struct {
	User, Password string  // the only Basic credentials accepted
	FS             *FS     // the host's filesystem (a new empty one when nil)
	Runtime        Runtime // GPUs, containers and the vLLM restart (none when nil)
	Hostname       string  // what `hostname` prints ("localhost" when empty)
	// DenyUnencrypted is Windows' default (AllowUnencrypted=false): over
	// plain HTTP only sealed NTLM messages are served. Off, the lab also
	// serves Basic and unsealed NTLM over HTTP.
	DenyUnencrypted bool
	// Services are the host's Windows services (sc.exe, *-Service).
	Services []WindowsService
}

// WinRMServer is a WS-Management endpoint (POST /wsman) that runs the
// simulated command vocabulary against one host's FS and Runtime. It is an
// http.Handler; the lab serves it over HTTP or wraps it in TLS.
type WinRMServer struct {
	userHash, passHash [sha256.Size]byte
	owner, password    string
	ntlmConns          winrmConns
	denyUnencrypted    atomic.Bool
	host               *psHost
	shells             *wsRegistry
	rejectAuth         atomic.Bool
	delay              atomic.Int64 // time.Duration
}

// NewWinRMServer returns a server for one simulated host.
func NewWinRMServer(opts WinRMOptions) *WinRMServer {
	if opts.FS == nil {
		opts.FS = NewFS()
	}
	if opts.Hostname == "" {
		opts.Hostname = "localhost"
	}
	s := &WinRMServer{
		userHash: sha256.Sum256([]byte(opts.User)),
		passHash: sha256.Sum256([]byte(opts.Password)),
		owner:    opts.User,
		password: opts.Password,
		host: &psHost{fs: opts.FS, runtime: opts.Runtime, hostname: opts.Hostname, user: opts.User,
			faults: &psHostFaults{}, services: newPSServices(opts.Services)},
		shells: newWSRegistry(),
	}
	s.denyUnencrypted.Store(opts.DenyUnencrypted)
	return s
}

// SetDenyUnencrypted turns Windows' AllowUnencrypted=false on or off.
func (s *WinRMServer) SetDenyUnencrypted(deny bool) { s.denyUnencrypted.Store(deny) }

// SetRejectAuth makes every request fail with 401 (the `auth` fault) while on.
func (s *WinRMServer) SetRejectAuth(reject bool) { s.rejectAuth.Store(reject) }

// SetDockerDown makes every docker command fail as it does when Docker
// Desktop is not running for the WinRM user (the `docker-not-running` fault).
func (s *WinRMServer) SetDockerDown(down bool) { s.host.faults.dockerDown.Store(down) }

// SetNvidiaSMIMissing removes nvidia-smi from the host (the
// `nvidia-smi-missing` fault).
func (s *WinRMServer) SetNvidiaSMIMissing(missing bool) { s.host.faults.noNvidiaSMI.Store(missing) }

// SetService adds the service, or replaces the one of its name.
func (s *WinRMServer) SetService(svc WindowsService) { s.host.services.set(svc) }

// Services are the host's services as they stand, by name.
func (s *WinRMServer) Services() []WindowsService { return s.host.services.list() }

// SetDelay delays every reply by d (the `slow-winrm` fault); 0 turns it off.
func (s *WinRMServer) SetDelay(d time.Duration) { s.delay.Store(int64(max(d, 0))) }

// Close terminates every running command and forgets every shell. The server
// keeps serving; later requests see no shells.
func (s *WinRMServer) Close() {
	s.shells.deleteAll()
	s.ntlmConns.reset()
}

// enableTestCommands adds Start-Sleep to the vocabulary (tests only).
func (s *WinRMServer) enableTestCommands() { s.host.allowSleep = true }

// ServeHTTP answers one WS-Management request.
func (s *WinRMServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.URL.Path != "/wsman":
		soapWrite(w, http.StatusNotFound, soapFault("", s.host.hostname, soapNoSuchEndpointFault(r.URL.Path)))
	case r.Method != http.MethodPost:
		w.Header().Set("Allow", http.MethodPost)
		soapWrite(w, http.StatusMethodNotAllowed, soapFault("", s.host.hostname, soapInvalidMessageFault("use POST")))
	default:
		s.servePost(w, r)
	}
}

// servePost reads the whole body before the slow-winrm delay: only then does
// net/http watch the connection, so a client that gives up cancels the wait.
func (s *WinRMServer) servePost(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, winrmMaxRequestBody))
	switch {
	case !s.waitDelay(r.Context()):
		return
	case err != nil:
		soapWrite(w, http.StatusBadRequest, soapFault("", s.host.hostname, soapInvalidMessageFault("unreadable body")))
	default:
		s.authenticate(w, r, data)
	}
}

// waitDelay applies the slow-winrm fault; false when the client gave up.
func (s *WinRMServer) waitDelay(ctx context.Context) bool {
	d := time.Duration(s.delay.Load())
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// authorized checks Basic credentials in constant time (hashes first, so
// neither the length nor the content of the secrets leaks through timing).
func (s *WinRMServer) authorized(r *http.Request) bool {
	user, pass, ok := r.BasicAuth()
	u := sha256.Sum256([]byte(user))
	p := sha256.Sum256([]byte(pass))
	match := subtle.ConstantTimeCompare(u[:], s.userHash[:]) & subtle.ConstantTimeCompare(p[:], s.passHash[:])
	return ok && match == 1
}

// winrmWriteUnauthorized answers as Windows does: 401, the schemes it
// accepts (or the NTLM challenge, when challenge is set), no body and no
// SOAP content type. That is on purpose: masterzen/winrm (pinned version)
// ignores the HTTP status of any application/soap+xml response, so only a
// non-SOAP 401 reaches its caller as an auth failure ("http response error:
// 401 - invalid content type"); pywinrm raises InvalidCredentialsError on
// the status alone.
func winrmWriteUnauthorized(w http.ResponseWriter, challenge string) {
	if challenge != "" {
		w.Header().Add("WWW-Authenticate", challenge)
	} else {
		w.Header().Add("WWW-Authenticate", "Negotiate")
		w.Header().Add("WWW-Authenticate", `Basic realm="WSMAN"`)
	}
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusUnauthorized)
}

func soapWrite(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", soapContentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// winrmCall is one parsed request in flight.
type winrmCall struct {
	w   http.ResponseWriter
	r   *http.Request
	env *soapEnvelope
}

func (c *winrmCall) relatesTo() string { return c.env.Header.messageID() }

func (c *winrmCall) shellID() string { return c.env.Header.selector("ShellId") }

func (s *WinRMServer) reply(c *winrmCall, body []byte) { soapWrite(c.w, http.StatusOK, body) }

func (s *WinRMServer) fault(c *winrmCall, f soapFaultSpec) {
	soapWrite(c.w, http.StatusInternalServerError, soapFault(c.relatesTo(), s.host.hostname, f))
}

func (s *WinRMServer) serveSOAP(w http.ResponseWriter, r *http.Request, data []byte) {
	env, err := parseSOAPEnvelope(data)
	if err != nil {
		soapWrite(w, http.StatusBadRequest, soapFault("", s.host.hostname, soapInvalidMessageFault(err.Error())))
		return
	}
	s.dispatch(&winrmCall{w: w, r: r, env: env})
}

func (s *WinRMServer) dispatch(c *winrmCall) {
	switch action := c.env.Header.action(); action {
	case soapActionCreate:
		s.create(c)
	case soapActionCommand:
		s.command(c)
	case soapActionSend:
		s.send(c)
	case soapActionReceive:
		s.receive(c)
	case soapActionSignal:
		s.signal(c)
	case soapActionDelete:
		s.deleteShell(c)
	default:
		s.fault(c, soapActionNotSupportedFault(action))
	}
}

func (s *WinRMServer) create(c *winrmCall) {
	info := soapShellInfo{
		address:  "http://" + c.r.Host + "/wsman",
		shellID:  s.shells.createShell(),
		owner:    s.owner,
		clientIP: winrmRemoteIP(c.r),
	}
	s.reply(c, soapCreateResponse(c.relatesTo(), info))
}

func winrmRemoteIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// command starts a command line asynchronously: a slow command never holds
// up the request that started it, nor the Receive polls that follow.
func (s *WinRMServer) command(c *winrmCall) {
	line := ""
	if c.env.Body.CommandLine != nil {
		line = c.env.Body.CommandLine.fullCommandLine()
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := newWSCommand(cancel)
	if !s.shells.addCommand(c.shellID(), cmd) {
		cancel()
		s.fault(c, soapShellNotFoundFault(c.shellID()))
		return
	}
	go s.host.runCommand(ctx, line, cmd)
	s.reply(c, soapCommandResponse(c.relatesTo(), cmd.id))
}

func (s *WinRMServer) send(c *winrmCall) {
	if c.env.Body.Send == nil {
		s.fault(c, soapInvalidMessageFault("Send without rsp:Send"))
		return
	}
	for _, st := range c.env.Body.Send.Streams {
		if f := s.sendStream(c, st); f != nil {
			s.fault(c, *f)
			return
		}
	}
	s.reply(c, soapSendResponse(c.relatesTo()))
}

func (s *WinRMServer) sendStream(c *winrmCall, st soapStream) *soapFaultSpec {
	cmd, f := s.shells.command(c.shellID(), strings.TrimSpace(st.CommandID))
	if f != nil {
		return f
	}
	data, err := base64.StdEncoding.DecodeString(strings.TrimSpace(st.Data))
	if err != nil {
		f := soapInvalidMessageFault("stdin is not base64")
		return &f
	}
	cmd.stdin.write(data, st.isEnd())
	return nil
}

// receive waits up to the request's OperationTimeout for output; with none,
// it answers the 2150858793 fault that tells clients to poll again.
func (s *WinRMServer) receive(c *winrmCall) {
	id := ""
	if c.env.Body.Receive != nil {
		id = strings.TrimSpace(c.env.Body.Receive.DesiredStream.CommandID)
	}
	cmd, f := s.shells.command(c.shellID(), id)
	if f != nil {
		s.fault(c, *f)
		return
	}
	if !cmd.waitReady(c.r.Context(), c.env.Header.operationTimeout()) {
		s.fault(c, soapTimeoutFault())
		return
	}
	chunk := cmd.takeChunk(soapReceiveChunkLimit(c.env.Header.maxEnvelopeSize()))
	s.reply(c, soapReceiveResponse(c.relatesTo(), cmd.id, chunk))
}

// soapReceiveChunkLimit is how many output bytes fit a response of maxEnvelope
// bytes once base64-encoded, leaving room for the envelope itself.
func soapReceiveChunkLimit(maxEnvelope int) int {
	const envelopeOverhead = 4096
	return max((maxEnvelope-envelopeOverhead)*3/4, 1024)
}

func (s *WinRMServer) signal(c *winrmCall) {
	id := ""
	if c.env.Body.Signal != nil {
		id = strings.TrimSpace(c.env.Body.Signal.CommandID)
	}
	cmd, f := s.shells.command(c.shellID(), id)
	if f != nil {
		s.fault(c, *f)
		return
	}
	// terminate, ctrl_c and ctrl_break all end a simulated command.
	cmd.terminate()
	s.reply(c, soapSignalResponse(c.relatesTo()))
}

func (s *WinRMServer) deleteShell(c *winrmCall) {
	if !s.shells.deleteShell(c.shellID()) {
		s.fault(c, soapShellNotFoundFault(c.shellID()))
		return
	}
	s.reply(c, soapDeleteResponse(c.relatesTo()))
}
