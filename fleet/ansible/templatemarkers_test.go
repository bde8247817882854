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
