package ansible

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

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
}

// DefaultSettings are used for keys straylight.yml does not set.
func DefaultSettings() Settings {
	return Settings{
		RefreshSeconds: 2, ProbeTimeoutSecs: 2, HealthTimeoutSecs: 300, RouteIdleSecs: 30, DoctorStepSecs: 60,
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
	for _, v := range []float64{s.RefreshSeconds, s.ProbeTimeoutSecs, s.HealthTimeoutSecs, s.RouteIdleSecs, s.DoctorStepSecs} {
		if v <= 0 {
			return fmt.Errorf("%s: timeouts and intervals must be positive", path)
		}
	}
	s.RefreshInterval = seconds(s.RefreshSeconds)
	s.ProbeTimeout = seconds(s.ProbeTimeoutSecs)
	s.HealthTimeout = seconds(s.HealthTimeoutSecs)
	s.RouteIdleTimeout = seconds(s.RouteIdleSecs)
	s.DoctorStepTimeout = seconds(s.DoctorStepSecs)
	return nil
}

func seconds(f float64) time.Duration { return time.Duration(f * float64(time.Second)) }
