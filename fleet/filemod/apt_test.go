package filemod

import (
	"errors"
	"strings"
	"testing"
)

// aptAnswer is what AptQueryScript prints on a host (recorded from this
// machine's dpkg-query and apt-cache policy, Debian 12, names kept):
// curl installed and current, bash installed with a newer candidate and
// marked automatically installed, hello not installed, awk virtual,
// nosuch unknown to apt, ed removed with its configuration kept, tmux
// held (bash also known for i386, not installed there: the native one
// counts). The lists were refreshed 100 s before the clock.
const aptAnswer = `@@stamp
1796600000
1796600100
@@end
@@tools
apt-get
apt-mark
@@end
@@pythonapt
installed
@@end
@@arch
amd64
@@end
@@os
debian
@@end
@@names
curl
bash
hello
awk
nosuch
ed
tmux
@@end
@@dpkg
curl amd64 installed install 7.88.1-10+deb12u14
bash i386 not-installed unknown 
bash amd64 installed install 5.2.15-2+b8
awk  not-installed unknown 
ed amd64 config-files deinstall 1.19-1
tmux amd64 installed hold 3.3a-3
@@end
@@policy
package curl
candidate 7.88.1-10+deb12u14
version 7.88.1-10+deb12u14
package bash
candidate 5.2.15-2+b13
version 5.2.15-2+b13
version 5.2.15-2+b8
package hello
candidate 2.10-3
version 2.10-3
package awk
candidate (none)
package ed
candidate 1.19-1
version 1.19-1
package tmux
candidate 3.3a-4
version 3.3a-4
version 3.3a-3
@@end
@@auto
bash
@@end
`

