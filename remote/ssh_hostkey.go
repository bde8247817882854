package remote

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"slices"
	"strings"

	"golang.org/x/crypto/ssh"
	"golang.org/x/crypto/ssh/knownhosts"
)

// ErrHostKey: the host's key is not in known_hosts, or differs from it.
var ErrHostKey = errors.New("host key verification failed")

// hostKeyChecker verifies a server's key against known_hosts files
// (hashed entries, @cert-authority and @revoked included).
type hostKeyChecker struct {
	callback ssh.HostKeyCallback
	files    []string
	hasCA    bool // some file holds an @cert-authority line
}

// newHostKeyChecker reads the files that exist; none existing means every
// key is unknown.
func newHostKeyChecker(files []string) (*hostKeyChecker, error) {
	var existing []string
	hasCA := false
	for _, f := range files {
		data, err := os.ReadFile(f)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("known_hosts %s: %w", f, err)
		}
		existing = append(existing, f)
		hasCA = hasCA || bytes.Contains(data, []byte("@cert-authority"))
	}
	callback, err := knownhosts.New(existing...)
	if err != nil {
		return nil, fmt.Errorf("known_hosts: %w", err)
	}
	return &hostKeyChecker{callback: callback, files: files, hasCA: hasCA}, nil
}

// check is the HostKeyCallback for one host, named for messages by its
// inventory alias.
func (h *hostKeyChecker) check(alias string) ssh.HostKeyCallback {
	return func(hostname string, remote net.Addr, key ssh.PublicKey) error {
		err := h.callback(hostname, remote, key)
		if err == nil {
			return nil
		}
		// A certificate from a CA known_hosts does not trust: as OpenSSH
		// does, check the plain key inside it.
		if cert, ok := key.(*ssh.Certificate); ok {
			if h.callback(hostname, remote, cert.Key) == nil {
				return nil
			}
			key = cert.Key
		}
		return h.explain(alias, hostname, key, err)
	}
}

func (h *hostKeyChecker) explain(alias, hostname string, key ssh.PublicKey, err error) error {
	var keyErr *knownhosts.KeyError
	var revoked *knownhosts.RevokedError
	fingerprint := ssh.FingerprintSHA256(key)
	switch {
	case errors.As(err, &revoked):
		return fmt.Errorf("%w: %s (%s): the %s key %s is marked @revoked in known_hosts",
			ErrHostKey, alias, hostname, key.Type(), fingerprint)
	case errors.As(err, &keyErr) && len(keyErr.Want) == 0:
		return fmt.Errorf("%w: %s (%s) is not a known host: it offered the %s key %s. "+
			"If that is the host's key, trust it with `ssh-keyscan -p PORT HOST >> ~/.ssh/known_hosts` "+
			"(after comparing the fingerprint with `ssh-keygen -lf /etc/ssh/ssh_host_%s_key.pub` on the host), "+
			"or set host_key_checking = False in ansible.cfg to skip the check (the host is then marked insecure)",
			ErrHostKey, alias, hostname, key.Type(), fingerprint, shortKeyType(key.Type()))
	case errors.As(err, &keyErr):
		return fmt.Errorf("%w: %s (%s) CHANGED its host key: it offered the %s key %s but known_hosts has %s. "+
			"Someone may be intercepting the connection; if the host was reinstalled, remove the old entry with "+
			"`ssh-keygen -R %s` and trust the new key",
			ErrHostKey, alias, hostname, key.Type(), fingerprint, describeKnownKeys(keyErr.Want), knownhosts.Normalize(hostname))
	}
	return fmt.Errorf("%w: %s (%s): %v", ErrHostKey, alias, hostname, err)
}

func describeKnownKeys(keys []knownhosts.KnownKey) string {
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s %s (%s:%d)", k.Key.Type(), ssh.FingerprintSHA256(k.Key), k.Filename, k.Line))
	}
	return strings.Join(parts, ", ")
}

func shortKeyType(keyType string) string {
	switch {
	case strings.Contains(keyType, "ed25519"):
		return "ed25519"
	case strings.Contains(keyType, "ecdsa"):
		return "ecdsa"
	}
	return "rsa"
}

// algorithmsFor lists the key types known_hosts holds for the address, so
// the server is asked for one of those (else a server that prefers another
// type would look like a changed key). Empty: no preference.
func (h *hostKeyChecker) algorithmsFor(address string) []string {
	var probe ssh.PublicKey = probeKey{}
	err := h.callback(address, &net.TCPAddr{}, probe)
	var keyErr *knownhosts.KeyError
	if !errors.As(err, &keyErr) {
		return nil
	}
	var certs, plain []string
	for _, k := range keyErr.Want {
		if h.hasCA {
			certs = appendNew(certs, certAlgorithms[k.Key.Type()]...)
		}
		plain = appendNew(plain, algorithmsOfKeyType(k.Key.Type())...)
	}
	return append(certs, plain...)
}

func appendNew(list []string, items ...string) []string {
	for _, item := range items {
		if !slices.Contains(list, item) {
			list = append(list, item)
		}
	}
	return list
}

func algorithmsOfKeyType(keyType string) []string {
	if keyType == ssh.KeyAlgoRSA {
		return []string{ssh.KeyAlgoRSASHA512, ssh.KeyAlgoRSASHA256, ssh.KeyAlgoRSA}
	}
	return []string{keyType}
}

// certAlgorithms are the host certificate algorithms for a CA's key type
// (a CA signs host keys of its own type in the common case).
var certAlgorithms = map[string][]string{
	ssh.KeyAlgoED25519:  {ssh.CertAlgoED25519v01},
	ssh.KeyAlgoECDSA256: {ssh.CertAlgoECDSA256v01},
	ssh.KeyAlgoECDSA384: {ssh.CertAlgoECDSA384v01},
	ssh.KeyAlgoECDSA521: {ssh.CertAlgoECDSA521v01},
	ssh.KeyAlgoRSA:      {ssh.CertAlgoRSASHA512v01, ssh.CertAlgoRSASHA256v01, ssh.CertAlgoRSAv01},
}

// probeKey is a key no host has, used to ask known_hosts what it holds.
type probeKey struct{}

func (probeKey) Type() string                        { return "straylight-probe" }
func (probeKey) Marshal() []byte                     { return []byte("straylight-probe") }
func (probeKey) Verify([]byte, *ssh.Signature) error { return errors.New("probe key") }
