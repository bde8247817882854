package fleet

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/addhost"
	"github.com/straylight-fleet/straylight/fleet/hvedit"
	"github.com/straylight-fleet/straylight/fleet/inventory"
	"github.com/straylight-fleet/straylight/fleet/plan"
)

// VarsEdit is a GPU host's vllm mapping opened for editing, in the
// host_vars file that sets it. Save writes it; it is used by one goroutine
// at a time.
type VarsEdit struct {
	Host     string
	Path     string    // the vars file, absolute
	Name     string    // the vars file, relative to the repository
	ReadOnly string    // why it cannot be edited; "" when it can
	Keys     []EditKey // the host's vllm keys, then the others vLLM's rules know
	doc      *hvedit.Doc
}

// EditKey is one vllm key as the file sets it.
type EditKey struct {
	Key     string
	Text    string // YAML flow text; "" when absent or secret
	Present bool   // false: the file does not set it
	Secret  bool   // never shown
}

// EditChange is one key to write.
type EditChange struct {
	Key   string
	Value any // the shapes yaml.v3 decodes to
}

// EditResult is one written change: key, old and new text, the file's
// bytes before and after.
type EditResult = hvedit.Result

// OpenEdit reads the file that sets g's vllm mapping and every vllm key
// from it. When the mapping is set elsewhere than in a host_vars file, the
// edit is read-only: writing a vllm key into host_vars would replace the
// whole mapping (hash_behaviour=replace).
func (s *Session) OpenEdit(repo *Repo, g GPUHost) (*VarsEdit, error) {
	path, readOnly := varsFileOf(repo, g.Name)
	name := relPath(repo.Root(), path)
	doc, err := hvedit.Read(path, hvedit.Options{Name: name, Vault: s.EditVault(), SecretKey: plan.IsSecretKey, Validate: validateVLLM})
	if err != nil {
		return nil, err
	}
	keys, err := editKeys(doc, g)
	return &VarsEdit{Host: g.Name, Path: path, Name: name, ReadOnly: readOnly, Keys: keys, doc: doc}, err
}

func varsFileOf(repo *Repo, host string) (path, readOnly string) {
	fallback := filepath.Join(repo.Root(), "host_vars", host+".yml")
	vars, err := repo.repo.HostVarOrigins(host)
	if err != nil {
		return fallback, err.Error()
	}
	o := vars.Origin("vllm")
	if o.Layer != inventory.LayerHostVars || o.File == "" {
		return fallback, fmt.Sprintf("read-only: vllm is set in %s, not in a host_vars file; editing host_vars would replace the whole mapping",
			describeOrigin(repo.Root(), o))
	}
	return o.File, ""
}

func validateVLLM(keyPath []string, v any) string {
	if len(keyPath) == 2 && keyPath[0] == "vllm" {
		return plan.ValidateVLLMValue(keyPath[1], v)
	}
	return ""
}

// editKeys lists the host's vllm keys and the keys vLLM's rules know:
// those the file sets in file order, then the others by name.
func editKeys(doc *hvedit.Doc, g GPUHost) ([]EditKey, error) {
	type keyed struct {
		key  EditKey
		line int
	}
	var all []keyed
	for _, k := range vllmKeys(g) {
		f, err := doc.Get([]string{"vllm", k})
		if err != nil {
			return nil, err
		}
		ek := EditKey{Key: k, Present: f.Present, Secret: f.Secret}
		if f.Present && !f.Secret {
			ek.Text = f.Text
		}
		all = append(all, keyed{ek, f.Line})
	}
	sort.SliceStable(all, func(i, j int) bool { return lineOrder(all[i].line) < lineOrder(all[j].line) })
	keys := make([]EditKey, len(all))
	for i, k := range all {
		keys[i] = k.key
	}
	return keys, nil
}

// lineOrder puts absent keys (line 0) after the present ones.
func lineOrder(line int) int {
	if line == 0 {
		return 1 << 30
	}
	return line
}

