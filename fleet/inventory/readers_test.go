package inventory

import (
	"errors"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

func loadText(t *testing.T, name, text string) (*Inventory, error) {
	t.Helper()
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{name: text})
	return Load([]string{filepath.Join(dir, name)}, nil)
}

func TestYAMLInventoryHostOrderAndGroups(t *testing.T) {
	inv, err := loadText(t, "hosts.yml", `all:
  hosts:
    solo:
  children:
    b:
      hosts:
        h2:
        h1:
      children:
        c:
          hosts:
            h3:
            h1:
    a:
      hosts:
        h4:
        h2:
`)
	if err != nil {
		t.Fatal(err)
	}
	sameStrings(t, "hosts", []string{"solo", "h2", "h1", "h3", "h4"}, inv.Hosts())
	sameStrings(t, "group order", []string{"all", "ungrouped", "b", "c", "a"}, inv.GroupOrder())
	sameStrings(t, "groups[b]", []string{"h2", "h1", "h3"}, inv.Groups()["b"])
	sameStrings(t, "groups[ungrouped]", []string{"solo"}, inv.Groups()["ungrouped"])
	sameStrings(t, "group_names h1", []string{"b", "c"}, inv.GroupNames("h1"))
	sameStrings(t, "group_names solo", []string{"ungrouped"}, inv.GroupNames("solo"))
	c, _ := inv.Group("c")
	if c.Depth != 2 || strings.Join(c.Parents, ",") != "b" {
		t.Errorf("group c: %+v", c)
	}
}

func TestYAMLInventoryOriginsOfNestedKeys(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"inventory/hosts.yml": "all:\n  hosts:\n    wintermute:\n      ansible_host: wintermute\n",
		"inventory/host_vars/wintermute.yml": `# vLLM Configuration
vllm:
  enabled: true
  model: "casperhansen/llama-3-8b-instruct-awq"
  served_model_name: "llama31-8b-wintermute"
  port: 8000
  max_model_len: 9000
routes:
  - name: a
    model: b
`,
	})
	inv := mustLoad(t, nil, filepath.Join(dir, "inventory/hosts.yml"))
	v := mustHostVars(t, inv, "wintermute", Layers{})
	want := map[string]int{"vllm": 2, "vllm.port": 6, "vllm.max_model_len": 7, "routes.1": 0, "routes.0": 9, "routes.0.model": 10, "ansible_host": 4}
	for path, line := range want {
		o, ok := v.LookupOrigin(path)
		if line == 0 {
			if ok {
				t.Errorf("%s: unexpected origin %+v", path, o)
			}
			continue
		}
		if !ok || o.Line != line {
			t.Errorf("%s: origin %+v, want line %d", path, o, line)
		}
	}
	o := v.Origin("vllm.max_model_len")
	if filepath.Base(o.File) != "wintermute.yml" || o.Layer != LayerHostVars {
		t.Errorf("vllm.max_model_len origin %+v", o)
	}
	if o := v.Origin("ansible_host"); o.Layer != LayerInventoryHost || !strings.HasSuffix(o.File, "hosts.yml") {
		t.Errorf("ansible_host origin %+v", o)
	}
}

func TestYAMLInventoryErrorsAndWarnings(t *testing.T) {
	cases := map[string]string{
		"all:\n  hosts:\n    1:\n":                                 "must be a string",
		"plugin: aws_ec2\n":                                        "plugin configuration",
		"all:\n  hosts: [a, b]\n":                                  `invalid "hosts" entry`,
		"all:\n  hosts:\n    a: just-a-string\n":                   "expected a dictionary",
		"all:\n  children:\n    a:\n      hosts: {x: {y: [1, 2}\n": "hosts.yml:4",
		"a:\n  children:\n    b:\n      children:\n        a:\n":   "recursive dependency loop",
	}
	for text, want := range cases {
		_, err := loadText(t, "hosts.yml", text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want it to mention %q", text, err, want)
		}
	}
	inv, err := loadText(t, "hosts.yml", "all:\n  hosts: web1\n  bogus: {a: 1}\n  other: 5\n")
	if err != nil {
		t.Fatal(err)
	}
	sameStrings(t, "hosts", []string{"web1"}, inv.Hosts())
	if w := strings.Join(inv.Warnings(), "\n"); !strings.Contains(w, "unexpected key (bogus)") || !strings.Contains(w, "(other)") {
		t.Errorf("warnings: %q", w)
	}
}

