package delegate

import (
	"fmt"
	"os"
	"path/filepath"
)

// writeVaultFiles writes each vault password to its own file in dir and
// returns the --vault-id arguments naming them.
//
// Why files: a password on the command line is readable by every user
// through ps and /proc/PID/cmdline; one in an environment variable would
// be inherited by every module process Ansible starts on a local-connection
// host. dir is the run's own directory from os.MkdirTemp (mode 0700), each
// file is 0600, and Run removes the directory when the run ends, so only
// this user can read a password, and only for the run's length.
func writeVaultFiles(dir string, passwords []VaultPassword) ([]string, error) {
	var args []string
	for i, p := range passwords {
		path := filepath.Join(dir, fmt.Sprintf("vault-%d", i))
		if err := os.WriteFile(path, p.Password, 0o600); err != nil {
			return nil, fmt.Errorf("vault password file: %w", err)
		}
		id := p.ID
		if id == "" {
			id = "default"
		}
		args = append(args, "--vault-id", id+"@"+path)
	}
	return args, nil
}
