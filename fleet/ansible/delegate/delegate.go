package delegate

import (
	"bufio"
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

//go:embed straylight_events.py
var callbackPlugin []byte

// callbackName is the plugin's CALLBACK_NAME.
const callbackName = "straylight_events"

// eventPrefix starts each line the plugin prints (straylight_events.py's
// PREFIX); other stdout lines are Ansible's own and kept as output.
const eventPrefix = "\x1estraylight "

// DefaultTimeout bounds a run when the Runner sets none.
const DefaultTimeout = 30 * time.Minute

// Runner runs ansible-playbook for one repository, with what straylight
// was given: the inventory, extra vars, tags and vault passwords.
type Runner struct {
	Bin       string   // the ansible-playbook to run
	Root      string   // the repository: the run's working directory (its ansible.cfg)
	Inventory string   // -i; empty: ansible.cfg's
	ExtraVars []string // -e, as given to straylight
	Tags      []string // --tags
	SkipTags  []string // --skip-tags
	Vault     []VaultPassword
	Timeout   time.Duration // per run; 0: DefaultTimeout
}

// VaultPassword is one vault password with its vault id.
type VaultPassword struct {
	ID       string
	Password []byte
}

// Run is one ansible-playbook run.
type Run struct {
	Playbook string   // relative to the repository, or absolute
	Hosts    []string // --limit
	Check    bool     // --check --diff: nothing changes on the hosts
}

// Result is how a run ended.
type Result struct {
	ExitCode int
	Output   string // Ansible's own lines (stdout without events, then stderr), last 8 KiB
}

// Find returns the ansible-playbook to run: configured (straylight.yml's
// ansible_playbook), which must exist, else the one on PATH; "" with no
// error when there is none.
func Find(configured string) (string, error) {
	if configured == "" {
		path, err := exec.LookPath("ansible-playbook")
		if err != nil {
			return "", nil
		}
		return path, nil
	}
	path, err := exec.LookPath(configured)
	if err != nil {
		return "", fmt.Errorf("ansible_playbook: %w", err)
	}
	return path, nil
}

// Run runs ansible-playbook and calls each for every event, in order, as
// the plugin prints it. A run that ends with a non-zero exit is a Result,
// not an error; failing to start it, or its deadline passing, is an error.
func (r *Runner) Run(ctx context.Context, run Run, each func(Event)) (Result, error) {
	dir, err := os.MkdirTemp("", "straylight-ansible-")
	if err != nil {
		return Result{}, err
	}
	defer os.RemoveAll(dir)
	args, err := r.args(dir, run)
	if err != nil {
		return Result{}, err
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout())
	defer cancel()
	cmd := exec.CommandContext(ctx, r.Bin, args...)
	cmd.Dir, cmd.Env = r.Root, r.env(dir)
	setProcessGroup(cmd)
	return r.wait(ctx, cmd, each)
}

func (r *Runner) timeout() time.Duration {
	if r.Timeout > 0 {
		return r.Timeout
	}
	return DefaultTimeout
}

// args writes the plugin and the vault password files into dir and
// returns ansible-playbook's arguments.
func (r *Runner) args(dir string, run Run) ([]string, error) {
	if err := os.WriteFile(filepath.Join(dir, callbackName+".py"), callbackPlugin, 0o600); err != nil {
		return nil, err
	}
	args := []string{"--limit", strings.Join(run.Hosts, ",")}
	if run.Check {
		args = append(args, "--check", "--diff")
	}
	if r.Inventory != "" {
		args = append(args, "-i", r.Inventory)
	}
	for _, e := range r.ExtraVars {
		args = append(args, "-e", e)
	}
	args = appendList(args, "--tags", r.Tags)
	args = appendList(args, "--skip-tags", r.SkipTags)
	vault, err := writeVaultFiles(dir, r.Vault)
	if err != nil {
		return nil, err
	}
	return append(append(args, vault...), run.Playbook), nil
}

func appendList(args []string, flag string, list []string) []string {
	if len(list) == 0 {
		return args
	}
	return append(args, flag, strings.Join(list, ","))
}

// env is straylight's environment with the plugin as stdout callback (the
// operator's own callback directories still searched after it). An
// ANSIBLE_* variable set empty is left out: straylight reads it as unset,
// and Ansible would take "" for a path (the working directory).
func (r *Runner) env(dir string) []string {
	plugins := dir
	if own := os.Getenv("ANSIBLE_CALLBACK_PLUGINS"); own != "" {
		plugins += string(os.PathListSeparator) + own
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ANSIBLE_") || !strings.HasSuffix(kv, "=") {
			env = append(env, kv)
		}
	}
	return append(env, "ANSIBLE_CALLBACK_PLUGINS="+plugins, "ANSIBLE_STDOUT_CALLBACK="+callbackName,
		"ANSIBLE_NOCOLOR=1", "ANSIBLE_FORCE_COLOR=0", "ANSIBLE_RETRY_FILES_ENABLED=0", "PYTHONUNBUFFERED=1")
}

// wait starts cmd, hands each event over as it is printed and returns
// when the run ended.
func (r *Runner) wait(ctx context.Context, cmd *exec.Cmd, each func(Event)) (Result, error) {
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return Result{}, err
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return Result{}, fmt.Errorf("start %s: %w", r.Bin, err)
	}
	out, readErr := readEvents(stdout, each)
	err = cmd.Wait()
	res := Result{ExitCode: cmd.ProcessState.ExitCode(), Output: tail(out+stderr.String(), 8<<10)}
	if ctx.Err() != nil {
		return res, fmt.Errorf("ansible-playbook did not finish within %s: %w", r.timeout(), ctx.Err())
	}
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		return res, err
	}
	return res, readErr
}

// readEvents decodes the plugin's lines, handing each event over, and
// returns the other lines.
func readEvents(r io.Reader, each func(Event)) (string, error) {
	var other strings.Builder
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 64<<20)
	for sc.Scan() {
		line := sc.Text()
		raw, ok := strings.CutPrefix(line, eventPrefix)
		if !ok {
			other.WriteString(line + "\n")
			continue
		}
		var ev Event
		if err := json.Unmarshal([]byte(raw), &ev); err != nil {
			return other.String(), fmt.Errorf("ansible-playbook's event line is not JSON: %w", err)
		}
		each(ev)
	}
	_, _ = io.Copy(io.Discard, r) // a line too long ended the scan: let the run finish
	return other.String(), sc.Err()
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[len(s)-n:]
}
