// Package delegate runs ansible-playbook for the tasks straylight does not
// run itself (package installs, get_url, user, a collection's module…).
//
// A Runner holds what every run shares with straylight's own reading of
// the repository: the ansible-playbook found (Find: straylight.yml's
// ansible_playbook, else PATH), the inventory, -e, --tags/--skip-tags and
// the vault passwords. Run starts one `ansible-playbook [--check --diff]
// --limit HOSTS PLAYBOOK` with a callback plugin of straylight's own
// (straylight_events.py, embedded and written to a private temporary
// directory for the run) as its stdout callback: it prints one JSON line
// per play, task start and per-host result, which Run decodes into Events
// and hands over as they come, so that a plan reads each task's
// changed/ok/skipped/failed status and diff, and an apply streams them.
// The run has a deadline, and its whole process group is killed when it
// passes.
//
// The plugin leaves out the message and diff of a no_log result; callers
// mask the repository's secret values in what remains (fleet/plan's
// redaction).
package delegate
