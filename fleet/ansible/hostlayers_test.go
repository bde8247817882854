package ansible

import (
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"sync"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/inventory"
	"github.com/straylight-fleet/straylight/render"
)

// layersRepo sets variables in every layer a host's scope is made of, with
// mappings whose file order is not their sorted order, an inventory_file a
// group sets and one a host sets, ansible_ssh_host on one host, a play with
// vars_files, and two playbooks in one folder.
func layersRepo(t *testing.T, extra ...string) *Repo {
	t.Helper()
	root := t.TempDir()
	files := map[string]string{
		"inventory/hosts.yml": `all:
  vars: {ansible_connection: local, svc: {zeta: 1, alpha: {y: 1, b: 2}}}
  children:
    gpu:
      vars: {inventory_file: from-group}
      hosts:
        h1: {ansible_ssh_host: 127.0.0.9}
        h2: {inventory_file: from-host}
        h3:
`,
		"inventory/group_vars/gpu.yml": "gv:\n  zz: 1\n  aa: [{q: 1, c: 2}]\n",
		"inventory/host_vars/h1.yml":   "svc:\n  zeta: 2\n  beta: 1\nonly_h1: x\n",
		"playbooks/host_vars/h3.yml":   "pbv: {m: 1, d: 2}\n",
		"playbooks/vars/extra.yml":     "vf: {z: 1, a: 2}\nrv: from-vars-file\n",
		"playbooks/site.yml": `- hosts: gpu
  vars: {pv: {k2: 1, k1: 2}, svc: play}
  roles: [r]
- hosts: h1:h2
  vars: {ansible_host: "{{ inventory_hostname }}"}
  vars_files: [vars/extra.yml]
  roles: [r]
`,
		"playbooks/other.yml":                 "- hosts: all\n  tasks: []\n",
		"playbooks/roles/r/defaults/main.yml": "dv: {n: 1, m: 2}\nsvc: default\nansible_ssh_host: from-default\n",
		"playbooks/roles/r/vars/main.yml":     "rv: {w: 1, v: 2}\n",
		"playbooks/roles/r/tasks/main.yml":    "- debug: msg=hi\n",
	}
	for rel, content := range files {
		path := filepath.Join(root, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	r, err := Open(Options{Repo: root, ExtraVars: extra})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// exactPlayScope is a host's scope in a play made of its whole merge, as
// before the inventory layer was shared.
func exactPlayScope(r *Repo, hs *HostScope) map[string]any {
	return withPlayMagic(withAnsibleHost(r.withInventorySource(orderedValues(hs.vars), hs.vars, hs.host), hs.host), hs.run, r.layers.of(r, hs.run).playHosts)
}

func exactHostvars(t *testing.T, r *Repo, host, dir string) map[string]any {
	t.Helper()
	vars, err := r.Inventory.HostVars(host, inventory.Layers{ExtraVars: r.layer(r.ExtraVars, inventory.LayerExtraVars), PlaybookDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	return r.withInventorySource(orderedValues(vars), vars, host)
}

// sameScopeVars: the scope has exactly want's raw variables, mappings in
// the same order.
func sameScopeVars(t *testing.T, what string, want map[string]any, got *render.Scope) {
	t.Helper()
	names := make([]string, 0, len(want))
	for name := range want {
		names = append(names, name)
	}
	sort.Strings(names)
	if !slices.Equal(names, got.RawNames()) {
		t.Fatalf("%s: names %v, want %v", what, got.RawNames(), names)
	}
	for _, name := range names {
		if v, _ := got.Raw(name); !reflect.DeepEqual(v, want[name]) {
			t.Fatalf("%s: %s = %#v, want %#v", what, name, v, want[name])
		}
	}
}

// A scope laid over the shared inventory layer (and hostvars[host], which
// shares it) has the very variables the whole merge gives, for every
// host of every play, with and without extra vars, with a dotted name too.
func TestSharedInventoryLayerEqualsWholeMerge(t *testing.T) {
	for _, extra := range [][]string{nil, {"svc=extra", `{"xv": {"b": 1, "a": 2}}`}, {`{"svc.zeta": 5}`}} {
		r := layersRepo(t, extra...)
		for _, run := range r.Runs {
			for _, host := range run.Hosts {
				hs, err := r.ScopeOf(host, run)
				if err != nil {
					t.Fatal(err)
				}
				sameScopeVars(t, host+" in "+run.Playbook.Path, exactPlayScope(r, hs), hs.scope)
				hv, ok := r.hostvarsFor(run.Playbook.Dir)(host)
				if !ok {
					t.Fatalf("no hostvars[%s]", host)
				}
				sameScopeVars(t, "hostvars["+host+"]", exactHostvars(t, r, host, run.Playbook.Dir), hv)
			}
		}
	}
}

// Hosts are opened in parallel (run with -race); a scope's merge is its
// own: changing one host's merged values reaches no other scope.
func TestSharedInventoryLayerConcurrentScopes(t *testing.T) {
	r := layersRepo(t)
	want := map[string]map[string]any{}
	ref, err := Open(Options{Repo: r.Root})
	if err != nil {
		t.Fatal(err)
	}
	for i, run := range ref.Runs {
		for _, host := range run.Hosts {
			hs, err := ref.ScopeOf(host, run)
			if err != nil {
				t.Fatal(err)
			}
			want[strconv.Itoa(i)+"/"+host] = exactPlayScope(ref, hs)
		}
	}
	var wg sync.WaitGroup
	for _, run := range r.Runs {
		for _, host := range run.Hosts {
			wg.Go(func() {
				hs, err := r.ScopeOf(host, run)
				if err != nil {
					t.Error(err)
					return
				}
				hs.vars.Values["svc"] = "scribbled by " + host
				_, _ = r.hostvarsFor(run.Playbook.Dir)(host)
			})
		}
	}
	wg.Wait()
	for i, run := range r.Runs {
		for _, host := range run.Hosts {
			hs, _ := r.ScopeOf(host, run)
			sameScopeVars(t, host, want[strconv.Itoa(i)+"/"+host], hs.scope)
		}
	}
}
