package apply_test

import (
	"context"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/fleet/filemod"
	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/remote"
)

// statApplyRepo is a host whose command runs only where a stat finds its
// path, which the host holds as a directory at plan time.
func statApplyRepo(t *testing.T) (*ansible.Repo, func(fleetplan.Connection) (remote.Transport, error), *winWire, string) {
	t.Helper()
	query := filemod.StatArgs{Path: "/srv/models"}.KindScript()
	repo, transports, wire := localOnTheWire(t, "    - {name: look, stat: {path: /srv/models}, register: st}\n"+
		"    - {name: mark, command: touch /srv/models/.seen, when: st.stat.isdir}\n", map[string]string{strings.Split(query, "\n")[0]: "directory\n"})
	return repo, transports, wire, query
}

// TestApplyStatAskedAgain: --apply asks again what is at a stat's path
// the plan read from the host, at the stat's place in the run: as
// planned, the command its condition let through runs after it; a path
// that is now something else fails the host with "plan again", and the
// command is not sent.
func TestApplyStatAskedAgain(t *testing.T) {
	for _, now := range []string{"directory\n", "absent\n"} {
		repo, transports, wire, query := statApplyRepo(t)
		plan, err := (&fleetplan.Planner{Repo: repo, Transports: transports}).Plan(context.Background())
		if err != nil || len(plan.Host("gpu").Files) != 2 {
			t.Fatalf("plan: %v %+v", err, plan.Host("gpu"))
		}
		wire.answers[strings.Split(query, "\n")[0]] = now
		wire.sent = nil
		rec := &recorder{}
		if _, err := (&apply.Engine{Repo: repo, Transports: transports}).Apply(context.Background(), plan, rec.observe); err != nil {
			t.Fatal(err)
		}
		if now == "absent\n" {
			wantResult(t, rec.events(), "gpu", "failed", "path /srv/models changed on the host since the plan: plan again")
			if len(wire.sent) != 1 || wire.sent[0].Script != query {
				t.Errorf("sent %+v, want the stat alone", wire.sent)
			}
			continue
		}
		if len(wire.sent) != 2 || wire.sent[0].Script != query || !strings.Contains(wire.sent[1].Script, "'touch' '/srv/models/.seen'") {
			t.Errorf("sent %+v, want the stat, then the command", wire.sent)
		}
	}
}
