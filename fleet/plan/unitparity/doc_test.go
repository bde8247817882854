// Package unitparity_test compares the systemd_service and service tasks
// straylight runs itself with ansible-core's systemd module, run by
// ansible-playbook on both ansible-cores through the harness of
// internal/parity, against a systemctl stand-in (this machine runs no
// systemd as PID 1). A test binary of its own, beside
// fleet/plan/serviceparity's container modules, so that each set has its
// own time limit and they run side by side.
package unitparity_test