func mustPackages(t *testing.T) *Packages {
	t.Helper()
	s, err := ParseApt(aptAnswer)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func aptArgs(t *testing.T, args map[string]any) AptArgs {
	t.Helper()
	a, err := ParseAptArgs(args)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return a
}

func TestParseApt(t *testing.T) {
	s := mustPackages(t)
	if p := s.Pkgs["bash"]; p == nil || !p.Installed() || p.Version != "5.2.15-2+b8" || p.Candidate != "5.2.15-2+b13" || !p.Auto || !p.Versions {
		t.Errorf("bash: %+v", p)
	}
	if p := s.Pkgs["awk"]; p == nil || !p.Known || p.Versions || p.Candidate != "" || p.Status != "not-installed" {
		t.Errorf("awk: %+v", p)
	}
	if p := s.Pkgs["nosuch"]; p == nil || p.Known {
		t.Errorf("nosuch: %+v", p)
	}
	if s.Stale(100) || !s.Stale(99) || !s.PythonApt || !s.Tools["apt-mark"] {
		t.Errorf("stamp %d now %d, python3-apt %v, tools %v", s.StampTime, s.Now, s.PythonApt, s.Tools)
	}
	if _, err := ParseApt("@@stamp\nyesterday\n@@end\n"); err == nil {
		t.Error("a stamp that is not two times was read")
	}
}

// TestAptDecisions: the commands each task runs, in the module's words
// (2.19's dpkg options where asked), its verdict, and the module's
// failures in its words.
func TestAptDecisions(t *testing.T) {
	dpkg := "apt-get -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold"
	for _, c := range []struct {
		args    map[string]any
		lock    bool
		want    string // Describe
		changed bool
		err     string
	}{
		{map[string]any{"name": "curl"}, false, "present", false, ""},
		{map[string]any{"name": "curl,bash", "state": "present"}, false, "present, running apt-mark manual curl bash as the module does", false, ""},
		{map[string]any{"pkg": []any{"hello"}, "install_recommends": false}, false, "install (" + dpkg + " install hello=2.10-3 -o APT::Install-Recommends=no; apt-mark manual hello)", true, ""},
		{map[string]any{"name": "hello", "lock_timeout": 5}, true, "install (" + dpkg + " -o DPkg::Lock::Timeout=5 install hello=2.10-3; apt-mark manual hello)", true, ""},
		{map[string]any{"name": []any{"curl", "bash"}, "state": "latest"}, false, "install (" + dpkg + " install bash=5.2.15-2+b13; apt-mark manual curl bash)", true, ""},
		{map[string]any{"name": "ed", "state": "absent"}, false, "absent", false, ""},
		{map[string]any{"name": "ed", "state": "absent", "purge": true}, false, "remove (apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --purge remove ed)", true, ""},
		{map[string]any{"name": "curl", "state": "absent", "autoremove": true}, false, "remove (apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold --auto-remove remove curl)", true, ""},
		{map[string]any{"name": []any{"curl", "nosuch"}, "state": "absent"}, false, "remove (apt-get -q -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold remove curl)", true, ""},
		{map[string]any{"update_cache": true, "cache_valid_time": 3600}, false, "present", false, ""},
		{map[string]any{"update_cache": "yes"}, false, "update the lists (apt-get update)", true, ""},
		{map[string]any{"name": "curl", "update_cache": true}, false, "present, running apt-get update as the module does", false, ""},
		{map[string]any{"name": "nosuch"}, false, "", false, "No package matching 'nosuch' is available"},
		{map[string]any{"name": "tmux", "state": "present"}, false, "present", false, ""},
	} {
		s := mustPackages(t)
		a := aptArgs(t, c.args)
		res, err := Apt(a, s, AptOptions{LockTimeoutOption: c.lock})
		if fmtErr(err) != c.err || (err == nil && (res.Describe(a) != c.want || res.Changed != c.changed)) {
			t.Errorf("%v: %q changed %v (%v), want %q changed %v (%q)", c.args, res.Describe(a), res.Changed, err, c.want, c.changed, c.err)
		}
	}
}

// TestAptRefusals: what straylight leaves to Ansible, with the reason.
func TestAptRefusals(t *testing.T) {
	for args, reason := range map[string]string{
		"awk":                 "awk is a virtual package",
		"tmux latest":         "tmux is held",
		"hello update_cache":  "the lists are refreshed first",
		"bash latest refresh": "the lists are refreshed first",
	} {
		f := strings.Fields(args)
		m := map[string]any{"name": f[0]}
		if strings.Contains(args, "latest") {
			m["state"] = "latest"
		}
		if strings.Contains(args, "update_cache") || strings.Contains(args, "refresh") {
			m["update_cache"] = true
		}
		_, err := Apt(aptArgs(t, m), mustPackages(t), AptOptions{})
		var refused *Refusal
		if !errors.As(err, &refused) || !strings.Contains(refused.Reason, reason) {
			t.Errorf("%s: %v, want a refusal saying %q", args, err, reason)
		}
	}
	for _, bad := range []map[string]any{{"autoremove": true}, {"name": "bash=5.2"}, {"name": "nginx:amd64"}, {"name": "lib*"}, {"name": "x", "state": "build-dep"}} {
		var refused *Refusal
		if _, err := ParseAptArgs(bad); !errors.As(err, &refused) {
			t.Errorf("%v: %v, want a refusal", bad, err)
		}
	}
	for bad, msg := range map[string]string{"deb": "argument \"deb\" of apt is not supported", "state": "value of state must be one of", "": "one of the following is required"} {
		args := map[string]any{}
		switch bad {
		case "deb":
			args["deb"] = "/tmp/x.deb"
		case "state":
			args["name"], args["state"] = "x", "installed"
		}
		if _, err := ParseAptArgs(args); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", bad, err, msg)
		}
	}
	for args, distro := range map[string]string{"use: yum": "debian", "fedora": "fedora"} {
		m := map[string]any{"name": "curl"}
		if strings.HasPrefix(args, "use") {
			m["use"] = "yum"
		}
		a, err := ParsePackageArgs(m)
		if err == nil {
			s := mustPackages(t)
			s.Distro = distro
			_, err = Apt(a, s, AptOptions{})
		}
		var refused *Refusal
		if !errors.As(err, &refused) {
			t.Errorf("package, %s: %v, want a refusal", args, err)
		}
	}
	if a, err := ParsePackageArgs(map[string]any{"name": "curl", "use": "apt"}); err != nil || !a.Package {
		t.Errorf("package with use: apt: %+v %v", a, err)
	} else if res, err := Apt(a, mustPackages(t), AptOptions{}); err != nil || res.Changed {
		t.Errorf("package curl on a Debian host: %+v %v", res, err)
	}
	s := mustPackages(t)
	s.PythonApt = false
	var refused *Refusal
	if _, err := Apt(aptArgs(t, map[string]any{"name": "curl"}), s, AptOptions{}); !errors.As(err, &refused) {
		t.Errorf("without python3-apt: %v, want a refusal (the module installs it first)", err)
	}
}

// TestAptAfterEarlierTasks: a package an earlier task installs is
// installed for the task after it; after a refresh every candidate is
// the run's.
func TestAptAfterEarlierTasks(t *testing.T) {
	s := mustPackages(t)
	install := aptArgs(t, map[string]any{"name": "hello"})
	res, _ := Apt(install, s, AptOptions{})
	s.After(install, res)
	remove := aptArgs(t, map[string]any{"name": "hello", "state": "absent"})
	if res, err := Apt(remove, s, AptOptions{}); err != nil || res.Argv == nil {
		t.Errorf("removing what the earlier task installs: %+v %v", res, err)
	}
	marked := aptArgs(t, map[string]any{"name": "bash"})
	res, _ = Apt(marked, s, AptOptions{})
	s.After(marked, res)
	if res, err := Apt(marked, s, AptOptions{}); err != nil || res.Mark != nil {
		t.Errorf("a package an earlier task marks manual: %+v %v", res, err)
	}
	refresh := aptArgs(t, map[string]any{"update_cache": true})
	res, _ = Apt(refresh, s, AptOptions{})
	s.After(refresh, res)
	var refused *Refusal
	if _, err := Apt(aptArgs(t, map[string]any{"name": "bash", "state": "latest"}), s, AptOptions{}); !errors.As(err, &refused) {
		t.Errorf("latest after a refresh: %v, want a refusal", err)
	}
	if res, err := Apt(aptArgs(t, map[string]any{"name": "curl"}), s, AptOptions{}); err != nil || res.Changed {
		t.Errorf("an installed package after a refresh: %+v %v", res, err)
	}
}
