package sim

import (
	"context"
	"encoding/base64"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/masterzen/winrm"

	"github.com/straylight-fleet/straylight/internal/testfixture"
)

const (
	winrmTestUser     = "mdt"
	winrmTestPassword = "lab-password"
	winrmTestHost     = "wintermute"
	winrmTestGPUCSV   = "0, NVIDIA GeForce RTX 4090, 3, 21000, 24564, 41, 38.12\n"
	winrmTestDocker   = `{"ID":"4f2a","Names":"vllm-wintermute","State":"running","Status":"Up 2 hours"}` + "\n"
	winrmConfigPath   = `C:\Users\mdt\dev\wintermute\config.yml`
	winrmScriptPath   = `C:\Users\mdt\dev\wintermute\scripts\Start-VLLM.ps1`
)

// winrmFakeRuntime stands in for the vLLM side of a host.
type winrmFakeRuntime struct {
	restarts   atomic.Int32
	restartErr error
	gpuGate    chan struct{} // when set, NvidiaSMI waits until it is closed
	mu         sync.Mutex
	dockerAsks []string
}

func (r *winrmFakeRuntime) RestartVLLM() error {
	r.restarts.Add(1)
	return r.restartErr
}

func (r *winrmFakeRuntime) NvidiaSMI() string {
	if r.gpuGate != nil {
		<-r.gpuGate
	}
	return winrmTestGPUCSV
}

func (r *winrmFakeRuntime) DockerPS(name string) string {
	r.mu.Lock()
	r.dockerAsks = append(r.dockerAsks, name)
	r.mu.Unlock()
	if name == "vllm-wintermute" {
		return winrmTestDocker
	}
	return ""
}

// winrmLab is one simulated host served on loopback for a test.
type winrmLab struct {
	srv     *WinRMServer
	fs      *FS
	rt      *winrmFakeRuntime
	http    *httptest.Server
	port    int
	faults  atomic.Int32  // HTTP 500 responses seen
	onFault chan struct{} // closed at the first 500
	notSOAP atomic.Int32  // responses (401s aside) without the SOAP content type
	largest atomic.Int64  // the largest response body, in bytes
}

// startWinRMLab serves a WinRM server (with the test-only Start-Sleep) for
// the length of the test, over TLS (httptest's certificate) when tlsServer.
func startWinRMLab(t *testing.T, rt *winrmFakeRuntime, tlsServer bool) *winrmLab {
	t.Helper()
	lab := &winrmLab{fs: NewFS(), rt: rt, onFault: make(chan struct{})}
	lab.srv = NewWinRMServer(WinRMOptions{
		User: winrmTestUser, Password: winrmTestPassword, FS: lab.fs, Runtime: rt, Hostname: winrmTestHost,
	})
	lab.srv.enableTestCommands()
	lab.http = httptest.NewUnstartedServer(lab.observe(lab.srv))
	lab.http.Config.ErrorLog = log.New(io.Discard, "", 0) // refused TLS handshakes are expected
	if tlsServer {
		lab.http.StartTLS()
	} else {
		lab.http.Start()
	}
	t.Cleanup(func() {
		lab.srv.Close()
		lab.http.Close()
		if n := lab.notSOAP.Load(); n > 0 {
			t.Errorf("%d responses other than 401 lacked Content-Type %s", n, soapContentType)
		}
	})
	lab.port = winrmTestPort(t, lab.http.URL)
	return lab
}

// observe counts the 500 responses (OperationTimeout faults) the server
// sends, and the responses that lack the SOAP content type.
func (l *winrmLab) observe(next http.Handler) http.Handler {
	var once sync.Once
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec := &winrmStatusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		for cur := l.largest.Load(); rec.written > cur && !l.largest.CompareAndSwap(cur, rec.written); {
			cur = l.largest.Load()
		}
		if rec.status != 0 && rec.status != http.StatusUnauthorized && !winrmAnswerTyped(w.Header(), rec.written) {
			l.notSOAP.Add(1)
		}
		if rec.status == http.StatusInternalServerError {
			l.faults.Add(1)
			once.Do(func() { close(l.onFault) })
		}
	})
}

// winrmAnswerTyped: a SOAP answer, a sealed one, or the empty 200 that
// ends an NTLM handshake without a message.
func winrmAnswerTyped(h http.Header, written int64) bool {
	ct := h.Get("Content-Type")
	return ct == soapContentType || ct == winrmEncContentType || (ct == "" && written == 0)
}

type winrmStatusRecorder struct {
	http.ResponseWriter
	status  int
	written int64
}

func (r *winrmStatusRecorder) Write(p []byte) (int, error) {
	n, err := r.ResponseWriter.Write(p)
	r.written += int64(n)
	return n, err
}

func (r *winrmStatusRecorder) WriteHeader(code int) {
	r.status = code
	r.ResponseWriter.WriteHeader(code)
}

func winrmTestPort(t *testing.T, rawURL string) int {
	t.Helper()
	u, err := url.Parse(rawURL)
	if err != nil {
		t.Fatal(err)
	}
	port, err := strconv.Atoi(u.Port())
	if err != nil {
		t.Fatal(err)
	}
	return port
}

// masterzenOptions tune the client the way straylight's transport does.
type masterzenOptions struct {
	operationTimeout string        // e.g. "PT5S"
	httpTimeout      time.Duration // ResponseHeaderTimeout
	https            bool
	caPEM            []byte
	password         string
	auth             string // "" (Basic), "ntlm" (go-ntlmssp, unsealed) or "ntlm-sealed" (masterzen's Encryption)
}

