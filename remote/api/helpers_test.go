package api

import (
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/internal/testfixture"
)

// wireDir is the repository's testdata/wire; a missing directory fails the
// test.
func wireDir(tb testing.TB) string {
	tb.Helper()
	return testfixture.Dir(tb, "wire")
}

func fixture(tb testing.TB, name string) []byte {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(wireDir(tb), name))
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

// reply is what a replay route answers.
type reply struct {
	status  int
	headers map[string]string
	body    []byte
	slow    bool // write the body in odd-sized pieces, flushing and pausing between them
}

// replayServer serves fixture bytes on loopback. Slow replies cut the body at
// sizes 1..13 so that chunk boundaries fall inside events, lines and "\r\n".
func replayServer(tb testing.TB, routes map[string]reply) *httptest.Server {
	tb.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rep, ok := routes[r.URL.Path]
		if !ok {
			rep = reply{status: http.StatusNotFound, body: []byte(`{"detail":"Not Found"}`)}
		}
		writeReply(w, r, rep)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func writeReply(w http.ResponseWriter, r *http.Request, rep reply) {
	for k, v := range rep.headers {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rep.status)
	if !rep.slow {
		_, _ = w.Write(rep.body)
		return
	}
	writeSlowly(w, r, rep.body)
}

func writeSlowly(w http.ResponseWriter, r *http.Request, body []byte) {
	flusher := w.(http.Flusher)
	for i, size := 0, 1; i < len(body); size = size%13 + 1 {
		end := min(i+size, len(body))
		if _, err := w.Write(body[i:end]); err != nil || r.Context().Err() != nil {
			return
		}
		flusher.Flush()
		time.Sleep(200 * time.Microsecond)
		i = end
	}
}

func sseReply(body []byte) reply {
	return reply{status: http.StatusOK, slow: true, body: body,
		headers: map[string]string{"Content-Type": "text/event-stream; charset=utf-8"}}
}

func jsonReply(status int, body []byte) reply {
	return reply{status: status, body: body, headers: map[string]string{"Content-Type": "application/json"}}
}

// silentListener accepts loopback connections and never answers on them.
func silentListener(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
		}
	}()
	tb.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	return "http://" + ln.Addr().String()
}

// refusedURL returns a loopback URL nothing listens on.
func refusedURL(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return "http://" + addr
}

func asAPIError(tb testing.TB, err error) *APIError {
	tb.Helper()
	var apiErr *APIError
	if !errors.As(err, &apiErr) {
		tb.Fatalf("want *APIError, got %T: %v", err, err)
	}
	return apiErr
}

func assertOneLine(tb testing.TB, s string) {
	tb.Helper()
	if strings.ContainsAny(s, "\r\n") || s == "" {
		tb.Errorf("reason must be one non-empty line, got %q", s)
	}
}
