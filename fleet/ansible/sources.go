package ansible

import (
	"os"
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

// roleCache holds the roles include_role and import_role load, once for
// every host.
type roleCache struct {
	mu    sync.Mutex
	roles map[string]*Role
}

func (c *roleCache) load(r *Repo, ref RoleRef, search []string, from RoleFiles) (*Role, error) {
	dir, err := findRole(ref, search)
	if err != nil {
		return nil, err
	}
	key := dir + "\x00" + from.Tasks + "\x00" + from.Vars + "\x00" + from.Defaults + "\x00" + from.Handlers
	c.mu.Lock()
	defer c.mu.Unlock()
	if role, ok := c.roles[key]; ok {
		return role, nil
	}
	role, err := loadRoleFiles(r.Root, ref.Name, dir, from)
	if err != nil {
		return nil, &InputError{At: ref.At, Key: "name", Msg: err.Error()}
	}
	if c.roles == nil {
		c.roles = map[string]*Role{}
	}
	c.roles[key] = role
	return role, nil
}
