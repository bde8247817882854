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
