package inventory

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
)

const patternInventory = `all:
  children:
    web:
      hosts:
        web1:
        web2:
        web3.lab:
    db:
      hosts:
        db1:
        db2.lab:
    prod:
      hosts:
        web1:
        db1:
      children:
        edge:
          hosts:
            edge1:
    ungrouped:
      hosts:
        lonely:
`

// hostPatterns are checked against Ansible's own evaluation (the
// inventory_hostnames lookup), order included.
var hostPatterns = []string{
	"all", "*", "web", "web:db", "web,db", "db,web", "web:&prod", "web:!web2", "!web2", "&prod",
	"web*", "w?b1", "~w.b[12]", "~.*lab", "web[0]", "web[1:]", "web[-1]", "web[0:1]", "web[2:0]",
	"db:web:&prod:!db1", "prod:!web", "*.lab", "ungrouped", "lonely", "all:!ungrouped", "[wd]*",
	"[!w]*", "edge", "prod:&edge", "web1", "web1:web2", "!prod:web", "web, db ,edge", "e*:d*",
}

func loadPatternInventory(t *testing.T) (*Inventory, string) {
	dir := t.TempDir()
	writeTree(t, dir, map[string]string{"hosts.yml": patternInventory})
	return mustLoad(t, nil, filepath.Join(dir, "hosts.yml")), dir
}

func TestHostPatternsMatchAnsible(t *testing.T) {
	requireOracle(t, "ansible")
	inv, dir := loadPatternInventory(t)
	var exprs []string
	for i, p := range hostPatterns {
		exprs = append(exprs, fmt.Sprintf("'p%d': query('inventory_hostnames', %q)", i, p))
	}
	var out struct {
		Plays []struct {
			Tasks []struct {
				Hosts map[string]struct {
					Msg map[string][]string `json:"msg"`
				} `json:"hosts"`
			} `json:"tasks"`
		} `json:"plays"`
	}
	runJSON(t, dir, &out, "ansible", "localhost", "-i", "hosts.yml", "-m", "debug", "-a", "msg={{ {"+strings.Join(exprs, ", ")+"} }}")
	want := out.Plays[0].Tasks[0].Hosts["localhost"].Msg
	for i, p := range hostPatterns {
		got, _, err := inv.MatchDetail(p)
		if err != nil {
			t.Errorf("%q: %v", p, err)
			continue
		}
		sameStrings(t, fmt.Sprintf("pattern %q", p), want[fmt.Sprintf("p%d", i)], got)
	}
}

func TestHostPatternsTable(t *testing.T) {
	inv, _ := loadPatternInventory(t)
	cases := map[string]string{
		"web:!web2":      "web1,web3.lab",
		"web:&prod":      "web1",
		"prod":           "web1,db1,edge1",
		"~^db":           "db1,db2.lab",
		"web[1:]":        "web2,web3.lab",
		"!prod":          "lonely,web2,web3.lab,db2.lab",
		"web*:!*.lab":    "web1,web2",
		"prod:!edge:&db": "db1",
	}
	for p, want := range cases {
		got, err := inv.Match(p)
		if err != nil || strings.Join(got, ",") != want {
			t.Errorf("Match(%q) = %v, %v; want %s", p, got, err, want)
		}
	}
}

func TestLimitUnknownNameIsAnError(t *testing.T) {
	inv, _ := loadPatternInventory(t)
	_, err := inv.Match("web1:wintermute")
	if err == nil || !strings.Contains(err.Error(), "wintermute") {
		t.Errorf("Match: %v", err)
	}
	hosts, unmatched, err := inv.MatchDetail("web1:wintermute:!nothere")
	if err != nil || strings.Join(hosts, ",") != "web1" || strings.Join(unmatched, ",") != "wintermute,!nothere" {
		t.Errorf("MatchDetail: %v %v %v", hosts, unmatched, err)
	}
	if hosts, err := inv.MatchPlay("wintermute"); err != nil || len(hosts) != 0 {
		t.Errorf("MatchPlay of an unknown name: %v %v", hosts, err)
	}
	if _, err := inv.Match("web[7]"); err == nil {
		t.Error("an out-of-range subscript is an error")
	}
	if _, err := inv.Match("~(unclosed"); err == nil {
		t.Error("a bad regex is an error")
	}
}

func TestLimitFile(t *testing.T) {
	inv, dir := loadPatternInventory(t)
	writeTree(t, dir, map[string]string{"retry": "web2\ndb1\n"})
	got, err := inv.Match("@" + filepath.Join(dir, "retry"))
	if err != nil || strings.Join(got, ",") != "web2,db1" {
		t.Errorf("@file: %v %v", got, err)
	}
}

func TestSplitHostPattern(t *testing.T) {
	cases := map[string]string{
		"a:b":         "a|b",
		"a:&b:!c":     "a|&b|!c",
		"a, b ,c":     "a|b|c",
		"web[1:3]":    "web[1:3]",
		"host:22":     "host:22",
		"::1":         "::1",
		"web[1:3]:db": "web[1:3]|db",
		"":            "",
	}
	for in, want := range cases {
		if got := strings.Join(splitHostPattern(in), "|"); got != want {
			t.Errorf("splitHostPattern(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFnmatch(t *testing.T) {
	cases := []struct {
		pat, name string
		want      bool
	}{
		{"web*", "web1", true}, {"web*", "db", false}, {"w?b", "web", true}, {"[abc]x", "bx", true},
		{"[!abc]x", "bx", false}, {"[a-c]1", "b1", true}, {"[z-a]", "m", false}, {"[", "[", true},
		{"a[]]b", "a]b", true}, {"*.lab", "web.lab", true}, {"*.lab", "weblab", false}, {"W*", "web", false},
		{"a*b*c", "aXbYc", true}, {"a*b*c", "aXbY", false}, {"[a-]", "-", true}, {"\\d", "\\d", true},
	}
	for _, c := range cases {
		m, err := nameMatcher(c.pat)
		if err != nil || m(c.name) != c.want {
			t.Errorf("fnmatch(%q, %q) = %v (%v), want %v", c.name, c.pat, !c.want, err, c.want)
		}
	}
}
