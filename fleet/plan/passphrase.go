package plan

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/straylight-fleet/straylight/remote"
)

// ErrPassphraseRefused: the operator declined to give an encrypted SSH
// key's passphrase (esc at the prompt). The key stays unused for the
// session and its hosts say so.
var ErrPassphraseRefused = errors.New("passphrase not given (the prompt was cancelled)")

// PassphraseRequest is the session asking the operator, through whichever
// face listens (fleet.Session.PassphraseRequests), for the passphrase of an
// encrypted SSH key that no agent offers. Exactly one of Answer and Refuse
// should be called; later calls do nothing.
type PassphraseRequest struct {
	KeyFile string
	ask     *keyAsk
}

// Answer gives the passphrase. The session copies it, hands it to the key
// once and clears its copy; the caller should clear secret too.
func (r PassphraseRequest) Answer(secret []byte) { r.ask.settle(append([]byte(nil), secret...), false) }

// Refuse declines: every connection needing the key fails with
// ErrPassphraseRefused, naming the key, until the session ends.
func (r PassphraseRequest) Refuse() { r.ask.settle(nil, true) }

// keyAsk is one outstanding (or refused) question about one key.
type keyAsk struct {
	once    sync.Once
	settled chan struct{}
	secret  []byte
	refused bool
}

func (a *keyAsk) settle(secret []byte, refused bool) {
	a.once.Do(func() {
		a.secret, a.refused = secret, refused
		close(a.settled)
	})
}

// Passphrases routes the transports' need for a key's passphrase to the
// face that listens (its Ask is the SSHEnv's remote.PassphraseFunc). A question is asked once per key; an answer is handed
// to one key load and forgotten (a wrong one is asked again), a refusal is
// kept for the session. Nothing here is logged or written anywhere.
type Passphrases struct {
	mu        sync.Mutex
	listening bool
	requests  chan PassphraseRequest
	asks      map[string]*keyAsk
}

// NewPassphrases returns a router with no listener yet.
func NewPassphrases() *Passphrases {
	return &Passphrases{requests: make(chan PassphraseRequest, 64), asks: map[string]*keyAsk{}}
}

// Listen marks a face as answering and returns the questions.
func (p *Passphrases) Listen() <-chan PassphraseRequest {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.listening = true
	return p.requests
}

// Ask is a remote.PassphraseFunc: it asks once and waits for the answer
// until ctx ends.
func (p *Passphrases) Ask(ctx context.Context, keyFile string) ([]byte, error) {
	a, err := p.question(keyFile)
	if err != nil {
		return nil, err
	}
	select {
	case <-a.settled:
		return p.take(keyFile, a)
	case <-ctx.Done():
		return nil, fmt.Errorf("%w: the passphrase is asked on screen (%w)", remote.ErrAwaitingOperator, ctx.Err())
	}
}

// question is the key's outstanding question, asking it when there is none.
func (p *Passphrases) question(keyFile string) (*keyAsk, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.listening {
		return nil, errors.New("no passphrase prompt is available (add the key to ssh-agent)")
	}
	if a, ok := p.asks[keyFile]; ok {
		return a, nil
	}
	a := &keyAsk{settled: make(chan struct{})}
	select {
	case p.requests <- PassphraseRequest{KeyFile: keyFile, ask: a}:
	default:
		return nil, errors.New("too many passphrase questions are waiting on screen")
	}
	p.asks[keyFile] = a
	return a, nil
}

// take hands an answer over once: the next load of the key asks again
// (the pool keeps the decrypted key, so that happens only after a wrong
// passphrase). A refusal stays.
func (p *Passphrases) take(keyFile string, a *keyAsk) ([]byte, error) {
	if a.refused {
		return nil, ErrPassphraseRefused
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.asks[keyFile] != a || a.secret == nil {
		return nil, errors.New("the passphrase given was already used for this key")
	}
	delete(p.asks, keyFile)
	secret := a.secret
	a.secret = nil
	return secret, nil
}
