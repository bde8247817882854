package githistory

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/oracle"
)

// gitRepo makes a repository with three commits: one adding host_vars and
// group_vars, one changing host_vars/wintermute.yml, one touching only
// armitage's file.
func gitRepo(t *testing.T) string {
	t.Helper()
	oracle.Tool(t, "git", "apt-get install git")
	root := t.TempDir()
	git(t, root, "init", "-q")
	write(t, root, "host_vars/wintermute.yml", "vllm:\n  model: m\n")
	write(t, root, "host_vars/armitage.yml", "vllm:\n  model: q\n")
	write(t, root, "group_vars/all.yml", "x: 1\n")
	commit(t, root, "Initial homelab")
	write(t, root, "host_vars/wintermute.yml", "vllm:\n  model: m\n  served_model_name: \"llama31-8b-wintermute\"\n")
	commit(t, root, "wintermute: add served_model_name")
	write(t, root, "host_vars/armitage.yml", "vllm:\n  model: q2\n")
	commit(t, root, "armitage: new model")
	return root
}

func git(t *testing.T, root string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", append([]string{"-c", "user.name=Riviera", "-c", "user.email=riviera@example.invalid", "-c", "commit.gpgsign=false"}, args...)...)
	cmd.Dir = root
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func write(t *testing.T, root, rel, content string) {
	t.Helper()
	path := filepath.Join(root, rel)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func commit(t *testing.T, root, msg string) {
	git(t, root, "add", "-A")
	git(t, root, "commit", "-q", "-m", msg)
}

var hostFiles = []string{"host_vars/wintermute.yml", "group_vars"}

func TestLogListsTheHostsCommits(t *testing.T) {
	root := gitRepo(t)
	commits, err := Log(context.Background(), root, hostFiles, 50)
	if err != nil {
		t.Fatal(err)
	}
	var subjects []string
	for _, c := range commits {
		subjects = append(subjects, c.Subject)
	}
	if strings.Join(subjects, "|") != "wintermute: add served_model_name|Initial homelab" {
		t.Fatalf("subjects %q", subjects)
	}
	c := commits[0]
	if c.Author != "Riviera" || c.Date.IsZero() || len(c.Hash) != 40 || strings.Join(c.Files, ",") != "host_vars/wintermute.yml" {
		t.Errorf("commit %+v", c)
	}
	diff, err := Show(context.Background(), root, c.Hash)
	if err != nil || !strings.Contains(diff, `+  served_model_name: "llama31-8b-wintermute"`) || !strings.Contains(diff, "Author: Riviera") {
		t.Errorf("show: %v\n%s", err, diff)
	}
}

func TestRevertMakesANewCommit(t *testing.T) {
	root := gitRepo(t)
	commits, _ := Log(context.Background(), root, hostFiles, 50)
	head, err := Revert(context.Background(), root, commits[0].Hash)
	if err != nil {
		t.Fatal(err)
	}
	got, _ := os.ReadFile(filepath.Join(root, "host_vars/wintermute.yml"))
	if strings.Contains(string(got), "served_model_name") {
		t.Errorf("after the revert: %s", got)
	}
	after, _ := Log(context.Background(), root, hostFiles, 1)
	if after[0].Hash != head || !strings.HasPrefix(after[0].Subject, `Revert "wintermute: add served_model_name"`) {
		t.Errorf("new commit %+v (head %s)", after[0], head)
	}
}

func TestUncommittedChangesAreFound(t *testing.T) {
	root := gitRepo(t)
	if dirty, err := Uncommitted(context.Background(), root, hostFiles); err != nil || len(dirty) != 0 {
		t.Fatalf("clean tree: %v %v", dirty, err)
	}
	write(t, root, "group_vars/all.yml", "x: 2\n")
	write(t, root, "host_vars/armitage.yml", "other host\n")
	dirty, err := Uncommitted(context.Background(), root, hostFiles)
	if err != nil || strings.Join(dirty, ",") != "group_vars/all.yml" {
		t.Fatalf("dirty %v %v", dirty, err)
	}
}

func TestRevertThatConflictsLeavesTheTree(t *testing.T) {
	root := gitRepo(t)
	commits, _ := Log(context.Background(), root, hostFiles, 50)
	write(t, root, "host_vars/wintermute.yml", "vllm:\n  model: other\n  served_model_name: \"changed\"\n")
	commit(t, root, "wintermute: change again")
	if _, err := Revert(context.Background(), root, commits[0].Hash); err == nil || !strings.Contains(err.Error(), "did not apply cleanly") {
		t.Fatalf("err = %v", err)
	}
	if out := git(t, root, "status", "--porcelain"); out != "" {
		t.Errorf("tree after the aborted revert:\n%s", out)
	}
}

func TestShowRefusesWhatIsNotAHash(t *testing.T) {
	if _, err := Show(context.Background(), t.TempDir(), "--output=/tmp/x"); err == nil {
		t.Fatal("an option passed as a hash")
	}
}
