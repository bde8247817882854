package ui

import (
	"errors"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/fleet/status"
	"github.com/straylight-fleet/straylight/remote"
)

// netCounter counts every attempt to reach a host, over HTTP (vLLM,
// LiteLLM) or through a transport (WinRM, local), and refuses it.
type netCounter struct{ calls atomic.Int64 }

func (c *netCounter) RoundTrip(*http.Request) (*http.Response, error) {
	c.calls.Add(1)
	return nil, errors.New("network refused by the test")
}

func (c *netCounter) transport(fleet.Connection) (remote.Transport, error) {
	c.calls.Add(1)
	return nil, errors.New("network refused by the test")
}

// networkedServices are the real monitor, planner and engine, wired to the
// counter.
func networkedServices(f *fixture, c *netCounter) services {
	client := &http.Client{Transport: c}
	svc := f.svc
	s := fleet.NewSession(fleet.Config{Repo: f.dir, Transports: c.transport})
	svc.plan = s.Plan
	svc.monitor = func(repo *fleet.Repo) statusSource {
		hosts, proxy := s.StatusTargets(repo, nil)
		return status.New(status.Config{Hosts: hosts, Proxy: proxy, HTTPClient: client, Timeout: time.Second})
	}
	svc.engine = func(repo *fleet.Repo, hosts []string) engine {
		e := s.Engine(repo, hosts)
		e.HTTP = client
		return e
	}
	return svc
}

// TestKeypressMakesNoNetworkCall presses every key of the contract in every
// view with the real monitor, planner and engine behind the UI, and proves
// that Update and View never reach the network: whatever needs a host is
// returned as a command. Running those commands afterwards does reach it,
// which shows the counter counts.
func TestKeypressMakesNoNetworkCall(t *testing.T) {
	f := newFixture(t)
	counter := &netCounter{}
	f.svc = networkedServices(f, counter)
	contract := []string{"up", "down", "j", "k", "tab", "/", "x", "enter", "e", "d", "a", "y", "r", "y", "t", "?", "esc", "c", "shift+tab", "backspace", "q", "ctrl+c"}
	paths := [][]string{nil, {"tab"}, {"enter"}, {"d"}, {"a"}, {"r"}, {"t"}, {"?"}, {"/"}}
	var cmds []tea.Cmd
	for _, path := range paths {
		for _, k := range contract {
			m := f.ready(80, 24)
			m, _ = pressKeys(m, path...)
			out, cmd := m.Update(keyPress(k))
			_ = out.(Model).View()
			cmds = append(cmds, cmd)
		}
	}
	if n := counter.calls.Load(); n != 0 {
		t.Fatalf("%d network calls on the Update path", n)
	}
	ran := 0
	for _, cmd := range cmds {
		ran += runBounded(cmd)
	}
	m := f.ready(80, 24)
	runBounded(m.startMonitor())
	_, cmd := m.requestPlan()
	runBounded(cmd)
	if counter.calls.Load() == 0 {
		t.Errorf("the commands (%d run) reach the network, and the counter sees it", ran)
	}
}

// runBounded runs a command (and a batch's commands) for at most a moment
// each and returns how many ran.
func runBounded(cmd tea.Cmd) int {
	if cmd == nil {
		return 0
	}
	done := make(chan tea.Msg, 1)
	go func() { done <- cmd() }()
	select {
	case msg := <-done:
		n := 1
		if batch, ok := msg.(tea.BatchMsg); ok {
			for _, c := range batch {
				n += runBounded(c)
			}
		}
		return n
	case <-time.After(200 * time.Millisecond):
		return 1
	}
}
