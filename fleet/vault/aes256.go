package vault

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/pbkdf2"
	"crypto/sha256"
	"fmt"
)

// Parameters of Ansible's VaultAES256: PBKDF2-HMAC-SHA256 with 10000 rounds
// yields 80 bytes, split into the AES-256 key, the HMAC-SHA256 key and the
// initial CTR counter block.
const (
	kdfIterations = 10000
	keyLen        = 32
	ivLen         = aes.BlockSize
	saltLen       = 32
)

type derivedKeys struct {
	cipherKey, hmacKey, iv []byte
}

// deriveKeys uses the standard library's crypto/pbkdf2 rather than
// golang.org/x/crypto/pbkdf2: the latter is now a frozen wrapper around the
// former that panics where the former returns an error (FIPS-only mode), and a
// parser of outside input must not panic.
func deriveKeys(password, salt []byte) (derivedKeys, error) {
	material, err := pbkdf2.Key(sha256.New, string(password), salt, kdfIterations, 2*keyLen+ivLen)
	if err != nil {
		return derivedKeys{}, fmt.Errorf("deriving vault keys: %w", err)
	}
	return derivedKeys{
		cipherKey: material[:keyLen],
		hmacKey:   material[keyLen : 2*keyLen],
		iv:        material[2*keyLen:],
	}, nil
}

func (k derivedKeys) mac(ciphertext []byte) []byte {
	m := hmac.New(sha256.New, k.hmacKey)
	m.Write(ciphertext)
	return m.Sum(nil)
}

// ctr runs AES-256-CTR, which encrypts and decrypts alike.
func (k derivedKeys) ctr(in []byte) ([]byte, error) {
	block, err := aes.NewCipher(k.cipherKey)
	if err != nil {
		return nil, fmt.Errorf("vault cipher: %w", err)
	}
	out := make([]byte, len(in))
	cipher.NewCTR(block, k.iv).XORKeyStream(out, in)
	return out, nil
}

// open verifies the HMAC in constant time and only then decrypts and unpads.
func (e *Envelope) open(password []byte) ([]byte, error) {
	keys, err := deriveKeys(password, e.Salt)
	if err != nil {
		return nil, err
	}
	if !hmac.Equal(keys.mac(e.Ciphertext), e.HMAC) {
		return nil, ErrWrongPassword
	}
	padded, err := keys.ctr(e.Ciphertext)
	if err != nil {
		return nil, err
	}
	return pkcs7Unpad(padded)
}

// seal fills Salt, HMAC and Ciphertext: pad, encrypt, then MAC the ciphertext.
func (e *Envelope) seal(plaintext, password, salt []byte) error {
	keys, err := deriveKeys(password, salt)
	if err != nil {
		return err
	}
	ciphertext, err := keys.ctr(pkcs7Pad(plaintext))
	if err != nil {
		return err
	}
	e.Salt, e.Ciphertext, e.HMAC = salt, ciphertext, keys.mac(ciphertext)
	return nil
}

func pkcs7Pad(data []byte) []byte {
	n := aes.BlockSize - len(data)%aes.BlockSize
	padded := make([]byte, len(data), len(data)+n)
	copy(padded, data)
	return append(padded, bytes.Repeat([]byte{byte(n)}, n)...)
}

// pkcs7Unpad checks the padding as Python's cryptography does: whole blocks,
// a pad length of 1 to 16, every pad byte equal to it. It runs only after the
// HMAC has verified, so it is no padding oracle.
func pkcs7Unpad(data []byte) ([]byte, error) {
	if len(data) == 0 || len(data)%aes.BlockSize != 0 {
		return nil, formatErrorf("decrypted data is %d bytes, not whole AES blocks", len(data))
	}
	n := int(data[len(data)-1])
	if n == 0 || n > aes.BlockSize {
		return nil, formatErrorf("bad PKCS#7 padding after decryption")
	}
	for _, b := range data[len(data)-n:] {
		if int(b) != n {
			return nil, formatErrorf("bad PKCS#7 padding after decryption")
		}
	}
	return data[:len(data)-n], nil
}
