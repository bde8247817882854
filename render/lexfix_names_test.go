package render

import (
	"math/rand/v2"
	"strings"
	"testing"
)

func TestHoldsThreePartName(t *testing.T) {
	for s, want := range map[string]bool{
		"{{ vllm.model | default('x') }}":               false,
		"{{ hostvars[h].vllm.served_model_name }}":      false,
		"{{ l | community.general.json_query('[0]') }}": true,
		"{% if x is ansible.utils.in_network('a') %}":   true,
		"{{ a.b.c }}":      true,
		"{{ 1.5.x }}":      false,
		"{{ a.b. c }}":     false,
		"{{ a..b.c }}":     false,
		"ns.col":           false,
		"x.y.":             false,
		"{{ d.is_x.y.z }}": true,
		"":                 false,
	} {
		if got := holdsThreePartName(s); got != want {
			t.Errorf("holdsThreePartName(%q) = %v, want %v", s, got, want)
		}
	}
}

// TestHoldsThreePartNameBeforeEveryCollectionName checks the shortcut
// against the pattern it spares: wherever collectionNamed matches, the
// shortcut says the text may hold a name (random texts of the characters
// that matter, fixed seed).
func TestHoldsThreePartNameBeforeEveryCollectionName(t *testing.T) {
	parts := []string{"a", "b_", "Z9", "1", ".", "..", "|", " ", "is ", "not ", "x", "_"}
	rng := rand.New(rand.NewPCG(1, 2))
	matched := 0
	for range 200000 {
		var b strings.Builder
		for range 1 + rng.IntN(12) {
			b.WriteString(parts[rng.IntN(len(parts))])
		}
		s := b.String()
		if collectionNamed().MatchString(s) {
			matched++
			if !holdsThreePartName(s) {
				t.Fatalf("collectionNamed matches %q, holdsThreePartName says no", s)
			}
		}
	}
	if matched < 100 {
		t.Fatalf("only %d of the random texts hold a collection name: the check tested little", matched)
	}
}
