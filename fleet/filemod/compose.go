package filemod

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// What community.docker's docker_compose_v2 decides from compose's
// progress events, read in community.docker 3.13.3
// plugins/module_utils/compose_v2.py (:N below): the module runs compose's
// action (with --dry-run in check mode, plugins/modules/docker_compose_v2.py
// :472-504 get_up_cmd and the other get_*_cmd) and reads the events compose
// writes to stderr, as JSON lines from compose 2.29.0 (--progress json,
// parse_json_events :361-470) and as text lines before it (parse_events
// :473-542, a dry run's lines prefixed "DRY-RUN MODE -", :132, :484-488).
// It reports changed when an event's status is a working one (has_changes
// :545-553: Creating, Starting, Restarting, Stopping, Killing, Removing,
// Recreate, Pulling, Building, :61-74), or an image layer is being pulled
// (:98-104); up and the first step of stopped leave out a service's
// Pulling (ignore_service_pull_events, docker_compose_v2.py:502, :540). A
// non-zero exit code fails the task with the error events' messages
// (update_failed :595-625).

// ComposeEvent is one event of compose's progress output: the resource's
// type and id, its status and message.
type ComposeEvent struct {
	Type, ID, Status, Msg string
}

var (
	composeWorking      = []string{"Creating", "Starting", "Restarting", "Stopping", "Killing", "Removing", "Recreate", "Pulling", "Building"}
	composeDone         = []string{"Started", "Healthy", "Exited", "Restarted", "Running", "Created", "Stopped", "Killed", "Removed", "Recreated", "Pulled"}
	composePull         = []string{"Pulled", "Pulling"}
	composeLayerDone    = []string{"Already exists", "Download complete", "Pull complete"}
	composeLayerWorking = []string{"Pulling fs layer", "Waiting", "Downloading", "Verifying Checksum", "Extracting"}
)

// composeStatus reports whether s is one of DOCKER_STATUS (:88), with
// Warning when warning is set (DOCKER_STATUS_AND_WARNING, :89).
func composeStatus(s string, warning bool) bool {
	return slices.Contains(composeWorking, s) || slices.Contains(composeDone, s) || s == "Error" || s == "Waiting" || (warning && s == "Warning")
}

// The text forms of compose's events (:134-235).
var (
	composeResourceRE = lazyre.New(`^\s*(Network|Image|Volume|Container)\s+(\S+)\s+(\S(?:|.*\S))\s*$`)
	composePullRE     = lazyre.New(`^\s*(\S+)\s+(Pulled|Pulling)\s*$`)
	composeErrorRE    = lazyre.New(`^\s*(\S+)\s+(Error)\s*(\S.*\S)?$`)
	composeWarningRE  = lazyre.New(`^\s*(\S+)\s+(Warning)\s*(\S.*\S)?$`)
	composeLayerRE    = lazyre.New(`^\s*(\S+)\s+(Already exists|Download complete|Downloading|Extracting|Pull complete|Pulling fs layer|Verifying Checksum|Waiting)\s*(?:|\s\[[^]]+\]\s+\S+\s*|\s+[0-9.kKmMgGbB]+/[0-9.kKmMgGbB]+\s*)$`)
	composeSkippedRE  = lazyre.New(`^\s*(\S+)\s+Skipped(?: -\s*(\S(?:|.*\S))|\s*)$`)
	composeBuildRE    = lazyre.New(`^\s*build service\s+(\S+)$`)
	composeBuildingRE = lazyre.New(`^\s*==>\s+(.*)$`)
	composeContinueRE = lazyre.New(`^\s*(\S+)\s+-\s*(\S(?:|.*\S))$`)
)

// ParseComposeEvents reads compose's stderr as the module does: a JSON
// line as parse_json_events, a text line as parse_events (with the dry
// run's prefix taken off). failed is whether compose exited non-zero,
// which makes an unparsable last line an error (:532-539).
func ParseComposeEvents(stderr string, failed bool) []ComposeEvent {
	var events []ComposeEvent
	lines := strings.Split(strings.TrimSuffix(stderr, "\n"), "\n")
	for i, raw := range lines {
		line := strings.TrimSpace(raw)
		if line == "" {
			continue
		}
		if strings.HasPrefix(line, "{") && strings.HasSuffix(line, "}") {
			events = appendJSONEvent(events, line)
			continue
		}
		line = strings.TrimSpace(strings.TrimPrefix(line, "DRY-RUN MODE -"))
		last := len(lines) == 1 || (failed && i == len(lines)-1)
		events = appendTextEvent(events, line, last)
	}
	return events
}

// appendJSONEvent is parse_json_events for one line (:381-468).
func appendJSONEvent(events []ComposeEvent, line string) []ComposeEvent {
	var d map[string]any
	if json.Unmarshal([]byte(line), &d) != nil {
		return events // the module warns and goes on (:384-391)
	}
	text, _ := d["text"].(string)
	switch {
	case truthy(d["tail"]):
		return append(events, ComposeEvent{Type: "unknown", Status: "Error", Msg: text})
	case truthy(d["error"]):
		id, _ := d["id"].(string)
		msg, _ := d["message"].(string)
		return append(events, ComposeEvent{Type: "unknown", ID: id, Status: "Error", Msg: msg})
	}
	return append(events, jsonResourceEvent(d, text))
}

