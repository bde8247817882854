// Package facts gathers the facts Ansible's setup module would give a
// host, for the templates and conditions that read them.
//
// fleet/ansible decides who needs facts: a play that gathers them
// (gather_facts, else ansible.cfg's gathering: implicit and smart gather,
// explicit does not; an earlier play's facts stay with the host) hands
// its scopes a source (ansible.FactGatherer), and the first template,
// condition or argument of that host that reads ansible_facts or an
// ansible_<fact> asks this package. A repository that reads no fact never
// reaches a host for it, and a play with gather_facts: false never
// gathers (its fact names are undefined, as in Ansible) unless it runs a
// setup or gather_facts task, which gathers them at once for the tasks
// after it (fleet/ansible selects the facts its gather_subset and filter
// give).
//
// Gathering is one round trip through the host's own transport (Gather),
// with the gathering play's become keywords (WithBecome) and its
// environment (exported first on POSIX hosts, set in the PowerShell
// process on WinRM hosts; ansible_env then holds those variables too),
// bounded by a deadline: on Linux over SSH or locally a POSIX sh script
// (posix.sh) prints what the facts are computed from — uname, the name
// looked up by address, /etc/os-release and /etc/debian_version,
// /proc/cpuinfo and /proc/meminfo, the default route and its interface,
// the user's passwd entry and ids, and of the environment only HOME, PATH
// and USER — and posix.go, distribution.go, cpu.go and network.go compute
// each fact the way Ansible's setup module does from the same source. On a
// WinRM host a PowerShell script (windows.ps1) prints the Windows facts as
// JSON, ansible_env under the names Windows keeps (Path, not PATH). Names (Names) come as ansible_<name> and under
// ansible_facts['<name>'], as Ansible injects them (inject_facts_as_vars);
// a fact setup gives that straylight does not gather is an error naming
// it, never an undefined value a default() would hide.
//
// Another host's facts come through hostvars[host], gathered over the
// connection of that host's first gathering play. When a file of the
// repository names a fact, the Session has the Gatherer ask every host of
// the gathering plays at once, a fork's worth at a time (Prefetch), so
// that a fleet's round trips overlap instead of following one another in
// the render; a failure waits there for the task that reads a fact.
//
// A Gatherer asks each host once per opened repository: the plan renders
// with the facts, and --apply deploys that plan's bytes, so the apply
// never gathers again. A host that cannot be reached fails the render of
// the task that needed the fact, naming the host, the task and the
// reason.
package facts
