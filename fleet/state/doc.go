// Package state keeps straylight's durable state beside the repository, in
// .straylight/ at its root: what must survive a crash of straylight itself.
//
// It takes in a repository root (Open) and gives out a Store with:
//   - the apply lock (AcquireLock), naming its holder; a lock left by a
//     process that no longer runs on this machine is taken over;
//   - pending-restart records (PutPending, GetPending, ClearPending): the
//     handlers a host is owed, written before its files change and cleared
//     once they ran, so a run that dies in between leaves the restart owed
//     rather than lost (the records' content is fleet/plan's);
//   - the audit log (Audit), one fsync'd JSON line per host and action.
//
// The directory gets its own .gitignore (everything in it), so `git status`
// stays clean.
//
// WriteFileAtomic is the one atomic file write (temporary file in the same
// directory, synced, renamed). The package knows nothing of Ansible, plans
// or the engine.
package state
