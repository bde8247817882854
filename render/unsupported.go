package render

import (
	"fmt"

	"github.com/nikolalohinski/gonja/v2/exec"
)

// The ansible.builtin filters and tests straylight's renderer does not
// evaluate. Each is valid in Ansible, so a template using one is not bad
// input: its error carries notSupportedMark, and the plan lists the task
// as one straylight cannot promise Ansible's bytes for (NotSupported),
// where an unknown name would read as the repository's mistake.

// unsupportedFilters are those filters, with why.
func unsupportedFilters() map[string]string {
	return map[string]string{
		"password_hash": "its hash depends on whether the controller has passlib",
		"to_datetime":   "it makes a Python datetime",
		"vault":         "it encrypts with the vault secret and a random salt",
		"unvault":       "it decrypts with the controller's vault secrets",
	}
}

// unsupportedTests are those tests, with why.
func unsupportedTests() map[string]string {
	return map[string]string{
		"vault_encrypted": "straylight decrypts vaulted values before templates see them",
	}
}

func addUnsupportedFilters(set map[string]exec.FilterFunction) {
	for name, why := range unsupportedFilters() {
		err := unsupportedPlugin("filter", name, why)
		set[name] = func(*exec.Evaluator, *exec.Value, *exec.VarArgs) *exec.Value { return exec.AsValue(err) }
	}
}

func addUnsupportedTests(set map[string]exec.TestFunction) {
	for name, why := range unsupportedTests() {
		err := unsupportedPlugin("test", name, why)
		set[name] = testFunction(func(*exec.Evaluator, *exec.Value, *exec.VarArgs) (bool, error) { return false, err })
	}
}

func unsupportedPlugin(kind, name, why string) error {
	return fmt.Errorf("%s %q "+notSupportedMark+"'s renderer (%s)", kind, name, why)
}
