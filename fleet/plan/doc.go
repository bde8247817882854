// Package plan computes what applying the repository would do, as data.
//
// It takes in the task lists of fleet/ansible (each host's rendered file
// tasks and handlers), the Fleet of fleet/discover and what the hosts hold
// now, read over a transport (TransportFactory, DefaultTransports;
// Transports pools SSH connections, and Passphrases routes an encrypted
// key's passphrase question to the face that answers it). Each host's file
// tasks are planned in order, each from what the previous ones leave on its
// path (edits.go): template and copy compare content, then mode, owner and
// group as Ansible's module does (attrs.go: read with the content, a
// difference alone a change with Ansible's diff; force: no keeps an
// existing file), lineinfile and blockinfile edit the file as Ansible's module would and
// the file module stats the path; on a WinRM host win_lineinfile edits the
// file as its PowerShell would and win_file reads the path's kind
// (winedits.go); a systemd_service or service task is
// decided from what the host's systemctl says of its unit, asked once per
// host for all its units (units.go), a win_service task from what the
// host's sc.exe says, asked once per host for all its services (units.go),
// a command, shell, win_command or win_shell task runs unless its creates
// or removes, tested on the host, skips it (commands.go), a
// docker_compose_v2, docker_container or podman_container task is decided
// from its probe's answer on the host (the compose action with --dry-run,
// whether the container runs, the image's and the container's IDs, or
// podman's inspections of both, whose decided lines the apply runs after
// checking the container is still what the plan read: commands.go) (all
// through
// fleet/filemod), and a task that runs only if a registered task
// changed is settled from that task's plan. It gives out a Plan: per host
// the file changes with their hashes and diffs, the handlers the changes
// notify in Ansible's order, flush point by flush point (and restarts an
// earlier apply left owed, from fleet/state), the tasks straylight does not
// run itself — planned via ansible when a Planner has an ansible-playbook
// (delegate.go: one ansible-playbook --check --diff per playbook, read
// through fleet/ansible/delegate), else unsupported with their reasons; the
// validation of vllm values, the lint of LiteLLM routes against the
// backends, the order (backends before the proxy) and a summary. Per host
// it also keeps its servers as deployed (HostPlan.Servers, deployed.go):
// the discovery recognisers read the host's current files the moment they
// are read for the diff, and only what they find — port, model, served
// names, never a key — is kept; the bytes are dropped. The live monitor
// compares with that, and says apart what the repository would change.
//
// Secret values are masked in everything a plan shows or saves (redact.go);
// only the engine sees the unmasked content (FileChange.Content,
// HandlerRun.Script). A plan prints for humans or as JSON, saves to a file
// and, restricted to a saved one (Restrict), refuses to apply when stale.
//
// Planning never writes to a host.
package plan
