package demo

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Every variable the demo overrides in the example repository is named in
// README's "What the demo changes in the example", so the lab-only parts of
// the demo (the LiteLLM restart handler among them) are said plainly.
func TestREADMENamesWhatTheDemoChanges(t *testing.T) {
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, found := strings.Cut(string(readme), "**What the demo changes in the example**")
	section, _, _ = strings.Cut(section, "\n## ")
	if !found {
		t.Fatal(`README lacks "What the demo changes in the example"`)
	}
	d, err := Start(Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	for _, opts := range []Options{{}, {HTTP: true}} {
		for host, vars := range d.hostVars(opts) {
			for _, kv := range vars {
				if !strings.Contains(section, "`"+kv[0]+"`") {
					t.Errorf("the demo sets %s's %s, which README's demo section does not name", host, kv[0])
				}
			}
		}
	}
	if !strings.Contains(section, "/_lab/restart") || !strings.Contains(restartCommand("127.0.0.1", 8000), "/_lab/restart") {
		t.Error("README and the demo disagree on the lab-only LiteLLM restart endpoint")
	}
}