func TestINIInventory(t *testing.T) {
	inv, err := loadText(t, "hosts", `orphan a=1
[web]
web[1:2] x="a b" n="42"
[web:vars]
port=8080
quoted="42"
[prod:children]
web
later
[later]
l1:2200
[orphan_group:vars]
`+"")
	if err == nil {
		t.Fatalf("expected an error for [orphan_group:vars], got hosts %v", inv.Hosts())
	}
	if !strings.Contains(err.Error(), "hosts:12: Section [orphan_group:vars] not valid for undefined group") {
		t.Errorf("error: %v", err)
	}
	inv, err = loadText(t, "hosts", "orphan a=1\n[web]\nweb[1:2] x=\"a b\" n=\"42\"\n[web:vars]\nport=8080\nquoted=\"42\"\n[prod:children]\nweb\nlater\n[later]\nl1:2200\n")
	if err != nil {
		t.Fatal(err)
	}
	sameStrings(t, "hosts", []string{"orphan", "web1", "web2", "l1"}, inv.Hosts())
	v := mustHostVars(t, inv, "web2", Layers{})
	if v.Values["n"] != 42 || v.Values["x"] != "a b" || v.Values["quoted"] != "42" || v.Values["port"] != 8080 {
		t.Errorf("web2 vars: %#v", v.Values)
	}
	if o := v.Origin("quoted"); o.Line != 6 || o.Layer != LayerInventoryGroup+"web" {
		t.Errorf("quoted origin: %+v", o)
	}
	if v := mustHostVars(t, inv, "l1", Layers{}); v.Values["ansible_port"] != 2200 {
		t.Errorf("l1 vars: %#v", v.Values)
	}
	sameStrings(t, "prod", []string{"web1", "web2", "l1"}, inv.Groups()["prod"])
}

func TestINIErrorsNameFileAndLine(t *testing.T) {
	cases := map[string]string{
		"[web]\nh1 novalue\n":           "hosts:2: Expected key=value host variable assignment",
		"[web:vars]\njustakey\n[web]\n": "hosts:2: Expected key=value",
		"[web:bogus]\n":                 "hosts:1: Section [web:bogus] has unknown type",
		"[a b]\n":                       "hosts:1: Invalid section entry",
		"[p:children]\nmissing\n":       "hosts:2: Section [p:children] includes undefined group: missing",
		"h1 a='unterminated\n":          "hosts:1: Error parsing host definition",
		"[web]\nh1:\n":                  "ending in ':' is not allowed",
	}
	for text, want := range cases {
		_, err := loadText(t, "hosts", text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want %q", text, err, want)
		}
	}
}

func TestHostPatternExpansion(t *testing.T) {
	cases := map[string][]string{
		"web[1:3]":        {"web1", "web2", "web3"},
		"web[01:03]":      {"web01", "web02", "web03"},
		"db-[a:c]":        {"db-a", "db-b", "db-c"},
		"n[0:4:2].lab":    {"n0.lab", "n2.lab", "n4.lab"},
		"r[1:2]c[1:2]":    {"r1c1", "r1c2", "r2c1", "r2c2"},
		"host.example:22": {"host.example"},
	}
	for in, want := range cases {
		got, _, err := expandHostPattern(in)
		if err != nil || strings.Join(got, ",") != strings.Join(want, ",") {
			t.Errorf("%s: %v, %v; want %v", in, got, err, want)
		}
	}
	if _, port, _ := expandHostPattern("host:2222"); port != 2222 {
		t.Errorf("port %d", port)
	}
	if _, _, err := expandHostPattern("h[1:99999999]"); err == nil {
		t.Error("a huge range should be refused")
	}
}

func TestMalformedVarFileNamesFileAndLine(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{
		"hosts.yml":                "all:\n  hosts:\n    wintermute:\n",
		"host_vars/wintermute.yml": "vllm:\n  port: 8000\n  model: [unclosed\n",
		"group_vars/all.yml":       "ok: 1\n",
	})
	inv := mustLoad(t, nil, filepath.Join(dir, "hosts.yml"))
	_, err := inv.HostVars("wintermute", Layers{})
	var ierr *Error
	if !errors.As(err, &ierr) || !strings.HasSuffix(ierr.File, "host_vars/wintermute.yml") || ierr.Line == 0 {
		t.Fatalf("error %v (%#v) should name host_vars/wintermute.yml and a line", err, ierr)
	}
}

