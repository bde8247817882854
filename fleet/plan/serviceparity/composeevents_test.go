package serviceparity_test

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// e2eComposeEventsScript runs community.docker's own event parsers on each
// case of a JSON list read from stdin: [stderr, json, dry_run, failed]; it
// prints, per case, the events as [type, id, status, msg] and has_changes
// with and without ignore_service_pull_events.
const e2eComposeEventsScript = `
import json, sys
from ansible_collections.community.docker.plugins.module_utils.compose_v2 import parse_events, parse_json_events, has_changes
out = []
for stderr, is_json, dry_run, failed in json.load(sys.stdin):
    data = stderr.encode()
    events = parse_json_events(data) if is_json else parse_events(data, dry_run=dry_run, nonzero_rc=failed)
    out.append([[[e.resource_type, e.resource_id or "", e.status or "", e.msg or ""] for e in events],
                has_changes(events, ignore_service_pull_events=True), has_changes(events)])
json.dump(out, sys.stdout)
`

// e2eComposeEventCase is compose's stderr for one action, whether it is
// JSON progress, a dry run's, and whether compose failed.
type e2eComposeEventCase struct {
	stderr               string
	json, dryRun, failed bool
}

// e2eComposeEventCases: compose's text and JSON progress as the module
// meets them: a running container, creations, pulls (which up ignores),
// image layers, networks, builds, errors in both forms, messages that are
// no status.
var e2eComposeEventCases = []e2eComposeEventCase{
	{stderr: "DRY-RUN MODE -  Container p-a-1  Running\n", dryRun: true},
	{stderr: "DRY-RUN MODE -  Container p-a-1  Creating\nDRY-RUN MODE -  Container p-a-1  Created\nDRY-RUN MODE -  Container p-a-1  Starting\nDRY-RUN MODE -  Container p-a-1  Started\n", dryRun: true},
	{stderr: "DRY-RUN MODE -  a Pulling\nDRY-RUN MODE -  a Pulled\nDRY-RUN MODE -  Container p-a-1  Running\n", dryRun: true},
	{stderr: " a Pulling\n 4f4fb700ef54 Downloading [==>        ]  1.2MB/3.4MB\n 4f4fb700ef54 Pull complete\n a Pulled\n"},
	{stderr: " Network p_default  Creating\n Network p_default  Created\n"},
	{stderr: " Container p-a-1  Recreate\n Container p-a-1  Recreated\n Container p-b-1  Stopping\n Container p-b-1  Stopped\n Container p-b-1  Removing\n Container p-b-1  Removed\n"},
	{stderr: " Container p-a-1  Error response from daemon: conflict\n Container p-b-1  Running\n"},
	{stderr: "no configuration file provided: not found\n", failed: true},
	{stderr: " Container p-a-1  Creating\nError response from daemon: pull access denied\n", failed: true},
	{stderr: " a Error manifest unknown\n  more about it\n", failed: true},
	{stderr: "build service app\n==> writing image sha256:abc\n Container p-app-1  Running\n"},
	{stderr: " Container p-a-1  Skipped - No such service\n b Skipped\n b Warning something odd\n"},
	{stderr: `{"id":"Container p-a-1","status":"Running"}` + "\n", json: true},
	{stderr: `{"dry-run":true,"id":"Container p-a-1","status":"Working","text":"Creating"}` + "\n" + `{"dry-run":true,"id":"Container p-a-1","status":"Done","text":"Created"}` + "\n", json: true},
	{stderr: `{"id":"a","text":"Pulling"}` + "\n" + `{"id":"4f4fb700ef54","status":"","text":"Downloading","current":1,"total":2}` + "\n" + `{"id":"a","text":"Pulled"}` + "\n", json: true},
	{stderr: `{"id":"a","text":"Pulling"}` + "\n" + `{"id":"a","text":"Pulled"}` + "\n", json: true},
	{stderr: `{"tail":true,"text":"no such service: x"}` + "\n", json: true},
	{stderr: `{"error":true,"id":"Container p-a-1","message":"conflict"}` + "\n", json: true},
	{stderr: `{"dry-run":true,"id":" ","text":"build service app"}` + "\n" + `{"id":"Container p-b-1","text":"Skipped - No such service"}` + "\n", json: true},
}

// TestComposeEventsAsTheModuleReadsThem: straylight's reading of compose's
// events (fleet/filemod/compose.go: the events, and changed as up and
// stopped decide it, leaving out a service's pulls, and as restarted and
// absent do) is community.docker 3.13.3's own (compose_v2.py parse_events,
// parse_json_events, has_changes), run by each ansible-core's Python.
func TestComposeEventsAsTheModuleReadsThem(t *testing.T) {
	collections := e2ePinnedCollection(t, "community/docker", e2eCommunityDocker, "STRAYLIGHT_COMMUNITY_DOCKER")
	for _, o := range parity.Oracles(t) {
		want := e2eModuleEvents(t, o, collections)
		for i, c := range e2eComposeEventCases {
			events := filemod.ParseComposeEvents(c.stderr, c.failed)
			got := []any{e2eEventRows(events), filemod.ComposeChanged(events, true), filemod.ComposeChanged(events, false)}
			if g, w := e2eJSON(t, got), e2eJSON(t, want[i]); g != w {
				t.Errorf("%s, community.docker %s: case %d %q:\nstraylight %s\nthe module %s", o.Full, e2eCommunityDocker, i, c.stderr, g, w)
			}
		}
	}
}

// e2eModuleEvents runs e2eComposeEventsScript with the Python that runs
// the oracle's ansible-playbook (its #! line).
func e2eModuleEvents(t *testing.T, o parity.Oracle, collections string) []any {
	t.Helper()
	python := e2ePythonOf(t, filepath.Join(o.Bin, "ansible-playbook"))
	var cases [][]any
	for _, c := range e2eComposeEventCases {
		cases = append(cases, []any{c.stderr, c.json, c.dryRun, c.failed})
	}
	cmd := exec.Command(python, "-c", e2eComposeEventsScript)
	cmd.Dir = collections
	cmd.Stdin = strings.NewReader(e2eJSON(t, cases))
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s: %s: %v", o.Full, python, err)
	}
	var res []any
	if err := json.Unmarshal(out, &res); err != nil || len(res) != len(cases) {
		t.Fatalf("%s: %v: %s", o.Full, err, out)
	}
	return res
}

// e2ePythonOf is the interpreter a script's #! line names.
func e2ePythonOf(t *testing.T, script string) string {
	t.Helper()
	f, err := os.Open(script)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	line, _ := bufio.NewReader(f).ReadString('\n')
	fields := strings.Fields(strings.TrimPrefix(line, "#!"))
	if len(fields) == 0 {
		t.Fatalf("%s has no #! line", script)
	}
	return fields[0]
}

func e2eEventRows(events []filemod.ComposeEvent) [][]string {
	rows := [][]string{}
	for _, e := range events {
		rows = append(rows, []string{e.Type, e.ID, e.Status, e.Msg})
	}
	return rows
}

// e2eJSON is v as JSON, for comparing values decoded from the script's
// answer with straylight's.
func e2eJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
