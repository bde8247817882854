package ansible

import (
	"os"
	"strings"
	"sync"
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