func vllmKeys(g GPUHost) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range append(slices.Sorted(maps.Keys(g.Values)), plan.VLLMKeys()...) {
		if !seen[k] {
			seen[k], out = true, append(out, k)
		}
	}
	return out
}

// Save writes the changes to the file and records each in the audit log
// (hashes only: values may be secrets). Nothing is written when a change
// is refused; IsStale tells a file changed on disk since it was read. When
// the file was saved but the audit log could not be written, the results
// come with the error.
func (e *VarsEdit) Save(repo *Repo, changes []EditChange) ([]EditResult, error) {
	var results []EditResult
	for _, c := range changes {
		res, err := e.doc.Set([]string{"vllm", c.Key}, c.Value)
		if err != nil {
			return nil, err
		}
		results = append(results, res)
	}
	if err := e.doc.Save(); err != nil {
		return nil, err
	}
	var errs []error
	for _, r := range results {
		errs = append(errs, repo.Audit(AuditEntry{Host: e.Host, Action: "edit", Result: "ok", Message: r.Description,
			Files: []AuditFile{{Dest: r.File, OldSHA256: hvedit.SHA256Hex(r.OldFile), NewSHA256: hvedit.SHA256Hex(r.NewFile)}}}))
	}
	if err := errors.Join(errs...); err != nil {
		return results, fmt.Errorf("saved, but the audit log was not written: %w", err)
	}
	return results, nil
}

// IsStale reports whether a save failed because the file changed on disk
// since it was read: read it again.
func IsStale(err error) bool { return errors.Is(err, hvedit.ErrChanged) }

// CommitMessage names the host, key, old and new value of each edit.
func CommitMessage(host string, results []EditResult) string {
	lines := make([]string, len(results))
	for i, r := range results {
		lines[i] = hvedit.CommitMessage(host, r.Key, r.OldText, r.NewText)
	}
	if len(lines) == 1 {
		return lines[0]
	}
	return fmt.Sprintf("%s: %d vllm values\n\n%s", host, len(lines), strings.Join(lines, "\n"))
}

// Commit commits files of the repository at root with git.
func Commit(root string, files []string, message string) error {
	return hvedit.GitCommit(root, files, message)
}

// EditVault is the session's keyring as the vars-file editor uses it, to
// open and write vaulted values in host_vars; the keyring is loaded when
// first needed.
func (s *Session) EditVault() hvedit.Vault { return editVault{s} }

type editVault struct{ s *Session }

func (v editVault) Open(data []byte, file string) ([]byte, string, error) {
	vault, err := v.vault()
	if err != nil {
		return nil, "", err
	}
	return vault.Open(data, file)
}

func (v editVault) Encrypt(plaintext []byte, vaultID string) ([]byte, error) {
	vault, err := v.vault()
	if err != nil {
		return nil, err
	}
	return vault.Encrypt(plaintext, vaultID)
}

func (v editVault) vault() (hvedit.Vault, error) {
	dec, _, err := v.s.Keyring()
	if err != nil {
		return nil, err
	}
	if hv, ok := dec.(hvedit.Vault); ok {
		return hv, nil
	}
	return nil, errors.New("no vault password: pass --vault-password-file or --ask-vault-pass")
}

// NewHost is a host to add like an existing one, the template.
type NewHost struct {
	Template, Name, Address string
}

// AddedHost is what AddHost wrote.
type AddedHost struct {
	Host, Template, Address string
	Files                   []WrittenFile
	Adapted                 []string // the host_vars values changed for the new host, one line each
	// Warning is set when the files were written but something after
	// failed (the audit log, the demo's lab).
	Warning string
}

// WrittenFile is one repository file AddHost wrote.
type WrittenFile struct {
	Name    string // relative to the repository root
	Path    string // absolute
	Created bool
	Diff    string // unified diff, secrets masked
}

