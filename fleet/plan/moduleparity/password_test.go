package moduleparity_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2ePasswordRepo writes files whose content reads existing password
// files through the password lookup (a plain file, one with a salt, a
// trailing newline, parameters and keywords, a query of two terms), into
// a variable whose name does not say it is secret; the password files
// live in pw, outside the repository, as operators keep them.
func e2ePasswordRepo(out, pw string) parity.Repo {
	lookups := []string{
		"lookup('password', '" + pw + "/plain')",
		"lookup('password', '" + pw + "/salted length=12 chars=ascii_letters,digits')",
		"lookup('password', '" + pw + "/plain', length=5)",
		"query('password', '" + pw + "/plain', '" + pw + "/salted') | join('+')",
	}
	var content strings.Builder
	for _, l := range lookups {
		content.WriteString("k={{ " + l + " }}\n")
	}
	return parity.LocalRepo("password", "p1", out, map[string]string{
		"site.yml": "- hosts: all\n  gather_facts: false\n  vars:\n    gateway_key: \"{{ lookup('password', '" + pw + "/plain') }}\"\n  tasks:\n" +
			"    - copy: {dest: \"{{ out }}/keys.txt\", content: " + quoteYAML(content.String()) + "}\n" +
			"    - copy: {dest: \"{{ out }}/gateway.txt\", content: \"key={{ gateway_key }}\\n\"}\n",
	})
}

func quoteYAML(s string) string {
	return `"` + strings.ReplaceAll(strings.ReplaceAll(s, `"`, `\"`), "\n", `\n`) + `"`
}

// TestE2EPasswordLookupReadsTheFile: where the password file exists and
// the lookup does not hash, straylight renders what ansible-playbook
// renders (the password before " salt=", the file right-stripped), on
// both ansible-cores, and the password is masked in the plan as a secret,
// whatever the variable's name; Ansible leaves the files as they were.
func TestE2EPasswordLookupReadsTheFile(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		pw := filepath.Join(dir, "credentials")
		parity.WriteTree(t, pw, map[string]string{"plain": "Plain-S3cret-1\n", "salted": "Salted-S3cret-2 salt=abcdefgh"})
		repo := e2ePasswordRepo(out, pw)
		parity.PlannedThenSame(t, o, bin, dir, root, out, repo, "p1", func(h *fleetplan.HostPlan) bool {
			return len(h.Files) == 2 && len(h.Unsupported)+len(h.ViaAnsible) == 0
		})
		p := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
		for _, f := range p.Host("p1").Files {
			if strings.Contains(f.NewContent+f.Diff, "S3cret") {
				t.Errorf("%s: the plan shows a password: %q", o.Full, f.NewContent+f.Diff)
			}
		}
		for name, want := range map[string]string{"plain": "Plain-S3cret-1\n", "salted": "Salted-S3cret-2 salt=abcdefgh"} {
			if got, err := os.ReadFile(filepath.Join(pw, name)); err != nil || string(got) != want {
				t.Errorf("%s: %s after the runs: %q (%v)", o.Full, name, got, err)
			}
		}
	})
}
