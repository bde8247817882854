package remote

import (
	"errors"
	"fmt"
	"net"
	"os"

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

func newSSHAuth(identityFiles []string, agentSocket, password string, signers signerSource) *sshAuth {
	a := &sshAuth{}
	keys := a.agentSigners(agentSocket)
	for _, file := range identityFiles {
		signer, err := signers(file)
		if err != nil {
			a.problems = append(a.problems, err)
			continue
		}
		keys = append(keys, signer)
	}
	if len(keys) > 0 {
		a.methods = append(a.methods, ssh.PublicKeys(keys...))
	}
	if password != "" {
		a.methods = append(a.methods, ssh.Password(password),
			ssh.KeyboardInteractive(answerWithPassword(password)))
	}
	return a
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

// fileSigners loads keys from disk, asking passphrase for encrypted ones.
func fileSigners(passphrase func(string) ([]byte, error)) signerSource {
	return func(file string) (ssh.Signer, error) { return loadSigner(file, passphrase) }
}

// loadSigner reads a private key, asking for the passphrase of an
// encrypted one. The passphrase is used once and not kept.
func loadSigner(file string, passphrase func(string) ([]byte, error)) (ssh.Signer, error) {
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
	return decryptSigner(file, pem, passphrase)
}

func decryptSigner(file string, pem []byte, passphrase func(string) ([]byte, error)) (ssh.Signer, error) {
	if passphrase == nil {
		return nil, fmt.Errorf("private key %s is encrypted and no passphrase prompt is available (add it to ssh-agent)", file)
	}
	secret, err := passphrase(file)
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
