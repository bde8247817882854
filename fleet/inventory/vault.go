package inventory

// Decrypter opens ansible-vault data: a whole file starting with
// "$ANSIBLE_VAULT;", or the text of a YAML scalar tagged !vault. file names
// the file the data came from, for its error messages. fleet/vault
// implements it; errors must never quote the plaintext.
type Decrypter interface {
	Decrypt(data []byte, file string) ([]byte, error)
}
