package inventory

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Oracle tests: the same temporary repositories are read by straylight and
// by the real ansible-inventory (once per repository, all hosts at once via
// --list) and by one ad-hoc `ansible` run for the groups and group_names
// magic variables; every host's merged variables and every group must agree.

type oracleRepo struct {
	files       map[string]string // path -> content ("->target" makes a symlink)
	sources     []string          // -i, relative to the repository
	playbookDir string            // --playbook-dir, relative; "" for none
	vaultPass   string            // when set, a vault password file is used
}

// ansibleView is what Ansible says about a repository.
type ansibleView struct {
	hostVars   map[string]any      // _meta.hostvars
	groups     map[string]any      // --list groups: hosts and children
	magic      map[string][]string // the 'groups' magic variable
	groupNames map[string][]string // group_names per host
}

func TestOracleRepositories(t *testing.T) {
	requireOracle(t, "ansible-inventory")
	requireOracle(t, "ansible")
	for name, repo := range map[string]oracleRepo{
		"yaml-nested":  yamlNestedRepo(),
		"ini":          iniRepo(),
		"same-dir":     sameDirRepo(),
		"dir-source":   dirSourceRepo(),
		"multi-source": multiSourceRepo(),
	} {
		t.Run(name, func(t *testing.T) {
			root := t.TempDir()
			writeTree(t, root, repo.files)
			inv := checkRepoAgainstAnsible(t, root, repo, nil)
			if name == "yaml-nested" {
				checkHostFlagAgrees(t, root, repo, inv, "wintermute")
			}
		})
	}
}

func TestOracleVault(t *testing.T) {
	requireOracle(t, "ansible-inventory")
	requireOracle(t, "ansible-vault")
	root := t.TempDir()
	repo := vaultRepo(t, root)
	writeTree(t, root, repo.files)
	dec := &ansibleVaultDecrypter{t: t, passFile: filepath.Join(root, "pass.txt")}
	inv := checkRepoAgainstAnsible(t, root, repo, dec)
	v := mustHostVars(t, inv, "wintermute", Layers{PlaybookDir: filepath.Join(root, repo.playbookDir)})
	for _, path := range []string{"vault_litellm_master_key", "inline_secret", "nested", "nested.token"} {
		if !v.Origin(path).Secret {
			t.Errorf("origin of %s should be secret: %+v", path, v.Origin(path))
		}
	}
	if v.Origin("plain").Secret || v.Origin("nested.public").Secret {
		t.Errorf("plain values marked secret: %+v %+v", v.Origin("plain"), v.Origin("nested.public"))
	}
}

func TestOracleHomelabExample(t *testing.T) {
	root := filepath.Join("..", "..", "examples", "homelab")
	if _, err := os.Stat(filepath.Join(root, "inventory")); err != nil {
		t.Fatalf("examples/homelab is part of the repository: %v", err)
	}
	requireOracle(t, "ansible-inventory")
	requireOracle(t, "ansible")
	sources, err := DefaultSources(root)
	if err != nil {
		t.Fatal(err)
	}
	repo := oracleRepo{playbookDir: "playbooks"}
	for _, s := range sources {
		rel, _ := filepath.Rel(root, s)
		repo.sources = append(repo.sources, rel)
	}
	// ansible.cfg may name the demo's vault password file; ansible-inventory
	// run in the repository uses it, and so does our decrypter.
	var dec Decrypter
	if pw := configValue(filepath.Join(root, "ansible.cfg"), "vault_password_file"); pw != "" {
		requireOracle(t, "ansible-vault")
		abs, _ := filepath.Abs(filepath.Join(root, pw))
		dec = &ansibleVaultDecrypter{t: t, passFile: abs}
	}
	checkRepoAgainstAnsible(t, root, repo, dec)
}

// configValue reads one [defaults] key of an ansible.cfg ("" when absent).
func configValue(cfg, key string) string {
	data, err := os.ReadFile(cfg)
	if err != nil {
		return ""
	}
	section := ""
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "[") {
			section = strings.Trim(line, "[]")
		} else if k, v, ok := strings.Cut(line, "="); ok && section == "defaults" && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}

