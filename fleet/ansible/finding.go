package ansible

import (
	"slices"
	"strings"
)

// Severity of a finding.
type Severity string

const (
	SevError   Severity = "error"
	SevWarning Severity = "warning"
)

// Finding is a lint or validation result, named by file, line and key.
type Finding struct {
	Severity Severity `json:"severity"`
	Host     string   `json:"host,omitempty"`
	At       Located  `json:"at"`
	Key      string   `json:"key,omitempty"`
	Message  string   `json:"message"`
}

// ErrorFinding turns an error into an error finding, keeping the position
// of an InputError.
func ErrorFinding(host string, err error) Finding {
	f := Finding{Severity: SevError, Host: host, Message: err.Error()}
	if ie, ok := err.(*InputError); ok {
		f.At, f.Key, f.Message = ie.At, ie.Key, ie.Msg
	}
	return f
}

// UnsupportedTask is a task straylight will not run, with the reason.
type UnsupportedTask struct {
	Task   string  `json:"task"`
	Reason string  `json:"reason"`
	At     Located `json:"at"`
	// Playbook is the playbook whose play runs it (what ansible-playbook
	// is given when the task is delegated); Module is the task's module as
	// written.
	Playbook string `json:"playbook,omitempty"`
	Module   string `json:"module,omitempty"`
}

// NewUnsupported is a task of run straylight will not run, with the reason.
func NewUnsupported(run *PlayRun, t *Task, reason string) UnsupportedTask {
	u := UnsupportedTask{Task: t.Label(), Reason: reason, At: t.At, Module: t.ModuleName}
	if run != nil && run.Playbook != nil {
		u.Playbook = run.Playbook.Path
	}
	return u
}

// AppendUnique appends the non-empty items not yet in list.
func AppendUnique(list []string, items ...string) []string {
	for _, it := range items {
		if it != "" && !slices.Contains(list, it) {
			list = append(list, it)
		}
	}
	return list
}

// Text is the finding as one line: where, which key, what.
func (f Finding) Text() string {
	var b strings.Builder
	if f.At.File != "" {
		b.WriteString(f.At.String() + ": ")
	}
	if f.Host != "" {
		b.WriteString("[" + f.Host + "] ")
	}
	if f.Key != "" {
		b.WriteString(f.Key + ": ")
	}
	b.WriteString(f.Message)
	return b.String()
}
