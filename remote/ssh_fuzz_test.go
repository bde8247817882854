package remote

import (
	"github.com/straylight-fleet/straylight/internal/shquote"
	"slices"
	"strings"
	"testing"
)

// FuzzSSHStatusOutput feeds the status script's output parser what a host
// might print; it must never panic, and a unit it reads has a LoadState.
func FuzzSSHStatusOutput(f *testing.F) {
	f.Add("gpu 0 56\n0, NVIDIA GeForce RTX 4090, 37, 20110, 24564, 61, 287.41\ndocker 0 0\n\nunit 0 31\nLoadState=loaded\nActiveState=active\n")
	f.Add("gpu 127 0\n\npodman 0 2\n[]\n")
	f.Add("gpu 0 5\nab")
	f.Add("gpu x y\n")
	f.Add("gpu 0 310000000000000\ns") // a fuzz finding: the length was allocated before it was checked
	f.Add("podman 0 40\n[{\"Id\":\"1\",\"Names\":[\"vllm\"],\"State\":\"running\"}]\n")
	f.Fuzz(func(t *testing.T, out string) {
		sections, err := parseSections([]byte(out))
		if err != nil {
			return
		}
		status := statusFrom(sections, StatusQuery{Container: "vllm", Unit: "vllm.service"})
		if status.Unit != nil && status.Unit.LoadState == "" {
			t.Fatalf("unit without LoadState from %q", out)
		}
	})
}

// FuzzSplitShellWords checks that words split from any line come back
// unchanged after shquote.Always and a second split.
func FuzzSplitShellWords(f *testing.F) {
	for _, seed := range []string{`-o ProxyJump="a@b:22" -J c`, `'it'"'"'s' \" x\ y`, `"unterminated`, "tab\there"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, line string) {
		words, err := splitShellWords(line)
		if err != nil {
			return
		}
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = shquote.Always(w)
		}
		again, err := splitShellWords(strings.Join(quoted, " "))
		if err != nil || !slices.Equal(words, again) {
			t.Fatalf("%q: %q became %q (%v)", line, words, again, err)
		}
	})
}

// FuzzSSHReadAnswer: a read answer is accepted only when its content
// matches the hash the host reported.
func FuzzSSHReadAnswer(f *testing.F) {
	f.Add([]byte("absent\n"))
	f.Add([]byte("present " + sha256Hex([]byte("x")) + "\nx"))
	f.Add([]byte("present 00\nx"))
	f.Fuzz(func(t *testing.T, out []byte) {
		state, err := parseReadAnswer("/p", out)
		if err == nil && state.Exists && sha256Hex(state.Content) != state.SHA256 {
			t.Fatalf("accepted content that does not match its hash: %q", out)
		}
	})
}
