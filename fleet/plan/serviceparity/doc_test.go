// Package serviceparity_test compares the container tasks and handlers
// straylight runs itself (docker_compose_v2, docker_container,
// podman_container) with the real modules of the pinned collections, run
// by ansible-playbook on both ansible-cores through the harness of
// internal/parity, each against a stand-in for the engine it drives (this
// machine runs no container engine). A test binary of its own, beside
// fleet/plan's repository parity tests, fleet/plan/moduleparity's file
// modules and fleet/plan/unitparity's units, so that each set has its own
// time limit and they run side by side.
package serviceparity_test

import (
	"os"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// TestMain builds straylight once for all the tests (parity.Main).
func TestMain(m *testing.M) { os.Exit(parity.Main(m)) }
