package remote

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/masterzen/winrm"
)

// WinRMConfig is one host's WinRM connection settings. The caller maps
// Ansible's connection variables onto it; zero values mean Ansible's defaults.
type WinRMConfig struct {
	Host   string // ansible_host (or the inventory name)
	Port   int    // ansible_port; 0 means 5986 for https, 5985 for http
	Scheme string // ansible_winrm_scheme: "https" (default) or "http"
	// Transport is ansible_winrm_transport: "ntlm" or "basic" ("plaintext" and
	// "ssl", pywinrm's names for Basic, are accepted). A comma-separated list
	// uses its first supported entry. Empty means Ansible's default, Basic,
	// which is refused over http because it would send the password in clear.
	Transport string
	User      string // ansible_user ("user", "DOMAIN\user" or "user@domain")
	Password  string // ansible_password; never appears in messages
	// ServerCertValidation is ansible_winrm_server_cert_validation: "validate"
	// (default) or "ignore", which makes the transport report itself insecure.
	ServerCertValidation string
	// CATrustPath is ansible_winrm_ca_trust_path: a PEM bundle that replaces
	// the system roots when verifying the host's certificate.
	CATrustPath string
	// CATrustPEM is added to CATrustPath's certificates (for callers holding
	// the CA in memory, such as the simulated lab).
	CATrustPEM []byte
	// ConnectTimeout bounds the TCP connect (ansible_winrm_connection_timeout);
	// 0 means 10 s.
	ConnectTimeout time.Duration
	// ReadTimeout bounds the wait for each HTTP response's headers
	// (ansible_winrm_read_timeout_sec); 0 means 30 s. It must exceed the 5 s
	// WS-Management OperationTimeout.
	ReadTimeout time.Duration
	// Clock names backup files; nil means time.Now.
	Clock func() time.Time
}

const (
	operationTimeout      = "PT5S" // Receive returns within ~5 s, so a cancel is noticed
	envelopeSize          = 153600 // what masterzen and pywinrm announce
	defaultConnectTimeout = 10 * time.Second
	defaultReadTimeout    = 30 * time.Second
	authBasic             = "basic"
	authNTLM              = "ntlm"
)

// WinRM runs straylight's scripts on a Windows host over WS-Management.
// It is safe for concurrent use; each call opens and deletes its own shell.
type WinRM struct {
	host, user, password string
	port                 int
	https                bool
	auth                 string
	insecureReason       string
	client               *winrm.Client
	conns                *connSet
	stdinChunk           int
	now                  func() time.Time
}

var _ Transport = (*WinRM)(nil)

// NewWinRM checks cfg against the security rules and builds the transport.
// It does not connect: the first call does.
func NewWinRM(cfg WinRMConfig) (*WinRM, error) {
	w, err := newWinRMFromConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("winrm %s: %w", cfg.Host, err)
	}
	return w, nil
}

func newWinRMFromConfig(cfg WinRMConfig) (*WinRM, error) {
	https, err := parseScheme(cfg.Scheme)
	if err != nil {
		return nil, err
	}
	auth, err := chooseAuth(cfg.Transport, https)
	if err != nil {
		return nil, err
	}
	verify, err := parseCertValidation(cfg.ServerCertValidation)
	if err != nil {
		return nil, err
	}
	if err := checkHostAndUser(cfg); err != nil {
		return nil, err
	}
	w := &WinRM{
		host: strings.Trim(cfg.Host, "[]"), user: cfg.User, password: cfg.Password,
		port: portOrDefault(cfg.Port, https), https: https, auth: auth,
		insecureReason: insecurity(https, auth, verify),
		stdinChunk:     stdinChunkSize(envelopeSize),
		now:            clockOrDefault(cfg.Clock),
	}
	if w.port < 1 || w.port > 65535 {
		return nil, fmt.Errorf("port %d is outside 1-65535", w.port)
	}
	return w, w.buildClient(cfg, verify)
}

func (w *WinRM) buildClient(cfg WinRMConfig, verify bool) error {
	caPEM, err := loadCATrust(cfg.CATrustPath, cfg.CATrustPEM)
	if err != nil {
		return err
	}
	connect := durationOr(cfg.ConnectTimeout, defaultConnectTimeout)
	w.conns = newConnSet(connect)
	endpoint := winrm.NewEndpoint(bracketIPv6(w.host), w.port, w.https, !verify, caPEM, nil, nil,
		durationOr(cfg.ReadTimeout, defaultReadTimeout))
	poster := &soapPoster{url: w.url(), user: w.user, password: w.password, sessions: newSessionPool(httpSettings{
		https: w.https, verify: verify, ntlm: w.auth == authNTLM, caPEM: caPEM,
		connectTimeout: connect, readTimeout: endpoint.Timeout,
	}, w.conns)}
	w.client, err = winrm.NewClientWithParameters(endpoint, w.user, w.password, w.parameters(poster))
	if err != nil {
		return fmt.Errorf("building the WinRM client: %w", err)
	}
	return nil
}

// parameters is a fresh Parameters (the library's DefaultParameters is
// shared global state and must not be mutated). The decorator installs
// soapPoster, which dials through the same connSet as Dial names.
func (w *WinRM) parameters(poster *soapPoster) *winrm.Parameters {
	params := winrm.NewParameters(operationTimeout, "en-US", envelopeSize)
	params.Dial = w.conns.dial
	params.TransportDecorator = func() winrm.Transporter { return poster }
	return params
}

