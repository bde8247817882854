package ansible

import (
	"regexp"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/inventory"
	"github.com/straylight-fleet/straylight/render"
)

func TestParseTaskClassifiesUnsupported(t *testing.T) {
	pb := writePlaybook(t, `
- hosts: all
  tasks:
    - name: templated
      template: {src: a.j2, dest: /tmp/a}
      notify: restart
    - name: retried
      template: {src: a.j2, dest: /tmp/a}
      until: x
    - name: package
      pip: {name: vllm}
`)
	tasks := pb.Plays[0].Tasks
	if tasks[0].Unsupported != "" || tasks[0].Module != ModTemplate || tasks[0].Notify[0] != "restart" {
		t.Fatalf("supported task: %+v", tasks[0])
	}
	if !strings.Contains(tasks[1].Unsupported, `"until"`) || !strings.Contains(tasks[2].Unsupported, `"pip"`) {
		t.Fatalf("unsupported reasons: %q, %q", tasks[1].Unsupported, tasks[2].Unsupported)
	}
}

// TestOrderedValuesKeepFileOrder: templates see mappings in file order, also
// for a flow mapping written on one line (Python dicts keep insertion order).
func TestOrderedValuesKeepFileOrder(t *testing.T) {
	v, err := inventory.ParseVars([]byte("flow: {zeta: 1, alpha: {y: 2, x: 3}}\nblock:\n  zeta: 1\n  alpha: 2\n"), "vars.yml", "", nil)
	if err != nil {
		t.Fatal(err)
	}
	got := orderedValues(v)
	for name, want := range map[string]string{"flow": "zeta alpha", "block": "zeta alpha"} {
		m, ok := got[name].(*render.Map)
		if !ok || strings.Join(m.Keys, " ") != want {
			t.Errorf("%s: keys %v, want %s", name, got[name], want)
		}
	}
	inner := got["flow"].(*render.Map).Values["alpha"].(*render.Map)
	if strings.Join(inner.Keys, " ") != "y x" {
		t.Errorf("nested flow mapping keys %v", inner.Keys)
	}
}

// Names operators give secrets are secret wherever they are defined; names
// that merely contain a secret word are not, and a flag's true is no secret.
func TestIsSecretKeyByNameEnding(t *testing.T) {
	for name, want := range map[string]bool{
		"redis_password": true, "HF_TOKEN": true, "openai_api_key": true, "litellm_master_key": true,
		"db_passwd": true, "vault_anything": true, "api_key": true,
		"max_tokens": false, "token_file": false, "password_file_path": false, "vllm_port": false,
	} {
		if got := IsSecretKey(name); got != want {
			t.Errorf("IsSecretKey(%q) = %v, want %v", name, got, want)
		}
	}
	if got := leaves(map[string]any{"use_hf_token": true, "hf_token": "hf_x"}); len(got) != 1 || got[0] != "hf_x" {
		t.Errorf("leaves kept %q, want only the string", got)
	}
}

// namesWord reads a name as the regexp \bNAME\b it replaces does.
func TestNamesWordIsTheWordBoundaryRegexp(t *testing.T) {
	for _, text := range []string{"marker.stat.exists", "not marker_2 is defined", "xmarker", "marker", "a.marker", "(marker)", "markers and marker", "é marker", "markerx marker_"} {
		for _, name := range []string{"marker", "marker_2"} {
			want := regexp.MustCompile(`\b` + regexp.QuoteMeta(name) + `\b`).MatchString(text)
			if got := namesWord(text, name); got != want {
				t.Errorf("namesWord(%q, %q) = %v, the regexp says %v", text, name, got, want)
			}
		}
	}
}
