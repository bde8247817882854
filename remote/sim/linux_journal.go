package sim

import (
	"fmt"
	"sync"
	"time"
)

// journal is a Linux host's vLLM log: what `journalctl -u` and `docker
// logs` print, written as vLLM's own lines when its state changes.
type journal struct {
	host    string
	mu      sync.Mutex
	entries []journalEntry
	grew    chan struct{} // closed when an entry is added
}

type journalEntry struct {
	at   time.Time
	text string
}

const journalCap = 2000

func newJournal(host string) *journal {
	return &journal{host: host, grew: make(chan struct{})}
}

func (j *journal) add(text string) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.entries = append(j.entries, journalEntry{at: time.Now(), text: text})
	if len(j.entries) > journalCap {
		j.entries = j.entries[len(j.entries)-journalCap:]
	}
	close(j.grew)
	j.grew = make(chan struct{})
}

// since returns the entries after the first skip ones (counted from the
// start of what is kept), and a channel closed when more arrive.
func (j *journal) tail(n int) ([]journalEntry, int, <-chan struct{}) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if n < 0 || n > len(j.entries) {
		n = len(j.entries)
	}
	start := len(j.entries) - n
	return append([]journalEntry(nil), j.entries[start:]...), len(j.entries), j.grew
}

func (j *journal) after(seen int) ([]journalEntry, int, <-chan struct{}) {
	j.mu.Lock()
	defer j.mu.Unlock()
	seen = min(seen, len(j.entries))
	return append([]journalEntry(nil), j.entries[seen:]...), len(j.entries), j.grew
}

// watch writes a line for every state vLLM enters, until stop.
func (j *journal) watch(v *VLLMServer, stop <-chan struct{}) {
	for {
		v.mu.Lock()
		state, changed, cfg := v.state, v.changed, v.cfg
		v.mu.Unlock()
		j.add(stateLine(state, cfg, v.URL()))
		select {
		case <-changed:
		case <-stop:
			return
		}
	}
}

// stateLine is the log line vLLM prints on entering state (vLLM's format:
// LEVEL MM-DD HH:MM:SS [file:line] message).
func stateLine(state VLLMState, cfg vllmConfig, url string) string {
	stamp := time.Now().Format("01-02 15:04:05")
	switch state {
	case VLLMServing:
		return fmt.Sprintf("INFO %s [launcher.py:37] Route: /v1/chat/completions, Methods: POST; serving %v on %s", stamp, cfg.servedIDs(), url)
	case VLLMLoading:
		return fmt.Sprintf("INFO %s [api_server.py:1880] vLLM API server version 0.10.1.1; loading model %s", stamp, cfg.Model)
	case VLLMFailed:
		return fmt.Sprintf("ERROR %s [engine.py:456] EngineCore failed to start; model %s", stamp, cfg.Model)
	}
	return fmt.Sprintf("INFO %s [launcher.py:80] Shutting down FastAPI HTTP server.", stamp)
}
