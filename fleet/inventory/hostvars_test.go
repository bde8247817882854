package inventory

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// precedenceRepo sets the variable "v" in every layer the inventory
// handles, so that removing layers one by one shows who wins.
func precedenceRepo() map[string]string {
	return map[string]string{
		"inventory/hosts.yml": `all:
  vars: {v: inventory-all, all_only: 1}
  children:
    parent:
      vars: {v: inventory-parent}
      children:
        child:
          vars: {v: inventory-child}
          hosts:
            h:
              v: inventory-host
`,
		"inventory/group_vars/all.yml":    "v: inv-group_vars-all\n",
		"playbooks/group_vars/all.yml":    "v: pb-group_vars-all\n",
		"inventory/group_vars/child.yml":  "v: inv-group_vars-child\n",
		"inventory/group_vars/parent.yml": "v: inv-group_vars-parent\n",
		"playbooks/group_vars/parent.yml": "v: pb-group_vars-parent\n",
		"inventory/host_vars/h.yml":       "v: inv-host_vars\n",
		"playbooks/host_vars/h.yml":       "v: pb-host_vars\n",
	}
}

func TestPrecedenceLadder(t *testing.T) {
	dir := t.TempDir()
	files := precedenceRepo()
	writeTree(t, dir, files)
	layers := Layers{
		RoleDefaults: Vars{Values: map[string]any{"v": "role-default"}},
		PlayVars:     Vars{Values: map[string]any{"v": "play"}},
		RoleVars:     Vars{Values: map[string]any{"v": "role-vars"}},
		ExtraVars:    Vars{Values: map[string]any{"v": "extra"}},
		PlaybookDir:  filepath.Join(dir, "playbooks"),
	}
	// From the top: each step removes the winner and exposes the next.
	ladder := []struct {
		want, layer string
		remove      func()
	}{
		{"extra", LayerExtraVars, func() { layers.ExtraVars = Vars{} }},
		{"role-vars", LayerRoleVars, func() { layers.RoleVars = Vars{} }},
		{"play", LayerPlayVars, func() { layers.PlayVars = Vars{} }},
		{"pb-host_vars", LayerHostVars, func() { rm(t, dir, "playbooks/host_vars/h.yml") }},
		{"inv-host_vars", LayerHostVars, func() { rm(t, dir, "inventory/host_vars/h.yml") }},
		{"inventory-host", LayerInventoryHost, func() { edit(t, dir, "inventory/hosts.yml", "              v: inventory-host\n", "") }},
		// playbook group_vars/parent beats inventory group_vars/child: the
		// playbook layer comes after the whole inventory layer.
		{"pb-group_vars-parent", LayerGroupVars + "parent", func() { rm(t, dir, "playbooks/group_vars/parent.yml") }},
		{"inv-group_vars-child", LayerGroupVars + "child", func() { rm(t, dir, "inventory/group_vars/child.yml") }},
		{"inv-group_vars-parent", LayerGroupVars + "parent", func() { rm(t, dir, "inventory/group_vars/parent.yml") }},
		{"pb-group_vars-all", LayerGroupVars + "all", func() { rm(t, dir, "playbooks/group_vars/all.yml") }},
		{"inv-group_vars-all", LayerGroupVars + "all", func() { rm(t, dir, "inventory/group_vars/all.yml") }},
		{"inventory-child", LayerInventoryGroup + "child", func() { edit(t, dir, "inventory/hosts.yml", "{v: inventory-child}", "{}") }},
		{"inventory-parent", LayerInventoryGroup + "parent", func() { edit(t, dir, "inventory/hosts.yml", "{v: inventory-parent}", "{}") }},
		{"inventory-all", LayerInventoryGroup + "all", func() { edit(t, dir, "inventory/hosts.yml", "v: inventory-all, ", "") }},
		{"role-default", LayerRoleDefault, func() {}},
	}
	for _, step := range ladder {
		inv := mustLoad(t, nil, filepath.Join(dir, "inventory/hosts.yml"))
		v := mustHostVars(t, inv, "h", layers)
		if v.Values["v"] != step.want || v.Origin("v").Layer != step.layer {
			t.Fatalf("got %v from %q, want %v from %q", v.Values["v"], v.Origin("v").Layer, step.want, step.layer)
		}
		step.remove()
	}
}

func rm(t *testing.T, dir, name string) {
	t.Helper()
	if err := os.Remove(filepath.Join(dir, name)); err != nil {
		t.Fatal(err)
	}
}

