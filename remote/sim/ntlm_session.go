package sim

import (
	"crypto/md5"
	"crypto/rc4"
	"crypto/subtle"
	"encoding/binary"
	"sync"
)

// ntlmSession is an authenticated connection's session security, seen from
// the server (MS-NLMP 3.4): it unseals what the client sends and seals what
// it answers, each direction with its own keys, RC4 stream and sequence.
type ntlmSession struct {
	mu      sync.Mutex
	flags   uint32
	in, out *rc4.Cipher // client-to-server, server-to-client
	inSign  []byte
	outSign []byte
	inSeq   uint32
	outSeq  uint32
}

func newNTLMSession(flags uint32, exported []byte) (*ntlmSession, error) {
	s := &ntlmSession{
		flags:   flags,
		inSign:  ntlmMagicKey(exported, "session key to client-to-server signing key magic constant"),
		outSign: ntlmMagicKey(exported, "session key to server-to-client signing key magic constant"),
	}
	var err error
	if s.in, err = rc4.NewCipher(ntlmMagicKey(exported, "session key to client-to-server sealing key magic constant")); err != nil {
		return nil, err
	}
	s.out, err = rc4.NewCipher(ntlmMagicKey(exported, "session key to server-to-client sealing key magic constant"))
	return s, err
}

func ntlmMagicKey(exported []byte, magic string) []byte {
	sum := md5.Sum(append(append(append([]byte(nil), exported...), magic...), 0))
	return sum[:]
}

// unseal decrypts a client message and checks its 16-byte signature.
func (s *ntlmSession) unseal(sealed, signature []byte) ([]byte, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(signature) != 16 {
		return nil, false
	}
	plain := make([]byte, len(sealed))
	s.in.XORKeyStream(plain, sealed)
	want := s.signature(s.in, s.inSign, s.inSeq, plain)
	if subtle.ConstantTimeCompare(want, signature) != 1 {
		return nil, false
	}
	s.inSeq++
	return plain, true
}

// seal encrypts an answer and signs it.
func (s *ntlmSession) seal(plain []byte) (sealed, signature []byte) {
	s.mu.Lock()
	defer s.mu.Unlock()
	sealed = make([]byte, len(plain))
	s.out.XORKeyStream(sealed, plain)
	signature = s.signature(s.out, s.outSign, s.outSeq, plain)
	s.outSeq++
	return sealed, signature
}

// signature is the extended-session-security MAC: version 1, the first 8
// bytes of HMAC-MD5(key, seq || message), encrypted with the direction's
// RC4 stream when keys were exchanged, then the sequence number.
func (s *ntlmSession) signature(stream *rc4.Cipher, key []byte, seq uint32, plain []byte) []byte {
	var seqBytes [4]byte
	binary.LittleEndian.PutUint32(seqBytes[:], seq)
	checksum := ntlmHMAC(key, seqBytes[:], plain)[:8]
	if s.flags&ntlmKeyExch != 0 {
		stream.XORKeyStream(checksum, checksum)
	}
	sig := make([]byte, 16)
	binary.LittleEndian.PutUint32(sig, 1)
	copy(sig[4:], checksum)
	copy(sig[12:], seqBytes[:])
	return sig
}