func TestVarFileMustBeMapping(t *testing.T) {
	if _, err := parseVarFile([]byte("- a\n- b\n"), "x.yml", nil); err == nil || !strings.Contains(err.Error(), "must hold a mapping") {
		t.Errorf("list var file: %v", err)
	}
	for _, empty := range []string{"", "---\n", "# c\n", "{}", "[]", "null", "false", "0", "''"} {
		vs, err := parseVarFile([]byte(empty), "x.yml", nil)
		if err != nil || len(vs) != 0 {
			t.Errorf("%q: %v, %v; want nothing", empty, vs, err)
		}
	}
}

func TestUnparsableInventory(t *testing.T) {
	if _, err := loadText(t, "hosts.toml", "[x]\n"); err == nil || !strings.Contains(err.Error(), "TOML") {
		t.Errorf("toml: %v", err)
	}
	if _, err := Load([]string{"/nonexistent/inventory.yml"}, nil); err == nil {
		t.Error("missing source should fail")
	}
	inv, err := Load([]string{"wintermute,armitage:5986,"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	sameStrings(t, "host list", []string{"wintermute", "armitage"}, inv.Hosts())
	if v := mustHostVars(t, inv, "armitage", Layers{}); v.Values["ansible_port"] != 5986 {
		t.Errorf("armitage: %#v", v.Values)
	}
}

func TestDefaultSources(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"inventory/hosts.yml": "all: {}\n", "hosts": "x\n"})
	got, err := DefaultSources(dir)
	if err != nil || len(got) != 1 || got[0] != filepath.Join(dir, "inventory/hosts.yml") {
		t.Errorf("default: %v, %v", got, err)
	}
	writeTree(t, dir, map[string]string{"ansible.cfg": "[defaults]\ninventory = hosts, extra/\nroles_path = roles\n"})
	got, _ = DefaultSources(dir)
	if strings.Join(got, ",") != filepath.Join(dir, "hosts")+","+filepath.Join(dir, "extra") {
		t.Errorf("from ansible.cfg: %v", got)
	}
	if _, err := DefaultSources(t.TempDir()); err == nil {
		t.Error("empty repository should have no inventory")
	}
}

// brokenYAML are typical hand-editing mistakes; the line we report must be
// the one PyYAML (Ansible's parser) points at, or, where given, the line
// where the broken construct starts (an unclosed bracket, a key without
// its colon), which PyYAML names as the context of its error.
var brokenYAML = []struct {
	doc         string
	contextLine int
}{
	{"vllm:\n  port: 8000\n model: x\n", 0},
	{"vllm:\n  port: 8000\n  model: [a, b\nother: 1\n", 3},
	{"a: 1\nb: {c: 1, d: 2\n", 2},
	{"a: 1\n\tb: 2\n", 0},
	{"a: 'unterminated\nb: 2\n", 0},
	{"a:\n  - x\n  y: 1\n", 0},
	{"a: b: c\n", 0},
	{"a: 1\nb: \"bad \\q escape\"\n", 0},
	{"list:\n  - a\n - b\n", 0},
	{"x: 1\ny: 2\nz:\n  k: v\n  bad\n  q: 1\n", 5},
	{"key: value\n- item\n", 0},
}

func TestYAMLErrorLinesMatchPyYAML(t *testing.T) {
	var docs []string
	for _, b := range brokenYAML {
		docs = append(docs, b.doc)
	}
	oracle := runPythonOracle(t, "yaml_error_line.py", docs)
	for i, b := range brokenYAML {
		_, err := parseDocument([]byte(b.doc), "f.yml", nil)
		want := fmt.Sprint(oracle[i]["line"])
		var ierr *Error
		if !errors.As(err, &ierr) {
			t.Errorf("%q: error %v, PyYAML line %s", b.doc, err, want)
			continue
		}
		got := strconv.Itoa(ierr.Line)
		if got != want && ierr.Line != b.contextLine {
			t.Errorf("%q: line %s (%s), PyYAML says line %s", b.doc, got, ierr.Msg, want)
		}
	}
}
