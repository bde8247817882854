package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"slices"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/agent"
)

// sshAuth gathers a login's authentication methods in OpenSSH's order:
// public keys (the agent's, then the identity files), then password and
// keyboard-interactive with ansible_password.
type sshAuth struct {
	agentConn net.Conn // closed with the transport
	methods   []ssh.AuthMethod
	problems  []error // keys that could not be loaded, reported if auth fails
}

// newSSHAuth loads the agent's keys, then each identity file the agent
// does not already offer (asking an encrypted one's passphrase). It fails
// only when ctx ended while a passphrase was awaited; a key that cannot be
// loaded otherwise is a problem reported if authentication fails.
func newSSHAuth(ctx context.Context, identityFiles []string, agentSocket, password string, signers signerSource) (*sshAuth, error) {
	a := &sshAuth{}
	keys := a.agentSigners(agentSocket)
	for _, file := range identityFiles {
		if offeredByAgent(file, keys) {
			continue
		}
		signer, err := signers(ctx, file)
		if err != nil && ctx.Err() != nil {
			a.close()
			return nil, fmt.Errorf("%w: %w", ErrAuth, err)
		}
		if err != nil {
			a.problems = append(a.problems, err)
			continue
		}
		keys = append(keys, signer)
	}
	a.addMethods(keys, password)
	return a, nil
}

func (a *sshAuth) addMethods(keys []ssh.Signer, password string) {
	if len(keys) > 0 {
		a.methods = append(a.methods, ssh.PublicKeys(keys...))
	}
	if password != "" {
		a.methods = append(a.methods, ssh.Password(password),
			ssh.KeyboardInteractive(answerWithPassword(password)))
	}
}

// offeredByAgent reports whether file is an encrypted key whose public
// half one of the agent's keys is: OpenSSH then uses the agent and asks
// no passphrase, and so does straylight.
func offeredByAgent(file string, agentKeys []ssh.Signer) bool {
	if len(agentKeys) == 0 {
		return false
	}
	pem, err := os.ReadFile(file)
	if err != nil {
		return false
	}
	_, err = ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if !errors.As(err, &missing) || missing.PublicKey == nil {
		return false
	}
	public := missing.PublicKey.Marshal()
	return slices.ContainsFunc(agentKeys, func(k ssh.Signer) bool { return bytes.Equal(k.PublicKey().Marshal(), public) })
}

func (a *sshAuth) agentSigners(socket string) []ssh.Signer {
	if socket == "" {
		return nil
	}
	conn, err := net.Dial("unix", socket)
	if err != nil {
		a.problems = append(a.problems, fmt.Errorf("ssh-agent at SSH_AUTH_SOCK: %w", err))
		return nil
	}
	signers, err := agent.NewClient(conn).Signers()
	if err != nil {
		conn.Close()
		a.problems = append(a.problems, fmt.Errorf("ssh-agent: listing keys: %w", err))
		return nil
	}
	a.agentConn = conn
	return signers
}

// ErrAwaitingOperator marks a call that ran out of time waiting for the
// operator (an SSH key's passphrase asked on screen), not for the host.
var ErrAwaitingOperator = errors.New("waiting for the operator")

// PassphraseFunc asks for an encrypted private key's passphrase. It
// returns when ctx ends if no answer came by then: the caller's deadline
// or SSHSettings.PassphraseTimeout, never ConnectTimeout (the prompt is
// answered before the connect's clock starts).
type PassphraseFunc func(ctx context.Context, keyFile string) ([]byte, error)

// fileSigners loads keys from disk, asking passphrase for encrypted ones.
func fileSigners(passphrase PassphraseFunc) signerSource {
	return func(ctx context.Context, file string) (ssh.Signer, error) { return loadSigner(ctx, file, passphrase) }
}

// loadSigner reads a private key, asking for the passphrase of an
// encrypted one. The passphrase is used once and not kept.
func loadSigner(ctx context.Context, file string, passphrase PassphraseFunc) (ssh.Signer, error) {
	pem, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("private key %s: %w", file, err)
	}
	signer, err := ssh.ParsePrivateKey(pem)
	var missing *ssh.PassphraseMissingError
	if !errors.As(err, &missing) {
		if err != nil {
			return nil, fmt.Errorf("private key %s: %w", file, err)
		}
		return signer, nil
	}
	return decryptSigner(ctx, file, pem, passphrase)
}

func decryptSigner(ctx context.Context, file string, pem []byte, passphrase PassphraseFunc) (ssh.Signer, error) {
	if passphrase == nil {
		return nil, fmt.Errorf("private key %s is encrypted and no passphrase prompt is available (add it to ssh-agent)", file)
	}
	secret, err := passphrase(ctx, file)
	if err != nil {
		return nil, fmt.Errorf("private key %s: passphrase: %w", file, err)
	}
	defer clear(secret)
	signer, err := ssh.ParsePrivateKeyWithPassphrase(pem, secret)
	if err != nil {
		return nil, fmt.Errorf("private key %s: wrong passphrase or unreadable key: %w", file, err)
	}
	return signer, nil
}

// answerWithPassword answers keyboard-interactive prompts that hide the
// reply (password prompts) with the password.
func answerWithPassword(password string) ssh.KeyboardInteractiveChallenge {
	return func(_, _ string, questions []string, echos []bool) ([]string, error) {
		answers := make([]string, len(questions))
		for i := range questions {
			if !echos[i] {
				answers[i] = password
			}
		}
		return answers, nil
	}
}

func (a *sshAuth) close() {
	if a.agentConn != nil {
		a.agentConn.Close()
	}
}

// failure explains an authentication failure, naming keys that were skipped.
func (a *sshAuth) failure(user string, err error) error {
	if len(a.methods) == 0 {
		return fmt.Errorf("%w: no key, agent or password to log in as %s: %w", ErrAuth, user, errors.Join(a.problems...))
	}
	if len(a.problems) > 0 {
		return fmt.Errorf("%w: as %s: %v (also: %v)", ErrAuth, user, err, errors.Join(a.problems...))
	}
	return fmt.Errorf("%w: as %s: %v", ErrAuth, user, err)
}