// jsonResourceEvent reads a line's id, status and text (:409-466).
func jsonResourceEvent(d map[string]any, text string) ComposeEvent {
	id, _ := d["id"].(string)
	status, _ := d["status"].(string)
	ev := ComposeEvent{Type: "unknown", ID: id}
	if id == " " && strings.HasPrefix(text, "build service ") {
		ev.ID, text = "S"+text[len("build s"):], "Building"
	}
	switch kind, rest, ok := strings.Cut(ev.ID, " "); {
	case ok:
		ev.Type, ev.ID = composeResourceType(kind), rest
	case slices.Contains(composePull, text):
		ev.Type, status, text = "image", text, status
	case slices.Contains(composeLayerDone, text) || slices.Contains(composeLayerWorking, text):
		ev.Type, status, text = "image-layer", text, status
	}
	if !composeStatus(status, true) && composeStatus(text, true) {
		status, text = text, status
	}
	ev.Status, ev.Msg = status, text
	return ev
}

func composeResourceType(kind string) string {
	switch kind {
	case "Network", "Image", "Volume", "Container", "Service":
		return strings.ToLower(kind)
	}
	return "unknown"
}

func truthy(v any) bool {
	switch v := v.(type) {
	case bool:
		return v
	case string:
		return v != ""
	case nil:
		return false
	}
	return true
}

// appendTextEvent is parse_events for one text line (:490-541): an event,
// a line that belongs to none (a continuation, a warning, build progress),
// or an error message.
func appendTextEvent(events []ComposeEvent, line string, last bool) []ComposeEvent {
	if ev, ok := textEvent(line); ok {
		if ev.Status == "" && ev.Msg == "" {
			return events // parsed, no event: a warning
		}
		return append(events, ev)
	}
	if composeBuildingRE().MatchString(line) || composeContinueRE().MatchString(line) {
		return events
	}
	if n := len(events); n > 0 && events[n-1].Status == "Error" {
		events[n-1].Msg = strings.TrimPrefix(events[n-1].Msg+"\n"+line, "\n")
		return events
	}
	if strings.HasPrefix(line, "Error ") || last {
		return append(events, ComposeEvent{Type: "unknown", Status: "Error", Msg: line})
	}
	return events // the module warns that it cannot parse it
}

// textEvent is _extract_event (:237-299).
func textEvent(line string) (ComposeEvent, bool) {
	if m := composeResourceRE().FindStringSubmatch(line); m != nil {
		ev := ComposeEvent{Type: strings.ToLower(m[1]), ID: m[2], Status: m[3]}
		if !composeStatus(ev.Status, false) {
			ev.Status, ev.Msg = "", ev.Status
		}
		return ev, true
	}
	if m := composePullRE().FindStringSubmatch(line); m != nil {
		return ComposeEvent{Type: "service", ID: m[1], Status: m[2]}, true
	}
	if m := composeErrorRE().FindStringSubmatch(line); m != nil {
		return ComposeEvent{Type: "unknown", ID: m[1], Status: "Error", Msg: m[3]}, true
	}
	if composeWarningRE().MatchString(line) {
		return ComposeEvent{}, true
	}
	return textEventOther(line)
}

// textEventOther: a layer's pull progress, a skipped service, a build's
// start.
func textEventOther(line string) (ComposeEvent, bool) {
	if m := composeLayerRE().FindStringSubmatch(line); m != nil {
		return ComposeEvent{Type: "image-layer", ID: m[1], Status: m[2]}, true
	}
	if m := composeSkippedRE().FindStringSubmatch(line); m != nil {
		return ComposeEvent{Type: "unknown", ID: m[1], Status: "Skipped", Msg: m[2]}, true
	}
	if m := composeBuildRE().FindStringSubmatch(line); m != nil {
		return ComposeEvent{Type: "service", ID: m[1], Status: "Building"}, true
	}
	return ComposeEvent{}, false
}

// ComposeChanged is has_changes (:545-553).
func ComposeChanged(events []ComposeEvent, ignoreServicePull bool) bool {
	for _, ev := range events {
		if slices.Contains(composeWorking, ev.Status) && !(ignoreServicePull && slices.Contains(composePull, ev.Status)) {
			return true
		}
		if ev.Type == "image-layer" && slices.Contains(composeLayerWorking, ev.Status) {
			return true
		}
	}
	return false
}

// ComposeActions are the working events, as the module's actions list
// them (extract_actions :556-575, a layer's once): what the plan shows.
func ComposeActions(events []ComposeEvent) []string {
	var out []string
	for _, ev := range events {
		working := slices.Contains(composeWorking, ev.Status) || (ev.Type == "image-layer" && slices.Contains(composeLayerWorking, ev.Status))
		if line := strings.TrimSpace(ev.Type + " " + ev.ID + " " + ev.Status); working && !slices.Contains(out, line) {
			out = append(out, line)
		}
	}
	return out
}

// ComposeFailure is the module's message when compose exits non-zero
// (update_failed :595-625): the error events' messages, else the code.
func ComposeFailure(events []ComposeEvent, code int) string {
	var errs []string
	for _, ev := range events {
		if ev.Status != "Error" {
			continue
		}
		prefix := "General error: "
		switch {
		case ev.ID != "" && ev.Type != "unknown":
			prefix = "Error when processing " + ev.Type + " " + ev.ID + ": "
		case ev.ID != "":
			prefix = "Error when processing " + ev.ID + ": "
		}
		errs = append(errs, prefix+orString(ev.Msg, ev.Status))
	}
	if len(errs) == 0 {
		return fmt.Sprintf("Return code %d is non-zero", code)
	}
	return strings.Join(errs, "\n")
}
