// Package ansible reads an Ansible repository with Ansible's meaning: the
// same files ansible-playbook would read, and the same answers.
//
// It takes in a repository root and the command line's selection (-i, -l,
// -e, a vault keyring): ansible.cfg, straylight.yml (Settings), the
// inventory with group_vars and host_vars (through fleet/inventory and
// fleet/vault), the playbooks with their imports, plays, roles, tasks and
// handlers (Open, Repo, PlayRun, Task).
//
// For each host it merges the variables by Ansible's precedence (role
// defaults, inventory, play vars and vars_files, role vars, block and task
// vars, include_vars, set_fact, role params, extra vars) and templates them
// with render, Ansible's Jinja2 (HostScope). It then runs each play's tasks
// for the host as Ansible's linear strategy would, without touching it
// (execute.go, loop.go, include.go): pre_tasks, roles (after their meta
// dependencies), tasks, post_tasks; when, loops, blocks with rescue and
// always, tags, includes and imports of tasks and roles, set_fact,
// include_vars, assert, fail and setup (gather_facts) — conditions with the semantics of the
// ansible-core in use (2.14 or 2.19, Repo.CoreVersion, settled only when a
// condition needs it). Its output is, per host, the ordered tasks Ansible
// would run with their variables (each file task with the handler flush its
// notifications run at, and, when its when reads a registered file task's
// result, the ResultCondition the planner settles after reading the host; a
// play on localhost runs on the implicit localhost):
// RenderHost gives HostTasks, the file tasks rendered to their destination
// and content (and the systemd_service, service, win_service, command,
// shell, win_command and win_shell tasks with their arguments and
// environment, planned from the host's state; the docker_compose_v2,
// docker_container and podman_container tasks with their probe and line,
// planned from the host's answer), the tasks straylight cannot
// run with the reason, and one
// scope per play for its handlers (HostTasks.HandlerCommand renders one
// with the facts the play's setup tasks gave and the set_fact,
// include_vars and registered values set by its flush point; a host
// keeps those values into its later plays). Module boolean arguments are
// read as Ansible's argument spec reads type: bool (filemod.BoolArg).
// Connection is how Ansible would reach
// the host. A play that gathers facts (gather_facts, ansible.cfg's
// gathering) gives its scopes the host's facts through the FactGatherer
// the repository was opened with (fleet/facts), asked on first read; an
// explicit setup task gathers them for the play's tasks and handlers after it, as its
// gather_subset and filter select them. The magic variables (magic.go) are
// Ansible's, those of the command line and configuration included.
//
// Bad input is an InputError naming file, line and key; warnings found
// while loading are Findings. The package knows nothing of plans,
// transports, the serving system or the UI.
package ansible
