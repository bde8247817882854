// Package githistory reads and rewinds the repository's git history for
// one host, as the seed's rollback plan does by hand (`git log
// host_vars/wintermute.yml`, `git revert <commit>`): the commits that
// touched the files feeding a host, each commit's diff, whether those files
// have uncommitted changes, and a revert that makes a new commit.
//
// Everything runs the git program in the repository (with a deadline);
// nothing here parses .git itself. An operator's git configuration (hooks,
// signing) applies, except that the demo sets its own identity.
package githistory