func edit(t *testing.T, dir, name, old, new string) {
	t.Helper()
	path := filepath.Join(dir, name)
	data, err := os.ReadFile(path)
	if err != nil || !strings.Contains(string(data), old) {
		t.Fatalf("edit %s: %v (no %q)", name, err, old)
	}
	if err := os.WriteFile(path, []byte(strings.Replace(string(data), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestDictsAreReplacedNotMerged(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"hosts.yml":           "all:\n  hosts:\n    h:\n",
		"group_vars/all.yml":  "vllm: {port: 8000, model: m}\n",
		"host_vars/h.yml":     "vllm: {port: 9000}\n",
		"host_vars/other.yml": "ignored: true\n",
	})
	v := mustHostVars(t, mustLoad(t, nil, filepath.Join(dir, "hosts.yml")), "h", Layers{})
	vllm, _ := v.Values["vllm"].(map[string]any)
	if len(vllm) != 1 || vllm["port"] != 9000 {
		t.Errorf("vllm = %#v, want only port 9000", vllm)
	}
	if _, ok := v.LookupOrigin("vllm.model"); ok {
		t.Error("origin of the replaced vllm.model should be gone")
	}
}

func TestGroupOrderAtSameDepth(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"hosts":            "[b]\nh\n[a]\nh\n[c]\nh\n[c:vars]\nansible_group_priority=0\n[ungrouped]\nh\n",
		"group_vars/a.yml": "v: a\nab: a\n",
		"group_vars/b.yml": "v: b\nab: b\n",
		"group_vars/c.yml": "v: c\n",
	})
	inv := mustLoad(t, nil, filepath.Join(dir, "hosts"))
	v := mustHostVars(t, inv, "h", Layers{})
	// c has priority 0 so it sorts first; a and b tie and b wins by name.
	if v.Values["v"] != "b" || v.Values["ab"] != "b" {
		t.Errorf("v = %v, ab = %v; want b, b", v.Values["v"], v.Values["ab"])
	}
	sameStrings(t, "group_names", []string{"a", "b", "c"}, inv.GroupNames("h"))
	sameStrings(t, "ungrouped", nil, inv.Groups()["ungrouped"])
}

func TestSameInventoryAndPlaybookDirReadsFilesOnce(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"hosts.yml":          "all:\n  children:\n    g:\n      hosts:\n        h1:\n        h2:\n",
		"group_vars/g.yml":   "secret: " + "!vault |\n  " + strings.ReplaceAll(fakeEncrypt("s3cret"), "\n", "\n  ") + "\n",
		"group_vars/all.yml": "x: 1\n",
	})
	fv := &fakeVault{}
	inv := mustLoad(t, fv, filepath.Join(dir, "hosts.yml"))
	for _, h := range []string{"h1", "h2", "h1"} {
		v := mustHostVars(t, inv, h, Layers{PlaybookDir: dir})
		if v.Values["secret"] != "s3cret" || !v.Origin("secret").Secret {
			t.Fatalf("%s: secret = %#v (%+v)", h, v.Values["secret"], v.Origin("secret"))
		}
	}
	if fv.calls != 1 {
		t.Errorf("group_vars/g.yml decrypted %d times, want once", fv.calls)
	}
}

func TestVarDirectoriesAndNames(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"hosts.yml":                  "all:\n  children:\n    web:\n      hosts:\n        h:\n",
		"group_vars/web/01.yml":      "a: 1\nb: 1\n",
		"group_vars/web/02.json":     "{\"b\": 2, \"f\": 1e3}",
		"group_vars/web/sub/03":      "c: 3\n",
		"group_vars/web/sub.d/x.yml": "d: 4\n",
		"group_vars/web/.hidden.yml": "e: 5\n",
		"group_vars/web/old.yml~":    "g: 6\n",
		"group_vars/web/notes.txt":   "h: 7\n",
		"host_vars/h.json":           "{\"j\": 1}",
		"host_vars/h.yaml":           "j: 2\n", // .yaml is tried before .json
	})
	v := mustHostVars(t, mustLoad(t, nil, filepath.Join(dir, "hosts.yml")), "h", Layers{})
	want := map[string]any{"a": 1, "b": 2, "f": 1000.0, "c": 3, "j": 2}
	if len(v.Values) != len(want) {
		t.Errorf("values %#v, want %#v", v.Values, want)
	}
	for k, w := range want {
		if v.Values[k] != w {
			t.Errorf("%s = %#v, want %#v", k, v.Values[k], w)
		}
	}
}

func TestSymlinkedVarDir(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"inventory/hosts.yml":      "all:\n  hosts:\n    wintermute:\n",
		"host_vars/wintermute.yml": "vllm:\n  port: 8000\n",
		"inventory/host_vars":      "->../host_vars",
	})
	v := mustHostVars(t, mustLoad(t, nil, filepath.Join(dir, "inventory/hosts.yml")), "wintermute", Layers{})
	o := v.Origin("vllm.port")
	real, _ := filepath.EvalSymlinks(filepath.Join(dir, "host_vars/wintermute.yml"))
	if o.File != real || o.Line != 2 {
		t.Errorf("origin %+v, want %s:2", o, real)
	}
}

