package sim

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/rc4"
	"crypto/subtle"
	"encoding/binary"
	"errors"
	"strings"
	"time"
	"unicode/utf16"

	//lint:ignore SA1019 NTLM's NT hash is MD4 (MS-NLMP 3.3.1); the lab must speak it
	"golang.org/x/crypto/md4"
)

// The server side of NTLM (MS-NLMP), as a Windows host's WinRM service
// speaks it inside HTTP Negotiate: a CHALLENGE for the client's NEGOTIATE,
// NTLMv2 verification of its AUTHENTICATE (MIC included), and the session
// security (signing and sealing with RC4) that WinRM's message encryption
// uses. Written from the specification; only what current clients
// negotiate is accepted: NTLMv2 with extended session security and 128-bit
// keys. The lab shares no code with the client side.

// NTLM negotiate flags (MS-NLMP 2.2.2.5).
const (
	ntlmUnicode       = 0x00000001
	ntlmRequestTarget = 0x00000004
	ntlmSign          = 0x00000010
	ntlmSeal          = 0x00000020
	ntlmNTLM          = 0x00000200
	ntlmAlwaysSign    = 0x00008000
	ntlmTargetServer  = 0x00020000
	ntlmESS           = 0x00080000
	ntlmTargetInfo    = 0x00800000
	ntlmVersion       = 0x02000000
	ntlm128           = 0x20000000
	ntlmKeyExch       = 0x40000000
	ntlm56            = 0x80000000
)

// ntlmRequired are the flags the lab insists on; key exchange, signing and
// sealing are used when the client offers them (Azure/go-ntlmssp offers
// none of the three, and can then not seal).
const ntlmRequired = ntlmUnicode | ntlmESS | ntlm128

var ntlmSignature = []byte("NTLMSSP\x00")

var errNTLM = errors.New("ntlm: message refused")

// ntlmHandshake is one connection's authentication in progress.
type ntlmHandshake struct {
	negotiate, challenge []byte
	serverChallenge      [8]byte
	flags                uint32
}

// ntlmChallenge answers a NEGOTIATE message with a CHALLENGE for hostname.
func ntlmChallenge(negotiate []byte, hostname string) (*ntlmHandshake, error) {
	if len(negotiate) < 16 || !bytes.Equal(negotiate[:8], ntlmSignature) || binary.LittleEndian.Uint32(negotiate[8:]) != 1 {
		return nil, errNTLM
	}
	// Unicode is always chosen: Windows does, and older clients (Python's
	// ntlm-auth) offer only OEM in NEGOTIATE yet follow the CHALLENGE.
	clientFlags := binary.LittleEndian.Uint32(negotiate[12:]) | ntlmUnicode
	if clientFlags&ntlmRequired != ntlmRequired {
		return nil, errNTLM
	}
	h := &ntlmHandshake{negotiate: append([]byte(nil), negotiate...)}
	h.flags = clientFlags&(ntlmUnicode|ntlmSign|ntlmSeal|ntlmAlwaysSign|ntlmESS|ntlmVersion|ntlm128|ntlmKeyExch|ntlm56) |
		ntlmNTLM | ntlmRequestTarget | ntlmTargetServer | ntlmTargetInfo
	_, _ = rand.Read(h.serverChallenge[:])
	h.challenge = h.buildChallenge(strings.ToUpper(hostname))
	return h, nil
}

// buildChallenge lays out the CHALLENGE message (MS-NLMP 2.2.1.2): a
// 56-byte header, then the target name and the target info.
func (h *ntlmHandshake) buildChallenge(name string) []byte {
	target := ntlmUTF16(name)
	info := ntlmTargetInfoPairs(name)
	msg := make([]byte, 56, 56+len(target)+len(info))
	copy(msg, ntlmSignature)
	binary.LittleEndian.PutUint32(msg[8:], 2)
	ntlmPutField(msg[12:], len(target), 56)
	binary.LittleEndian.PutUint32(msg[20:], h.flags)
	copy(msg[24:], h.serverChallenge[:])
	ntlmPutField(msg[40:], len(info), 56+len(target))
	copy(msg[48:], []byte{10, 0, 0x4a, 0x61, 0, 0, 0, 15}) // Windows 10.0 build 19018, NTLM revision 15
	return append(append(msg, target...), info...)
}

func ntlmPutField(b []byte, length, offset int) {
	binary.LittleEndian.PutUint16(b, uint16(length))
	binary.LittleEndian.PutUint16(b[2:], uint16(length))
	binary.LittleEndian.PutUint32(b[4:], uint32(offset))
}

// ntlmTargetInfo is the AV_PAIR list: NetBIOS and DNS names, a timestamp.
func ntlmTargetInfoPairs(name string) []byte {
	var b bytes.Buffer
	for _, id := range []uint16{2, 1, 4, 3} { // domain and computer, NetBIOS then DNS
		ntlmAVPair(&b, id, ntlmUTF16(name))
	}
	var stamp [8]byte
	binary.LittleEndian.PutUint64(stamp[:], ntlmFileTime(time.Now()))
	ntlmAVPair(&b, 7, stamp[:])
	ntlmAVPair(&b, 0, nil)
	return b.Bytes()
}

func ntlmAVPair(b *bytes.Buffer, id uint16, value []byte) {
	_ = binary.Write(b, binary.LittleEndian, id)
	_ = binary.Write(b, binary.LittleEndian, uint16(len(value)))
	b.Write(value)
}

// ntlmFileTime is a Windows FILETIME: 100 ns ticks since 1601.
func ntlmFileTime(t time.Time) uint64 {
	return uint64(t.UnixNano()/100) + 116444736000000000
}

