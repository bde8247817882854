// Package oracle is what a test does when a real tool it compares
// straylight with — ansible-playbook, pywinrm, sshd, curl, git — is not
// installed: it skips, saying what is missing, or fails under
// STRAYLIGHT_REQUIRE_ORACLES=1, which CI sets (README.md, "Tests"). It
// also finds the ansible-cores the parity tests run: Debian's and the
// newest pip installs into the virtual environment .ci/venvs makes.
//
// It is for tests only, and imports nothing of straylight's, so that any
// package's internal tests may use it.
package oracle

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
)

// RequireEnv is the environment variable that turns a missing oracle
// from a skip into a failure.
const RequireEnv = "STRAYLIGHT_REQUIRE_ORACLES"

// Required reports whether a missing oracle fails the test.
func Required() bool { return os.Getenv(RequireEnv) == "1" }

// Missing ends the test: a skip naming what is missing, or a failure
// under STRAYLIGHT_REQUIRE_ORACLES=1.
func Missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("%s, and %s=1", msg, RequireEnv)
		return
	}
	t.Skipf("skipped: %s", msg)
}

// Note is Missing for one of several oracles: the test goes on with the
// others, the missing one logged — or fails under
// STRAYLIGHT_REQUIRE_ORACLES=1.
func Note(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if Required() {
		t.Fatalf("%s, and %s=1", msg, RequireEnv)
		return
	}
	t.Logf("skipped: %s", msg)
}

// Tool is the path of the program name on PATH; without it the test ends
// as Missing says, hint telling how to install it.
func Tool(t testing.TB, name, hint string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		Missing(t, "%s is not installed (%s)", name, hint)
	}
	return path
}

// CacheDir is where .ci/venvs keeps its virtual environments and
// collections: $XDG_CACHE_HOME/straylight, else ~/.cache/straylight.
func CacheDir() string {
	cache := os.Getenv("XDG_CACHE_HOME")
	if cache == "" {
		cache = filepath.Join(os.Getenv("HOME"), ".cache")
	}
	return filepath.Join(cache, "straylight")
}

// Core is one installed ansible-core.
type Core struct {
	Version string // major.minor
	Full    string // the first line of ansible-playbook --version
	Bin     string // the directory of ansible, ansible-playbook, ansible-inventory
}

// Cores are the ansible-cores installed, oldest first: Debian's
// (/usr/bin) and pip's newest in the virtual environment .ci/venvs makes.
// Each missing one is noted (Note); with none the test is skipped. Under
// -short it is skipped: CI's race stage runs -short, and its full stage
// has just run the comparisons with Ansible.
func Cores(t testing.TB) []Core {
	t.Helper()
	if testing.Short() {
		t.Skip("-short: the runs of ansible-core are left to the full test run")
	}
	var out []Core
	for _, p := range probes() {
		if p.err != nil {
			Note(t, "%s: %v", p.label, p.err)
			continue
		}
		out = append(out, p.core)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version < out[j].Version })
	if len(out) == 0 {
		t.Skip("no ansible-core installed: the comparison with Ansible is skipped")
	}
	return out
}

type coreDir struct{ label, dir string }

// probe is what ansible-playbook --version said in one core's folder.
type probe struct {
	coreDir
	core Core
	err  error
}

// firstProbes are the probes of the first call, made once per process:
// each runs ansible-playbook --version (a third of a second of CPU), and
// the parity tests ask for the cores in every test.
var firstProbes = sync.OnceValue(func() []probe { return probeAll(coreDirs()) })

// probes are firstProbes, or new ones when the folders have changed since
// (HOME or XDG_CACHE_HOME set by a test).
func probes() []probe {
	dirs := coreDirs()
	first := firstProbes()
	same := slices.EqualFunc(first, dirs, func(p probe, d coreDir) bool { return p.coreDir == d })
	if same {
		return first
	}
	return probeAll(dirs)
}

func probeAll(dirs []coreDir) []probe {
	out := make([]probe, len(dirs))
	for i, d := range dirs {
		core, err := coreIn(d.dir)
		out[i] = probe{coreDir: d, core: core, err: err}
	}
	return out
}

func coreDirs() []coreDir {
	return []coreDir{
		{"Debian's ansible (apt-get install ansible)", "/usr/bin"},
		{"pip's newest ansible-core (run .ci/venvs)", filepath.Join(CacheDir(), "venv-ansible-core", "bin")},
	}
}

func coreIn(dir string) (Core, error) {
	bin := filepath.Join(dir, "ansible-playbook")
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return Core{}, fmt.Errorf("%s --version: %v", bin, err)
	}
	first, _, _ := strings.Cut(string(out), "\n")
	version, ok := majorMinor(first)
	if !ok {
		return Core{}, fmt.Errorf("%s --version: no core version in %q", bin, first)
	}
	return Core{Version: version, Full: strings.TrimSpace(first), Bin: dir}, nil
}

// majorMinor reads "2.19" from "ansible-playbook [core 2.19.14]".
func majorMinor(versionLine string) (string, bool) {
	_, rest, ok := strings.Cut(versionLine, "[core ")
	full, _, closed := strings.Cut(rest, "]")
	parts := strings.Split(full, ".")
	if !ok || !closed || len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return "", false
	}
	return parts[0] + "." + parts[1], true
}
