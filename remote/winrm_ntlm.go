package remote

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/bodgit/ntlmssp"
)

// NTLM as Windows' WinRM service expects it, and as pywinrm speaks it: the
// Negotiate handshake on an empty request (NEGOTIATE, CHALLENGE,
// AUTHENTICATE: NTLMv2 from bodgit/ntlmssp), then the messages on that
// authenticated connection. Over plain HTTP every message is sealed (MS-WSMV
// 2.2.9.1: multipart/encrypted, protocol application/HTTP-SPNEGO-session-
// encrypted), which Windows requires unless AllowUnencrypted is set; over
// HTTPS TLS protects them. There is no fallback: a host that does not offer
// Negotiate is an authentication error naming that, never a Basic retry.

// errNoNegotiate: the host's 401 offers no Negotiate (NTLM).
var errNoNegotiate = errors.New("the host does not offer Negotiate (NTLM) authentication for WinRM " +
	"(winrm get winrm/config/service/auth on the host shows Negotiate = false); enable it, or use " +
	"ansible_winrm_transport: basic over https")

// errNTLMRejected: the handshake's AUTHENTICATE was refused.
var errNTLMRejected = errors.New("the host rejected the NTLM credentials (user, password or domain)")

// ntlmSession is one pooled connection's NTLM state.
type ntlmSession struct {
	client   *ntlmssp.Client
	security *ntlmssp.SecuritySession // set once authenticated
}

