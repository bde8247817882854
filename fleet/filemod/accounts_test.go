package filemod

import (
	"errors"
	"strings"
	"testing"
)

// accountsAnswer is what AccountsQueryScript prints on a host with two
// groups, one user and its home.
const accountsAnswer = `@@groups
root:x:0:
ops:x:1001:alice,bob
@@end
@@user alice
alice:x:1000:1000:Alice:/home/alice:/bin/bash
@@end
@@path /home/alice
exists
parent
@@end
@@user carol
@@end
@@path /srv/carol
parent
@@end
@@usermod
append
@@end
@@suse
@@end
@@system
Linux
debian
@@end
@@tools
groupadd
groupmod
groupdel
useradd
usermod
userdel
@@end
`

func mustAccounts(t *testing.T) *Accounts {
	t.Helper()
	s, err := ParseAccounts(accountsAnswer)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseAccounts(t *testing.T) {
	s := mustAccounts(t)
	if g := s.GroupByName("ops"); g == nil || g.GID != 1001 || strings.Join(g.Members, ",") != "alice,bob" {
		t.Errorf("ops: %+v", g)
	}
	if pw := s.Users["alice"]; pw == nil || pw.UID != 1000 || pw.Home != "/home/alice" || pw.Shell != "/bin/bash" {
		t.Errorf("alice: %+v", pw)
	}
	if pw, asked := s.Users["carol"]; pw != nil || !asked {
		t.Errorf("carol: %+v (asked %v)", pw, asked)
	}
	if p := s.Paths["/srv/carol"]; p.Exists || !p.ParentDir || !s.UsermodAppends || s.OldSuSE {
		t.Errorf("paths %+v, usermod -a %v, SuSE %v", s.Paths, s.UsermodAppends, s.OldSuSE)
	}
	if _, err := ParseAccounts("@@groups\nbroken\n@@end\n"); err == nil {
		t.Error("a group line without four fields was read")
	}
}

// TestAccountDecisions: the command each task runs, in the module's
// order, and the module's failures in its words.
func TestAccountDecisions(t *testing.T) {
	for _, c := range []struct {
		name string
		args map[string]any
		want string // the command, "" for none, or "error: ..."
	}{
		{"group added", map[string]any{"name": "vllm", "system": true}, "groupadd -r vllm"},
		{"group kept", map[string]any{"name": "ops", "gid": 1001}, ""},
		{"group gid", map[string]any{"name": "ops", "gid": "1002", "non_unique": "yes"}, "groupmod -g 1002 -o ops"},
		{"group removed", map[string]any{"name": "ops", "state": "absent"}, "groupdel ops"},
		{"user added", map[string]any{"name": "carol", "home": "/srv/carol", "groups": "ops,root,ops"}, "useradd -G ops,root -d /srv/carol -m carol"},
		{"user added, missing group", map[string]any{"name": "carol", "group": "gpu"}, "error: Group gpu does not exist"},
		{"user as is", map[string]any{"name": "alice", "groups": []any{"ops"}, "append": true}, ""},
		{"user leaves a group", map[string]any{"name": "alice", "groups": []any{"root"}}, "usermod -G root alice"},
		{"user gid by name", map[string]any{"name": "alice", "group": "ops", "shell": "/bin/sh"}, "usermod -g 1001 -s /bin/sh alice"},
		{"user cleared", map[string]any{"name": "alice", "groups": []any{}}, "usermod -G '' alice"},
		{"user removed", map[string]any{"name": "alice", "state": "absent", "remove": true}, "userdel -r alice"},
	} {
		parse := ParseGroupArgs
		if strings.HasPrefix(c.name, "user") {
			parse = ParseUserArgs
		}
		a, err := parse(c.args)
		if err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		res, err := Account(a, mustAccounts(t))
		got := strings.Join(quotedWords(res.Argv), " ")
		if err != nil {
			got = "error: " + err.Error()
		}
		if got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// TestAccountRefusals: what straylight leaves to Ansible, with the reason.
func TestAccountRefusals(t *testing.T) {
	for _, c := range []struct {
		args map[string]any
		want string
	}{
		{map[string]any{"name": "carol", "home": "/nowhere/carol"}, "parent of home /nowhere/carol"},
		{map[string]any{"name": "alice", "home": "/srv/alice"}, "home /srv/alice does not exist"},
		{map[string]any{"name": "alice", "groups": []any{1001}}, "groups names gid 1001"},
	} {
		a, err := ParseUserArgs(c.args)
		if err != nil {
			t.Fatal(err)
		}
		var refused *Refusal
		if _, err := Account(a, mustAccounts(t)); !errors.As(err, &refused) || !strings.Contains(refused.Reason, c.want) {
			t.Errorf("%v: %v, want a refusal saying %q", c.args, err, c.want)
		}
	}
	for answer, want := range map[string]string{
		strings.Replace(accountsAnswer, "debian", "alpine", 1): "BusyBox's adduser",
		strings.Replace(accountsAnswer, "Linux", "FreeBSD", 1): `runs "FreeBSD", not Linux`,
		strings.Replace(accountsAnswer, "groupadd\n", "", 1):   `Failed to find required executable "groupadd"`,
	} {
		s, err := ParseAccounts(answer)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := ParseGroupArgs(map[string]any{"name": "gpu"})
		if _, err := Account(a, s); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v, want %q", err, want)
		}
	}
	if _, err := ParseUserArgs(map[string]any{"name": "x", "password": "hash"}); err == nil || !strings.Contains(err.Error(), `"password"`) {
		t.Errorf("password: %v", err)
	}
	if _, err := ParseGroupArgs(map[string]any{"name": "x", "force": true}); err == nil || !strings.Contains(err.Error(), `"force"`) {
		t.Errorf("group's force (not on 2.14): %v", err)
	}
	if _, err := ParseUserArgs(map[string]any{"name": "x", "home": "~x"}); err == nil {
		t.Error("a home with ~ was taken")
	}
}

// TestAccountsAfterEarlierTasks: a group an earlier task adds exists for
// the user task after it (its gid is the run's: usermod -g names it); a
// user an earlier task changes is left to Ansible.
func TestAccountsAfterEarlierTasks(t *testing.T) {
	s := mustAccounts(t)
	group, _ := ParseGroupArgs(map[string]any{"name": "gpu"})
	res, err := Account(group, s)
	if err != nil {
		t.Fatal(err)
	}
	s.After(group, res)
	newUser, _ := ParseUserArgs(map[string]any{"name": "carol", "group": "gpu", "create_home": false})
	if res, err := Account(newUser, s); err != nil || strings.Join(res.Argv, " ") != "useradd -g gpu -M carol" {
		t.Errorf("new user in the new group: %v %v", res.Argv, err)
	}
	moved, _ := ParseUserArgs(map[string]any{"name": "alice", "group": "gpu"})
	res, err = Account(moved, s)
	if err != nil || strings.Join(res.Argv, " ") != "usermod -g gpu alice" {
		t.Errorf("alice into the new group: %v %v", res.Argv, err)
	}
	s.After(moved, res)
	var refused *Refusal
	if _, err := Account(moved, s); !errors.As(err, &refused) {
		t.Errorf("a second task on alice: %v, want a refusal", err)
	}
}

// TestAccountIDsAfterEarlierTasks: the ids the file modules would find
// once earlier tasks have run — a new user's own group under login.defs'
// USERGROUPS_ENAB yes (a later group task finds it present), the uid a
// task gives, a modified user's own uid, groupadd's and useradd's picks
// (ErrIDOfRun), a removed account's failure — and each task's After names
// the accounts it acts on. A gid changed by groupmod keeps its members.
func TestAccountIDsAfterEarlierTasks(t *testing.T) {
	s, err := ParseAccounts(accountsAnswer + "@@usergroups\n\"YES\"\n@@end\n")
	if err != nil || !s.UserGroups {
		t.Fatalf("USERGROUPS_ENAB read as %v (%v)", s.UserGroups, err)
	}
	run := func(args map[string]any, group bool) []string {
		parse := ParseUserArgs
		if group {
			parse = ParseGroupArgs
		}
		a, err := parse(args)
		if err != nil {
			t.Fatal(err)
		}
		res, err := Account(a, s)
		if err != nil {
			t.Fatal(err)
		}
		return s.After(a, res)
	}
	acted := [][]string{
		run(map[string]any{"name": "carol", "create_home": false}, false),
		run(map[string]any{"name": "dave", "uid": 2001, "group": "ops", "create_home": false}, false),
		run(map[string]any{"name": "alice", "shell": "/bin/sh"}, false),
		run(map[string]any{"name": "ops", "gid": 1501}, true),
		run(map[string]any{"name": "root", "state": "absent"}, true),
		run(map[string]any{"name": "carol"}, true), // present: useradd added it
	}
	want := []string{"user carol,group carol", "user dave,group ops", "user alice", "group ops", "group root", ""}
	for i, w := range want {
		if got := strings.Join(acted[i], ","); got != w {
			t.Errorf("task %d acts on %q, want %q", i, got, w)
		}
	}
	for _, c := range []struct {
		kind, name string
		id         int
		err        string
	}{
		{"user", "carol", 0, ErrIDOfRun.Error()}, {"group", "carol", 0, ErrIDOfRun.Error()},
		{"user", "dave", 2001, ""}, {"user", "alice", 1000, ""}, {"group", "ops", 1501, ""},
		{"group", "root", 0, "an earlier task removes group root"},
	} {
		id, err := s.IDAfter(c.kind, c.name)
		if id != c.id || fmtErr(err) != c.err {
			t.Errorf("%s %s: %d %v, want %d %q", c.kind, c.name, id, err, c.id, c.err)
		}
	}
	if g := s.GroupByName("ops"); g == nil || strings.Join(g.Members, ",") != "alice,bob" {
		t.Errorf("ops after groupmod -g: %+v", g)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
