package ansible

import "github.com/straylight-fleet/straylight/fleet/inventory"

// Inventory is the Ansible inventory with variable files, read by
// fleet/inventory with Ansible's meaning.
type Inventory = inventory.Inventory

// LoadInventory reads one inventory source.
func LoadInventory(path string, dec Decrypter) (*Inventory, error) {
	var d inventory.Decrypter
	if dec != nil {
		d = dec
	}
	return inventory.Load([]string{path}, d)
}

// lintVarDirs warns about group_vars/host_vars directories that no playbook
// run would read (the seed's own layout has that flaw).
func (r *Repo) lintVarDirs(Options) error {
	var pbDirs []string
	for _, pb := range r.Playbooks {
		pbDirs = AppendUnique(pbDirs, pb.Dir)
	}
	for _, f := range inventory.UnreadVarDirs(r.Root, r.Inventory.SourceDirs(), pbDirs) {
		r.Findings = append(r.Findings, Finding{Severity: SevWarning, At: Located{f.File, f.Line}, Message: f.Message})
	}
	for _, w := range r.Inventory.Warnings() {
		r.Findings = append(r.Findings, Finding{Severity: SevWarning, At: Located{File: RelTo(r.Root, r.InventoryPath)}, Message: w})
	}
	return nil
}
