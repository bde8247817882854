// Package unitparity_test compares the tasks straylight plans from a
// host's own tools with ansible-core's modules, run by ansible-playbook on
// both ansible-cores through the harness of internal/parity: systemd_service
// and service tasks against a systemctl stand-in (this machine runs no
// systemd as PID 1), and user and group tasks on this machine's accounts
// against stand-ins of the account tools that record their words. A test
// binary of its own, beside fleet/plan/serviceparity's container modules,
// so that each set has its own time limit and they run side by side.
package unitparity_test

import (
	"os"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// TestMain builds straylight once for all the tests (parity.Main).
func TestMain(m *testing.M) { os.Exit(parity.Main(m)) }
