package render

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPasswordLookup: an existing password file gives its password (what
// comes before " salt=", right-stripped) and records it as a secret; what
// Ansible would write or hash first is not supported, naming why; a
// parameter the lookup does not take is Ansible's error.
func TestPasswordLookup(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "pw"), []byte("Hunter2-Secret salt=xyz\n\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	e := NewEngine(Options{})
	got, err := e.TemplateValue(NewScope(nil, Magic{}), "{{ lookup('password', '"+dir+"//pw length=8 chars=digits') }}")
	if err != nil || got != "Hunter2-Secret" || !slices.Equal(e.LookupSecrets(), []string{"Hunter2-Secret"}) {
		t.Fatalf("got %q, %v; secrets %q", got, err, e.LookupSecrets())
	}
	for term, want := range map[string]string{
		"/dev/null":                      "on /dev/null",
		dir + "/missing":                 "where the file does not exist yet",
		dir + "/pw encrypt=sha256_crypt": "with encrypt",
		"creds/pw":                       "on a relative path",
		dir + "/$X":                      "on a path with $",
	} {
		_, err := e.TemplateValue(NewScope(nil, Magic{}), "{{ lookup('password', '"+term+"') }}")
		if clause, ok := NotSupported(err); !ok || !strings.Contains(clause, want) {
			t.Errorf("%s: %v, want not supported %q", term, err, want)
		}
	}
	if _, err := e.TemplateValue(NewScope(nil, Magic{}), "{{ lookup('password', '"+dir+"/pw lenght=8') }}"); err == nil || !strings.Contains(err.Error(), "Unrecognized parameter(s) given to password lookup: lenght") {
		t.Errorf("a misspelt parameter: %v", err)
	}
}