// checkHostFlagAgrees spot-checks that --host (one host) gives what the
// tests read from --list's _meta.hostvars (all hosts in one run).
func checkHostFlagAgrees(t *testing.T, root string, repo oracleRepo, inv *Inventory, host string) {
	t.Helper()
	var want map[string]any
	args := append(sourceArgs(repo), "--playbook-dir", repo.playbookDir, "--host", host)
	runJSON(t, root, &want, "ansible-inventory", args...)
	v := mustHostVars(t, inv, host, Layers{PlaybookDir: filepath.Join(root, repo.playbookDir)})
	if err := sameJSON(want, v.Values); err != nil {
		t.Errorf("--host %s: %v", host, err)
	}
}

// checkRepoAgainstAnsible loads the repository both ways and compares.
func checkRepoAgainstAnsible(t *testing.T, root string, repo oracleRepo, dec Decrypter) *Inventory {
	t.Helper()
	view := askAnsible(t, root, repo)
	if dec != nil {
		openVaultValues(t, dec, view.hostVars)
	}
	var sources []string
	for _, s := range repo.sources {
		sources = append(sources, filepath.Join(root, s))
	}
	inv := mustLoad(t, dec, sources...)
	pbDir := ""
	if repo.playbookDir != "" {
		pbDir = filepath.Join(root, repo.playbookDir)
	}
	compareHostVars(t, inv, view, pbDir)
	compareGroups(t, inv, view)
	return inv
}

func compareHostVars(t *testing.T, inv *Inventory, view ansibleView, pbDir string) {
	t.Helper()
	if got, want := sortedCopy(inv.Hosts()), sortedCopy(keysOf(view.groupNames)); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("hosts: got %v, Ansible has %v", got, want)
	}
	for _, h := range inv.Hosts() {
		v := mustHostVars(t, inv, h, Layers{PlaybookDir: pbDir})
		want, _ := view.hostVars[h].(map[string]any)
		if want == nil {
			want = map[string]any{}
		}
		if err := sameJSON(want, v.Values); err != nil {
			t.Errorf("host %s: %v", h, err)
		}
		checkOriginsCover(t, h, v)
	}
}

// checkOriginsCover: every variable has an origin with a layer.
func checkOriginsCover(t *testing.T, host string, v Vars) {
	for name := range v.Values {
		if o, ok := v.LookupOrigin(name); !ok || o.Layer == "" {
			t.Errorf("host %s: variable %s has no origin (%+v)", host, name, o)
		}
	}
}

func compareGroups(t *testing.T, inv *Inventory, view ansibleView) {
	t.Helper()
	for _, name := range inv.GroupOrder() {
		info, _ := inv.Group(name)
		entry, _ := view.groups[name].(map[string]any)
		if name != "all" {
			sameStrings(t, name+" hosts", stringList(entry["hosts"]), info.Hosts)
		}
		sameStrings(t, name+" children", stringList(entry["children"]), info.Children)
	}
	for name := range view.groups {
		if _, ok := inv.Group(name); !ok && name != "_meta" {
			t.Errorf("Ansible has group %s, we do not", name)
		}
	}
	compareMagicGroups(t, inv, view)
	for h, want := range view.groupNames {
		sameStrings(t, h+" group_names", want, inv.GroupNames(h))
	}
}

// compareMagicGroups checks the 'groups' variable: the order Ansible fixes
// (own hosts, then children's) exactly, the rest (walked in Python set
// order) as a set.
func compareMagicGroups(t *testing.T, inv *Inventory, view ansibleView) {
	t.Helper()
	got := inv.Groups()
	if len(got) != len(view.magic) {
		t.Errorf("groups: got %d groups, Ansible %d", len(got), len(view.magic))
	}
	for name, want := range view.magic {
		sameStrings(t, "groups["+name+"] (as a set)", sortedCopy(want), sortedCopy(got[name]))
		prefix := deterministicPrefix(inv, name)
		if len(prefix) <= len(want) {
			sameStrings(t, "groups["+name+"] (order)", want[:len(prefix)], prefix)
		}
	}
}

func deterministicPrefix(inv *Inventory, name string) []string {
	g := inv.m.groupByName[name]
	if g == nil {
		return nil
	}
	var out []string
	seen := map[string]bool{}
	for _, kid := range append([]*group{g}, g.children...) {
		for _, h := range kid.hosts {
			if !seen[h.name] {
				seen[h.name] = true
				out = append(out, h.name)
			}
		}
	}
	return out
}

func sameStrings(t *testing.T, what string, want, got []string) {
	t.Helper()
	if strings.Join(want, "\x00") != strings.Join(got, "\x00") {
		t.Errorf("%s: got %q, Ansible has %q", what, got, want)
	}
}

