// Package state keeps straylight's durable state beside the repository, in
// .straylight/ at its root: what must survive a crash of straylight itself.
//
// It takes in a repository root (Open) and gives out a Store with:
//   - the apply lock (AcquireLock), naming its holder: on unix an advisory
//     flock the kernel drops when its holder dies, even by SIGKILL, so a
//     killed apply never blocks the next (elsewhere a lock file whose
//     holder no longer runs on this machine is taken over);
//   - pending-restart records (PutPending, GetPending, ClearPending): the
//     handlers a host is owed, written before its files change and cleared
//     once they ran, so a run that dies in between leaves the restart owed
//     rather than lost (the records' content is fleet/plan's);
//   - the audit log (Audit), one fsync'd JSON line per host and action; a
//     deploy or restart logs its start too, so ReadAudit and Unfinished
//     find those a dead process never finished.
//
// Every failure to read or write them is returned: the engine reports it
// (a plan finding, a failed host, a non-zero exit), never drops it. Records
// are replaced through internal/atomicfile. The package knows nothing of
// Ansible, plans or the engine.
//
// The directory gets its own .gitignore (everything in it), so `git status`
// stays clean.
package state
