package remote

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"syscall"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// faultText finds a SOAP fault's reason.
var faultText = lazyre.New(`(?s)<(?:\w+:)?Text[^>]*>(.*?)</(?:\w+:)?Text>`)

// failure turns an error from the library into one naming the host and op,
// wrapping the sentinel it belongs to, with the password scrubbed out.
func (w *WinRM) failure(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return w.expired(op, err, true)
	}
	text := w.scrub(readableCause(err))
	if kind := classify(err); kind != nil {
		return fmt.Errorf("%s: %s: %w: %s", w.Describe(), op, kind, text)
	}
	return fmt.Errorf("%s: %s: %s", w.Describe(), op, text)
}

// expired is the error for a context that ended first. Before the host
// answered at all, the host counts as unreachable.
func (w *WinRM) expired(op string, ctxErr error, answered bool) error {
	if !answered {
		return fmt.Errorf("%s: %s: %w: no answer before the deadline (%w)", w.Describe(), op, ErrUnreachable, ctxErr)
	}
	return fmt.Errorf("%s: %s: %w", w.Describe(), op, ctxErr)
}

// refused is the error for a request straylight will not send.
func (w *WinRM) refused(op string, err error) error {
	return fmt.Errorf("%s: %s: %s", w.Describe(), op, w.scrub(err.Error()))
}

func classify(err error) error {
	switch {
	case errors.Is(err, errNoNegotiate), errors.Is(err, errNTLMRejected), httpStatus(err) == 401:
		return ErrAuth
	case isTLSFailure(err):
		return ErrTLS
	case isUnreachable(err):
		return ErrUnreachable
	}
	return nil
}

func httpStatus(err error) int {
	var httpErr *httpError
	if errors.As(err, &httpErr) {
		return httpErr.Status
	}
	return 0
}

func isTLSFailure(err error) bool {
	var (
		verify    *tls.CertificateVerificationError
		authority x509.UnknownAuthorityError
		hostname  x509.HostnameError
		invalid   x509.CertificateInvalidError
		record    tls.RecordHeaderError
		alert     tls.AlertError
	)
	return errors.As(err, &verify) || errors.As(err, &authority) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &record) || errors.As(err, &alert)
}

func isUnreachable(err error) bool {
	var (
		opErr  *net.OpError
		dnsErr *net.DNSError
		netErr net.Error
	)
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH), errors.Is(err, syscall.ECONNRESET):
		return true
	case errors.As(err, &dnsErr), errors.As(err, &opErr) && opErr.Op == "dial":
		return true
	}
	return errors.As(err, &netErr) && netErr.Timeout()
}

// readableCause shortens an HTTP error to its status and fault reason.
func readableCause(err error) string {
	var httpErr *httpError
	var urlErr *url.Error
	switch {
	case errors.As(err, &httpErr):
	case errors.As(err, &urlErr):
		return urlErr.Err.Error() // Describe already names the URL
	default:
		return err.Error()
	}
	status := fmt.Sprintf("HTTP %d %s", httpErr.Status, http.StatusText(httpErr.Status))
	if reason := faultText().FindStringSubmatch(httpErr.Body); reason != nil {
		return status + ": " + strings.TrimSpace(reason[1])
	}
	return status
}

// scrub removes the password, and the Basic credential built from it, from
// text that may end up on screen.
func (w *WinRM) scrub(text string) string {
	if w.password == "" {
		return text
	}
	basic := base64.StdEncoding.EncodeToString([]byte(w.user + ":" + w.password))
	text = strings.ReplaceAll(text, basic, "********")
	return strings.ReplaceAll(text, w.password, "********")
}
