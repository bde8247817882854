package vault

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
)

// Format constants of ansible-core's VaultLib (parsing/vault/__init__.py).
const (
	headerMagic = "$ANSIBLE_VAULT"
	// DefaultVaultID is Ansible's C.DEFAULT_VAULT_IDENTITY: the label of
	// --vault-password-file and --ask-vault-pass passwords, and the vault id a
	// 1.1 header (which carries none) is taken to have.
	DefaultVaultID = "default"
	cipherAES256   = "AES256"
	versionNoID    = "1.1"
	versionWithID  = "1.2"
	lineWidth      = 80
)

// Envelope is vault text taken apart: the header fields and the three parts of
// the doubly hexlified payload. It holds no secret: only salt, MAC and ciphertext.
type Envelope struct {
	Version    string // "1.1" or "1.2"
	Cipher     string // "AES256", the only cipher Ansible writes or reads
	VaultID    string // the label of a 1.2 header; "" when the header has none
	Salt       []byte
	HMAC       []byte
	Ciphertext []byte
}

// IsEncrypted reports whether data is vault text, by Ansible's rule: pure ASCII
// that starts with $ANSIBLE_VAULT.
func IsEncrypted(data []byte) bool {
	return bytes.HasPrefix(data, []byte(headerMagic)) && isASCII(data)
}

func isASCII(data []byte) bool {
	for _, b := range data {
		if b >= 0x80 {
			return false
		}
	}
	return true
}

// ParseEnvelope splits vault text (a whole file, or the text of a `!vault |`
// scalar) into its header fields and decoded payload.
func ParseEnvelope(data []byte) (*Envelope, error) {
	if !IsEncrypted(data) {
		return nil, ErrNotEncrypted
	}
	lines := splitLines(data)
	env, err := parseHeader(string(lines[0]))
	if err != nil {
		return nil, err
	}
	if err := env.decodePayload(bytes.Join(lines[1:], nil)); err != nil {
		return nil, err
	}
	return env, nil
}

// splitLines splits like Python's bytes.splitlines: at \n, \r\n and \r.
func splitLines(data []byte) [][]byte {
	unified := bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))
	unified = bytes.ReplaceAll(unified, []byte("\r"), []byte("\n"))
	return bytes.Split(unified, []byte("\n"))
}

// parseHeader reads "$ANSIBLE_VAULT;VERSION;CIPHER[;VAULT_ID]". Like Ansible,
// fields are trimmed and fields after the vault id are ignored. Unlike Ansible,
// which takes any version string, only the two versions it writes are accepted.
func parseHeader(line string) (*Envelope, error) {
	fields := strings.Split(strings.TrimSpace(line), ";")
	for i := range fields {
		fields[i] = strings.TrimSpace(fields[i])
	}
	if len(fields) < 3 || fields[0] != headerMagic {
		return nil, formatErrorf("bad header: want $ANSIBLE_VAULT;1.1;AES256 or $ANSIBLE_VAULT;1.2;AES256;VAULT_ID")
	}
	env := &Envelope{Version: fields[1], Cipher: fields[2]}
	if len(fields) > 3 {
		env.VaultID = fields[3]
	}
	return env, env.checkHeader()
}

func (e *Envelope) checkHeader() error {
	if e.Version != versionNoID && e.Version != versionWithID {
		return formatErrorf("unsupported vault format version %.20q (want 1.1 or 1.2)", e.Version)
	}
	if e.Cipher != cipherAES256 {
		return formatErrorf("unsupported cipher %.20q (want AES256)", e.Cipher)
	}
	return nil
}

// decodePayload undoes hexlify(hexlify(salt) \n hexlify(hmac) \n hexlify(ciphertext)).
func (e *Envelope) decodePayload(hexText []byte) error {
	inner, err := decodeHex("payload", hexText)
	if err != nil {
		return err
	}
	parts := bytes.SplitN(inner, []byte("\n"), 3)
	if len(parts) != 3 {
		return formatErrorf("payload has %d of its 3 parts (salt, HMAC, ciphertext): truncated?", len(parts))
	}
	return e.decodeParts(parts)
}

func (e *Envelope) decodeParts(parts [][]byte) error {
	var err error
	if e.Salt, err = decodeHex("salt", parts[0]); err != nil {
		return err
	}
	if e.HMAC, err = decodeHex("HMAC", parts[1]); err != nil {
		return err
	}
	if len(e.HMAC) != sha256.Size {
		return formatErrorf("HMAC is %d bytes, want %d: truncated?", len(e.HMAC), sha256.Size)
	}
	e.Ciphertext, err = decodeHex("ciphertext", parts[2])
	return err
}

func decodeHex(what string, text []byte) ([]byte, error) {
	out := make([]byte, hex.DecodedLen(len(text)))
	_, err := hex.Decode(out, text)
	if errors.Is(err, hex.ErrLength) {
		return nil, formatErrorf("bad hex in %s (odd length): truncated?", what)
	}
	if err != nil {
		return nil, formatErrorf("bad hex in %s (%v)", what, err)
	}
	return out, nil
}

// Marshal formats the envelope as ansible-vault writes it: the header, then the
// payload in lines of 80 columns, each ending in a newline.
func (e *Envelope) Marshal() []byte {
	var out bytes.Buffer
	out.WriteString(e.header())
	out.WriteByte('\n')
	payload := e.payloadHex()
	for start := 0; start < len(payload); start += lineWidth {
		out.Write(payload[start:min(start+lineWidth, len(payload))])
		out.WriteByte('\n')
	}
	return out.Bytes()
}

func (e *Envelope) header() string {
	fields := []string{headerMagic, e.Version, e.Cipher}
	if e.Version == versionWithID && e.VaultID != "" {
		fields = append(fields, e.VaultID)
	}
	return strings.Join(fields, ";")
}

func (e *Envelope) payloadHex() []byte {
	inner := bytes.Join([][]byte{
		hexBytes(e.Salt), hexBytes(e.HMAC), hexBytes(e.Ciphertext),
	}, []byte("\n"))
	return hexBytes(inner)
}

func hexBytes(data []byte) []byte {
	return hex.AppendEncode(nil, data)
}

// headerVaultID is the vault id Ansible matches passwords against first: the
// header's label, or "default" for a header without one.
func (e *Envelope) headerVaultID() string {
	return normalizeVaultID(e.VaultID)
}

// versionFor picks the header version Ansible picks: 1.2 only for a real label.
func versionFor(vaultID string) string {
	if vaultID == "" || vaultID == DefaultVaultID {
		return versionNoID
	}
	return versionWithID
}
