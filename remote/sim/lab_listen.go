package sim

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"sync"
	"time"
)

// errNotLoopback is returned for any address outside 127.0.0.0/8 and ::1: the
// lab never listens where another machine could reach it.
var errNotLoopback = errors.New("sim: the lab listens only on loopback addresses")

// checkLoopback accepts "ip:port" where ip is a loopback IP literal. Names
// (even "localhost") and wildcard addresses are refused.
func checkLoopback(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("sim: bad listen address %q: %w", addr, err)
	}
	ip := net.ParseIP(host)
	if ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%w (got %q)", errNotLoopback, addr)
	}
	return nil
}

// listenLoopback listens on addr after checking that it is loopback.
func listenLoopback(addr string) (net.Listener, error) {
	if err := checkLoopback(addr); err != nil {
		return nil, err
	}
	return net.Listen("tcp", addr)
}

// loopServer is one HTTP(S) endpoint that can stop listening and start again
// on an address: while stopped, connections are refused, as they are while a
// real server is down or loading. Each start gets a fresh http.Server, so a
// stop also drops every open connection.
type loopServer struct {
	tlsConfig   *tls.Config   // nil: plain HTTP
	idleTimeout time.Duration // keep-alive idle timeout (vLLM: 5 s)

	mu   sync.Mutex
	srv  *http.Server
	addr string
	wg   sync.WaitGroup
}

// start listens on addr and serves h. It fails when already running.
func (s *loopServer) start(addr string, h http.Handler) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.srv != nil {
		return fmt.Errorf("sim: %s already serving", s.addr)
	}
	ln, err := listenLoopback(addr)
	if err != nil {
		return err
	}
	s.serveLocked(ln, h)
	return nil
}

func (s *loopServer) serveLocked(ln net.Listener, h http.Handler) {
	if s.tlsConfig != nil {
		ln = tls.NewListener(ln, s.tlsConfig)
	}
	srv := &http.Server{Handler: h, IdleTimeout: s.idleTimeout, ReadHeaderTimeout: 30 * time.Second, ErrorLog: discardLogger()}
	s.srv, s.addr = srv, ln.Addr().String()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		_ = srv.Serve(ln)
	}()
}

// stop closes the listener and every connection; it is a no-op when stopped.
func (s *loopServer) stop() {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv != nil {
		_ = srv.Close()
		s.wg.Wait()
	}
}

// stopGracefully closes the listener at once, lets requests in progress end
// for up to grace, then drops what is left.
func (s *loopServer) stopGracefully(grace time.Duration) {
	s.mu.Lock()
	srv := s.srv
	s.srv = nil
	s.mu.Unlock()
	if srv == nil {
		return
	}
	shutdownWithin(srv, grace)
	s.wg.Wait()
}

func (s *loopServer) running() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.srv != nil
}

func shutdownWithin(srv *http.Server, grace time.Duration) {
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if srv.Shutdown(ctx) != nil {
		_ = srv.Close()
	}
}

// discardLogger keeps net/http's per-connection errors (TLS handshakes from
// probing clients, aborted streams) out of test output.
func discardLogger() *log.Logger { return log.New(io.Discard, "", 0) }
