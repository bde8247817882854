// Package filemod computes what Ansible's file-editing modules would do to
// a file, from the file's current state, without touching any host: the
// planner (fleet/plan) reads the host's file, asks this package for the
// result, and plans the difference as a change.
//
// LineInFile follows ansible.builtin.lineinfile's present and absent
// algorithms line for line (regexp, search_string, line, insertafter,
// insertbefore with BOF/EOF, firstmatch, backrefs, create), so that the
// content it returns is byte for byte what Ansible would write. Python's
// regular expressions are translated to Go's where they mean the same;
// one Go cannot express (a lookaround, a backreference) is an error naming
// it, never a guess.
//
// BlockInFile follows ansible.builtin.blockinfile (markers with {mark},
// insertafter/insertbefore, an existing block replaced where it stands,
// state absent or an empty block removing it, create, append_newline and
// prepend_newline) byte for byte, its lines split as Python's splitlines
// splits them. LineArgs and BlockArgs are both an Edit, which the planner
// applies to the file's content.
//
// File follows ansible.builtin.file for the states straylight runs:
// directory (intermediate directories created with the same attributes),
// touch, absent, link and file (attributes only), with mode, owner and
// group compared the way the module compares them. Its Script is the
// POSIX shell that makes the change on the host.
//
// WinLineInFile follows community.windows.win_lineinfile's PowerShell
// (present and absent, insertafter/insertbefore, create, backrefs with
// .NET substitutions, newline, encoding auto or utf-8): the file read as
// .NET's ReadAllLines reads it and, when it changes, rewritten whole with
// the task's newline. .NET patterns run on Go's engine only where both
// read them alike (dotnetregexp.go); others are an error naming them.
// WinFile is ansible.windows.win_file's decision for a path's kind (the
// path-kind script's answer); its Script names the state the set-path
// script makes. Both cite the modules' sources as file:line.
//
// CompareAttrs is the attribute step of template, copy, lineinfile and
// blockinfile:
// mode (octal, or symbolic resolved as AnsibleModule does, ResolveMode),
// owner and group compared with the file's, and the diff Ansible's --diff
// shows for them.
//
// Service follows ansible.builtin.systemd_service's main() for the
// arguments straylight runs (name, state, enabled, daemon_reload): from
// what the host's systemctl says of the unit (QueryScript, ParseQuery:
// show's LoadState and ActiveState, is-enabled's answer and exit code) it
// gives the module's actions in its order, whether it reports changed, or
// its failure with its message; ServiceScript runs the actions.
//
// Account follows ansible.builtin.group's and user's main() on Linux for
// the arguments straylight runs (names, ids, system, a user's groups,
// comment, home, shell, create_home): from what the host's getent says
// (AccountsQueryScript, ParseAccounts) it gives the one command the module
// would run (groupadd, groupmod, groupdel, useradd, usermod, userdel) with
// its words in the module's order, the module's failure in its words, or
// a Refusal for what it leaves to Ansible (a home the module makes from
// /etc/skel itself).
//
// CommandArgs follows ansible.builtin.command and shell: GuardScript is
// the module's chdir, creates and removes test, RunScript the test again
// then the command (command's words without a shell, shell's line in sh
// -c or its executable).
//
// WinService follows ansible.windows.win_service (name, state, start_mode,
// force_dependent_services) from what the host's sc.exe says
// (WinServiceQueryScript, ParseWinServiceQuery); WinServiceScript is the
// PowerShell that acts. WinCommandArgs follows win_command and win_shell:
// their creates, removes and chdir (GuardScript, RunScript, in
// PowerShell). PSEnvLines sets a task's environment in PowerShell as
// Ansible's module wrapper does. No Windows host checks these here: the
// lab (remote/sim) interprets the scripts.
// ContainerTask is a plain docker_compose_v2, docker_container or
// podman_container task: its probe (compose's action with --dry-run, the
// container's State.Running, or for docker_container with image the
// image's and the container's IDs, for podman_container with image the
// image's and the container's inspections), whose answer Decide reads as
// the module decides (ParseComposeEvents and ComposeChanged follow
// community.docker's parse_events, parse_json_events and has_changes;
// DockerContainer its docker_container's present and absent;
// PodmanContainer containers.podman's PodmanContainerDiff and states),
// and the line the apply runs (for podman_container with image, the
// decision's own lines, checked on the host to still apply).
package filemod
