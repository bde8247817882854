package addhost

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/hvedit"
	"github.com/straylight-fleet/straylight/fleet/inventory"
)

// Request is a host to add like a template host.
type Request struct {
	Root                    string // the repository root
	Template, Name, Address string
	Inventory               *inventory.Inventory
	// TemplateVars are the template's variables with their origins: the
	// host_vars files among them are copied.
	TemplateVars inventory.Vars
	Vault        hvedit.Vault        // re-encrypts vault data in host_vars; nil: such data is refused
	Decrypter    inventory.Decrypter // reads vault values back in the inventory; may be nil
}

// File is one file to write.
type File struct {
	Name     string // relative to the repository root
	Path     string // absolute
	Old, New []byte // Old is nil for a created file
	Created  bool
	mode     fs.FileMode
}

// Result is what Prepare worked out and Write writes.
type Result struct {
	Host, Template, Address string
	Files                   []File   // the inventory files, then the new host_vars files
	Adapted                 []string // the host_vars values changed for the new host, one line each
}

// Prepare checks the request and computes every file to write; it writes
// nothing.
func Prepare(req Request) (*Result, error) {
	if err := check(req); err != nil {
		return nil, err
	}
	res := &Result{Host: req.Name, Template: req.Template, Address: req.Address}
	layer := origin(req, "ansible_host").Layer
	inv, err := inventoryFiles(req, layer != inventory.LayerHostVars && layer != inventory.LayerInventoryHost)
	if err != nil {
		return nil, err
	}
	vars, adapted, err := hostVarsFiles(req)
	if err != nil {
		return nil, err
	}
	res.Files, res.Adapted = append(inv, vars...), adapted
	return res, nil
}

func origin(req Request, key string) inventory.Origin { return req.TemplateVars.Origin(key) }

// check refuses a bad or taken name, a bad address, an unknown template.
func check(req Request) error {
	if bad := inventory.CheckHostName(req.Name); bad != "" {
		return fmt.Errorf("new host name %q: %s", req.Name, bad)
	}
	if bad := inventory.CheckAddress(req.Address); bad != "" {
		return fmt.Errorf("ansible_host of %s: %s", req.Name, bad)
	}
	if places := req.Inventory.HostPlaces(req.Name); len(places) > 0 || req.Inventory.HasHost(req.Name) {
		return fmt.Errorf("%s: host %s is already in the inventory: choose another name", placeName(req, places), req.Name)
	}
	if req.Inventory.HasGroup(req.Name) {
		return fmt.Errorf("%s is the name of an inventory group: choose another name", req.Name)
	}
	if !req.Inventory.HasHost(req.Template) {
		return fmt.Errorf("template host %s is not in the inventory", req.Template)
	}
	return nil
}

func placeName(req Request, places []inventory.HostPlace) string {
	if len(places) == 0 {
		return "inventory"
	}
	return fmt.Sprintf("%s:%d", rel(req.Root, places[0].File), places[0].Line)
}

// inventoryFiles inserts the new host in every file declaring the template.
func inventoryFiles(req Request, setAddress bool) ([]File, error) {
	order, lines, err := templatePlaces(req)
	if err != nil {
		return nil, err
	}
	var out []File
	for i, path := range order {
		f, err := inventoryFile(req, path, lines[path], setAddress && i == 0)
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	return out, nil
}

// templatePlaces are the files declaring the template, in reading order,
// with the lines in each.
func templatePlaces(req Request) ([]string, map[string][]int, error) {
	lines := map[string][]int{}
	var order []string
	for _, p := range req.Inventory.HostPlaces(req.Template) {
		if p.Encrypted {
			return nil, nil, fmt.Errorf("%s: the inventory file is vault-encrypted: add %s by hand", rel(req.Root, p.File), req.Name)
		}
		if _, seen := lines[p.File]; !seen {
			order = append(order, p.File)
		}
		lines[p.File] = append(lines[p.File], p.Line)
	}
	if len(order) == 0 {
		return nil, nil, fmt.Errorf("%s is not declared in an inventory file (a host list?): add %s by hand", req.Template, req.Name)
	}
	return order, lines, nil
}

func inventoryFile(req Request, path string, lines []int, setAddress bool) (File, error) {
	name := rel(req.Root, path)
	old, mode, err := readFile(path)
	if err != nil {
		return File{}, fmt.Errorf("%s: %w", name, err)
	}
	c := inventory.HostCopy{File: name, Template: req.Template, Name: req.Name, Address: req.Address, SetAddress: setAddress, Lines: lines}
	updated, err := inventory.InsertHost(old, c, req.Decrypter)
	if err != nil {
		return File{}, err
	}
	return File{Name: name, Path: path, Old: old, New: updated, mode: mode}, nil
}

func readFile(path string) ([]byte, fs.FileMode, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, 0, err
	}
	data, err := os.ReadFile(path)
	return data, info.Mode().Perm(), err
}

