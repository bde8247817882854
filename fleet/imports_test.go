package fleet_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/straylight-fleet/straylight"

// pkgInfo is what `go list -json` says of one package (non-test files).
type pkgInfo struct {
	ImportPath string
	Dir        string
	GoFiles    []string
	Imports    []string // direct
	Deps       []string // transitive
}

// rel is a package's path inside the module ("" for the root package).
func rel(path string) string {
	return strings.TrimPrefix(strings.TrimPrefix(path, module), "/")
}

// under reports whether path is dir or inside it.
func under(path, dir string) bool {
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// depRule forbids packages under From to depend, directly or not, on any
// package under one of To, or on one of Exactly.
type depRule struct {
	From    string
	To      []string
	Exactly []string
	Why     string
}

// covers reports whether the rule applies to path: From ending in "/"
// covers only the packages inside it.
func (r depRule) covers(path string) bool {
	if inside, ok := strings.CutSuffix(r.From, "/"); ok {
		return strings.HasPrefix(path, inside+"/")
	}
	return under(path, r.From)
}

func (r depRule) forbids(path, dep string) bool {
	if slices.Contains(r.Exactly, dep) {
		return true
	}
	return slices.ContainsFunc(r.To, func(to string) bool { return under(dep, to) && !under(dep, path) })
}

// depRules are docs/architecture.md's rules: imports run one way along the
// pipeline ansible → discover → plan → apply, state sits below plan and
// apply, and nothing of the engine reaches the UI.
var depRules = []depRule{
	{From: "fleet/ansible", To: []string{"fleet/discover", "fleet/plan", "fleet/apply", "fleet/state"}, Why: "the Ansible stage knows nothing of the later stages"},
	{From: "fleet/discover", To: []string{"fleet/plan", "fleet/apply", "fleet/state"}, Why: "discovery comes before planning and applying"},
	{From: "fleet/plan", To: []string{"fleet/apply"}, Why: "the plan is data the engine takes in"},
	{From: "fleet/state", To: []string{"fleet/ansible", "fleet/discover", "fleet/plan", "fleet/apply"}, Why: "state is below the stages"},
	{From: "fleet/status", To: []string{"fleet/ansible", "fleet/discover", "fleet/plan", "fleet/apply", "fleet/state"}, Why: "the monitor takes targets, not the repository"},
	{From: "fleet/", Exactly: []string{"fleet"}, Why: "the front door is imported by the faces only"},
	{From: "fleet", To: []string{"ui"}, Why: "the engine never imports the UI"},
	{From: "render", To: []string{"ui"}, Why: "templating never imports the UI"},
	{From: "remote/sim", To: []string{"remote"}, Why: "the lab imports nothing from the clients it serves"},
}

// faceRule: the faces (the CLI in the root package, the TUI under ui/) use
// the Session and the data types of plan and apply, nothing else of the
// engine, except the packages listed.
type faceRule struct {
	Faces   []string // "" is the root package
	Allowed []string
}

var facesUse = faceRule{
	Faces: []string{"", "ui"},
	Allowed: []string{"fleet", "fleet/plan", "fleet/apply",
		"fleet/status", // the live snapshot's data types (status.Snapshot, …)
	},
}

// sizeRule bounds the files of a package.
const (
	maxFrontDoorFiles = 6
	maxPackageFiles   = 25
)

func TestImportRules(t *testing.T) {
	pkgs := listPackages(t)
	for _, v := range violations(pkgs) {
		t.Error(v)
	}
}

// TestImportRulesCatchViolations feeds the checker packages that break each
// rule, so that TestImportRules cannot pass by checking nothing.
func TestImportRulesCatchViolations(t *testing.T) {
	p := func(path string, deps ...string) pkgInfo {
		full := func(s string) string { return strings.TrimSuffix(module+"/"+s, "/") }
		info := pkgInfo{ImportPath: full(path)}
		for _, d := range deps {
			info.Deps = append(info.Deps, full(d))
			info.Imports = append(info.Imports, full(d))
		}
		return info
	}
	bad := []pkgInfo{
		p("fleet/ansible", "fleet/plan"),
		p("fleet/discover", "fleet/apply"),
		p("fleet/plan", "fleet/apply"),
		p("fleet/state", "fleet/ansible"),
		p("fleet/status", "fleet/plan"),
		p("fleet/apply", "fleet"),
		p("fleet/hvedit", "ui/theme"),
		p("render", "ui"),
		p("remote/sim", "remote"),
		p("ui/detail", "fleet/ansible"),
		p("", "fleet/discover"),
	}
	got := violations(bad)
	if len(got) != len(bad) {
		t.Fatalf("%d violations found, want %d (one per package):\n%s", len(got), len(bad), strings.Join(got, "\n"))
	}
	if len(violations([]pkgInfo{p("fleet/apply", "fleet/plan", "fleet/state"), p("ui", "fleet", "fleet/plan")})) != 0 {
		t.Fatal("allowed imports reported as violations")
	}
}

func TestPackageSizes(t *testing.T) {
	for _, pkg := range listPackages(t) {
		path := rel(pkg.ImportPath)
		if !under(path, "fleet") {
			continue
		}
		limit := maxPackageFiles
		if path == "fleet" {
			limit = maxFrontDoorFiles
		}
		if n := len(pkg.GoFiles); n > limit {
			t.Errorf("%s holds %d non-test Go files, at most %d allowed: split it", path, n, limit)
		}
	}
}

func violations(pkgs []pkgInfo) []string {
	var out []string
	for _, pkg := range pkgs {
		path := rel(pkg.ImportPath)
		out = append(out, depViolations(path, pkg.Deps)...)
		out = append(out, faceViolations(path, pkg.Imports)...)
	}
	return out
}

func depViolations(path string, deps []string) []string {
	var out []string
	for _, r := range depRules {
		if !r.covers(path) {
			continue
		}
		for _, d := range deps {
			if dep := rel(d); strings.HasPrefix(d, module) && dep != path && r.forbids(path, dep) {
				out = append(out, fmt.Sprintf("%s depends on %s: %s", orRoot(path), dep, r.Why))
			}
		}
	}
	return out
}

func faceViolations(path string, imports []string) []string {
	if !slices.ContainsFunc(facesUse.Faces, func(f string) bool { return path == f || (f != "" && under(path, f)) }) {
		return nil
	}
	var out []string
	for _, imp := range imports {
		dep := rel(imp)
		if strings.HasPrefix(imp, module) && under(dep, "fleet") && !slices.Contains(facesUse.Allowed, dep) {
			out = append(out, fmt.Sprintf("%s imports %s: the faces use the Session (fleet) and the data types of fleet/plan and fleet/apply", orRoot(path), dep))
		}
	}
	return out
}

func orRoot(path string) string {
	if path == "" {
		return "the root package"
	}
	return path
}

// listPackages runs `go list -json ./...` at the module root.
func listPackages(t *testing.T) []pkgInfo {
	t.Helper()
	cmd := exec.Command("go", "list", "-json", "./...")
	cmd.Dir = ".." // the module root, from fleet/
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	var pkgs []pkgInfo
	dec := json.NewDecoder(bytes.NewReader(out))
	for {
		var p pkgInfo
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		pkgs = append(pkgs, p)
	}
	if len(pkgs) < 10 {
		t.Fatalf("go list found %d packages: not the module root?", len(pkgs))
	}
	return pkgs
}
