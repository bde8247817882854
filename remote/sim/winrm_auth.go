package sim

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
)

// WinRM authentication as a Windows host's WinRM service does it: Basic,
// and Negotiate carrying NTLM. NTLM authenticates the connection, not the
// request: once AUTHENTICATE has passed, later requests on the same
// connection carry no Authorization header. Over plain HTTP the client
// seals each message (MS-WSMV 2.2.9.1, "multipart/encrypted" with protocol
// application/HTTP-SPNEGO-session-encrypted) and the answer is sealed the
// same way. With DenyUnencrypted (Windows' default AllowUnencrypted=false)
// an unsealed message over plain HTTP, Basic included, is refused with 401.

// winrmConn is one client connection's NTLM state, keyed by its remote
// address (one TCP connection each).
type winrmConn struct {
	handshake *ntlmHandshake // NEGOTIATE seen, AUTHENTICATE awaited
	session   *ntlmSession   // authenticated
}

// winrmConns holds the connections' states, bounded: a connection that
// comes back after its state was dropped authenticates again.
type winrmConns struct {
	mu    sync.Mutex
	conns map[string]*winrmConn
}

const winrmMaxConns = 512

func (c *winrmConns) get(addr string) *winrmConn {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conns == nil {
		c.conns = map[string]*winrmConn{}
	}
	conn, ok := c.conns[addr]
	if !ok {
		if len(c.conns) >= winrmMaxConns {
			clear(c.conns)
		}
		conn = &winrmConn{}
		c.conns[addr] = conn
	}
	return conn
}

func (c *winrmConns) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.conns)
}

// authenticate decides what to do with a request whose body is read: serve
// it (plain or sealed), continue an NTLM handshake, or refuse it.
func (s *WinRMServer) authenticate(w http.ResponseWriter, r *http.Request, data []byte) {
	auth := r.Header.Get("Authorization")
	scheme, token, _ := strings.Cut(auth, " ")
	conn := s.ntlmConns.get(r.RemoteAddr)
	switch {
	case s.rejectAuth.Load():
		winrmWriteUnauthorized(w, "")
	case strings.EqualFold(scheme, "Basic"):
		s.serveBasic(w, r, data)
	case strings.EqualFold(scheme, "Negotiate") || strings.EqualFold(scheme, "NTLM"):
		s.negotiate(w, r, data, conn, scheme, token)
	case conn.session != nil:
		s.serveMessage(w, r, data, conn.session)
	default:
		winrmWriteUnauthorized(w, "")
	}
}

func (s *WinRMServer) serveBasic(w http.ResponseWriter, r *http.Request, data []byte) {
	if !s.authorized(r) || s.refusesUnencrypted(r) {
		winrmWriteUnauthorized(w, "")
		return
	}
	s.serveSOAP(w, r, data)
}

func (s *WinRMServer) refusesUnencrypted(r *http.Request) bool {
	return r.TLS == nil && s.denyUnencrypted.Load()
}

// negotiate runs one leg of the NTLM handshake.
func (s *WinRMServer) negotiate(w http.ResponseWriter, r *http.Request, data []byte, conn *winrmConn, scheme, token string) {
	msg, err := base64.StdEncoding.DecodeString(strings.TrimSpace(token))
	if err != nil || len(msg) < 12 {
		winrmWriteUnauthorized(w, "")
		return
	}
	switch binary.LittleEndian.Uint32(msg[8:]) {
	case 1:
		conn.session = nil
		if conn.handshake, err = ntlmChallenge(msg, s.host.hostname); err != nil {
			winrmWriteUnauthorized(w, "")
			return
		}
		winrmWriteUnauthorized(w, scheme+" "+base64.StdEncoding.EncodeToString(conn.handshake.challenge))
	case 3:
		s.completeNTLM(w, r, data, conn, msg)
	default:
		winrmWriteUnauthorized(w, "")
	}
}

func (s *WinRMServer) completeNTLM(w http.ResponseWriter, r *http.Request, data []byte, conn *winrmConn, msg []byte) {
	handshake := conn.handshake
	conn.handshake = nil
	if handshake == nil {
		winrmWriteUnauthorized(w, "")
		return
	}
	session, err := handshake.verify(msg, s.owner, s.password)
	if err != nil {
		winrmWriteUnauthorized(w, "")
		return
	}
	conn.session = session
	if len(data) == 0 {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(http.StatusOK) // the empty request clients send to authenticate before sealing
		return
	}
	s.serveMessage(w, r, data, session)
}

