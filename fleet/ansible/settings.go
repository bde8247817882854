package ansible

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/straylight-fleet/straylight/internal/atomicfile"
	"github.com/straylight-fleet/straylight/internal/lazyre"
	"gopkg.in/yaml.v3"
)

// Settings are straylight's own options (straylight.yml at the repository
// root): only what Ansible has no place for. Everything about hosts stays in
// the inventory and vars.
type Settings struct {
	RefreshInterval   time.Duration `yaml:"-"`
	ProbeTimeout      time.Duration `yaml:"-"`
	HealthTimeout     time.Duration `yaml:"-"`
	RouteTestPrompt   string        `yaml:"route_test_prompt"`
	RouteTestTokens   int           `yaml:"route_test_max_tokens"`
	RouteIdleTimeout  time.Duration `yaml:"-"`
	DoctorStepTimeout time.Duration `yaml:"-"` // each --doctor step's deadline
	RefreshSeconds    float64       `yaml:"refresh_seconds"`
	ProbeTimeoutSecs  float64       `yaml:"probe_timeout_seconds"`
	HealthTimeoutSecs float64       `yaml:"health_timeout_seconds"`
	RouteIdleSecs     float64       `yaml:"route_test_idle_timeout_seconds"`
	DoctorStepSecs    float64       `yaml:"doctor_step_timeout_seconds"`
	// Backends and Proxies describe what discovery cannot see (see Mapping).
	Backends []Mapping `yaml:"-"`
	Proxies  []Mapping `yaml:"-"`
	// AnsibleCoreVersion is the ansible-core whose semantics apply when
	// Ansible is not installed here ("2.14", "2.19"; a full release such as
	// "2.19.4" also gives ansible_version its value).
	AnsibleCoreVersion string `yaml:"ansible_core_version"`
	// AnsiblePlaybook is the ansible-playbook that runs the tasks straylight
	// does not (fleet/ansible/delegate); empty: the one on PATH.
	AnsiblePlaybook string `yaml:"ansible_playbook"`
	// AnsibleTimeout bounds each ansible-playbook run.
	AnsibleTimeout     time.Duration `yaml:"-"`
	AnsibleTimeoutSecs float64       `yaml:"ansible_timeout_seconds"`
}

// DefaultSettings are used for keys straylight.yml does not set.
func DefaultSettings() Settings {
	return Settings{
		RefreshSeconds: 2, ProbeTimeoutSecs: 2, HealthTimeoutSecs: 300, RouteIdleSecs: 30, DoctorStepSecs: 60, AnsibleTimeoutSecs: 1800,
		RouteTestPrompt: "Say hello in five words.", RouteTestTokens: 32,
	}
}

// LoadSettings reads repo/straylight.yml when present.
func LoadSettings(repo string) (Settings, error) {
	s := DefaultSettings()
	path := filepath.Join(repo, "straylight.yml")
	data, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return s, err
	}
	if err == nil {
		if err := yaml.Unmarshal(data, &s); err != nil {
			return s, yamlError(path, data, err)
		}
		var root yaml.Node
		if err := yaml.Unmarshal(data, &root); err == nil {
			if err := s.loadMappings("straylight.yml", &root); err != nil {
				return s, err
			}
		}
	}
	return s, s.resolve(path)
}

func (s *Settings) resolve(path string) error {
	for _, v := range []float64{s.RefreshSeconds, s.ProbeTimeoutSecs, s.HealthTimeoutSecs, s.RouteIdleSecs, s.DoctorStepSecs, s.AnsibleTimeoutSecs} {
		if v <= 0 {
			return fmt.Errorf("%s: timeouts and intervals must be positive", path)
		}
	}
	s.RefreshInterval = seconds(s.RefreshSeconds)
	s.ProbeTimeout = seconds(s.ProbeTimeoutSecs)
	s.HealthTimeout = seconds(s.HealthTimeoutSecs)
	s.RouteIdleTimeout = seconds(s.RouteIdleSecs)
	s.DoctorStepTimeout = seconds(s.DoctorStepSecs)
	s.AnsibleTimeout = seconds(s.AnsibleTimeoutSecs)
	return nil
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }

// NewestCoreVersion is the newest ansible-core whose semantics straylight
// knows; it applies when neither Ansible nor straylight.yml says otherwise.
const NewestCoreVersion = "2.19"

var coreVersionRE = lazyre.New(`\[core (\d+\.\d+)([^\]\s]*)\]`)

// DetectCoreVersion returns the ansible-core release that the `ansible`
// on PATH reports with --version ("2.14.18"); "" when Ansible is not
// installed or says nothing readable. `ansible --version` starts Python
// and loads Ansible (0.4 s and more, longer than a 50-host --check), so
// its answer is kept in the user's cache (coreVersionCache), keyed by the
// program's resolved path, size and modification time: an upgrade or a
// reinstall replaces the program, and the next run asks again.
func DetectCoreVersion(ctx context.Context) string {
	path, err := exec.LookPath("ansible")
	if err != nil {
		return ""
	}
	key, keyed := programKey(path)
	if !keyed {
		return askAnsibleVersion(ctx, path)
	}
	cache := coreVersionCache()
	if release := cachedRelease(cache, key); release != "" {
		return release
	}
	release := askAnsibleVersion(ctx, path)
	if release != "" {
		storeRelease(cache, key, release)
	}
	return release
}

// askAnsibleVersion runs `ansible --version` within five seconds.
func askAnsibleVersion(ctx context.Context, path string) string {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, path, "--version").Output()
	if err != nil {
		return ""
	}
	return ParseCoreRelease(string(out))
}

// coreVersionCache is the file holding the answers of `ansible --version`:
// $XDG_CACHE_HOME/straylight (os.UserCacheDir); "" when there is none.
func coreVersionCache() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "straylight", "ansible-core-version")
}