func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		out = append(out, fmt.Sprint(e))
	}
	return out
}

func keysOf[V any](m map[string]V) []string { return sortedKeys(m) }

// askAnsible runs ansible-inventory --list and one ad-hoc debug task.
func askAnsible(t *testing.T, root string, repo oracleRepo) ansibleView {
	t.Helper()
	args := sourceArgs(repo)
	if repo.playbookDir != "" {
		args = append(args, "--playbook-dir", repo.playbookDir)
	}
	var list map[string]any
	runJSON(t, root, &list, "ansible-inventory", append(args, "--list")...)
	view := ansibleView{groups: list, magic: map[string][]string{}, groupNames: map[string][]string{}}
	if meta, ok := list["_meta"].(map[string]any); ok {
		view.hostVars, _ = meta["hostvars"].(map[string]any)
	}
	askMagic(t, root, repo, &view)
	return view
}

func sourceArgs(repo oracleRepo) []string {
	var args []string
	for _, s := range repo.sources {
		args = append(args, "-i", s)
	}
	if repo.vaultPass != "" {
		args = append(args, "--vault-password-file", "pass.txt")
	}
	return args
}

const magicExpr = `msg={{ {'groups': groups, 'names': dict(groups['all'] | zip(groups['all'] | map('extract', hostvars, 'group_names')))} }}`

func askMagic(t *testing.T, root string, repo oracleRepo, view *ansibleView) {
	t.Helper()
	var out struct {
		Plays []struct {
			Tasks []struct {
				Hosts map[string]struct {
					Msg struct {
						Groups map[string][]string `json:"groups"`
						Names  map[string][]string `json:"names"`
					} `json:"msg"`
				} `json:"hosts"`
			} `json:"tasks"`
		} `json:"plays"`
	}
	args := append([]string{"localhost"}, sourceArgs(repo)...)
	runJSON(t, root, &out, "ansible", append(args, "-m", "debug", "-a", magicExpr)...)
	if len(out.Plays) != 1 || len(out.Plays[0].Tasks) != 1 {
		t.Fatalf("unexpected ansible output: %+v", out)
	}
	msg := out.Plays[0].Tasks[0].Hosts["localhost"].Msg
	view.magic, view.groupNames = msg.Groups, msg.Names
}

func runJSON(t *testing.T, dir string, into any, tool string, args ...string) {
	t.Helper()
	cmd := exec.Command(tool, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "ANSIBLE_LOAD_CALLBACK_PLUGINS=1", "ANSIBLE_STDOUT_CALLBACK=json",
		"ANSIBLE_LOCALHOST_WARNING=False", "ANSIBLE_NOCOLOR=1", "ANSIBLE_RETRY_FILES_ENABLED=False")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s%s", tool, args, err, out, stderr.String())
	}
	if err := decodeJSONNumbers(out, into); err != nil {
		t.Fatalf("%s output: %v\n%s", tool, err, out)
	}
}

// openVaultValues replaces the {"__ansible_vault": ciphertext} objects
// ansible-inventory prints for inline vault values by their plaintext.
func openVaultValues(t *testing.T, dec Decrypter, v any) any {
	switch x := v.(type) {
	case map[string]any:
		if ct, ok := x["__ansible_vault"].(string); ok && len(x) == 1 {
			plain, err := dec.Decrypt([]byte(ct), "oracle")
			if err != nil {
				t.Fatal(err)
			}
			return string(plain)
		}
		for k, e := range x {
			x[k] = openVaultValues(t, dec, e)
		}
	case []any:
		for i, e := range x {
			x[i] = openVaultValues(t, dec, e)
		}
	}
	return v
}

// ansibleVaultDecrypter decrypts with the real ansible-vault.
type ansibleVaultDecrypter struct {
	t        *testing.T
	passFile string
}

func (a *ansibleVaultDecrypter) Decrypt(data []byte, file string) ([]byte, error) {
	cmd := exec.Command("ansible-vault", "decrypt", "--vault-password-file", a.passFile, "--output", "-", "-")
	cmd.Stdin = bytes.NewReader(data)
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("ansible-vault decrypt failed: %v", err)
	}
	return out, nil
}

