package remote_test

import (
	"bytes"
	"context"
	"encoding/pem"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/remote/sim"
)

// straylight's client against the simulated lab's WinRM, whose NTLM and
// message sealing are written separately from the client's (which uses
// bodgit/ntlmssp). The lab runs with Windows' default AllowUnencrypted=false.

const labPath = `C:\Users\mdt\dev\wintermute\config.yml`

// wire records what crossed the connection: content types and raw bodies.
type wire struct {
	mu     sync.Mutex
	types  []string
	bodies [][]byte
}

func (w *wire) wrap(next http.Handler) http.Handler {
	return http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		w.mu.Lock()
		w.types = append(w.types, r.Header.Get("Content-Type"))
		w.bodies = append(w.bodies, body)
		w.mu.Unlock()
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(rw, r)
	})
}

func startLabWinRM(t *testing.T, tlsServer bool) (*httptest.Server, *sim.FS, *wire) {
	t.Helper()
	fs := sim.NewFS()
	srv := sim.NewWinRMServer(sim.WinRMOptions{User: "mdt", Password: "lab-password", FS: fs,
		Hostname: "wintermute", DenyUnencrypted: true})
	recorded := &wire{}
	hs := httptest.NewUnstartedServer(recorded.wrap(srv))
	hs.Config.ErrorLog = log.New(io.Discard, "", 0)
	if tlsServer {
		hs.StartTLS()
	} else {
		hs.Start()
	}
	t.Cleanup(func() { srv.Close(); hs.Close() })
	return hs, fs, recorded
}

func labClient(t *testing.T, hs *httptest.Server, password string) *remote.WinRM {
	t.Helper()
	host, portText, _ := net.SplitHostPort(hs.Listener.Addr().String())
	port, _ := strconv.Atoi(portText)
	cfg := remote.WinRMConfig{Host: host, Port: port, Scheme: "http", Transport: "ntlm", User: "mdt", Password: password}
	if hs.TLS != nil {
		cfg.Scheme = "https"
		cfg.CATrustPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: hs.Certificate().Raw})
	}
	w, err := remote.NewWinRM(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

func labContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// Over plain HTTP, NTLM messages are sealed: the lab (AllowUnencrypted=false)
// serves them, and neither the file's content nor the SOAP crosses in clear.
func TestWinRMNTLMOverHTTPIsSealed(t *testing.T) {
	hs, fs, recorded := startLabWinRM(t, false)
	w := labClient(t, hs, "lab-password")
	content := []byte("vllm:\r\n  served_model_name: \"secret-model-name\"\r\n")
	if _, err := w.WriteFile(labContext(t), labPath, content); err != nil {
		t.Fatal(err)
	}
	got, err := w.ReadFile(labContext(t), labPath)
	if err != nil || !bytes.Equal(got.Content, content) {
		t.Fatalf("read back %q, %v", got.Content, err)
	}
	if stored, _ := fs.ReadFile(labPath); !bytes.Equal(stored, content) {
		t.Fatalf("the lab holds %q", stored)
	}
	recorded.mu.Lock()
	defer recorded.mu.Unlock()
	sealed := 0
	for i, body := range recorded.bodies {
		switch {
		case len(body) == 0:
		case strings.HasPrefix(recorded.types[i], "multipart/encrypted"):
			sealed++
		default:
			t.Errorf("request %d went unsealed (%s)", i, recorded.types[i])
		}
		if bytes.Contains(body, []byte("Envelope")) || bytes.Contains(body, []byte("c2VjcmV0LW1vZGVsLW5hbWU")) {
			t.Errorf("request %d carries SOAP or the content in clear", i)
		}
	}
	if sealed == 0 {
		t.Error("no sealed request")
	}
}

func TestWinRMNTLMOverHTTPS(t *testing.T) {
	hs, _, _ := startLabWinRM(t, true)
	w := labClient(t, hs, "lab-password")
	res, err := w.Run(labContext(t), remote.Command{Shell: remote.Cmd, Script: "hostname"})
	if err != nil || strings.TrimSpace(res.Stdout) != "wintermute" {
		t.Fatalf("%+v %v", res, err)
	}
}

func TestWinRMNTLMWrongPasswordAgainstTheLab(t *testing.T) {
	for _, tlsServer := range []bool{false, true} {
		hs, _, _ := startLabWinRM(t, tlsServer)
		_, err := labClient(t, hs, "wrong-password").ReadFile(labContext(t), labPath)
		if !errors.Is(err, remote.ErrAuth) || strings.Contains(err.Error(), "wrong-password") {
			t.Errorf("tls %v: %v, want ErrAuth without the password", tlsServer, err)
		}
	}
}

// Many concurrent calls share the pool of authenticated connections; each
// keeps its own sealing sequence.
func TestWinRMNTLMSealedConcurrentCalls(t *testing.T) {
	hs, fs, _ := startLabWinRM(t, false)
	fs.WriteFile(labPath, []byte("x"))
	w := labClient(t, hs, "lab-password")
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			if _, err := w.ReadFile(labContext(t), labPath); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