// oneConnectionAtATime is a dial that opens a connection only once the
// previous one is closed. NTLM authenticates a connection, and
// masterzen's ClientNTLM builds a transport that dials a new connection
// whenever it finds none idle: go-ntlmssp's next handshake leg could start
// before the last response's connection was back in the pool, and go out
// on another one, which the lab (as Windows) refuses with 401 — a test
// that failed now and then (the race stage of .ci/run, once). straylight's
// own client keeps one connection per host (remote/winrm_http.go,
// MaxConnsPerHost: 1); with this dial the library's transport waits for
// its idle connection instead.
func oneConnectionAtATime() func(network, addr string) (net.Conn, error) {
	free := make(chan struct{}, 1)
	free <- struct{}{}
	return func(network, addr string) (net.Conn, error) {
		<-free
		conn, err := net.Dial(network, addr)
		if err != nil {
			free <- struct{}{}
			return nil, err
		}
		return &releasingConn{Conn: conn, release: sync.OnceFunc(func() { free <- struct{}{} })}, nil
	}
}

// releasingConn frees its dial's slot when closed.
type releasingConn struct {
	net.Conn
	release func()
}

func (c *releasingConn) Close() error {
	defer c.release()
	return c.Conn.Close()
}

func (l *winrmLab) masterzen(t *testing.T, o masterzenOptions) *winrm.Client {
	t.Helper()
	if o.operationTimeout == "" {
		o.operationTimeout = "PT5S"
	}
	if o.httpTimeout == 0 {
		o.httpTimeout = 30 * time.Second
	}
	if o.password == "" {
		o.password = winrmTestPassword
	}
	endpoint := winrm.NewEndpoint("127.0.0.1", l.port, o.https, false, o.caPEM, nil, nil, o.httpTimeout)
	params := winrm.NewParameters(o.operationTimeout, "en-US", 153600)
	switch o.auth {
	case "ntlm":
		params.TransportDecorator = func() winrm.Transporter { return winrm.NewClientNTLMWithDial(oneConnectionAtATime()) }
	case "ntlm-sealed":
		params.TransportDecorator = func() winrm.Transporter {
			enc, err := winrm.NewEncryption("ntlm")
			if err != nil {
				t.Fatal(err)
			}
			return enc
		}
	}
	client, err := winrm.NewClientWithParameters(endpoint, winrmTestUser, o.password, params)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

// winrmTestContext bounds a test's client calls so a server bug fails the
// test instead of hanging it.
func winrmTestContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// psEncodedCommandLine is how straylight starts a script (docs/winrm-scripts.md).
func psEncodedCommandLine(script string) string {
	units := utf16.Encode([]rune(script))
	raw := make([]byte, 2*len(units))
	for i, u := range units {
		raw[2*i], raw[2*i+1] = byte(u), byte(u>>8)
	}
	return "powershell.exe -NoProfile -NonInteractive -EncodedCommand " + base64.StdEncoding.EncodeToString(raw)
}

// psQuote is a PowerShell single-quoted string literal.
func psQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

// The contract scripts below are the marker, the parameters and the body
// straylight ships (scripts/<op>.ps1, compared with the client's copy by
// remote's tests): the lab refuses any other body.

func contractScript(op string, params ...string) string {
	var b strings.Builder
	b.WriteString("# straylight:" + op + " v1\n")
	for i := 0; i+1 < len(params); i += 2 {
		b.WriteString("$" + params[i] + " = " + psQuote(params[i+1]) + "\n")
	}
	return b.String() + psKnownScript(op+".ps1")
}

func readFileScript(path string) string { return contractScript("read-file", "Path", path) }

func writeFileScript(path, sha, backup string) string {
	return contractScript("write-file", "Path", path, "Sha256", sha, "Backup", backup)
}

func hostStatusScript(container string) string {
	return contractScript("host-status", "Container", container)
}

// base64Lines is write-file's stdin: base64 in lines of 76 characters.
func base64Lines(content []byte) string {
	enc := base64.StdEncoding.EncodeToString(content)
	var b strings.Builder
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\n")
	return b.String()
}

// winrmFixtureMessages splits a captured message set into its envelopes,
// keyed by the Action named in the comment before each.
func winrmFixtureMessages(t testing.TB, name string) map[string][]byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(testfixture.Dir(t, "winrm"), name))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]byte{}
	for _, block := range strings.Split(string(data), "<!-- ")[1:] {
		action, body, ok := strings.Cut(block, " -->")
		if !ok {
			t.Fatalf("%s: malformed block", name)
		}
		out[action] = []byte(strings.TrimSpace(body))
	}
	return out
}

// psTestOutput collects a command's output in unit tests.
type psTestOutput struct{ stdout, stderr strings.Builder }

func (o *psTestOutput) writeStdout(p []byte) { o.stdout.Write(p) }
func (o *psTestOutput) writeStderr(p []byte) { o.stderr.Write(p) }

// psTestStdin is a complete stdin.
type psTestStdin string

func (s psTestStdin) readAll(context.Context) ([]byte, error) { return []byte(s), nil }

var errWinRMTestRestart = errors.New("docker run failed with exit code 125")

// seedStartVLLM puts the reviewed Start-VLLM.ps1 at path and a config.yml
// beside its scripts directory, as the seed's role deploys them.
func seedStartVLLM(fs *FS, path string) {
	fs.WriteFile(path, []byte(psKnownScript("Start-VLLM.ps1")))
	fs.WriteFile(psParentDir(psParentDir(path))+`\config.yml`, []byte("vllm:\r\n  enabled: true\r\n"))
}