// programKey names a program as it is now: its resolved path, size and
// modification time.
func programKey(path string) (string, bool) {
	resolved, err := filepath.EvalSymlinks(path)
	if err != nil {
		return "", false
	}
	info, err := os.Stat(resolved)
	if err != nil {
		return "", false
	}
	return fmt.Sprintf("%s %d %d", resolved, info.Size(), info.ModTime().UnixNano()), true
}

// cachedRelease is the release recorded for key, "" when none. Each line
// of the cache is "release key".
func cachedRelease(cache, key string) string {
	data, err := os.ReadFile(cache)
	if err != nil || cache == "" {
		return ""
	}
	for line := range strings.Lines(string(data)) {
		release, lineKey, ok := strings.Cut(strings.TrimSuffix(line, "\n"), " ")
		if ok && lineKey == key {
			return release
		}
	}
	return ""
}

// storeRelease records release for key, replacing the cache's other
// answers for the same program path. The cache only saves time: a failure
// to write it is left for the next run to retry.
func storeRelease(cache, key, release string) {
	if cache == "" || os.MkdirAll(filepath.Dir(cache), 0o755) != nil {
		return
	}
	path, _, _ := strings.Cut(key, " ")
	kept := release + " " + key + "\n"
	if data, err := os.ReadFile(cache); err == nil {
		for line := range strings.Lines(string(data)) {
			if _, lineKey, _ := strings.Cut(line, " "); !strings.HasPrefix(lineKey, path+" ") {
				kept += line
			}
		}
	}
	_ = atomicfile.Write(cache, []byte(kept), 0o644)
}

// ParseCoreVersion reads "ansible [core 2.14.18]" (the first line of
// ansible --version) as "2.14".
func ParseCoreVersion(out string) string {
	m := coreVersionRE().FindStringSubmatch(out)
	if m == nil {
		return ""
	}
	return m[1]
}

// ParseCoreRelease reads "ansible [core 2.14.18]" as "2.14.18" (and a
// pre-release's "[core 2.19.0rc1]" as "2.19.0rc1").
func ParseCoreRelease(out string) string {
	m := coreVersionRE().FindStringSubmatch(out)
	if m == nil {
		return ""
	}
	return m[1] + m[2]
}

// coreVersion settles the ansible-core whose semantics apply on first use:
// the given one, else the detected one, else straylight.yml's, else the
// newest. Each may be a major.minor ("2.19") or a release ("2.19.4").
type coreVersion struct {
	given, configured string
	detect            func() string
	once              sync.Once
	version           string // major.minor
	release           string // the full release when the source said it
}

func (c *coreVersion) get() string {
	c.settle()
	return c.version
}

func (c *coreVersion) settle() {
	c.once.Do(func() {
		detected := ""
		if c.given == "" && c.detect != nil {
			detected = c.detect()
		}
		chosen := firstNonEmpty(c.given, detected, c.configured, NewestCoreVersion)
		c.version = majorMinor(chosen)
		if strings.Count(chosen, ".") >= 2 {
			c.release = chosen
		}
	})
}

// majorMinor is "2.19" of "2.19.4" (a major.minor as it is).
func majorMinor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) < 2 {
		return v
	}
	return parts[0] + "." + parts[1]
}

// CoreRelease is the full ansible-core release whose semantics apply
// ("2.19.4"), "" when its source gave only a major.minor (straylight.yml's
// ansible_core_version: "2.19", or none: the newest straylight knows).
func (r *Repo) CoreRelease() string {
	r.core.settle()
	return r.core.release
}

// CoreVersion is the ansible-core whose semantics apply ("2.14", "2.19"):
// Options.CoreVersion, else the one Options.DetectCoreVersion finds, else
// straylight.yml's ansible_core_version, else NewestCoreVersion. It is
// settled on first use.
func (r *Repo) CoreVersion() string { return r.core.get() }

// StrictConditionals reports whether conditions must be booleans, as since
// ansible-core 2.19.
func (r *Repo) StrictConditionals() bool {
	return versionAtLeast(r.CoreVersion(), 2, 19)
}

// DataTagging reports whether the template module renders as since
// ansible-core 2.19's templating rewrite (render.TemplateOptions.DataTagging:
// a template of one value is written as that value, a source without
// template syntax as it is).
func (r *Repo) DataTagging() bool {
	return versionAtLeast(r.CoreVersion(), 2, 19)
}

// SymbolicModeChains reports whether a symbolic mode's clauses read the
// mode the earlier clauses made (g=u after u=rw), as since ansible-core
// 2.16; before, each clause read the file's mode as it was.
func (r *Repo) SymbolicModeChains() bool {
	return versionAtLeast(r.CoreVersion(), 2, 16)
}

// AptLockTimeout reports whether the ansible-core the repository runs
// gives apt-get -o DPkg::Lock::Timeout=lock_timeout: 2.19 does, 2.14 does
// not (the cores between are not measured and taken as 2.14).
func (r *Repo) AptLockTimeout() bool {
	return versionAtLeast(r.CoreVersion(), 2, 19)
}

func versionAtLeast(v string, major, minor int) bool {
	maj, min, _ := strings.Cut(v, ".")
	a, err1 := strconv.Atoi(maj)
	b, err2 := strconv.Atoi(min)
	if err1 != nil || err2 != nil {
		return true
	}
	return a > major || (a == major && b >= minor)
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// splitTags reads --tags values: each may hold several, comma-separated.
func splitTags(values []string) []string {
	var out []string
	for _, v := range values {
		for _, t := range strings.Split(v, ",") {
			out = AppendUnique(out, strings.TrimSpace(t))
		}
	}
	return out
}
