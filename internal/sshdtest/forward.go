package sshdtest

import (
	"io"
	"net"
	"sync"
	"testing"
)

// Forwarder relays TCP connections from a loopback address to a target.
// Silence stops relaying while keeping the sockets open, as a network
// that drops packets does: neither side sees an error.
type Forwarder struct {
	Addr   string
	target string
	ln     net.Listener
	mu     sync.Mutex
	silent bool
	conns  []net.Conn
	wg     sync.WaitGroup
}

// Forward listens on listenAddr (host:port, port 0 for any) and relays to
// target until the test ends.
func Forward(t testing.TB, listenAddr, target string) *Forwarder {
	t.Helper()
	f, err := NewForwarder(listenAddr, target)
	if err != nil {
		t.Fatalf("sshdtest: forwarder on %s: %v", listenAddr, err)
	}
	t.Cleanup(f.Close)
	return f
}

// NewForwarder starts a forwarder; Close stops it.
func NewForwarder(listenAddr, target string) (*Forwarder, error) {
	ln, err := net.Listen("tcp", listenAddr)
	if err != nil {
		return nil, err
	}
	f := &Forwarder{Addr: ln.Addr().String(), target: target, ln: ln}
	f.wg.Add(1)
	go f.accept()
	return f, nil
}

func (f *Forwarder) accept() {
	defer f.wg.Done()
	for {
		client, err := f.ln.Accept()
		if err != nil {
			return
		}
		server, err := net.Dial("tcp", f.target)
		if err != nil {
			client.Close()
			continue
		}
		f.track(client, server)
		go f.relay(client, server)
		go f.relay(server, client)
	}
}

func (f *Forwarder) track(conns ...net.Conn) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.conns = append(f.conns, conns...)
}

func (f *Forwarder) relay(from, to net.Conn) {
	buf := make([]byte, 32*1024)
	for {
		n, err := from.Read(buf)
		if n > 0 && !f.isSilent() {
			if _, werr := to.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if err == io.EOF && !f.isSilent() {
				closeWrite(to)
			}
			return
		}
	}
}

func closeWrite(c net.Conn) {
	if tcp, ok := c.(*net.TCPConn); ok {
		_ = tcp.CloseWrite()
	}
}

func (f *Forwarder) isSilent() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.silent
}

// Silence drops every byte from now on, in both directions.
func (f *Forwarder) Silence() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.silent = true
}

// Cut closes every relayed connection.
func (f *Forwarder) Cut() {
	f.mu.Lock()
	conns := f.conns
	f.conns = nil
	f.mu.Unlock()
	for _, c := range conns {
		c.Close()
	}
}

// Close stops listening and cuts every connection.
func (f *Forwarder) Close() {
	f.ln.Close()
	f.Cut()
	f.wg.Wait()
}
