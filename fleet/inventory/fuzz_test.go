package inventory

import (
	"testing"
)

// The readers take input straight from repositories: whatever the bytes,
// they must return an inventory or an error, never panic. Seed corpora live
// in testdata/fuzz/<FuzzName>/.

func FuzzYAMLInventory(f *testing.F) {
	f.Add([]byte("all:\n  children:\n    gpu:\n      hosts:\n        wintermute:\n          vllm: {port: 8000}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := newModel()
		ops, _, err := parseYAMLInventory(data, "fuzz.yml", &fakeVault{}, false)
		if err == nil {
			err = m.apply(ops)
		}
		exerciseModel(t, m, err)
		_, _ = parseVarFile(data, "fuzz.yml", &fakeVault{})
	})
}

func FuzzINIInventory(f *testing.F) {
	f.Add([]byte("[web]\nweb[1:3] a=1 b='x y'\n[web:vars]\nport=8080\n[all:children]\nweb\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		m := newModel()
		err := parseINIInventory(m, data, "fuzz", false)
		exerciseModel(t, m, err)
		for _, line := range pySplitLines(string(data)) {
			_, _ = pyLiteral(line)
			_, _ = shlexSplit(line)
		}
	})
}

// exerciseModel finishes a parsed model and reads everything back.
func exerciseModel(t *testing.T, m *model, parseErr error) {
	if parseErr != nil {
		return
	}
	m.reconcile()
	m.finalize()
	inv := &Inventory{m: m, files: newVarFiles(nil)}
	for _, h := range inv.Hosts() {
		if _, err := inv.HostVars(h, Layers{}); err != nil {
			t.Fatalf("HostVars(%q) after a successful parse: %v", h, err)
		}
		inv.GroupNames(h)
	}
	inv.Groups()
	if _, _, err := inv.MatchDetail("all:!ungrouped:&*"); err != nil {
		t.Fatalf("pattern: %v", err)
	}
}

func FuzzHostPattern(f *testing.F) {
	f.Add("web*:&prod:!web[0]")
	f.Fuzz(func(t *testing.T, pattern string) {
		m := newModel()
		for _, h := range []string{"web1", "web2", "db1"} {
			_ = m.addHost(h, "ungrouped", 0, Origin{})
		}
		m.reconcile()
		m.finalize()
		inv := &Inventory{m: m, files: newVarFiles(nil)}
		_, _, _ = inv.MatchDetail(pattern)
		_, _, _ = expandHostPattern(pattern)
	})
}
