package ansible

import (
	"fmt"
	"strings"

	"gopkg.in/yaml.v3"
)

// Module is a task module straylight runs itself.
type Module string

const (
	ModTemplate    Module = "template"
	ModWinTemplate Module = "win_template"
	ModCopy        Module = "copy"
	ModWinCopy     Module = "win_copy"
	ModShell       Module = "shell"
	ModCommand     Module = "command"
	ModWinShell    Module = "win_shell"
	ModWinCommand  Module = "win_command"
	// Service modules, run as handlers (restart a vLLM or a proxy).
	ModSystemd         Module = "systemd"
	ModService         Module = "service"
	ModDockerContainer Module = "docker_container"
	ModPodmanContainer Module = "podman_container"
)

// moduleNames maps short and FQCN names to the modules straylight runs.
var moduleNames = map[string]Module{
	"template": ModTemplate, "ansible.builtin.template": ModTemplate, "ansible.legacy.template": ModTemplate,
	"win_template": ModWinTemplate, "ansible.windows.win_template": ModWinTemplate,
	"copy": ModCopy, "ansible.builtin.copy": ModCopy, "ansible.legacy.copy": ModCopy,
	"win_copy": ModWinCopy, "ansible.windows.win_copy": ModWinCopy,
	"shell": ModShell, "ansible.builtin.shell": ModShell, "ansible.legacy.shell": ModShell,
	"command": ModCommand, "ansible.builtin.command": ModCommand, "ansible.legacy.command": ModCommand,
	"win_shell": ModWinShell, "ansible.windows.win_shell": ModWinShell,
	"win_command": ModWinCommand, "ansible.windows.win_command": ModWinCommand,
	"systemd": ModSystemd, "ansible.builtin.systemd": ModSystemd, "ansible.legacy.systemd": ModSystemd,
	"systemd_service": ModSystemd, "ansible.builtin.systemd_service": ModSystemd,
	"service": ModService, "ansible.builtin.service": ModService, "ansible.legacy.service": ModService,
	"docker_container": ModDockerContainer, "community.docker.docker_container": ModDockerContainer,
	"podman_container": ModPodmanContainer, "containers.podman.podman_container": ModPodmanContainer,
}

// IsFileModule reports whether the module deploys a file.
func (m Module) IsFileModule() bool {
	return m == ModTemplate || m == ModWinTemplate || m == ModCopy || m == ModWinCopy
}

// IsCommandModule reports whether the module runs a command (handlers).
func (m Module) IsCommandModule() bool {
	return m == ModShell || m == ModCommand || m == ModWinShell || m == ModWinCommand
}

// IsServiceModule reports whether the module restarts a service or a
// container (handlers only).
func (m Module) IsServiceModule() bool {
	return m == ModSystemd || m == ModService || m == ModDockerContainer || m == ModPodmanContainer
}

// IsHandlerModule reports whether straylight runs the module as a handler.
func (m Module) IsHandlerModule() bool { return m.IsCommandModule() || m.IsServiceModule() }

// taskKeywords are the task keys straylight honours besides the module.
var taskKeywords = map[string]bool{"name": true, "notify": true, "tags": true, "listen": true, "no_log": true, "args": true,
	"become": true, "become_user": true, "become_method": true}

// BecomeSpec is a play's or a task's become keywords. Set tells whether
// become was written at all (else the host's ansible_become applies).
type BecomeSpec struct {
	Set    bool   `json:"set,omitempty"`
	Become bool   `json:"become,omitempty"`
	User   string `json:"user,omitempty"`
	Method string `json:"method,omitempty"`
}

// Over is b with the fields o sets taken from o (a task's keywords over its play's).
func (b BecomeSpec) Over(o BecomeSpec) BecomeSpec {
	if o.Set {
		b.Set, b.Become = true, o.Become
	}
	if o.User != "" {
		b.User = o.User
	}
	if o.Method != "" {
		b.Method = o.Method
	}
	return b
}

// setBecomeKey reads become, become_user or become_method into b.
func (b *BecomeSpec) setBecomeKey(file, key string, v *yaml.Node) error {
	switch key {
	case "become":
		on, ok := parseYAMLBool(v.Value)
		if !ok {
			return &InputError{At: Located{file, v.Line}, Key: key, Msg: fmt.Sprintf("%q is not a boolean", v.Value)}
		}
		b.Set, b.Become = true, on
	case "become_user":
		b.User = v.Value
	case "become_method":
		if v.Value != "sudo" && v.Value != "su" {
			return &InputError{At: Located{file, v.Line}, Key: key, Msg: fmt.Sprintf("become_method %q is not supported (sudo, su)", v.Value)}
		}
		b.Method = v.Value
	}
	return nil
}

func parseYAMLBool(s string) (bool, bool) {
	switch strings.ToLower(s) {
	case "true", "yes", "on", "1":
		return true, true
	case "false", "no", "off", "0":
		return false, true
	}
	return false, false
}

