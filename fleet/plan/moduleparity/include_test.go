package moduleparity_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eIncludeFiles is a role whose templates are split the way real
// repositories split a vLLM launch script and a LiteLLM config: {% include %}
// of a file in the role's templates/ (with the loop's variable in view),
// of one in a sub folder by its path, of one named by a variable, of a
// list's first existing name, of a missing one with "ignore missing" and
// of one without context; {% import %} and {% from %} of macros, with and
// without context; a template in a sub folder including a file beside it
// and one from the playbook's templates/ folder.
var e2eIncludeFiles = map[string]string{
	"ansible.cfg":   "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
	"inventory.yml": "all:\n  hosts:\n    i1: {ansible_connection: local}\n",
	"site.yml": "- hosts: all\n  gather_facts: false\n  vars:\n    model_part: parts/model.j2\n    models: [{name: qwen, port: 8001}, {name: llama, port: 8002}]\n" +
		"  roles: [llm]\n",
	"roles/llm/tasks/main.yml": "- name: launch\n  template: {src: launch.sh.j2, dest: \"{{ out }}/launch.sh\", mode: \"0755\"}\n" +
		"- name: litellm\n  template: {src: conf/litellm.yaml.j2, dest: \"{{ out }}/litellm.yaml\"}\n",
	"roles/llm/defaults/main.yml": "greeting: hello\nvllm_args: [--max-model-len, 8192]\n",
	"roles/llm/templates/launch.sh.j2": "#!/bin/sh\n{% include \"header.j2\" %}\n" +
		"{% import \"macros.j2\" as m %}\n{% from \"macros.j2\" import flag, plain as p with context %}\n" +
		"{% for model in models %}\n{% set n = loop.index %}\n{% include model_part %}\n{% endfor %}\n" +
		"{% include \"parts/tail.j2\" %}\n{% include \"absent.j2\" ignore missing %}\n" +
		"{% include [\"absent.j2\", \"parts/fallback.j2\"] %}\n" +
		"args: {{ m.flags(vllm_args) }} {{ flag('port', 8000) }} [{{ m.plain() }}] [{{ p() }}] {{ m.version }}\n" +
		"{% include \"header.j2\" without context %}",
	"roles/llm/templates/header.j2":         "# {{ greeting | default('no context') }} from {{ role_name | default('?') }}\n",
	"roles/llm/templates/parts/model.j2":    "vllm serve {{ model.name }} --port {{ model.port }} # {{ n }}{% if not loop.last %} &{% endif %}\n\n",
	"roles/llm/templates/parts/tail.j2":     "wait\n",
	"roles/llm/templates/parts/fallback.j2": "# fallback {{ models | length }}",
	"roles/llm/templates/macros.j2": "{% set version = '1.' ~ 2 %}\nthis line is dropped\n" +
		"{% macro flags(args) -%}\n{{ args | join(' ') }}\n{%- endmacro %}\n" +
		"{% macro flag(name, value) %}--{{ name }} {{ value }}{% endmacro %}\n" +
		"{% macro plain() %}{{ greeting | default('none') }}{% endmacro %}\n",
	"roles/llm/templates/conf/litellm.yaml.j2": "model_list:\n{% for model in models %}\n{% include \"entry.j2\" %}\n{% endfor %}\n{% include \"common.j2\" %}\n",
	"roles/llm/templates/conf/entry.j2":        "  - model_name: {{ model.name }}\n    litellm_params: {api_base: \"http://127.0.0.1:{{ model.port }}/v1\"}\n\n",
	"templates/common.j2":                      "\ngeneral_settings: {master_key: none}\n",
	"straylight.yml":                           "",
}

func e2eIncludeRepo(out string) parity.Repo {
	files := map[string]string{"group_vars/all.yml": "out: " + out + "\n"}
	for name, content := range e2eIncludeFiles {
		files[name] = content
	}
	return parity.Repo{Name: "include", Inventory: "inventory.yml", Playbooks: []string{"site.yml"}, Discovered: []string{"site.yml"}, Files: files}
}

