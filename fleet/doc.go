// Package fleet is straylight's front door: the Session both faces use.
//
// straylight reads the operator's Ansible repository, works out what each
// host would get, compares it with what the hosts hold, and deploys the
// difference with health gates, route tests and rollback. The engine is a
// pipeline of packages under fleet/, each taking the previous stage's data:
//
//	ansible   the Ansible language: ansible.cfg, straylight.yml, the
//	          inventory (fleet/inventory, fleet/vault), playbooks, plays,
//	          roles and tasks; per host, the ordered tasks Ansible would run
//	          with their variables, file tasks rendered (ansible.HostTasks)
//	discover  the serving system those variables and rendered files
//	          describe: vLLM backends and the LiteLLM proxy with its routes
//	          (discover.Fleet)
//	plan      task lists + what the hosts hold now → the plan as data:
//	          file changes and diffs, handlers, validation, the route lint,
//	          redaction, saved plans (plan.Plan)
//	apply     the engine: ordering, writes, handlers, health gates, route
//	          tests, rollback, reported as events (apply.Event)
//	state     the apply lock, pending restarts and the audit log under
//	          .straylight/ in the repository
//	status    the live fleet: probes of vLLM, LiteLLM and the hosts
//	hvedit    edits of host_vars files that keep comments, order and vault
//	addhost   a new host like a template: its inventory lines and host_vars
//	          copies, written all or none
//
// Imports run one way: ansible ← discover ← plan ← apply, with state below
// plan and apply. No package under fleet/ imports this one, and none
// imports the UI; fleet/imports_test.go enforces the rules, and
// docs/architecture.md draws the picture.
//
// The two faces, the terminal UI (ui/) and the headless CLI (--check,
// --apply in the root package), are built the same way: a Session made
// from the command line's options loads the vault keyring once, opens the
// repository (Open, again after each edit), plans (Plan, reading four hosts
// per --forks at once), deploys (Engine), watches (Monitor) and edits a
// host's vllm values in the host_vars file that sets them (OpenEdit,
// Repo.ConfiguredValues with the origin of each value) and adds a host
// like an existing one (AddHost, with SuggestAddress for the form). They use
// the Session and the data types of plan and apply; Repo, GPUHost and the
// other types re-exported here spare them the stages' internals. What only
// the operator can answer comes back as a question: an encrypted SSH key's
// passphrase is asked on the terminal by the CLI and, through
// Session.PassphraseRequests, in the TUI's own prompt (fleet/plan/passphrase.go).
package fleet
