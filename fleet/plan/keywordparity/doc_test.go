// Package keywordparity_test compares the keywords a task inherits —
// become, no_log, ignore_errors, run_once and check_mode from its play,
// role entry, blocks, imports and an include's apply — and a role
// entry's vars, and what a copy task writes for a content that is not a
// string, with ansible-playbook on both ansible-cores, through the
// harness of internal/parity: a test binary of its own, with its own time
// limit, beside fleet/plan/moduleparity's.
package keywordparity_test

import (
	"os"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// TestMain builds straylight once for all the tests (parity.Main).
func TestMain(m *testing.M) { os.Exit(parity.Main(m)) }