func newNTLMClient(user, password string) (*ntlmssp.Client, error) {
	domain := ""
	switch {
	case strings.Contains(user, `\`):
		domain, user, _ = strings.Cut(user, `\`)
	case strings.Contains(user, "@"):
		user, domain, _ = strings.Cut(user, "@")
	}
	return ntlmssp.NewClient(ntlmssp.SetUserInfo(user, password), ntlmssp.SetDomain(domain),
		ntlmssp.SetVersion(ntlmssp.DefaultVersion()))
}

// postNTLM sends one SOAP message on an NTLM session, authenticating the
// connection first when needed, and once more when the host forgot it
// (a closed connection, a restarted service).
func (p *soapPoster) postNTLM(s *httpSession, message string) (*http.Response, error) {
	for attempt := 0; ; attempt++ {
		if s.ntlm == nil || s.ntlm.security == nil {
			if err := p.handshake(s); err != nil {
				return nil, err
			}
		}
		resp, err := p.sendOnSession(s, message)
		if err != nil || resp.StatusCode != http.StatusUnauthorized || attempt > 0 {
			return resp, err
		}
		drain(resp)
		s.ntlm.security = nil
	}
}

// handshake authenticates the session's connection with an empty request,
// so that no message travels before sealing is possible.
func (p *soapPoster) handshake(s *httpSession) error {
	client, err := newNTLMClient(p.user, p.password)
	if err != nil {
		return err
	}
	negotiate, err := client.Authenticate(nil, nil)
	if err != nil {
		return err
	}
	challenge, err := p.negotiateLeg(s, negotiate)
	if err != nil {
		return err
	}
	authenticate, err := client.Authenticate(challenge, nil)
	if err != nil {
		return fmt.Errorf("answering the host's NTLM challenge: %w", err)
	}
	if err := p.authenticateLeg(s, authenticate); err != nil {
		return err
	}
	s.ntlm = &ntlmSession{client: client, security: client.SecuritySession()}
	return nil
}

func (p *soapPoster) negotiateLeg(s *httpSession, token []byte) ([]byte, error) {
	resp, err := p.emptyPost(s, token)
	if err != nil {
		return nil, err
	}
	drain(resp)
	if resp.StatusCode != http.StatusUnauthorized {
		return nil, fmt.Errorf("the host answered NTLM's NEGOTIATE with %d, not a 401 challenge", resp.StatusCode)
	}
	offered := false
	for _, v := range resp.Header.Values("WWW-Authenticate") {
		scheme, b64, hasToken := strings.Cut(strings.TrimSpace(v), " ")
		switch {
		case !strings.EqualFold(scheme, "Negotiate"):
		case hasToken:
			return base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
		default:
			offered = true
		}
	}
	if offered { // Negotiate offered, our NEGOTIATE refused
		return nil, errNTLMRejected
	}
	return nil, errNoNegotiate
}

func (p *soapPoster) authenticateLeg(s *httpSession, token []byte) error {
	resp, err := p.emptyPost(s, token)
	if err != nil {
		return err
	}
	drain(resp)
	switch {
	case resp.StatusCode == http.StatusUnauthorized:
		return errNTLMRejected
	case resp.StatusCode/100 != 2:
		return fmt.Errorf("the host answered NTLM's AUTHENTICATE with %d", resp.StatusCode)
	}
	return nil
}

func (p *soapPoster) emptyPost(s *httpSession, token []byte) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, p.url, http.NoBody)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", soapContentType)
	req.Header.Set("Authorization", "Negotiate "+base64.StdEncoding.EncodeToString(token))
	return s.client.Do(req)
}

// sendOnSession posts the message on the authenticated connection: sealed
// over plain HTTP, as is over HTTPS.
func (p *soapPoster) sendOnSession(s *httpSession, message string) (*http.Response, error) {
	body, contentType := []byte(message), soapContentType
	if !p.sessions.settings.https {
		var err error
		if body, err = sealMessage(s.ntlm.security, body); err != nil {
			return nil, err
		}
		contentType = sealedContentType
	}
	req, err := http.NewRequest(http.MethodPost, p.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", contentType)
	resp, err := s.client.Do(req)
	if err != nil || p.sessions.settings.https || resp.StatusCode == http.StatusUnauthorized {
		return resp, err
	}
	return unsealResponse(s.ntlm.security, resp)
}

// soapContentType is what WinRM messages are typed.
const soapContentType = "application/soap+xml;charset=UTF-8"

const (
	sealedProtocol     = "application/HTTP-SPNEGO-session-encrypted"
	sealedContentType  = `multipart/encrypted;protocol="` + sealedProtocol + `";boundary="Encrypted Boundary"`
	sealedBoundary     = "--Encrypted Boundary"
	sealedOctetHeader  = "\tContent-Type: application/octet-stream\r\n"
	ntlmSignatureBytes = 16
)

// sealMessage frames one sealed message (MS-WSMV 2.2.9.1.1): a header part
// with the original type and length, then the signature length, the
// signature and the sealed bytes.
func sealMessage(security *ntlmssp.SecuritySession, plain []byte) ([]byte, error) {
	sealed, signature, err := security.Wrap(plain)
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s\r\n\tContent-Type: %s\r\n\tOriginalContent: type=%s;Length=%d\r\n",
		sealedBoundary, sealedProtocol, soapContentType, len(plain))
	b.WriteString(sealedBoundary + "\r\n" + sealedOctetHeader)
	_ = binary.Write(&b, binary.LittleEndian, uint32(len(signature)))
	b.Write(signature)
	b.Write(sealed)
	b.WriteString(sealedBoundary + "--\r\n")
	return b.Bytes(), nil
}

// unsealResponse replaces a sealed answer's body with the SOAP it carries.
// An answer that should be sealed and is not is refused: accepting it would
// let anyone on the path answer for the host.
func unsealResponse(security *ntlmssp.SecuritySession, resp *http.Response) (*http.Response, error) {
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, fmt.Errorf("reading the answer: %w", err)
	}
	if !strings.HasPrefix(strings.ToLower(resp.Header.Get("Content-Type")), "multipart/encrypted") {
		return nil, fmt.Errorf("the host answered a sealed message with an unsealed %d (%q)", resp.StatusCode,
			resp.Header.Get("Content-Type"))
	}
	plain, err := unsealBody(security, raw)
	if err != nil {
		return nil, fmt.Errorf("unsealing the host's answer: %w", err)
	}
	resp.Body = io.NopCloser(bytes.NewReader(plain))
	resp.Header.Set("Content-Type", soapContentType)
	return resp, nil
}

func unsealBody(security *ntlmssp.SecuritySession, body []byte) ([]byte, error) {
	rest, ok := bytes.CutPrefix(body, []byte(sealedBoundary+"\r\n"))
	header, payload, found := bytes.Cut(rest, []byte(sealedBoundary+"\r\n"+sealedOctetHeader))
	payload, closed := bytes.CutSuffix(payload, []byte(sealedBoundary+"--\r\n"))
	length, lengthOK := originalLength(header)
	if !ok || !found || !closed || !lengthOK || len(payload) < 4+ntlmSignatureBytes ||
		binary.LittleEndian.Uint32(payload) != ntlmSignatureBytes {
		return nil, errors.New("not a multipart/encrypted message")
	}
	plain, err := security.Unwrap(payload[4+ntlmSignatureBytes:], payload[4:4+ntlmSignatureBytes])
	if err != nil {
		return nil, err
	}
	if len(plain) != length {
		return nil, fmt.Errorf("%d bytes unsealed, the header announced %d", len(plain), length)
	}
	return plain, nil
}

func originalLength(header []byte) (int, bool) {
	_, after, found := bytes.Cut(header, []byte("Length="))
	digits, _, _ := bytes.Cut(after, []byte("\r\n"))
	n, err := strconv.Atoi(string(bytes.TrimSpace(digits)))
	return n, found && err == nil
}

func drain(resp *http.Response) {
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, maxResponse))
	resp.Body.Close()
}
