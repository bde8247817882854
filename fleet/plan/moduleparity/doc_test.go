// Package moduleparity_test compares the file and command modules
// straylight runs itself (file attributes, blockinfile, command and shell,
// vaulted copy sources, the environment keyword) with the real modules, run by
// ansible-playbook on both ansible-cores through the harness of
// internal/parity. They live beside fleet/plan's repository parity tests
// and fleet/plan/unitparity's and serviceparity's service modules rather than among them so
// that each set is a test binary of its own, with its own time limit, and
// they run side by side.
package moduleparity_test

import (
	"os"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// TestMain builds straylight once for all the tests (parity.Main).
func TestMain(m *testing.M) { os.Exit(parity.Main(m)) }
