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

// aptWireAnswer is the host's answer to every apt query: hello not
// installed, curl installed, bash installed and marked automatically
// installed, lists refreshed a minute before.
const aptWireAnswer = "@@stamp\n1796600000\n1796600060\n@@end\n@@tools\napt-get\napt-mark\n@@end\n@@pythonapt\ninstalled\n@@end\n@@arch\namd64\n@@end\n" +
	"@@names\nhello\ncurl\nbash\n@@end\n@@dpkg\ncurl amd64 installed install 7.88.1-10\nbash amd64 installed install 5.2.15-2\n@@end\n" +
	"@@policy\npackage hello\ncandidate 2.10-3\nversion 2.10-3\npackage curl\ncandidate 7.88.1-10\nversion 7.88.1-10\npackage bash\ncandidate 5.2.15-2\nversion 5.2.15-2\n@@end\n@@auto\nbash\n@@end\n"

// aptApplyRepo is a host with three apt tasks: an install, a package as
// asked, and one as asked but marked automatically installed.
func aptApplyRepo(t *testing.T) (*ansible.Repo, func(fleetplan.Connection) (remote.Transport, error), *winWire) {
	t.Helper()
	first := strings.Split(filemod.AptQueryScript(nil), "\n")[0]
	return localOnTheWire(t, "    - {name: install, apt: {name: hello}}\n"+
		"    - {name: as asked, apt: {name: curl}}\n"+
		"    - {name: marked, apt: {name: bash}}\n", map[string]string{first: aptWireAnswer})
}

// TestApplyAptTasksOnTheWire: the plan asks about every package once;
// --apply asks again about what each task read, then sends the module's
// commands in its environment, in task order, with the sbin directories
// on PATH — the install, and the apt-mark of the package a real run marks
// manual though the task is ok; the task with nothing to do sends nothing.
func TestApplyAptTasksOnTheWire(t *testing.T) {
	repo, transports, wire := aptApplyRepo(t)
	plan, err := (&fleetplan.Planner{Repo: repo, Transports: transports}).Plan(context.Background())
	if err != nil || len(plan.Host("gpu").Files) != 3 {
		t.Fatalf("plan: %v %+v", err, plan.Host("gpu"))
	}
	if len(wire.sent) != 1 || wire.sent[0].Script != filemod.AptQueryScript([]string{"hello", "curl", "bash"}) {
		t.Fatalf("the plan sent %+v", wire.sent)
	}
	wire.sent = nil
	sum, err := (&apply.Engine{Repo: repo, Transports: transports}).Apply(context.Background(), plan, (&recorder{}).observe)
	if err != nil || sum.OK != 1 {
		t.Fatalf("apply: %v %+v", err, sum)
	}
	lock := "" // the dpkg options of the ansible-core the repository runs
	if repo.AptLockTimeout() {
		lock = " -o DPkg::Lock::Timeout=60"
	}
	env := "PATH=\"$PATH:/sbin:/usr/sbin:/usr/local/sbin\"; export PATH; DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical LANG=C LC_ALL=C LC_MESSAGES=C LC_CTYPE=C LANGUAGE=C "
	want := []string{filemod.AptQueryScript([]string{"hello"}),
		env + "apt-get -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold" + lock + " install hello=2.10-3 && DEBIAN_FRONTEND=noninteractive DEBIAN_PRIORITY=critical LANG=C LC_ALL=C LC_MESSAGES=C LC_CTYPE=C LANGUAGE=C apt-mark manual hello",
		filemod.AptQueryScript([]string{"bash"}),
		env + "apt-mark manual bash"}
	wantSentSh(t, wire, want)
}

// TestApplyAptChangedSincePlan: a package dpkg answers about otherwise at
// apply time than at plan time is not acted on: the host fails with
// "plan again", and nothing but the query is sent.
func TestApplyAptChangedSincePlan(t *testing.T) {
	repo, transports, wire := aptApplyRepo(t)
	wantPlanAgain(t, repo, transports, wire, "@@dpkg\n", "@@dpkg\nhello amd64 installed install 2.10-3\n", "packages hello changed on the host since the plan: plan again")
}
