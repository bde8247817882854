package remote

import (
	"context"
	"fmt"
	"sync"

	"golang.org/x/crypto/ssh"
)

// SSHPool keeps one connection per host, reused by every command of a
// refresh or an apply, and redials a host whose connection died. Decrypted
// keys are kept for the pool's life so an encrypted key's passphrase is
// asked once (the passphrase itself is not kept).
type SSHPool struct {
	mu      sync.Mutex
	entries map[string]*poolEntry
	signers map[string]ssh.Signer
	loading map[string]chan struct{} // one key load per file at a time
}

type poolEntry struct {
	key   string
	ready chan struct{} // closed when the dial finished
	conn  *SSH
	err   error
}

// NewSSHPool returns an empty pool.
func NewSSHPool() *SSHPool {
	return &SSHPool{entries: map[string]*poolEntry{}, signers: map[string]ssh.Signer{}, loading: map[string]chan struct{}{}}
}

// Get returns the host's transport, dialling when there is no live
// connection for settings.Alias (or its settings changed). Concurrent calls
// for one host share a single dial. The returned SSH's Close does nothing:
// the pool closes connections (Forget, Close).
func (p *SSHPool) Get(ctx context.Context, settings SSHSettings) (*SSH, error) {
	entry, dial := p.entry(settings)
	if dial { // the dial's own error, not a race with its deadline
		conn, err := dialSSH(ctx, settings, p.signerSource(settings.Passphrase))
		p.finish(settings.Alias, entry, conn, err)
		return entry.view(settings)
	}
	select {
	case <-entry.ready:
		return entry.view(settings)
	case <-ctx.Done():
		return nil, fmt.Errorf("ssh %s: waiting for the connection: %w", settings.Alias, ctx.Err())
	}
}

// view is the dialled connection as settings ask for it (their become).
func (e *poolEntry) view(settings SSHSettings) (*SSH, error) {
	if e.err != nil {
		return nil, e.err
	}
	view := *e.conn
	view.become, view.borrowed = settings.Become, true
	return &view, nil
}

// Transport builds a host's settings from its Ansible variables and
// returns its pooled connection: what an engine calls for
// ansible_connection: ssh.
func (p *SSHPool) Transport(ctx context.Context, alias string, vars VarLookup, env SSHEnv) (*SSH, error) {
	settings, err := SSHSettingsFromVars(alias, vars, env)
	if err != nil {
		return nil, err
	}
	return p.Get(ctx, settings)
}

// entry finds or creates the host's entry; dial tells the caller to dial.
func (p *SSHPool) entry(settings SSHSettings) (*poolEntry, bool) {
	key := poolKey(settings)
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.entries[settings.Alias]; ok && e.key == key && e.usable() {
		return e, false
	} else if ok {
		go e.close()
	}
	e := &poolEntry{key: key, ready: make(chan struct{})}
	p.entries[settings.Alias] = e
	return e, true
}

func (p *SSHPool) finish(alias string, e *poolEntry, conn *SSH, err error) {
	e.conn, e.err = conn, err
	close(e.ready)
	if err != nil {
		p.mu.Lock()
		if p.entries[alias] == e {
			delete(p.entries, alias)
		}
		p.mu.Unlock()
	}
}

// usable: still dialling, or dialled and alive.
func (e *poolEntry) usable() bool {
	select {
	case <-e.ready:
	default:
		return true
	}
	if e.err != nil {
		return false
	}
	select {
	case <-e.conn.Done():
		return false
	default:
		return true
	}
}

func (e *poolEntry) close() {
	<-e.ready
	if e.conn != nil {
		e.conn.conn.close()
	}
}

// Forget closes the host's connection; the next Get dials again.
func (p *SSHPool) Forget(alias string) {
	p.mu.Lock()
	e, ok := p.entries[alias]
	delete(p.entries, alias)
	p.mu.Unlock()
	if ok {
		e.close()
	}
}

// Close closes every connection.
func (p *SSHPool) Close() error {
	p.mu.Lock()
	entries := p.entries
	p.entries = map[string]*poolEntry{}
	p.mu.Unlock()
	for _, e := range entries {
		e.close()
	}
	return nil
}

// signerSource caches decrypted keys by file. One load per file runs at
// a time, so hosts sharing an encrypted key ask its passphrase once.
func (p *SSHPool) signerSource(passphrase PassphraseFunc) signerSource {
	return func(ctx context.Context, file string) (ssh.Signer, error) {
		lock := p.loadLock(file)
		select {
		case lock <- struct{}{}:
			defer func() { <-lock }()
		case <-ctx.Done():
			return nil, fmt.Errorf("private key %s: waiting for another connection to load it: %w", file, ctx.Err())
		}
		if signer := p.cachedSigner(file); signer != nil {
			return signer, nil
		}
		signer, err := loadSigner(ctx, file, passphrase)
		if err == nil {
			p.keepSigner(file, signer)
		}
		return signer, err
	}
}

// loadLock is the file's one-at-a-time lock (a channel of capacity 1).
func (p *SSHPool) loadLock(file string) chan struct{} {
	p.mu.Lock()
	defer p.mu.Unlock()
	lock, ok := p.loading[file]
	if !ok {
		lock = make(chan struct{}, 1)
		p.loading[file] = lock
	}
	return lock
}

func (p *SSHPool) cachedSigner(file string) ssh.Signer {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.signers[file]
}

func (p *SSHPool) keepSigner(file string, signer ssh.Signer) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.signers[file] = signer
}

// poolKey is what must match for a connection to be reused.
func poolKey(s SSHSettings) string {
	return fmt.Sprintf("%s|%s|%d|%s|%v|%v|%v|%s", s.Alias, s.Host, s.Port, s.User, s.Jumps, s.IdentityFiles,
		s.HostKeyChecking, sha256Hex([]byte(s.Password)))
}
