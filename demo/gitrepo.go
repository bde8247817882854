package demo

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// The demo's repository is a git repository whose history is the seed's
// story (docs: the seed's "LiteLLM Model Name Mismatch - IaC Fix"): the
// homelab as it was, the commit that added wintermute's served_model_name,
// and the one that changed LiteLLM's model for wintermute to that name.
// The git history view and its revert work on it like on any repository.

// Identity and dates of the seed's commits (the seed is dated 2025-11-12).
const (
	seedAuthor = "mdt"
	seedEmail  = "mdt@homelab.invalid"
)

// seedCommit is one step of the history: files rewritten, then committed.
type seedCommit struct {
	date    string
	message string
	edit    func(d *Demo) error
}

// seedCommits replay the story from the repository's final state: the
// first commit holds the files as they were before the fix.
func seedCommits(wintermute, motoko []byte) []seedCommit {
	before := dropLine(string(wintermute), "served_model_name:")
	oldProxy := strings.Replace(string(motoko), "wintermute_model_display: openai/llama31-8b-wintermute",
		"wintermute_model_display: openai/casperhansen/llama-3-8b-instruct-awq", 1)
	return []seedCommit{
		{"2025-11-03T09:12:00+01:00", "Homelab: Windows vLLM hosts wintermute and armitage behind LiteLLM on motoko",
			func(d *Demo) error { return d.writeBoth([]byte(before), []byte(oldProxy)) }},
		{"2025-11-12T10:41:00+01:00", "wintermute: serve the model as llama31-8b-wintermute (--served-model-name)\n\n" +
			"vLLM served it under its HuggingFace path, casperhansen/llama-3-8b-instruct-awq,\n" +
			"so LiteLLM's route for local/reasoner got 404 Not Found.",
			func(d *Demo) error { return d.writeBoth(wintermute, []byte(oldProxy)) }},
		{"2025-11-12T10:58:00+01:00", "motoko: LiteLLM calls wintermute by its served name",
			func(d *Demo) error { return d.writeBoth(wintermute, motoko) }},
	}
}

func (d *Demo) wintermuteVars() string { return filepath.Join(d.Dir, "host_vars", "wintermute.yml") }
func (d *Demo) motokoVars() string     { return filepath.Join(d.Dir, "group_vars", "motoko.yml") }

func (d *Demo) writeBoth(wintermute, motoko []byte) error {
	if err := os.WriteFile(d.wintermuteVars(), wintermute, 0o644); err != nil {
		return err
	}
	return os.WriteFile(d.motokoVars(), motoko, 0o644)
}

// initGit makes the repository a git repository with the seed's history.
// Without git installed the demo runs without history, and GitNote says so.
func (d *Demo) initGit() error {
	if _, err := exec.LookPath("git"); err != nil {
		d.GitNote = "git is not installed: the demo's repository has no history (h shows nothing)"
		return nil
	}
	wintermute, err := os.ReadFile(d.wintermuteVars())
	if err != nil {
		return err
	}
	motoko, err := os.ReadFile(d.motokoVars())
	if err != nil {
		return err
	}
	if err := d.gitSetup(); err != nil {
		return err
	}
	for _, c := range seedCommits(wintermute, motoko) {
		if err := d.commitStep(c); err != nil {
			return err
		}
	}
	return nil
}

// gitSetup initialises the repository with a local identity (reverts and
// commits made in the demo use it) and ignores the lab's certificate.
func (d *Demo) gitSetup() error {
	if err := os.WriteFile(filepath.Join(d.Dir, ".gitignore"), []byte("# the lab's CA certificate, made at each start\n.lab/\n"), 0o644); err != nil {
		return err
	}
	steps := [][]string{
		{"init", "-q", "-b", "main"},
		{"config", "user.name", seedAuthor},
		{"config", "user.email", seedEmail},
		{"config", "commit.gpgsign", "false"},
	}
	for _, args := range steps {
		if err := d.git(nil, args...); err != nil {
			return err
		}
	}
	return nil
}

func (d *Demo) commitStep(c seedCommit) error {
	if err := c.edit(d); err != nil {
		return err
	}
	if err := d.git(nil, "add", "-A"); err != nil {
		return err
	}
	env := []string{"GIT_AUTHOR_DATE=" + c.date, "GIT_COMMITTER_DATE=" + c.date}
	return d.git(env, "commit", "-q", "--no-verify", "-m", c.message)
}

// git runs git in the repository, with the user's and system's git
// configuration left out so the demo's history is the same everywhere.
func (d *Demo) git(env []string, args ...string) error {
	cmd := exec.Command("git", args...)
	cmd.Dir = d.Dir
	cmd.Env = append(os.Environ(), append(env, "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1")...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("demo: git %s: %v: %s", args[0], err, strings.TrimSpace(stderr.String()))
	}
	return nil
}