// vaultEncrypt runs ansible-vault encrypt_string / encrypt.
func vaultEncrypt(t *testing.T, passFile, plain string) string {
	t.Helper()
	cmd := exec.Command("ansible-vault", "encrypt", "--vault-password-file", passFile, "--output", "-", "-")
	cmd.Stdin = strings.NewReader(plain)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ansible-vault encrypt: %v", err)
	}
	return string(out)
}

func vaultRepo(t *testing.T, root string) oracleRepo {
	pass := filepath.Join(root, "pass.txt")
	if err := os.WriteFile(pass, []byte("straylight-test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	whole := vaultEncrypt(t, pass, "vault_litellm_master_key: sk-test-123\nvault_port: 8000\n")
	inline := indent(strings.TrimSpace(vaultEncrypt(t, pass, "hunter2")), "    ")
	token := indent(strings.TrimSpace(vaultEncrypt(t, pass, "tok-456")), "      ")
	return oracleRepo{
		sources:     []string{"inventory/hosts.yml"},
		playbookDir: "playbooks",
		vaultPass:   "straylight-test",
		files: map[string]string{
			"inventory/hosts.yml":                "all:\n  children:\n    gpu:\n      hosts:\n        wintermute:\n",
			"inventory/group_vars/all/vault.yml": whole,
			"inventory/group_vars/all/plain.yml": "plain: visible\n",
			"inventory/host_vars/wintermute.yml": "inline_secret: !vault |\n" + inline + "\nnested:\n  public: yes\n  token: !vault |\n" + token + "\n",
			"playbooks/site.yml":                 "- hosts: all\n  tasks: []\n",
		},
	}
}

func indent(s, prefix string) string {
	return prefix + strings.ReplaceAll(s, "\n", "\n"+prefix)
}

func yamlNestedRepo() oracleRepo {
	return oracleRepo{
		sources:     []string{"inventory/hosts.yml"},
		playbookDir: "playbooks",
		files: map[string]string{
			"inventory/hosts.yml": `all:
  vars:
    site: lab
    shared: from-inventory-all
    nulled: set-in-all
  hosts:
    solo:
      role_hint: none
  children:
    gpu:
      vars:
        shared: from-inventory-gpu
        vllm_defaults: &defaults
          port: 8000
          enabled: yes
      children:
        windows_vllm:
          vars:
            ansible_connection: winrm
            shared: from-inventory-windows
          hosts:
            wintermute:
              ansible_host: wintermute
              vllm:
                <<: *defaults
                served_model_name: "llama31-8b-wintermute"
                max_model_len: 9000
                gpu_memory_utilization: 0.88
              empty_value:
              when: 2024-01-02
              octal: 017
              sexagesimal: 1:30
            armitage:
              vllm: {port: 8001, enabled: on}
    proxy:
      hosts:
        motoko:
          ansible_connection: local
        wintermute:
    ungrouped:
      hosts:
        lonely:
    prio_a:
      vars: {ansible_group_priority: 10, tie: prio_a}
      hosts: {wintermute: }
    prio_b:
      vars: {tie: prio_b}
      hosts: {wintermute: }
    web[1:3]:
      hosts:
        node[01:03].lab:
          rack: r1
`,
			"inventory/group_vars/all/00-base.yml":     "shared: from-group_vars-all\nlayered: all-inv\n",
			"inventory/group_vars/all/10-more.yaml":    "more: 1\nlayered: all-inv-10\n",
			"inventory/group_vars/all/sub/20-deep.yml": "deep: true\n",
			"inventory/group_vars/all/.hidden.yml":     "hidden: true\n",
			"inventory/group_vars/all/backup.yml~":     "backup: true\n",
			"inventory/group_vars/all/notes.txt":       "txt: true\n",
			"inventory/group_vars/all/noext":           "noext: yes\n",
			"inventory/group_vars/all/empty.yml":       "",
			"inventory/group_vars/all/only-dashes.yml": "---\n",
			"inventory/group_vars/gpu.yml":             "layered: gpu-inv\ngpu_only: 1\nvllm: {port: 7000}\n",
			"inventory/group_vars/windows_vllm/a.yml":  "layered: windows-inv-a\nwin: a\n",
			"inventory/group_vars/windows_vllm/b.json": "{\"win\": \"b\", \"json_float\": 1e3, \"json_list\": [1, 2.5]}",
			"inventory/group_vars/proxy":               "proxy_file: no-extension\n",
			"inventory/group_vars/proxy.yml":           "proxy_file: yml-ignored\n",
			"inventory/group_vars/ungrouped.yml":       "ung: 1\n",
			"inventory/group_vars/prio_a.yml":          "tie_file: prio_a\n",
			"inventory/group_vars/prio_b.yml":          "tie_file: prio_b\n",
			"inventory/host_vars/wintermute.yml":       "vllm:\n  port: 8000\n  served_model_name: from-host_vars\nnulled: ~\nhost_layer: inv\n",
			"inventory/host_vars/lonely.yaml":          "lonely_var: [a, b]\n",
			"playbooks/group_vars/all.yml":             "layered: all-play\nplay_all: 1\n",
			"playbooks/group_vars/proxy.yml":           "layered: proxy-play\n",
			"playbooks/host_vars/wintermute.yml":       "host_layer: play\n",
			"playbooks/host_vars/armitage/main.yml":    "from_dir: main\n",
			"playbooks/host_vars/armitage/zz.yml":      "from_dir: zz\n",
			"playbooks/site.yml":                       "- hosts: all\n  tasks: []\n",
		},
	}
}

func iniRepo() oracleRepo {
	return oracleRepo{
		sources:     []string{"inventory/hosts"},
		playbookDir: "playbooks",
		files: map[string]string{
			"inventory/hosts": `# INI inventory
; with both comment styles
orphan1 ansible_port=2222 flag=True note="quoted string" num='42' word=yes
[web]
web[01:03].lab ansible_user=deploy weight=1.5
gateway:2200 list="[1, 2]" dict="{'a': 1}" hashed=a#b
[web:vars]
http_port=8080
quoted="42"
commented=1 # trailing comment
wordy=foo # not a comment
spaced =  value with spaces
path=/srv/www
none_value=None
[db]
db1 ansible_host=db1.lab
[dc-east:children]
web
db
late
[dc-east:vars]
region=east
[late]
late1
[late:vars]
ansible_group_priority=5
level=late
[all:vars]
level=all
`,
			"inventory/group_vars/web.yml":     "web_file: 1\nhttp_port: 9090\n",
			"inventory/group_vars/dc-east.yml": "dc_file: east\n",
			"inventory/host_vars/db1":          "db_var: 1\n",
			"playbooks/host_vars/gateway.yml":  "gw: play\n",
		},
	}
}

func sameDirRepo() oracleRepo {
	return oracleRepo{
		sources:     []string{"hosts.yml"},
		playbookDir: ".",
		files: map[string]string{
			"hosts.yml":          "all:\n  children:\n    a:\n      hosts:\n        h1:\n        h2:\n    b:\n      children:\n        a:\n      hosts:\n        h3:\n",
			"group_vars/all.yml": "x: all\n",
			"group_vars/a.yml":   "x: a\ny: a\n",
			"group_vars/b.yml":   "x: b\ny: b\nz: b\n",
			"host_vars/h1.yml":   "x: h1\n",
			"site.yml":           "- hosts: all\n  tasks: []\n",
		},
	}
}

func dirSourceRepo() oracleRepo {
	return oracleRepo{
		sources:     []string{"inventory"},
		playbookDir: "",
		files: map[string]string{
			"inventory/01-hosts.yml":       "all:\n  children:\n    gpu:\n      hosts:\n        g1:\n          from: yaml\n",
			"inventory/02-more":            "[gpu]\ng2 from=ini\n[cpu]\nc1\n",
			"inventory/skipped.ini":        "[skipped]\nnever\n",
			"inventory/README.md":          "# not inventory\n",
			"inventory/sub/03-deeper.yaml": "deep:\n  hosts:\n    d1:\n",
			"inventory/group_vars/gpu.yml": "gpu_var: 1\n",
			"inventory/host_vars/c1.yml":   "c_var: 1\n",
		},
	}
}

func multiSourceRepo() oracleRepo {
	return oracleRepo{
		sources: []string{"a/hosts.yml", "b/hosts.ini"},
		files: map[string]string{
			"a/hosts.yml":          "all:\n  children:\n    shared:\n      hosts:\n        h1:\n          v: a\n",
			"b/hosts.ini":          "[shared]\nh2 v=b\nh1 v=b-again\n[other]\nh3\n",
			"a/group_vars/all.yml": "who: a\nonly_a: 1\n",
			"b/group_vars/all.yml": "who: b\n",
			"a/host_vars/h1.yml":   "hv: a\n",
			"b/host_vars/h1.yml":   "hv: b\n",
		},
	}
}