// hostVarsFiles copies each host_vars file the template's variables come
// from.
func hostVarsFiles(req Request) ([]File, []string, error) {
	var out []File
	var adapted []string
	for _, src := range templateVarsFiles(req) {
		f, lines, err := copyVarsFile(req, src)
		if err != nil {
			return nil, nil, err
		}
		out, adapted = append(out, f), append(adapted, lines...)
	}
	return out, adapted, nil
}

// templateVarsFiles are the template's host_vars files, links resolved,
// sorted.
func templateVarsFiles(req Request) []string {
	var files []string
	for _, o := range req.TemplateVars.Origins() {
		if o.Layer == inventory.LayerHostVars && o.File != "" {
			files = append(files, realPath(o.File))
		}
	}
	slices.Sort(files)
	return slices.Compact(files)
}

func copyVarsFile(req Request, src string) (File, []string, error) {
	dest, err := newVarsPath(src, req.Template, req.Name)
	if err != nil {
		return File{}, nil, fmt.Errorf("%s: %w", rel(req.Root, src), err)
	}
	name := rel(req.Root, dest)
	if _, err := os.Lstat(dest); !errors.Is(err, fs.ErrNotExist) {
		return File{}, nil, fmt.Errorf("%s already exists: remove it or choose another name", name)
	}
	doc, err := hvedit.Read(src, hvedit.Options{Name: rel(req.Root, src), Vault: req.Vault})
	if err != nil {
		return File{}, nil, err
	}
	data, results, err := doc.CopyFor(name, req.Template, req.Name, addressSet(req, src))
	if err != nil {
		return File{}, nil, err
	}
	_, mode, _ := readFile(src)
	return File{Name: name, Path: dest, New: data, Created: true, mode: mode}, describe(results), nil
}

// addressSet is ansible_host for the file that sets the template's.
func addressSet(req Request, file string) map[string]any {
	o := origin(req, "ansible_host")
	if o.Layer == inventory.LayerHostVars && realPath(o.File) == file {
		return map[string]any{"ansible_host": req.Address}
	}
	return nil
}

// newVarsPath maps host_vars/<template>[.ext] and host_vars/<template>/<file>
// to the new host's.
func newVarsPath(src, template, name string) (string, error) {
	dir, base := filepath.Split(src)
	dir = filepath.Clean(dir)
	stem := strings.TrimSuffix(base, filepath.Ext(base))
	switch {
	case filepath.Base(dir) == "host_vars" && (stem == template || base == template):
		return filepath.Join(dir, name+strings.TrimPrefix(base, template)), nil
	case filepath.Base(dir) == template && filepath.Base(filepath.Dir(dir)) == "host_vars":
		return filepath.Join(filepath.Dir(dir), name, base), nil
	}
	return "", fmt.Errorf("not a host_vars file of %s: copy it by hand", template)
}

func describe(results []hvedit.Result) []string {
	out := make([]string, len(results))
	for i, r := range results {
		out[i] = r.Description
	}
	return out
}

func rel(root, path string) string {
	if r, err := filepath.Rel(realPath(root), realPath(path)); err == nil && !strings.HasPrefix(r, "..") {
		return filepath.ToSlash(r)
	}
	return path
}

func realPath(p string) string {
	if r, err := filepath.EvalSymlinks(p); err == nil {
		return r
	}
	return p
}
