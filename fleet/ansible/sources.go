package ansible

import (
	"math"
	"os"
	"strings"
	"sync"
	"time"

	"github.com/straylight-fleet/straylight/internal/fileowner"
)

// sourceCache remembers where a task's template or file source was found and
// its bytes: every host of a play renders the same sources, and reading them
// once per host was a quarter of a 1,000-host plan.
type sourceCache struct {
	mu       sync.Mutex
	resolved map[sourceKey]string
	contents map[string][]byte
}

type sourceKey struct {
	task     *Task
	sub, src string
}

func (c *sourceCache) resolve(run *PlayRun, t *Task, sub, src string) (string, error) {
	key := sourceKey{t, sub, src}
	c.mu.Lock()
	path, ok := c.resolved[key]
	c.mu.Unlock()
	if ok {
		return path, nil
	}
	path, err := resolveSource(run, t, sub, src)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.resolved == nil {
		c.resolved = map[sourceKey]string{}
	}
	c.resolved[key] = path
	return path, nil
}

func (c *sourceCache) read(path string) ([]byte, error) {
	c.mu.Lock()
	data, ok := c.contents[path]
	c.mu.Unlock()
	if ok {
		return data, nil
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.contents == nil {
		c.contents = map[string][]byte{}
	}
	c.contents[path] = data
	return data, nil
}

// taskFileCache holds the task files include_tasks and import_tasks read,
// parsed once for every host.
type taskFileCache struct {
	mu    sync.Mutex
	files map[string][]*Task
}

func (c *taskFileCache) load(repo, path, role, roleDir string) ([]*Task, error) {
	key := path + "\x00" + role + "\x00" + roleDir
	c.mu.Lock()
	defer c.mu.Unlock()
	if tasks, ok := c.files[key]; ok {
		return tasks, nil
	}
	tasks, err := loadTaskFile(repo, path, role, roleDir)
	if err != nil {
		return nil, err
	}
	if c.files == nil {
		c.files = map[string][]*Task{}
	}
	c.files[key] = tasks
	return tasks, nil
}

// roleCache holds the roles a repository loads (a play's, include_role's
// and import_role's), once for every play and host.
type roleCache struct {
	mu    sync.Mutex
	roles map[string]*Role
}

func (c *roleCache) load(r *Repo, ref RoleRef, search []string, from RoleFiles) (*Role, error) {
	dir, err := findRole(ref, search)
	if err != nil {
		return nil, err
	}
	role, err := c.loadDir(r, ref.Name, dir, from)
	if err != nil {
		return nil, &InputError{At: ref.At, Key: "name", Msg: err.Error()}
	}
	return role, nil
}

// loadDir loads the role named name at dir once per name, folder and
// files (a play's roles were read again for their names' magic variables).
func (c *roleCache) loadDir(r *Repo, name, dir string, from RoleFiles) (*Role, error) {
	key := strings.Join([]string{name, dir, from.Tasks, from.Vars, from.Defaults, from.Handlers}, "\x00")
	c.mu.Lock()
	defer c.mu.Unlock()
	if role, ok := c.roles[key]; ok {
		return role, nil
	}
	role, err := loadRoleFiles(r.Root, name, dir, from)
	if err != nil {
		return nil, err
	}
	if c.roles == nil {
		c.roles = map[string]*Role{}
	}
	c.roles[key] = role
	return role, nil
}

// templateVars are the variables the template module gives its template,
// over every other (generate_ansible_template_vars:
// lib/ansible/template/__init__.py at v2.14.18,
// lib/ansible/_internal/_templating/_template_vars.py at v2.19.14): the
// src as the task gives it, its full path, the dest, the controller's
// host name, the template's owner (a name, else the uid) and modification
// time, and the time it is rendered, the two times as Python prints a
// datetime.
func templateVars(src, fullpath, dest string, now time.Time) map[string]any {
	host, _ := os.Hostname()
	vars := map[string]any{"template_host": host, "template_path": src, "template_fullpath": fullpath,
		"template_run_date": pyDatetime(now), "template_destpath": nil}
	if dest != "" {
		vars["template_destpath"] = dest
	}
	if st, err := os.Stat(fullpath); err == nil {
		vars["template_mtime"] = pyDatetime(pyFromTimestamp(st.ModTime()))
		vars["template_uid"] = fileowner.Of(st)
	}
	return vars
}

// pyFromTimestamp is datetime.fromtimestamp(os.stat(p).st_mtime): the
// seconds as a double (sec + nsec·1e-9), its fraction rounded half to
// even to microseconds, in local time.
func pyFromTimestamp(t time.Time) time.Time {
	seconds := float64(t.Unix()) + float64(t.Nanosecond())*1e-9
	whole, frac := math.Modf(seconds)
	us := math.RoundToEven(frac * 1e6)
	if us >= 1e6 {
		whole, us = whole+1, us-1e6
	}
	return time.Unix(int64(whole), int64(us)*1000).Local()
}

// pyDatetime is str() of a naive datetime: microseconds only when there
// are some.
func pyDatetime(t time.Time) string {
	t = t.Truncate(time.Microsecond)
	if t.Nanosecond() == 0 {
		return t.Format("2006-01-02 15:04:05")
	}
	return t.Format("2006-01-02 15:04:05.000000")
}
