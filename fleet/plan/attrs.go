package plan

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/internal/shquote"
	"github.com/straylight-fleet/straylight/remote"
)

// FileMeta is a file's mode and ownership as a plan shows their change:
// the mode as Ansible's diff prints it ("0644"), the uid and gid it shows,
// and the names where known. A name without its id is an account an
// earlier task of the run adds: useradd or groupadd picks the id then.
type FileMeta struct {
	Mode  string `json:"mode,omitempty"`
	UID   *int   `json:"uid,omitempty"`
	Owner string `json:"owner,omitempty"`
	GID   *int   `json:"gid,omitempty"`
	Group string `json:"group,omitempty"`
}

// AttrsOnly reports whether the change leaves the content as it is and
// sets the mode, owner or group alone (a chmod/chown, no rewrite).
func (f *FileChange) AttrsOnly() bool {
	return f.Changes() && f.OldSHA256 != "" && f.OldSHA256 == f.NewSHA256 && f.Script == ""
}

// hasPOSIXAttrs: the task sets a mode, owner or group.
func hasPOSIXAttrs(a FileAttrs) bool { return a.Mode != "" || a.Owner != "" || a.Group != "" }

// keepExisting plans force: no on an existing file: Ansible's copy returns
// before comparing anything, so the file stays as it is, attributes too.
func (f *fileWork) keepExisting(st remote.FileState, rz recognizers) bool {
	c := f.change
	if !c.Attrs.NoForce || !st.Exists || f.edit != nil {
		return false
	}
	f.content = st.Content
	c.NewSHA256, c.NewContent, c.raw = st.SHA256, string(st.Content), st.Content
	f.compare(st, rz)
	return true
}

// compareAttrs plans the task's mode, owner and group against the file's,
// as Ansible's module compares them after the content: a difference alone
// makes the task changed, with Ansible's before/after diff. It returns
// false when the task would fail (listed, not planned).
func (hf *hostFiles) compareAttrs(ctx context.Context, w *hostWork, f *fileWork, st remote.FileState) bool {
	c := f.change
	if !hasPOSIXAttrs(c.Attrs) {
		return true
	}
	if st.Exists && !st.Meta.Known {
		return w.wouldFail(f, fmt.Sprintf("%s reports no file modes or owners (%s)", hf.tr.Describe(), c.Dest))
	}
	a := filemod.Attrs{Mode: c.Attrs.Mode, Owner: c.Attrs.Owner, Group: c.Attrs.Group, Chained: symbolicMode(c.Attrs.Mode) && w.core.SymbolicModeChains(), LineInFile: f.edit != nil}
	res, err := filemod.CompareAttrs(c.Dest, a, attrState(st), hf.idLookup(ctx, c))
	if err != nil {
		return w.wouldFail(f, fmt.Sprintf("%s would fail: %v", c.Module, err))
	}
	c.SetMode = res.Mode
	if res.Changed {
		c.AttrsBefore = metaOf(res.Before, st.Meta.Owner, st.Meta.Group)
		c.AttrsAfter = metaOf(res.After, nameOnly(c.Attrs.Owner), nameOnly(c.Attrs.Group))
		c.Diff += res.Diff
		if c.Action == ActionNone {
			c.Action = ActionUpdate
		}
	}
	return true
}

// symbolicMode: a mode written as clauses (u=rw,g+x), not octal digits —
// the only kind whose meaning depends on the ansible-core version.
func symbolicMode(mode string) bool { return strings.ContainsAny(mode, "=+-") }

// wouldFail lists the task as one that would fail, with the reason.
func (w *hostWork) wouldFail(f *fileWork, reason string) bool {
	f.failed = true
	w.unsupported(f.change.Playbook, f.task, reason)
	return false
}

func attrState(st remote.FileState) filemod.AttrState {
	m := st.Meta
	return filemod.AttrState{Exists: st.Exists, Mode: m.Mode, UID: m.UID, GID: m.GID, Owner: m.Owner, Group: m.Group, Umask: m.Umask}
}

// metaOf is the plan's view of one side of Ansible's attribute diff: an
// id with the name given, or a name alone (an account an earlier task of
// the run adds: its id is the run's).
func metaOf(side map[string]any, owner, group string) *FileMeta {
	m := &FileMeta{}
	m.Mode, _ = side["mode"].(string)
	m.UID, m.Owner = idOrName(side["owner"], owner)
	m.GID, m.Group = idOrName(side["group"], group)
	return m
}

func idOrName(v any, name string) (*int, string) {
	switch v := v.(type) {
	case int:
		return &v, name
	case string:
		return nil, v
	}
	return nil, ""
}

// nameOnly is a user or group name, "" for a numeric id.
func nameOnly(s string) string {
	if _, err := strconv.Atoi(s); err == nil {
		return ""
	}
	return s
}

// idLookup asks the host for a user's or group's id, as the module's
// getpwnam/getgrnam would: only for a name the file does not have already,
// and not an account an earlier user or group task of the plan acts on
// (that task's outcome is the answer).
func (hf *hostFiles) idLookup(ctx context.Context, c *FileChange) filemod.IDLookup {
	return func(kind, name string) (int, error) {
		if id, ok, err := hf.accounts.idAfter(kind, name); ok {
			return id, err
		}
		script := "id -u -- " + shquote.Always(name)
		if kind == "group" {
			script = "getent group -- " + shquote.Always(name) + " | cut -d: -f3"
		}
		res, err := WithBecome(hf.tr, c.Become).Run(ctx, remote.Command{Shell: remote.Sh, Script: script})
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(strings.TrimSpace(res.Stdout))
	}
}

// plannedState is what the file is after the task, for the tasks after it
// on the same path: its content, and the attributes the task sets.
func (f *fileWork) plannedState(st remote.FileState) remote.FileState {
	c := f.change
	out := remote.FileState{Path: c.Dest, Exists: true, Content: f.content, SHA256: c.NewSHA256, Meta: st.Meta}
	if !st.Exists {
		out.Meta = remote.FileMeta{Known: true, Mode: 0o666 &^ st.Meta.Umask, UID: -1, GID: -1, Umask: st.Meta.Umask}
	}
	if m, err := strconv.ParseUint(c.SetMode, 8, 32); err == nil && c.SetMode != "" {
		out.Meta.Mode = uint32(m)
	}
	if after := c.AttrsAfter; after != nil {
		out.Meta.UID, out.Meta.Owner = plannedID(after.UID, after.Owner, out.Meta.UID, out.Meta.Owner)
		out.Meta.GID, out.Meta.Group = plannedID(after.GID, after.Group, out.Meta.GID, out.Meta.Group)
	}
	return out
}

// plannedID is an id and name after a task that sets them (a name alone:
// id -1, the run's), else as they were.
func plannedID(id *int, name string, curID int, curName string) (int, string) {
	switch {
	case id != nil:
		return *id, name
	case name != "":
		return -1, name
	}
	return curID, curName
}