// SuggestAddress is an address to offer for a host added like template
// ("" when there is none to suggest).
func (s *Session) SuggestAddress(template string) string {
	if s.cfg.SuggestAddress == nil {
		return ""
	}
	return s.cfg.SuggestAddress(template)
}

// AddHost adds req.Name to the repository like req.Template: its
// inventory entries in the same files and groups, its host_vars copied
// with the values naming the template renamed and vault data encrypted
// afresh (fleet/addhost). Every file is written or none. Open the
// repository again to see the new host.
func (s *Session) AddHost(repo *Repo, req NewHost) (*AddedHost, error) {
	r, err := s.prepareAdd(repo, req)
	if err != nil {
		return nil, err
	}
	if err := r.Write(); err != nil {
		return nil, err
	}
	added := addedHost(r)
	added.Warning = s.afterAdd(repo, r)
	return added, nil
}

func (s *Session) prepareAdd(repo *Repo, req NewHost) (*addhost.Result, error) {
	vars, err := repo.HostVarOrigins(req.Template)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", req.Template, err)
	}
	dec, _, err := s.Keyring()
	if err != nil {
		return nil, err
	}
	return addhost.Prepare(addhost.Request{Root: repo.Root(), Template: req.Template, Name: req.Name, Address: req.Address,
		Inventory: repo.repo.Inventory, TemplateVars: vars, Vault: s.EditVault(), Decrypter: dec})
}

func addedHost(r *addhost.Result) *AddedHost {
	a := &AddedHost{Host: r.Host, Template: r.Template, Address: r.Address, Adapted: r.Adapted}
	for _, f := range r.Files {
		diff := plan.Diff(f.Name, masked(f.Old), masked(f.New), !f.Created)
		a.Files = append(a.Files, WrittenFile{Name: f.Name, Path: f.Path, Created: f.Created, Diff: diff})
	}
	return a
}

// masked is a file's text with secret-named values masked, for its diff.
func masked(data []byte) []byte { return []byte(plan.MaskText(string(data), nil)) }

// afterAdd records the addition in the audit log and tells the HostAdded
// hook; what fails is returned as a warning (the files are written).
func (s *Session) afterAdd(repo *Repo, r *addhost.Result) string {
	var files []AuditFile
	for _, f := range r.Files {
		files = append(files, AuditFile{Dest: f.Name, OldSHA256: hvedit.SHA256Hex(f.Old), NewSHA256: hvedit.SHA256Hex(f.New)})
	}
	var errs []error
	errs = append(errs, repo.Audit(AuditEntry{Host: r.Host, Action: "add-host", Result: "ok",
		Message: fmt.Sprintf("added %s like %s, ansible_host %s", r.Host, r.Template, r.Address), Files: files}))
	if s.cfg.HostAdded != nil {
		errs = append(errs, s.cfg.HostAdded(r.Host, r.Address))
	}
	if err := errors.Join(errs...); err != nil {
		return "written, but: " + err.Error()
	}
	return ""
}

// Paths are the files written, absolute: what a commit takes.
func (a *AddedHost) Paths() []string {
	out := make([]string, len(a.Files))
	for i, f := range a.Files {
		out[i] = f.Path
	}
	return out
}

// CommitMessage names the new host, its template and address, and the
// files written.
func (a *AddedHost) CommitMessage() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Add host %s like %s (ansible_host %s)\n\n", a.Host, a.Template, a.Address)
	for _, f := range a.Files {
		verb := "add to"
		if f.Created {
			verb = "create"
		}
		fmt.Fprintf(&b, "- %s %s\n", verb, f.Name)
	}
	return b.String()
}

// CheckHostName says why name cannot be a new inventory host's name ("" when
// it can); AddHost checks it again.
func CheckHostName(name string) string { return inventory.CheckHostName(name) }

// CheckAddress says why addr cannot be an ansible_host ("" when it can).
func CheckAddress(addr string) string { return inventory.CheckAddress(addr) }
