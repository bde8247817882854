package delegate

import (
	"path/filepath"
	"strconv"
	"strings"
)

// Event is one line of the plugin: a play or task starting, a task's
// result on one host, or the run's per-host totals.
type Event struct {
	Kind    string           `json:"event"`  // play, task, result, stats
	Name    string           `json:"name"`   // play: its name
	Task    string           `json:"task"`   // task, result: the task's name as Ansible shows it
	Path    string           `json:"path"`   // task, result: file:line of the task
	Action  string           `json:"action"` // task, result: the module
	Handler bool             `json:"handler"`
	Host    string           `json:"host"`   // result
	Status  Status           `json:"status"` // result
	Ignored bool             `json:"ignored"`
	NoLog   bool             `json:"no_log"` // result: a no_log task's (Msg and Diff left out)
	Msg     string           `json:"msg"`    // result: why it failed
	Diff    string           `json:"diff"`   // result: the --diff text, when Ansible gives one
	Hosts   map[string]Stats `json:"hosts"`  // stats
	// CheckModeSkip: a skipped result skipped only because the run is in
	// check mode (a command, a module or action without check mode, raw);
	// a real run runs the task.
	CheckModeSkip bool `json:"checkmode_skip"`
}

// Status is a task's result on a host.
type Status string

// The statuses of a result.
const (
	Changed     Status = "changed"
	OK          Status = "ok"
	Skipped     Status = "skipped"
	Failed      Status = "failed"
	Unreachable Status = "unreachable"
)

// Stats are a host's totals at the end of a run.
type Stats struct {
	OK          int `json:"ok"`
	Changed     int `json:"changed"`
	Failures    int `json:"failures"`
	Unreachable int `json:"unreachable"`
	Skipped     int `json:"skipped"`
}

// Fails reports whether the result fails its host (a failure not ignored,
// or the host unreachable).
func (e Event) Fails() bool {
	return e.Kind == "result" && (e.Status == Unreachable || (e.Status == Failed && !e.Ignored))
}

// Where is the task's file, relative to root when inside it, and line.
func (e Event) Where(root string) (string, int) {
	i := strings.LastIndexByte(e.Path, ':')
	if i < 0 {
		return e.Path, 0
	}
	line, _ := strconv.Atoi(e.Path[i+1:])
	return relTo(root, e.Path[:i]), line
}

// relTo makes path relative to root when it is inside it.
func relTo(root, path string) string {
	if !filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	if rel, err := filepath.Rel(root, path); err == nil && !strings.HasPrefix(rel, "..") {
		return rel
	}
	if real, err := filepath.EvalSymlinks(root); err == nil {
		if rel, err := filepath.Rel(real, path); err == nil && !strings.HasPrefix(rel, "..") {
			return rel
		}
	}
	return path
}

// Merge combines the results of one task run more than once on a host (a
// loop of includes, a role played twice): a failure wins, then a change,
// then ok; skipped only when every run skipped.
func Merge(a, b Status) Status {
	for _, s := range []Status{Unreachable, Failed, Changed, OK} {
		if a == s || b == s {
			return s
		}
	}
	return Skipped
}

// Unknown is the status of a task the run never reported on a host (the
// play stopped before it there, or never reached the host).
const Unknown Status = "unknown"