// Task is one task or handler.
type Task struct {
	Name        string
	ModuleName  string // as written
	Module      Module // empty when unsupported
	Args        map[string]any
	FreeForm    string // shell/command text, or k=v arguments
	Notify      []string
	Listen      []string
	NoLog       bool
	Become      BecomeSpec // the task's own become keywords
	Unsupported string     // why straylight cannot run it; empty when it can
	Role        string     // the role it came from, if any
	At          Located
}

// Label names the task for messages.
func (t *Task) Label() string {
	name := t.Name
	if name == "" {
		name = t.ModuleName
	}
	if t.Role != "" {
		return t.Role + " : " + name
	}
	return name
}

func parseTasks(file string, v *yaml.Node, handlers bool) ([]*Task, error) {
	if v.Kind == yaml.ScalarNode && v.Tag == "!!null" {
		return nil, nil
	}
	if v.Kind != yaml.SequenceNode {
		return nil, &InputError{At: Located{file, v.Line}, Msg: "expected a list of tasks"}
	}
	tasks := make([]*Task, 0, len(v.Content))
	for _, n := range v.Content {
		t, err := parseTask(file, n)
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, t)
	}
	return tasks, nil
}

func parseTask(file string, n *yaml.Node) (*Task, error) {
	t := &Task{At: Located{file, n.Line}}
	if n.Kind != yaml.MappingNode {
		return nil, &InputError{At: t.At, Msg: "a task must be a mapping"}
	}
	var extra []string
	for _, kv := range mapPairs(n) {
		key := kv[0].Value
		if err := t.setKey(file, key, kv[1]); err != nil {
			return nil, err
		}
		if !taskKeywords[key] && t.ModuleName != key {
			extra = append(extra, key)
		}
	}
	t.classify(extra)
	return t, nil
}

func (t *Task) setKey(file, key string, v *yaml.Node) error {
	switch key {
	case "name":
		t.Name = v.Value
	case "notify":
		t.Notify = stringList(v)
	case "listen":
		t.Listen = stringList(v)
	case "no_log":
		t.NoLog = v.Value == "true" || v.Value == "yes" || v.Value == "True"
	case "args":
		args, err := decodeMap(file, v)
		t.mergeArgs(args)
		return err
	case "become", "become_user", "become_method":
		return t.Become.setBecomeKey(file, key, v)
	default:
		return t.maybeModule(file, key, v)
	}
	return nil
}

// maybeModule records key as the task's module when it looks like one: the
// first key that is not a task keyword. Every other key is a keyword.
func (t *Task) maybeModule(file, key string, v *yaml.Node) error {
	if t.ModuleName != "" || isTaskKeyword(key) {
		return nil
	}
	t.ModuleName = key
	if v.Kind == yaml.ScalarNode {
		t.FreeForm = v.Value
		return nil
	}
	args, err := decodeMap(file, v)
	t.mergeArgs(args)
	return err
}

func (t *Task) mergeArgs(args map[string]any) {
	if t.Args == nil {
		t.Args = map[string]any{}
	}
	for k, v := range args {
		t.Args[k] = v
	}
}

// ansibleTaskKeywords are Ansible's task keywords (not modules); straylight
// honours only taskKeywords among them.
var ansibleTaskKeywords = map[string]bool{
	"when": true, "loop": true, "loop_control": true, "become": true, "become_user": true,
	"become_method": true, "register": true, "changed_when": true, "failed_when": true,
	"ignore_errors": true, "delegate_to": true, "run_once": true, "environment": true,
	"vars": true, "until": true, "retries": true, "delay": true, "check_mode": true,
	"diff": true, "async": true, "poll": true, "throttle": true, "connection": true,
	"any_errors_fatal": true, "local_action": true, "block": true, "rescue": true,
	"always": true, "debugger": true, "module_defaults": true, "collections": true,
	"ignore_unreachable": true, "timeout": true, "delegate_facts": true,
}

func isTaskKeyword(key string) bool {
	return taskKeywords[key] || ansibleTaskKeywords[key] || strings.HasPrefix(key, "with_")
}

// classify decides whether straylight can run the task and, if not, why.
func (t *Task) classify(extra []string) {
	mod, known := moduleNames[t.ModuleName]
	switch {
	case t.ModuleName == "" && len(extra) > 0:
		t.Unsupported = fmt.Sprintf("task keyword %q is not supported", extra[0])
	case t.ModuleName == "":
		t.Unsupported = "task has no module"
	case !known:
		t.Unsupported = fmt.Sprintf("module %q is not supported", t.ModuleName)
	case len(extra) > 0:
		t.Unsupported = fmt.Sprintf("task keyword %q is not supported", extra[0])
	default:
		t.Module = mod
	}
}

func stringList(v *yaml.Node) []string {
	if v.Kind == yaml.ScalarNode {
		return []string{v.Value}
	}
	var out []string
	for _, n := range v.Content {
		out = append(out, n.Value)
	}
	return out
}
