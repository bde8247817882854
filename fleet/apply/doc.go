// Package apply is the engine: it carries out a plan.
//
// It takes in a Plan (fleet/plan), the repository and its Fleet, a
// transport factory and the deploy options (--forks, --skip-unsupported,
// --when-idle, --no-rollback). Under the repository lock (fleet/state) it
// deploys backends in parallel waves, then the proxy: per host it records
// the pending restart, then flush point by flush point as Ansible runs a
// play (flush.go) backs up and writes the changed files (checking the live
// file is what the plan saw; mode, owner and group as the task sets them,
// a change of those alone a chown/chmod; a unit task's systemctl actions,
// a win_service task's PowerShell and a command task's command (sh, or
// PowerShell for win_command and win_shell) in their place among the
// files, units.go and commands.go) and runs the handlers that flush
// runs; then it runs the plays of tasks planned via ansible through
// ansible-playbook (delegated.go; Ansible runs those plays' own files and
// handlers); then it waits for the health gate, tests the routes through
// LiteLLM, and rolls a failed host back (files, with their old modes and
// owners, then a restart on them if a handler had run). Restart runs a host's handlers alone, as an apply of its restart
// plan: the same run loop, events, summary and error contract (an error
// means nothing ran; a failed host is in the summary), its health gate
// waiting for the name the host served before. TestRoute tests one route.
//
// It gives out Events through an Observer — plan, steps, health progress,
// route chunks and results, host results and a summary — the one stream
// both faces show: the TUI as progress, headless --apply, --restart and
// --test-route as lines or JSON Lines. Every event is masked of secrets; the audit log records each
// host's outcome.
package apply
