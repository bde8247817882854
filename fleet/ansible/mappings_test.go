package ansible

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func loadSettingsText(t *testing.T, text string) (Settings, error) {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "straylight.yml"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return LoadSettings(dir)
}

func TestSettingsReadBackendAndProxyMappings(t *testing.T) {
	s, err := loadSettingsText(t, "refresh_seconds: 3\nbackends:\n  - hosts: gpu*\n    kind: sglang\n    api_base: \"http://{{ ansible_host }}:30000/v1\"\n    served_names: [a, b]\nproxies:\n  - hosts: proxy\n    master_key: \"{{ vault_key }}\"\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Backends) != 1 || s.Backends[0].Hosts != "gpu*" || s.Backends[0].Fields["served_names"] != `["a", "b"]` ||
		s.Backends[0].At.Line != 3 || s.Backends[0].Fields["api_base"] != "http://{{ ansible_host }}:30000/v1" {
		t.Fatalf("backends: %+v", s.Backends)
	}
	if len(s.Proxies) != 1 || s.Proxies[0].Fields["master_key"] != "{{ vault_key }}" || s.RefreshSeconds != 3 {
		t.Fatalf("proxies: %+v, settings %+v", s.Proxies, s)
	}
}

func TestSettingsMappingErrorsNameLineAndKey(t *testing.T) {
	cases := map[string]string{
		"backends:\n  - hosts: gpu\n    port: 8000\n": "straylight.yml:3: backends[0].port: unknown field",
		"backends:\n  - kind: vllm\n":                 "straylight.yml:2: backends[0].hosts: missing",
		"proxies: {hosts: x}\n":                       "straylight.yml:1: proxies: expected a list",
		"backends:\n  - hosts: g\n    kind: {a: 1}\n": "straylight.yml:3: backends[0].kind: expected a string",
	}
	for text, want := range cases {
		_, err := loadSettingsText(t, text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: got %v, want %q", text, err, want)
		}
	}
}
