package githistory

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"strings"
	"time"
)

// Timeout bounds every git command.
const Timeout = 30 * time.Second

// ErrNoGit says git is not installed.
var ErrNoGit = errors.New("git is not installed")

// Commit is one commit that touched a host's files.
type Commit struct {
	Hash    string
	Short   string
	Author  string
	Date    time.Time
	Subject string
	Files   []string // the host's files it touched, relative to the root
}

// run runs git in root and returns stdout; a failure carries git's stderr.
func run(ctx context.Context, root string, args ...string) (string, error) {
	if _, err := exec.LookPath("git"); err != nil {
		return "", ErrNoGit
	}
	ctx, cancel := context.WithTimeout(ctx, Timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "git", args...)
	cmd.Dir = root
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		msg := strings.TrimSpace(stderr.String())
		if ctx.Err() != nil {
			msg = "no answer within " + Timeout.String()
		}
		return stdout.String(), fmt.Errorf("git %s in %s: %v: %s", args[0], root, err, msg)
	}
	return stdout.String(), nil
}

// IsRepo reports whether root is inside a git work tree.
func IsRepo(ctx context.Context, root string) bool {
	out, err := run(ctx, root, "rev-parse", "--is-inside-work-tree")
	return err == nil && strings.TrimSpace(out) == "true"
}

const (
	fieldSep  = "\x1f"
	recordSep = "\x1e"
)

// Log lists the commits (newest first, at most limit) that touched any of
// paths (relative to root; a directory counts for everything under it).
func Log(ctx context.Context, root string, paths []string, limit int) ([]Commit, error) {
	format := "--format=" + recordSep + "%H" + fieldSep + "%h" + fieldSep + "%an" + fieldSep + "%aI" + fieldSep + "%s"
	args := append([]string{"log", format, "--name-only", "-n", fmt.Sprint(limit), "--"}, paths...)
	out, err := run(ctx, root, args...)
	if err != nil {
		return nil, err
	}
	var commits []Commit
	for _, rec := range strings.Split(out, recordSep) {
		if c, ok := parseCommit(rec); ok {
			commits = append(commits, c)
		}
	}
	return commits, nil
}

func parseCommit(rec string) (Commit, bool) {
	head, names, _ := strings.Cut(strings.TrimSpace(rec), "\n")
	f := strings.Split(head, fieldSep)
	if len(f) != 5 {
		return Commit{}, false
	}
	at, _ := time.Parse(time.RFC3339, f[3])
	c := Commit{Hash: f[0], Short: f[1], Author: f[2], Date: at, Subject: f[4]}
	for _, n := range strings.Split(names, "\n") {
		if n = strings.TrimSpace(n); n != "" {
			c.Files = append(c.Files, n)
		}
	}
	return c, true
}

// Show is the commit's full message and diff (every file it touched).
func Show(ctx context.Context, root, hash string) (string, error) {
	if err := checkHash(hash); err != nil {
		return "", err
	}
	return run(ctx, root, "show", "--no-color", "--format=commit %H%nAuthor: %an <%ae>%nDate:   %aD%n%n%w(0,4,4)%B", hash)
}

// Uncommitted lists the paths among paths with changes not committed
// (modified, staged, untracked), as git status prints them.
func Uncommitted(ctx context.Context, root string, paths []string) ([]string, error) {
	out, err := run(ctx, root, append([]string{"status", "--porcelain", "--untracked-files=all", "--"}, paths...)...)
	if err != nil {
		return nil, err
	}
	var dirty []string
	for _, l := range strings.Split(out, "\n") {
		if len(l) > 3 {
			dirty = append(dirty, strings.TrimSpace(l[3:]))
		}
	}
	return dirty, nil
}

// Revert makes a new commit undoing hash (`git revert --no-edit`) and
// returns the new commit's hash. A revert that does not apply cleanly is
// aborted, leaving the tree as it was, and reported.
func Revert(ctx context.Context, root, hash string) (string, error) {
	if err := checkHash(hash); err != nil {
		return "", err
	}
	if _, err := run(ctx, root, "revert", "--no-edit", hash); err != nil {
		_, _ = run(ctx, root, "revert", "--abort")
		return "", fmt.Errorf("reverting %s did not apply cleanly, nothing was changed: %w", short(hash), err)
	}
	out, err := run(ctx, root, "rev-parse", "HEAD")
	return strings.TrimSpace(out), err
}

func checkHash(hash string) error {
	if len(hash) < 7 || strings.Trim(hash, "0123456789abcdef") != "" {
		return fmt.Errorf("%q is not a commit hash", hash)
	}
	return nil
}

func short(hash string) string { return hash[:min(len(hash), 12)] }
