package remote

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os/user"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

const (
	defaultSSHPort           = 22
	defaultKeepAliveInterval = 15 * time.Second
	defaultKeepAliveCountMax = 3
	defaultPassphraseTimeout = 5 * time.Minute
)

// hop is one SSH connection of a chain (jump hosts, then the target).
type hop struct {
	alias, host, user string
	port              int
	identityFiles     []string
	password          string // only the target's
}

func (h hop) address() string {
	return net.JoinHostPort(h.host, strconv.Itoa(portOr(h.port)))
}

func portOr(port int) int {
	if port == 0 {
		return defaultSSHPort
	}
	return port
}

// hops lists the chain: each ProxyJump hop, then the target.
func (s SSHSettings) hops() []hop {
	var hops []hop
	for _, j := range s.Jumps {
		hops = append(hops, hop{alias: j.Alias, host: j.Host, user: stringOr(j.User, localUserName()), port: j.Port,
			identityFiles: j.IdentityFiles})
	}
	return append(hops, hop{alias: s.Alias, host: s.Host, user: s.User, port: s.Port,
		identityFiles: s.IdentityFiles, password: s.Password})
}

// localUserName is OpenSSH's default user for a jump host without one.
func localUserName() string {
	if u, err := user.Current(); err == nil {
		return u.Username
	}
	return ""
}

// dialer opens a chain of SSH connections under one deadline.
type dialer struct {
	settings SSHSettings
	keys     *hostKeyChecker // nil: host keys are not checked
	signers  signerSource
}

// signerSource loads a private key (a pool caches decrypted ones); an
// encrypted key's passphrase is waited for until ctx ends (the operator's
// deadline, not ConnectTimeout: see loadAuths).
type signerSource func(ctx context.Context, file string) (ssh.Signer, error)

// dialChain connects hop after hop, each with its auths entry; the
// clients come back outermost first. On failure the caller closes auths.
func (d dialer) dialChain(ctx context.Context, auths []*sshAuth) ([]*ssh.Client, error) {
	var clients []*ssh.Client
	for i, h := range d.settings.hops() {
		client, err := d.dialHop(ctx, h, auths[i], clients)
		if err != nil {
			closeChain(clients, nil)
			return nil, err
		}
		clients = append(clients, client)
	}
	return clients, nil
}

func (d dialer) dialHop(ctx context.Context, h hop, auth *sshAuth, previous []*ssh.Client) (*ssh.Client, error) {
	conn, err := d.openConn(ctx, h, previous)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %v", ErrUnreachable, h.address(), err)
	}
	return d.handshake(ctx, conn, h, auth)
}

func (d dialer) openConn(ctx context.Context, h hop, previous []*ssh.Client) (net.Conn, error) {
	if len(previous) == 0 {
		var nd net.Dialer
		return nd.DialContext(ctx, "tcp", h.address())
	}
	return previous[len(previous)-1].DialContext(ctx, "tcp", h.address())
}

// handshake runs the SSH handshake; the connection is closed when ctx ends
// first, which makes the handshake return.
func (d dialer) handshake(ctx context.Context, conn net.Conn, h hop, auth *sshAuth) (*ssh.Client, error) {
	config := d.clientConfig(h, auth)
	type result struct {
		client *ssh.Client
		err    error
	}
	done := make(chan result, 1)
	go func() {
		c, chans, reqs, err := ssh.NewClientConn(conn, h.address(), config)
		if err != nil {
			done <- result{err: err}
			return
		}
		done <- result{client: ssh.NewClient(c, chans, reqs)}
	}()
	select {
	case r := <-done:
		return r.client, d.handshakeError(h, auth, conn, r.err)
	case <-ctx.Done():
		conn.Close()
		<-done
		return nil, fmt.Errorf("%w: %s: no SSH handshake before the deadline (%w)", ErrUnreachable, h.address(), ctx.Err())
	}
}

func (d dialer) handshakeError(h hop, auth *sshAuth, conn net.Conn, err error) error {
	if err == nil {
		return nil
	}
	conn.Close()
	switch {
	case errors.Is(err, ErrHostKey):
		return err
	case isSSHAuthFailure(err):
		return auth.failure(h.user, err)
	}
	return fmt.Errorf("%w: %s: ssh handshake: %v", ErrUnreachable, h.address(), err)
}

func isSSHAuthFailure(err error) bool {
	var noAuth *ssh.ServerAuthError
	return errors.As(err, &noAuth) || strings.Contains(err.Error(), "unable to authenticate")
}

func (d dialer) clientConfig(h hop, auth *sshAuth) *ssh.ClientConfig {
	config := &ssh.ClientConfig{User: h.user, Auth: auth.methods, HostKeyCallback: ssh.InsecureIgnoreHostKey()}
	if d.keys != nil {
		config.HostKeyCallback = d.keys.check(h.alias)
		config.HostKeyAlgorithms = d.keys.algorithmsFor(h.address())
	}
	return config
}

func closeChain(clients []*ssh.Client, auths []*sshAuth) {
	for i := len(clients) - 1; i >= 0; i-- {
		clients[i].Close()
	}
	closeAuths(auths)
}

func closeAuths(auths []*sshAuth) {
	for _, a := range auths {
		a.close()
	}
}

// keepAlive sends keepalive@openssh.com every interval; after countMax
// unanswered intervals it closes the client, which ends every command on it.
func keepAlive(client *ssh.Client, interval time.Duration, countMax int, stop <-chan struct{}) {
	ticker := time.NewTicker(interval)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-ticker.C:
			if !answersWithin(client, interval*time.Duration(countMax)) {
				client.Close()
				return
			}
		}
	}
}

// answersWithin sends one keepalive and waits for the reply up to limit.
func answersWithin(client *ssh.Client, limit time.Duration) bool {
	answered := make(chan error, 1)
	go func() {
		_, _, err := client.SendRequest("keepalive@openssh.com", true, nil)
		answered <- err
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case err := <-answered:
		return err == nil
	case <-timer.C:
		return false
	}
}
