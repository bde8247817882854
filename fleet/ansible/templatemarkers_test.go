package ansible

import (
	"strings"
	"testing"
)

// A template task's marker argument that is empty or not a string is bad
// input: an error naming the playbook, the task's line and the argument,
// before any template is read.
func TestTemplateMarkerArgumentsMustBeNonEmptyStrings(t *testing.T) {
	for value, want := range map[string]string{`""`: "must not be empty", "[1]": "is expected to be a string, but got [1] instead"} {
		play := "- hosts: all\n  gather_facts: false\n  vars: {out: /tmp}\n  tasks:\n" +
			"    - name: t\n      template: {src: a.j2, dest: \"{{ out }}/a\", variable_start_string: " + value + "}\n"
		r := tlRepo(t, play, map[string]string{"playbooks/templates/a.j2": "<< x >>\n"}, Options{})
		_, err := r.RenderHost("h1", false)
		at := "playbooks/site.yml:5: variable_start_string: "
		if err == nil || !strings.Contains(err.Error(), at) || !strings.Contains(err.Error(), want) {
			t.Errorf("variable_start_string: %s: error %v, want %q and %q", value, err, at, want)
		}
	}
}

// The markers are the template modules' arguments: a template task with
// them is planned, a copy task given one is not run by straylight (Ansible
// refuses the argument).
func TestTemplateMarkersOnlyForTemplateTasks(t *testing.T) {
	play := "- hosts: all\n  gather_facts: false\n  vars: {out: /tmp, x: 1}\n  tasks:\n" +
		"    - {name: t, template: {src: a.j2, dest: \"{{ out }}/a\", variable_start_string: '<<', variable_end_string: '>>'}}\n" +
		"    - {name: c, copy: {content: x, dest: \"{{ out }}/b\", variable_start_string: '<<'}}\n"
	r := tlRepo(t, play, map[string]string{"playbooks/templates/a.j2": "<< x >> {{ x }}\n"}, Options{})
	w, err := r.RenderHost("h1", false)
	if err != nil {
		t.Fatal(err)
	}
	if len(w.Files) != 1 || string(w.Files[0].Content) != "1 {{ x }}\n" {
		t.Errorf("files %+v", w.Files)
	}
	if len(w.Unsupported) != 1 || !strings.Contains(w.Unsupported[0].Reason, `argument "variable_start_string" of copy is not supported`) {
		t.Errorf("unsupported %+v", w.Unsupported)
	}
}
