package ansible

import (
	"strings"
	"testing"
)

// handlerFactsPlay sets facts around a flush_handlers: one from a
// command's result (which only Ansible knows), one an extra var
// overrides, and one that changes after the flush.
const handlerFactsPlay = `- hosts: h1
  gather_facts: false
  tasks:
    - name: probe
      command: cat /etc/hostname
      register: probe
    - name: from probe
      set_fact: {probed: "{{ probe.stdout }}"}
    - name: facts
      set_fact: {over: fact, mine: before}
    - meta: flush_handlers
    - name: later
      set_fact: {mine: after}
  handlers:
    - name: reads probed
      shell: echo {{ probed }}
    - name: reads facts
      shell: echo {{ over }} {{ mine }}
- hosts: h1
  gather_facts: false
  vars: {mine: play var}
  tasks: []
  handlers:
    - name: next play
      shell: echo {{ over }} {{ mine }}
`

// A handler reads the set_fact values of its flush point (meta:
// flush_handlers is the play's flush 1, after the empty pre_tasks'),
// below extra vars; the end of the play sees the later value, and so does
// the next play, over its play vars; a fact whose value only Ansible
// knows is named with the task that set it.
func TestHandlerSeesFactsOfItsFlushPoint(t *testing.T) {
	r := tlRepo(t, handlerFactsPlay, map[string]string{}, Options{ExtraVars: []string{"over=extra"}})
	w, err := r.RenderHost("h1", false)
	if err != nil {
		t.Fatal(err)
	}
	play, next := w.Scopes[0], w.Scopes[1]
	handlers := play.Run().Play.Handlers
	cases := []struct {
		hs    *HostScope
		h     *Task
		flush int
		want  string
	}{
		{play, handlers[1], 1, "echo extra before"},
		{play, handlers[1], EndOfPlay, "echo extra after"},
		{next, next.Run().Play.Handlers[0], EndOfPlay, "echo extra after"},
	}
	for _, c := range cases {
		if got, err := w.HandlerCommand(c.hs, c.h, c.flush); err != nil || got != c.want {
			t.Errorf("%s at flush %d: %q, %v; want %q", c.h.Label(), c.flush, got, err, c.want)
		}
	}
	_, err = w.HandlerCommand(play, handlers[0], 1)
	if want := `it reads "probed", the result of "from probe", which only Ansible knows`; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("reads probed: %v; want %q", err, want)
	}
}

// A later play's tasks read the set_fact and include_vars values an
// earlier play left the host, over their own play vars, in the plan's
// walk and in discovery's alike.
func TestLaterPlayKeepsFacts(t *testing.T) {
	pb := `- hosts: h1
  gather_facts: false
  tasks:
    - set_fact: {app: first}
    - include_vars: {file: more.yml}
- hosts: h1
  gather_facts: false
  vars: {app: play var}
  tasks:
    - copy: {content: "{{ app }} {{ port }}\n", dest: "/srv/{{ app }}.conf"}
`
	r := tlRepo(t, pb, map[string]string{"playbooks/vars/more.yml": "port: 8001\n"}, Options{})
	w, err := r.RenderHost("h1", false)
	if err != nil {
		t.Fatal(err)
	}
	files, problems := r.DiscoveryFiles("h1")
	for what, got := range map[string][]*FileTask{"plan": w.Files, "discovery": files} {
		if len(got) != 1 || got[0].Dest != "/srv/first.conf" || string(got[0].Content) != "first 8001\n" {
			t.Errorf("%s: %+v (problems %v); want /srv/first.conf holding \"first 8001\\n\"", what, got, problems)
		}
	}
}
