package api

import (
	"context"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestProbe(t *testing.T) {
	served := newFakeVLLM(t, fakeVLLM{})
	dead := newFakeVLLM(t, fakeVLLM{healthStatus: http.StatusServiceUnavailable})
	guarded := newFakeVLLM(t, fakeVLLM{key: testKey})
	cases := []struct {
		name, base, key, expected string
		state                     ProbeState
		reason                    string
	}{
		{"serving", served.URL, "", "llama31-8b-wintermute", StateServing, ""},
		{"serving, no name to check", served.URL, "", "", StateServing, ""},
		{"serving with key", guarded.URL, testKey, "llama31-8b-wintermute", StateServing, ""},
		{"loading: connection refused", refusedURL(t), "", "x", StateLoading, "connection refused"},
		{"engine dead", dead.URL, "", "llama31-8b-wintermute", StateEngineDead, "/health answered 503"},
		{"not serving the name", served.URL, "", "casperhansen/llama-3-8b-instruct-awq", StateNotServing,
			"serves `llama31-8b-wintermute`, not `casperhansen/llama-3-8b-instruct-awq`"},
		{"models needs the key", guarded.URL, "", "llama31-8b-wintermute", StateNotServing, "missing or wrong API key"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := NewVLLM(tc.base, tc.key, nil).Probe(context.Background(), tc.expected)
			if r.State != tc.state || !strings.Contains(r.Reason, tc.reason) {
				t.Fatalf("state %v reason %q, want %v containing %q", r.State, r.Reason, tc.state, tc.reason)
			}
			if (r.State == StateServing) != (r.Err == nil) || strings.Contains(r.Reason, "SECRET") {
				t.Errorf("err %v for state %v", r.Err, r.State)
			}
		})
	}
}

// A server that accepts and never answers costs the probe its own deadline.
func TestProbeUnreachableSilentServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 200*time.Millisecond)
	defer cancel()
	r := NewVLLM(silentListener(t), "", nil).Probe(ctx, "x")
	if r.State != StateUnreachable || !strings.Contains(r.Reason, "timeout") {
		t.Fatalf("state %v reason %q", r.State, r.Reason)
	}
}

func TestProbeStateNames(t *testing.T) {
	for s, want := range map[ProbeState]string{StateServing: "serving", StateLoading: "loading",
		StateUnreachable: "unreachable", StateEngineDead: "engine-dead", StateNotServing: "not-serving",
		ProbeState(99): "unknown"} {
		if s.String() != want {
			t.Errorf("%d: %q", s, s.String())
		}
	}
	if KindWrongModelName.String() != "wrong-model-name" || ErrorKind(42).String() != "kind(42)" {
		t.Error("kind names")
	}
}

// Fix 5: Docker Desktop's port proxy accepts a connection while vLLM loads
// behind it, then drops it: that is "loading (or not running)", like a
// refusal, not "unreachable".
func TestProbeDroppedConnectionIsLoading(t *testing.T) {
	for name, drop := range map[string]func(net.Conn){
		"EOF":   func(c net.Conn) { c.Close() },
		"reset": func(c net.Conn) { c.(*net.TCPConn).SetLinger(0); c.Close() },
	} {
		t.Run(name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			defer ln.Close()
			go func() {
				for {
					c, err := ln.Accept()
					if err != nil {
						return
					}
					drop(c)
				}
			}()
			r := NewVLLM("http://"+ln.Addr().String(), "", nil).Probe(context.Background(), "x")
			if r.State != StateLoading || !strings.Contains(r.Reason, "dropped") {
				t.Fatalf("state %v reason %q", r.State, r.Reason)
			}
		})
	}
}