// serveMessage serves a request on an NTLM-authenticated connection: a
// sealed one is unsealed and its answer sealed; a plain one is served
// unless unencrypted messages are refused.
func (s *WinRMServer) serveMessage(w http.ResponseWriter, r *http.Request, data []byte, session *ntlmSession) {
	if !strings.HasPrefix(strings.ToLower(r.Header.Get("Content-Type")), "multipart/encrypted") {
		if s.refusesUnencrypted(r) {
			winrmWriteUnauthorized(w, "")
			return
		}
		s.serveSOAP(w, r, data)
		return
	}
	plain, err := winrmUnseal(data, session)
	if err != nil {
		winrmWriteUnauthorized(w, "") // Windows drops the session on a bad signature
		return
	}
	rec := &winrmRecorder{header: http.Header{}}
	s.serveSOAP(rec, r, plain)
	winrmWriteSealed(w, rec, session)
}

// The multipart/encrypted framing (MS-WSMV 2.2.9.1.1).
const (
	winrmBoundary        = "--Encrypted Boundary"
	winrmEncProtocol     = "application/HTTP-SPNEGO-session-encrypted"
	winrmEncContentType  = `multipart/encrypted;protocol="` + winrmEncProtocol + `";boundary="Encrypted Boundary"`
	winrmOctetStreamLine = "\tContent-Type: application/octet-stream\r\n"
)

// winrmUnseal reads one sealed part: the header part with the original
// length, then the octet-stream part holding signature length, signature
// and sealed message, then the closing boundary.
func winrmUnseal(body []byte, session *ntlmSession) ([]byte, error) {
	rest, ok := bytes.CutPrefix(body, []byte(winrmBoundary+"\r\n"))
	header, payload, found := bytes.Cut(rest, []byte(winrmBoundary+"\r\n"+winrmOctetStreamLine))
	payload, closed := bytes.CutSuffix(payload, []byte(winrmBoundary+"--\r\n"))
	length, lengthOK := winrmOriginalLength(header)
	if !ok || !found || !closed || !lengthOK || len(payload) < 4 {
		return nil, errNTLM
	}
	sigLen := int(binary.LittleEndian.Uint32(payload))
	if sigLen != 16 || len(payload) < 4+sigLen {
		return nil, errNTLM
	}
	plain, valid := session.unseal(payload[4+sigLen:], payload[4:4+sigLen])
	if !valid || len(plain) != length {
		return nil, errNTLM
	}
	return plain, nil
}

func winrmOriginalLength(header []byte) (int, bool) {
	if !bytes.Contains(header, []byte("Content-Type: "+winrmEncProtocol)) {
		return 0, false
	}
	_, after, found := bytes.Cut(header, []byte("Length="))
	digits, _, _ := bytes.Cut(after, []byte("\r\n"))
	n, err := strconv.Atoi(string(bytes.TrimSpace(digits)))
	return n, found && err == nil
}

func winrmWriteSealed(w http.ResponseWriter, rec *winrmRecorder, session *ntlmSession) {
	plain := rec.body.Bytes()
	sealed, signature := session.seal(plain)
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\r\n\tContent-Type: %s\r\n\tOriginalContent: type=%s;Length=%d\r\n",
		winrmBoundary, winrmEncProtocol, soapContentType, len(plain))
	b.WriteString(winrmBoundary + "\r\n" + winrmOctetStreamLine)
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(signature)))
	b.Write(signature)
	b.Write(sealed)
	b.WriteString(winrmBoundary + "--\r\n")
	w.Header().Set("Content-Type", winrmEncContentType)
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(rec.status)
	_, _ = w.Write(b.Bytes())
}

// winrmRecorder keeps an answer so that it can be sealed.
type winrmRecorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *winrmRecorder) Header() http.Header { return r.header }

func (r *winrmRecorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *winrmRecorder) Write(p []byte) (int, error) {
	r.WriteHeader(http.StatusOK)
	return r.body.Write(p)
}