// TestE2ETemplateIncludesAndImports: templates with include, import and
// from render to the bytes ansible-playbook writes, on both ansible-cores;
// after Ansible's deploy straylight plans no change, a change to an
// included file alone is a change of the including template's file, and a
// missing include is bad input (e2eIncludeMissing).
func TestE2ETemplateIncludesAndImports(t *testing.T) {
	parity.EachCore(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		repo := e2eIncludeRepo(out)
		parity.WriteTree(t, root, repo.Files)
		if err := os.MkdirAll(out, 0o755); err != nil {
			t.Fatal(err)
		}
		planned := e2eIncludePlanned(t, parity.Plan(t, parity.OpenCore(t, root, "", o.Version)))
		parity.RunAnsiblePlaybook(t, o, dir, root, repo)
		for _, name := range []string{"launch.sh", "litellm.yaml"} {
			deployed, err := os.ReadFile(filepath.Join(out, name))
			if err != nil {
				t.Fatal(err)
			}
			if planned[name] != string(deployed) {
				t.Errorf("%s: %s: straylight's render (-) and ansible-playbook's (+):\n%s", o.Full, name, parity.LineDiff(planned[name], string(deployed)))
			}
		}
		if after := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)); after.HasChanges() {
			t.Errorf("%s: after ansible-playbook: %s", o.Full, after.Summary.Line())
		}
		e2eIncludedFileChanged(t, root, o.Version)
		e2eIncludeMissing(t, o, bin, dir, root, out, repo)
	})
}

// e2eIncludePlanned is the content straylight plans for each file, by base
// name; the plan must hold both files and nothing handed to Ansible.
func e2eIncludePlanned(t *testing.T, p *fleetplan.Plan) map[string]string {
	t.Helper()
	h := p.Host("i1")
	if h == nil || len(h.Files) != 2 || len(h.Unsupported)+len(h.ViaAnsible) > 0 {
		t.Fatalf("plan of i1: %+v", h)
	}
	out := map[string]string{}
	for _, f := range h.Files {
		out[filepath.Base(f.Dest)] = string(f.Content())
	}
	return out
}

// e2eIncludedFileChanged edits only a file the LiteLLM config includes:
// the plan changes that file, with the new line, and not the other.
func e2eIncludedFileChanged(t *testing.T, root, version string) {
	t.Helper()
	entry := filepath.Join(root, "roles/llm/templates/conf/entry.j2")
	if err := os.WriteFile(entry, []byte(e2eIncludeFiles["roles/llm/templates/conf/entry.j2"]+"    rpm: 60\n\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := parity.Plan(t, parity.OpenCore(t, root, "", version)).Host("i1")
	for _, f := range h.Files {
		changed := f.Action != fleetplan.ActionNone
		if want := filepath.Base(f.Dest) == "litellm.yaml"; changed != want {
			t.Errorf("after editing conf/entry.j2, %s: changed %v, want %v", f.Dest, changed, want)
		}
		if changed && strings.Count(string(f.Content()), "rpm: 60") != 2 {
			t.Errorf("after editing conf/entry.j2, planned %s:\n%s", f.Dest, f.Content())
		}
	}
}

// e2eIncludeMissing: an include of a file that is nowhere in the
// searchpath fails the task in ansible-playbook; straylight --apply exits 1
// naming the including template's file and line and the missing name, and
// writes nothing — not even the task before it.
func e2eIncludeMissing(t *testing.T, o parity.Oracle, bin, dir, root, out string, repo parity.Repo) {
	t.Helper()
	repo.Files["roles/llm/templates/conf/litellm.yaml.j2"] = "model_list:\n{% include \"nowhere.j2\" %}\n"
	parity.WriteTree(t, root, repo.Files)
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	log := parity.RunPlaybookExiting(t, o, dir, root, repo, 2)
	if !strings.Contains(log, "nowhere.j2") {
		t.Errorf("%s: ansible-playbook does not name the missing template:\n%s", o.Full, log)
	}
	e2eIncludeEmpty(t, out, "launch.sh")
	if bin == "" {
		return
	}
	apply := exec.Command(bin, "-C", root, "--apply", "--yes")
	apply.Env = append(os.Environ(), "PATH="+o.Bin+string(os.PathListSeparator)+os.Getenv("PATH"))
	text, err := apply.CombinedOutput()
	want := "roles/llm/templates/conf/litellm.yaml.j2:2: TemplateNotFound: 'nowhere.j2' not found in search paths: 'roles/llm/templates', 'roles/llm'"
	if parity.ExitCode(err) != 1 || !strings.Contains(string(text), want) {
		t.Errorf("straylight --apply: exit %d, want 1 and %q:\n%s", parity.ExitCode(err), want, text)
	}
	e2eIncludeEmpty(t, out, "")
}

// e2eIncludeEmpty: nothing in out but the file written, if any (then
// removed, so that the next run is judged alone).
func e2eIncludeEmpty(t *testing.T, out, written string) {
	t.Helper()
	entries, err := os.ReadDir(out)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Name() != written {
			t.Errorf("%s was written", e.Name())
		} else if err := os.Remove(filepath.Join(out, written)); err != nil {
			t.Fatal(err)
		}
	}
}
