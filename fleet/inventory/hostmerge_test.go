package inventory

import (
	"fmt"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
)

// mergeRepo has two hosts sharing groups, nested mappings whose keys have
// origins, and vars files beside the inventory and the playbook.
func mergeRepo() map[string]string {
	files := precedenceRepo()
	files["inventory/hosts.yml"] = `all:
  vars: {v: inventory-all, all_only: 1}
  children:
    parent:
      vars: {v: inventory-parent, svc: {port: 1, name: parent}}
      children:
        child:
          vars: {v: inventory-child}
          hosts:
            h:
              v: inventory-host
            h2:
              svc: {port: 2}
`
	files["inventory/host_vars/h2.yml"] = "deep:\n  a: {b: [1, {c: 2}]}\n  z: 3\n"
	return files
}

func mergeLayers(dir string) Layers {
	return Layers{
		RoleDefaults: NewVars(map[string]any{"v": "role-default", "d": map[string]any{"k": 1}}, map[string]Origin{"d": {File: "/r/defaults/main.yml", Line: 3, Layer: LayerRoleDefault}, "d.k": {File: "/r/defaults/main.yml", Line: 4, Layer: LayerRoleDefault}}),
		PlayVars:     NewVars(map[string]any{"p": "play", "svc": map[string]any{"port": 9}}, map[string]Origin{"p": {File: "/pb.yml", Line: 5, Layer: LayerPlayVars}}),
		RoleVars:     Vars{Values: map[string]any{"rv": true}},
		ExtraVars:    Vars{Values: map[string]any{"e": "x"}},
		PlaybookDir:  filepath.Join(dir, "playbooks"),
	}
}

// uncachedHostVars is HostVars as it was before the inventory's merge was
// cached: every layer merged afresh, lowest first.
func uncachedHostVars(t *testing.T, inv *Inventory, name string, l Layers) Vars {
	t.Helper()
	h := inv.m.hostByName[name]
	mg := merger{inv: inv, entries: map[string]layered{}, playbookDir: absOrEmpty(l.PlaybookDir)}
	mg.add(varSetFromVars(l.RoleDefaults, LayerRoleDefault), LayerRoleDefault)
	mg.inventoryGroupVars(h)
	mg.groupVarsFiles(h)
	mg.add(h.vars, LayerInventoryHost)
	mg.hostVarsFiles(h)
	mg.add(varSetFromVars(l.PlayVars, LayerPlayVars), LayerPlayVars)
	mg.add(varSetFromVars(l.RoleVars, LayerRoleVars), LayerRoleVars)
	mg.add(varSetFromVars(l.ExtraVars, LayerExtraVars), LayerExtraVars)
	if mg.err != nil {
		t.Fatal(mg.err)
	}
	return toVars(mg.entries)
}

func sameMerge(want, got Vars) error {
	if !reflect.DeepEqual(want.Values, got.Values) {
		return fmt.Errorf("values:\n got %v\nwant %v", got.Values, want.Values)
	}
	if !reflect.DeepEqual(want.Origins(), got.Origins()) {
		return fmt.Errorf("origins:\n got %v\nwant %v", got.Origins(), want.Origins())
	}
	for path := range want.Origins() {
		w, wok := want.LookupOrigin(path)
		g, gok := got.LookupOrigin(path)
		if w != g || wok != gok {
			return fmt.Errorf("LookupOrigin(%q) = %v, %v; want %v, %v", path, g, gok, w, wok)
		}
	}
	return nil
}

// The merge of a host's inventory layers is made once per playbook folder;
// HostVars on it, with the caller's layers given as they are or made once
// by AsLayer, equals a merge of every layer afresh, at every call.
func TestCachedMergeEqualsUncached(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, mergeRepo())
	inv := mustLoad(t, nil, filepath.Join(dir, "inventory/hosts.yml"))
	l := mergeLayers(dir)
	prepared := Layers{
		RoleDefaults: AsLayer(l.RoleDefaults, LayerRoleDefault), PlayVars: AsLayer(l.PlayVars, LayerPlayVars),
		RoleVars: AsLayer(l.RoleVars, LayerRoleVars), ExtraVars: AsLayer(l.ExtraVars, LayerExtraVars), PlaybookDir: l.PlaybookDir,
	}
	for _, host := range []string{"h", "h2"} {
		for _, layers := range []Layers{l, prepared, {PlaybookDir: l.PlaybookDir}, {}, {ExtraVars: l.ExtraVars}} {
			want := uncachedHostVars(t, inv, host, layers)
			for range 2 { // the first call merges the inventory, the second finds it merged
				if err := sameMerge(want, mustHostVars(t, inv, host, layers)); err != nil {
					t.Fatalf("%s %+v: %v", host, layers, err)
				}
			}
		}
		inventoryOnly, err := inv.InventoryVars(host, l.PlaybookDir)
		if err != nil {
			t.Fatal(err)
		}
		if err := sameMerge(uncachedHostVars(t, inv, host, Layers{PlaybookDir: l.PlaybookDir}), inventoryOnly); err != nil {
			t.Fatalf("InventoryVars(%s): %v", host, err)
		}
	}
}

// Each HostVars result is its caller's own: changing one's variables
// reaches neither the shared inventory merge nor another caller's result.
func TestHostVarsCallersDoNotShareMaps(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, mergeRepo())
	inv := mustLoad(t, nil, filepath.Join(dir, "inventory/hosts.yml"))
	l := mergeLayers(dir)
	first, second := mustHostVars(t, inv, "h2", l), mustHostVars(t, inv, "h2", l)
	first.Values["v"], first.Values["added"] = "changed", 1
	delete(first.Values, "deep")
	if err := sameMerge(uncachedHostVars(t, inv, "h2", l), second); err != nil {
		t.Fatalf("another caller's result changed: %v", err)
	}
	if err := sameMerge(uncachedHostVars(t, inv, "h2", l), mustHostVars(t, inv, "h2", l)); err != nil {
		t.Fatalf("a later result changed: %v", err)
	}
	only, _ := inv.InventoryVars("h2", l.PlaybookDir)
	if _, ok := only.Values["added"]; ok || only.Values["v"] == "changed" {
		t.Fatalf("the shared inventory merge changed: %v", only.Values)
	}
}

// Hosts are planned in parallel: concurrent merges of the same hosts, for
// two playbook folders, each equal the uncached merge (run with -race).
func TestHostVarsConcurrentCallers(t *testing.T) {
	dir := t.TempDir()
	writeTree(t, dir, mergeRepo())
	inv := mustLoad(t, nil, filepath.Join(dir, "inventory/hosts.yml"))
	withPlaybook, without := mergeLayers(dir), Layers{ExtraVars: Vars{Values: map[string]any{"e": 1}}}
	ref := mustLoad(t, nil, filepath.Join(dir, "inventory/hosts.yml"))
	want := map[string]Vars{}
	for _, host := range []string{"h", "h2"} {
		want[host+"/pb"], want[host] = uncachedHostVars(t, ref, host, withPlaybook), uncachedHostVars(t, ref, host, without)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 64 {
		wg.Go(func() {
			host, layers, key := "h", withPlaybook, "/pb"
			if i%2 == 1 {
				host = "h2"
			}
			if i%4 >= 2 {
				layers, key = without, ""
			}
			got, err := inv.HostVars(host, layers)
			if err == nil {
				got.Values["scribble"] = i
				delete(got.Values, "scribble")
				err = sameMerge(want[host+key], got)
			}
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
}
