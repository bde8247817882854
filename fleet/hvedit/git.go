package hvedit

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"unicode/utf8"
)

// maxShownValue bounds each value in a commit subject, in characters.
const maxShownValue = 60

// CommitMessage writes the commit message for one edit, e.g.
// "armitage: vllm.gpu_memory_utilization 0.85 → 0.9". old and new are
// display texts (Result.OldText and Result.NewText): when either is Masked,
// the message says "(secret changed)" and shows neither.
func CommitMessage(host, key, old, new string) string {
	if old == Masked || new == Masked {
		return fmt.Sprintf("%s: %s (secret changed)", oneLine(host), oneLine(key))
	}
	if old == Unset {
		return fmt.Sprintf("%s: set %s to %s", oneLine(host), oneLine(key), shortened(new))
	}
	return fmt.Sprintf("%s: %s %s → %s", oneLine(host), oneLine(key), shortened(old), shortened(new))
}

// oneLine keeps a subject on one line whatever the text holds.
func oneLine(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7F || r == 0x2028 || r == 0x2029 || r == 0x85 {
			return ' '
		}
		return r
	}, s)
}

func shortened(s string) string {
	s = oneLine(s)
	if utf8.RuneCountInString(s) <= maxShownValue {
		return s
	}
	return string([]rune(s)[:maxShownValue-1]) + "…"
}

// GitCommit commits exactly files (relative to repoRoot, or absolute) with
// message: `git add` of those files, then `git commit` limited to them, so
// that other staged changes stay out of the commit. It runs git in
// repoRoot, with hooks, and fails clearly when repoRoot is not in a git
// repository.
func GitCommit(repoRoot string, files []string, message string) error {
	if len(files) == 0 || strings.TrimSpace(message) == "" {
		return errors.New("git commit: need at least one file and a message")
	}
	if _, err := runGit(repoRoot, nil, "rev-parse", "--show-toplevel"); err != nil {
		return fmt.Errorf("git commit in %s: %w (%v)", repoRoot, ErrNotGitRepo, err)
	}
	if _, err := runGit(repoRoot, nil, append([]string{"add", "--"}, files...)...); err != nil {
		return fmt.Errorf("git add in %s: %w", repoRoot, err)
	}
	args := append([]string{"commit", "--quiet", "--file=-", "--"}, files...)
	if _, err := runGit(repoRoot, []byte(message), args...); err != nil {
		return fmt.Errorf("git commit in %s: %w", repoRoot, err)
	}
	return nil
}

// runGit runs git in dir without the GIT_DIR-style variables a calling hook
// may have set, which would point it at another repository.
func runGit(dir string, stdin []byte, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, gitEnv()
	cmd.Stdin = bytes.NewReader(stdin)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return out, fmt.Errorf("%v: %s", err, msg)
		}
		return out, err
	}
	return out, nil
}

func gitEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch name {
		case "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY", "GIT_COMMON_DIR", "GIT_PREFIX":
			continue
		}
		env = append(env, kv)
	}
	return env
}
