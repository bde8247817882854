package fleet

import (
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"sort"
	"strings"

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
	o := vars.Origins["vllm"]
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
