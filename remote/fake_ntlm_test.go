package remote

import (
	"bytes"
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"encoding/binary"
	"errors"
	"strings"
	"unicode/utf16"

	//lint:ignore SA1019 NTLM's NT hash is MD4 by definition (MS-NLMP 3.3.1)
	"golang.org/x/crypto/md4"
)

// The server side of NTLMv2 (MS-NLMP), enough for the fake endpoint to check
// that a client proved it knows the password without sending it.

const fakeNTLMDomain = "LAB"

const (
	ntlmFlagUnicode       = 1 << 0
	ntlmFlagRequestTarget = 1 << 2
	ntlmFlagNTLM          = 1 << 9
	ntlmFlagExtendedSec   = 1 << 19
	ntlmFlagTargetInfo    = 1 << 23
	ntlmFlag128           = 1 << 29
	ntlmFlag56            = 1 << 31
)

func utf16le(s string) []byte {
	var out []byte
	for _, u := range utf16.Encode([]rune(s)) {
		out = binary.LittleEndian.AppendUint16(out, u)
	}
	return out
}

func fromUTF16LE(b []byte) string {
	units := make([]uint16, len(b)/2)
	for i := range units {
		units[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return string(utf16.Decode(units))
}

// ntlmChallenge builds a CHALLENGE message carrying a fresh server challenge.
func ntlmChallenge() (message []byte, serverChallenge [8]byte) {
	_, _ = rand.Read(serverChallenge[:])
	target := utf16le(fakeNTLMDomain)
	var info []byte
	info = binary.LittleEndian.AppendUint16(info, 2) // MsvAvNbDomainName
	info = binary.LittleEndian.AppendUint16(info, uint16(len(target)))
	info = append(info, target...)
	info = append(info, 0, 0, 0, 0) // MsvAvEOL
	const headerLen = 48
	msg := append([]byte("NTLMSSP\x00"), 2, 0, 0, 0)
	msg = appendVarField(msg, len(target), headerLen)
	flags := uint32(ntlmFlagUnicode | ntlmFlagRequestTarget | ntlmFlagNTLM | ntlmFlagExtendedSec |
		ntlmFlagTargetInfo | ntlmFlag128 | ntlmFlag56)
	msg = binary.LittleEndian.AppendUint32(msg, flags)
	msg = append(msg, serverChallenge[:]...)
	msg = append(msg, make([]byte, 8)...)
	msg = appendVarField(msg, len(info), headerLen+len(target))
	msg = append(msg, target...)
	return append(msg, info...), serverChallenge
}

func appendVarField(msg []byte, length, offset int) []byte {
	msg = binary.LittleEndian.AppendUint16(msg, uint16(length))
	msg = binary.LittleEndian.AppendUint16(msg, uint16(length))
	return binary.LittleEndian.AppendUint32(msg, uint32(offset))
}

func readVarField(msg []byte, at int) ([]byte, error) {
	if len(msg) < at+8 {
		return nil, errors.New("short NTLM message")
	}
	length := int(binary.LittleEndian.Uint16(msg[at:]))
	offset := int(binary.LittleEndian.Uint32(msg[at+4:]))
	if offset+length > len(msg) {
		return nil, errors.New("NTLM field beyond the message")
	}
	return msg[offset : offset+length], nil
}

// ntlmVerify checks an AUTHENTICATE message against the password: the
// NTProofStr must be HMAC-MD5(NTOWFv2, server challenge + client blob).
func ntlmVerify(msg []byte, serverChallenge [8]byte, wantUser, password string) error {
	if !bytes.HasPrefix(msg, []byte("NTLMSSP\x00\x03\x00\x00\x00")) {
		return errors.New("not an AUTHENTICATE message")
	}
	nt, err := readVarField(msg, 20)
	if err != nil || len(nt) < 17 {
		return errors.New("no NTLMv2 response")
	}
	domain, err1 := readVarField(msg, 28)
	user, err2 := readVarField(msg, 36)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	if !strings.EqualFold(fromUTF16LE(user), wantUser) {
		return errors.New("unknown user " + fromUTF16LE(user))
	}
	key := hmacMD5(ntHash(password), utf16le(strings.ToUpper(fromUTF16LE(user))+fromUTF16LE(domain)))
	if !hmac.Equal(nt[:16], hmacMD5(key, serverChallenge[:], nt[16:])) {
		return errors.New("wrong password")
	}
	return nil
}

func ntHash(password string) []byte {
	h := md4.New()
	h.Write(utf16le(password))
	return h.Sum(nil)
}

func hmacMD5(key []byte, data ...[]byte) []byte {
	mac := hmac.New(md5.New, key)
	for _, d := range data {
		mac.Write(d)
	}
	return mac.Sum(nil)
}