func TestVaultFiles(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"hosts.yml":                "all:\n  hosts:\n    motoko:\n",
		"group_vars/all/vault.yml": fakeEncrypt("litellm:\n  master_key: sk-123\n  port: 4000\n"),
		"group_vars/all/plain.yml": "visible: yes\n",
	})
	inv := mustLoad(t, nil, filepath.Join(dir, "hosts.yml"))
	_, err := inv.HostVars("motoko", Layers{})
	if err == nil || !strings.Contains(err.Error(), "is vault-encrypted: pass --vault-password-file or --ask-vault-pass") {
		t.Fatalf("without a decrypter: %v", err)
	}
	v := mustHostVars(t, mustLoad(t, &fakeVault{}, filepath.Join(dir, "hosts.yml")), "motoko", Layers{})
	for _, path := range []string{"litellm", "litellm.master_key", "litellm.port"} {
		if !v.Origin(path).Secret {
			t.Errorf("%s should be secret: %+v", path, v.Origin(path))
		}
	}
	if v.Origin("visible").Secret {
		t.Error("visible should not be secret")
	}
	_, err = mustLoad(t, &fakeVault{fail: true}, filepath.Join(dir, "hosts.yml")).HostVars("motoko", Layers{})
	if err == nil || strings.Contains(err.Error(), "sk-123") || !strings.Contains(err.Error(), "vault.yml") {
		t.Errorf("decrypt failure: %v", err)
	}
}

func TestInlineVaultWithoutDecrypter(t *testing.T) {
	text := "pw: !vault |\n  " + strings.ReplaceAll(fakeEncrypt("x"), "\n", "\n  ") + "\n"
	_, err := parseVarFile([]byte(text), "host_vars/h.yml", nil)
	if err == nil || !strings.Contains(err.Error(), "host_vars/h.yml:1:") || !strings.Contains(err.Error(), "--ask-vault-pass") {
		t.Errorf("error: %v", err)
	}
}

func TestCallerLayersKeepTheirOrigins(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"hosts.yml": "all:\n  hosts:\n    h:\n"})
	defaults, err := ParseVars([]byte("vllm_port: \"{{ vllm.port | default(8000) }}\"\nnested:\n  a: 1\n"), "/r/defaults/main.yml", LayerRoleDefault, nil)
	if err != nil {
		t.Fatal(err)
	}
	v := mustHostVars(t, mustLoad(t, nil, filepath.Join(dir, "hosts.yml")), "h", Layers{
		RoleDefaults: defaults,
		ExtraVars:    Vars{Values: map[string]any{"e": "x"}},
	})
	if o := v.Origin("nested.a"); o.File != "/r/defaults/main.yml" || o.Line != 3 || o.Layer != LayerRoleDefault {
		t.Errorf("nested.a origin %+v", o)
	}
	if v.Values["vllm_port"] != "{{ vllm.port | default(8000) }}" {
		t.Errorf("role default must stay untemplated: %#v", v.Values["vllm_port"])
	}
	if o := v.Origin("e"); o.Layer != LayerExtraVars || o.File != "" {
		t.Errorf("extra var origin %+v", o)
	}
}

func TestUnknownHost(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"hosts.yml": "all:\n  hosts:\n    h:\n"})
	if _, err := mustLoad(t, nil, filepath.Join(dir, "hosts.yml")).HostVars("nope", Layers{}); err == nil {
		t.Error("unknown host should be an error")
	}
}

func TestJSONVaultAndUnsafeObjects(t *testing.T) {
	text := `{"pw": {"__ansible_vault": "` + strings.ReplaceAll(fakeEncrypt("s3"), "\n", `\n`) + `"}, "u": {"__ansible_unsafe": "{{ x }}"}, "n": 1}`
	v, err := ParseVars([]byte(text), "vars.json", LayerHostVars, &fakeVault{})
	if err != nil {
		t.Fatal(err)
	}
	if v.Values["pw"] != "s3" || !v.Origin("pw").Secret {
		t.Errorf("pw: %#v %+v", v.Values["pw"], v.Origin("pw"))
	}
	if v.Values["u"] != "{{ x }}" || v.Origin("u").Secret || v.Values["n"] != 1 {
		t.Errorf("u: %#v %+v, n: %#v", v.Values["u"], v.Origin("u"), v.Values["n"])
	}
}

func TestConcurrentHostVars(t *testing.T) {
	dir := t.TempDir()
	files := precedenceRepo()
	writeTree(t, dir, files)
	inv := mustLoad(t, nil, filepath.Join(dir, "inventory/hosts.yml"))
	done := make(chan Vars)
	for i := 0; i < 8; i++ {
		go func() {
			v, _ := inv.HostVars("h", Layers{PlaybookDir: filepath.Join(dir, "playbooks")})
			inv.Warnings()
			done <- v
		}()
	}
	for i := 0; i < 8; i++ {
		if v := <-done; v.Values["v"] != "pb-host_vars" {
			t.Errorf("got %v", v.Values["v"])
		}
	}
}
