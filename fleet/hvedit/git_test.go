package hvedit

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestCommitMessage(t *testing.T) {
	cases := []struct{ old, new, want string }{
		{"0.85", "0.9", "armitage: vllm.gpu_memory_utilization 0.85 → 0.9"},
		{Unset, "0.9", "armitage: set vllm.gpu_memory_utilization to 0.9"},
		{Masked, Masked, "armitage: vllm.gpu_memory_utilization (secret changed)"},
		{"a\nb", "c", "armitage: vllm.gpu_memory_utilization a b → c"},
		{strings.Repeat("x", 100), "y", "armitage: vllm.gpu_memory_utilization " + strings.Repeat("x", 59) + "… → y"},
	}
	for _, c := range cases {
		if got := CommitMessage("armitage", "vllm.gpu_memory_utilization", c.old, c.new); got != c.want {
			t.Errorf("got %q, want %q", got, c.want)
		}
	}
}

func TestSecretResultMakesAMaskedCommitMessage(t *testing.T) {
	k := testKeyring(t)
	d, _ := Parse("host_vars/motoko.yml", []byte(vaultedVars(t, k, "")), Options{Vault: k})
	res, err := d.Set([]string{"litellm", "master_key"}, newSecret)
	if err != nil {
		t.Fatal(err)
	}
	msg := CommitMessage("motoko", res.Key, res.OldText, res.NewText)
	if msg != "motoko: litellm.master_key (secret changed)" {
		t.Errorf("message %q", msg)
	}
}

// git runs git in dir for the test's own setup and checks.
func git(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir, cmd.Env = dir, gitEnv()
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func tempRepo(t *testing.T) string {
	t.Helper()
	ansibleTool(t, "git")
	dir := t.TempDir()
	git(t, dir, "init", "--quiet")
	git(t, dir, "config", "user.name", "straylight test")
	git(t, dir, "config", "user.email", "test@localhost")
	git(t, dir, "config", "commit.gpgsign", "false")
	return dir
}

func TestGitCommitCommitsExactlyTheFiles(t *testing.T) {
	repo := tempRepo(t)
	hostVars := filepath.Join(repo, "host_vars")
	if err := os.MkdirAll(hostVars, 0o755); err != nil {
		t.Fatal(err)
	}
	seed := readString(t, seedCopy(t, "armitage.yml"))
	for name, content := range map[string]string{"host_vars/armitage.yml": seed, "other.txt": "x\n"} {
		if err := os.WriteFile(filepath.Join(repo, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git(t, repo, "add", ".")
	git(t, repo, "commit", "--quiet", "-m", "initial")
	res, err := Set(filepath.Join(repo, "host_vars/armitage.yml"), []string{"vllm", "gpu_memory_utilization"}, 0.9, Options{Name: "host_vars/armitage.yml"})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(repo, "other.txt"), []byte("staged, not committed\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	git(t, repo, "add", "other.txt")
	msg := CommitMessage("armitage", res.Key, res.OldText, res.NewText)
	if err := GitCommit(repo, []string{"host_vars/armitage.yml"}, msg); err != nil {
		t.Fatal(err)
	}
	if got := git(t, repo, "log", "-1", "--format=%B"); strings.TrimSpace(got) != "armitage: vllm.gpu_memory_utilization 0.85 → 0.9" {
		t.Errorf("message %q", got)
	}
	if got := git(t, repo, "show", "--name-only", "--format=", "HEAD"); strings.TrimSpace(got) != "host_vars/armitage.yml" {
		t.Errorf("committed files %q", got)
	}
	if got := git(t, repo, "diff", "--cached", "--name-only"); strings.TrimSpace(got) != "other.txt" {
		t.Errorf("other.txt should stay staged, got %q", got)
	}
}

func TestGitCommitOutsideARepository(t *testing.T) {
	ansibleTool(t, "git")
	dir := t.TempDir()
	err := GitCommit(dir, []string{"host_vars/x.yml"}, "msg")
	wantKind(t, err, ErrNotGitRepo, dir)
	if GitCommit(dir, nil, "msg") == nil || GitCommit(dir, []string{"x"}, " ") == nil {
		t.Error("empty file list or message accepted")
	}
}
