// Package serviceparity_test compares the service tasks and handlers
// straylight runs itself (systemd units; compose and container handlers)
// with the real modules, run by ansible-playbook on both ansible-cores
// through the harness of internal/parity, each against a stand-in for the
// service manager it drives (this machine runs no systemd as PID 1 and no
// container engine). A test binary of its own, beside fleet/plan's
// repository parity tests and fleet/plan/moduleparity's file modules, so
// that each set has its own time limit and they run side by side.
package serviceparity_test