// url is the endpoint as the library spells it in every message's To.
func (w *WinRM) url() string {
	scheme := "http"
	if w.https {
		scheme = "https"
	}
	return fmt.Sprintf("%s://%s/wsman", scheme, net.JoinHostPort(w.host, strconv.Itoa(w.port)))
}

// Describe names the endpoint for messages; it never includes the password.
func (w *WinRM) Describe() string {
	scheme, rest, _ := strings.Cut(w.url(), "://")
	return fmt.Sprintf("winrm+%s %s://%s@%s", w.auth, scheme, w.user, rest)
}

// Insecure reports whether the connection can be read or impersonated on the
// network: plain HTTP, or HTTPS without certificate validation.
func (w *WinRM) Insecure() bool { return w.insecureReason != "" }

// InsecureReason says why Insecure is true, for the UI; empty when secure.
func (w *WinRM) InsecureReason() string { return w.insecureReason }

// Close drops the transport's connections, cutting any request still waiting.
func (w *WinRM) Close() error {
	w.conns.closeAll()
	return nil
}

func parseScheme(scheme string) (https bool, err error) {
	switch strings.ToLower(strings.TrimSpace(scheme)) {
	case "", "https":
		return true, nil
	case "http":
		return false, nil
	}
	return false, fmt.Errorf("ansible_winrm_scheme %q: want http or https", scheme)
}

// chooseAuth picks the authentication from ansible_winrm_transport. Basic over
// plain HTTP sends the password in clear, so it needs the user's explicit
// "basic" (or pywinrm's "plaintext"): Ansible's implicit default is refused.
func chooseAuth(transport string, https bool) (string, error) {
	if strings.TrimSpace(transport) == "" {
		if !https {
			return "", errors.New("ansible_winrm_scheme is http but ansible_winrm_transport is not set: " +
				"Ansible's default (Basic) would send the password in clear text; " +
				"set ansible_winrm_transport: ntlm, use https, or set ansible_winrm_transport: basic to accept that")
		}
		return authBasic, nil
	}
	var unsupported []string
	for _, name := range strings.Split(transport, ",") {
		auth, err := authFromName(strings.ToLower(strings.TrimSpace(name)), https)
		if err != nil {
			return "", err
		}
		if auth != "" {
			return auth, nil
		}
		unsupported = append(unsupported, strings.TrimSpace(name))
	}
	return "", fmt.Errorf("ansible_winrm_transport %s: not supported (straylight speaks ntlm and basic)",
		strings.Join(unsupported, ", "))
}

// authFromName maps one transport name; "" means a name straylight lacks.
func authFromName(name string, https bool) (string, error) {
	switch name {
	case "ntlm":
		return authNTLM, nil
	case "basic", "plaintext":
		return authBasic, nil
	case "ssl":
		if !https {
			return "", errors.New(`ansible_winrm_transport "ssl" means Basic over HTTPS but ansible_winrm_scheme is http`)
		}
		return authBasic, nil
	}
	return "", nil
}

func parseCertValidation(value string) (verify bool, err error) {
	switch strings.ToLower(strings.TrimSpace(value)) {
	case "", "validate":
		return true, nil
	case "ignore":
		return false, nil
	}
	return false, fmt.Errorf("ansible_winrm_server_cert_validation %q: want validate or ignore", value)
}

func checkHostAndUser(cfg WinRMConfig) error {
	host := strings.Trim(cfg.Host, "[]")
	if host == "" || strings.ContainsAny(host, " \t\r\n/@?#") {
		return fmt.Errorf("host %q is not a host name or address", cfg.Host)
	}
	if cfg.User == "" {
		return errors.New("ansible_user is not set")
	}
	return nil
}

func insecurity(https bool, auth string, verify bool) string {
	switch {
	case !https && auth == authBasic:
		return "Basic authentication over plain HTTP: the password and all traffic travel in clear"
	case !https:
		return "plain HTTP: NTLM seals the messages (RC4, as Windows requires), but no certificate proves the host's identity"
	case !verify:
		return "certificate validation disabled (ansible_winrm_server_cert_validation: ignore)"
	}
	return ""
}

func loadCATrust(path string, extra []byte) ([]byte, error) {
	var bundle []byte
	if path != "" {
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, fmt.Errorf("ansible_winrm_ca_trust_path: %w", err)
		}
		bundle = append(bundle, data...)
	}
	bundle = append(bundle, extra...)
	if len(bundle) == 0 {
		return nil, nil
	}
	if !x509.NewCertPool().AppendCertsFromPEM(bundle) {
		return nil, fmt.Errorf("ansible_winrm_ca_trust_path %s: no PEM certificate found", path)
	}
	return bundle, nil
}

func portOrDefault(port int, https bool) int {
	switch {
	case port != 0:
		return port
	case https:
		return 5986
	}
	return 5985
}

// bracketIPv6 lets the library's "%s://%s:%d/wsman" form a valid URL.
func bracketIPv6(host string) string {
	if strings.Contains(host, ":") && !strings.HasPrefix(host, "[") {
		return "[" + host + "]"
	}
	return host
}

func durationOr(d, fallback time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return fallback
}

func clockOrDefault(clock func() time.Time) func() time.Time {
	if clock != nil {
		return clock
	}
	return time.Now
}