func ntlmUTF16(s string) []byte {
	units := utf16.Encode([]rune(s))
	b := make([]byte, 2*len(units))
	for i, u := range units {
		binary.LittleEndian.PutUint16(b[2*i:], u)
	}
	return b
}

// ntlmAuthenticate is a parsed AUTHENTICATE message (MS-NLMP 2.2.1.3).
type ntlmAuthenticate struct {
	ntResponse, encryptedKey []byte
	domain, user             string
	flags                    uint32
}

func ntlmParseAuthenticate(msg []byte) (*ntlmAuthenticate, error) {
	if len(msg) < 64 || !bytes.Equal(msg[:8], ntlmSignature) || binary.LittleEndian.Uint32(msg[8:]) != 3 {
		return nil, errNTLM
	}
	a := &ntlmAuthenticate{flags: binary.LittleEndian.Uint32(msg[60:])}
	var domain, user []byte
	for _, f := range []struct {
		at   int
		into *[]byte
	}{{20, &a.ntResponse}, {28, &domain}, {36, &user}, {52, &a.encryptedKey}} {
		var err error
		if *f.into, err = ntlmField(msg, f.at); err != nil {
			return nil, err
		}
	}
	a.domain, a.user = ntlmDecodeUTF16(domain), ntlmDecodeUTF16(user)
	return a, nil
}

func ntlmField(msg []byte, at int) ([]byte, error) {
	length := int(binary.LittleEndian.Uint16(msg[at:]))
	offset := int(binary.LittleEndian.Uint32(msg[at+4:]))
	if offset < 0 || offset+length > len(msg) {
		return nil, errNTLM
	}
	return msg[offset : offset+length], nil
}

func ntlmDecodeUTF16(b []byte) string {
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(units))
}

// verify checks the AUTHENTICATE against the account and returns the
// session's security on success (MS-NLMP 3.3.2 and 3.2.5.1.2).
func (h *ntlmHandshake) verify(msg []byte, user, password string) (*ntlmSession, error) {
	a, err := ntlmParseAuthenticate(msg)
	if err != nil || len(a.ntResponse) < 48 || !ntlmSameUser(a.user, user) || a.flags&ntlmRequired != ntlmRequired {
		return nil, errNTLM
	}
	responseKey := ntlmOWFv2(password, a.user, a.domain)
	temp := a.ntResponse[16:]
	proof := ntlmHMAC(responseKey, h.serverChallenge[:], temp)
	if subtle.ConstantTimeCompare(proof, a.ntResponse[:16]) != 1 {
		return nil, errNTLM
	}
	sessionBaseKey := ntlmHMAC(responseKey, proof)
	exported := sessionBaseKey
	if a.flags&ntlmKeyExch != 0 {
		if exported, err = ntlmExportedKey(sessionBaseKey, a.encryptedKey); err != nil {
			return nil, err
		}
	}
	if !h.micValid(msg, temp, exported) {
		return nil, errNTLM
	}
	return newNTLMSession(a.flags, exported)
}

// ntlmSameUser compares account names as Windows does (case-insensitive,
// without a "DOMAIN\" the configured name may carry).
func ntlmSameUser(got, want string) bool {
	if i := strings.LastIndexAny(want, `\`); i >= 0 {
		want = want[i+1:]
	}
	return strings.EqualFold(got, want)
}

// ntlmOWFv2 is NTOWFv2: HMAC-MD5 of the NT hash over UPPER(user)+domain.
func ntlmOWFv2(password, user, domain string) []byte {
	h := md4.New()
	h.Write(ntlmUTF16(password))
	return ntlmHMAC(h.Sum(nil), ntlmUTF16(strings.ToUpper(user)+domain))
}

func ntlmHMAC(key []byte, parts ...[]byte) []byte {
	mac := hmac.New(md5.New, key)
	for _, p := range parts {
		mac.Write(p)
	}
	return mac.Sum(nil)
}

// ntlmExportedKey decrypts the client's random session key (key exchange).
func ntlmExportedKey(keyExchangeKey, encrypted []byte) ([]byte, error) {
	if len(encrypted) != 16 {
		return nil, errNTLM
	}
	c, err := rc4.NewCipher(keyExchangeKey)
	if err != nil {
		return nil, err
	}
	out := make([]byte, 16)
	c.XORKeyStream(out, encrypted)
	return out, nil
}

// micValid checks the MIC when the client's AV pairs say one is present
// (MsvAvFlags bit 0x2): HMAC-MD5 of the three messages, MIC zeroed.
func (h *ntlmHandshake) micValid(msg, temp, exported []byte) bool {
	if !ntlmHasMIC(temp) {
		return true
	}
	const micAt = 72
	if len(msg) < micAt+16 {
		return false
	}
	zeroed := append([]byte(nil), msg...)
	copy(zeroed[micAt:micAt+16], make([]byte, 16))
	want := ntlmHMAC(exported, h.negotiate, h.challenge, zeroed)
	return subtle.ConstantTimeCompare(want, msg[micAt:micAt+16]) == 1
}

// ntlmHasMIC reads MsvAvFlags from the AV pairs in the NTLMv2 client
// challenge (after its 28-byte fixed part).
func ntlmHasMIC(temp []byte) bool {
	for b := temp[min(28, len(temp)):]; len(b) >= 4; {
		id, n := binary.LittleEndian.Uint16(b), int(binary.LittleEndian.Uint16(b[2:]))
		if id == 0 || len(b) < 4+n {
			return false
		}
		if id == 6 && n == 4 {
			return binary.LittleEndian.Uint32(b[4:])&0x2 != 0
		}
		b = b[4+n:]
	}
	return false
}
