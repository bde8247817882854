package ansible

import (
	"os"
	"path/filepath"
	"testing"
)

func writePlaybook(t *testing.T, body string) *Playbook {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "site.yml")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	pb, err := LoadPlaybook(dir, path)
	if err != nil {
		t.Fatal(err)
	}
	return pb
}
