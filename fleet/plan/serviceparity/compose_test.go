package serviceparity_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// Parity of docker_compose_v2 handlers with the real module: community.docker
// 3.13.3 (the ansible 9.13.0 package's; .ci/venvs unpacks it, Debian's
// bundle has community.docker 3.4.7, which has no docker_compose_v2), run by
// ansible-playbook against a docker stand-in both it and straylight find
// first on PATH. The module finds docker with get_bin_path
// (plugins/module_utils/common_cli.py:61 in community.docker 3.13.3) and runs
// every command with the project directory as its working directory
// (plugins/modules/docker_compose_v2.py:508, :539, :547, :582 and :609
// pass cwd=self.project_src to call_cli); straylight's local transport runs sh with
// the same PATH.

// e2eComposeStub is the docker stand-in. It keeps each project's containers
// as files STATE/projects/PROJECT/SERVICE holding "state hash generation
// restarts" (hash: a checksum of the service's lines in the compose files, so
// that a changed service is recreated as compose's recreate: auto does;
// generation counts the creations) and appends every command line to
// STATE/calls. What it answers, for whom:
//   - `docker version --format '{{ json . }}'`: the client's constructor
//     (common_cli.py:85), a JSON object;
//   - `docker info --format '{{ json . }}'`: get_client_plugin_info
//     (common_cli.py:176-186) reads ClientInfo.Plugins for compose, whose
//     Version (2.29.7) the module checks (_compose_v2: compose_v2.py:696-712)
//     and which makes it pass --progress json and read JSON events
//     (compose_v2.py:729, :736-741, parse_json_events :361);
//   - `compose ... up|restart|stop|down`: compose's progress events on
//     stderr, acting on the files; --file resolves against the working
//     directory, as compose does; with --dry-run (the module in check mode,
//     get_*_cmd's dry_run; straylight's plan of a plain task) it reports the
//     same events and changes nothing. With --progress json (the module)
//     they are JSON ({"id":"Container P-S-1","status":"Creating"}, what
//     parse_json_events splits into a resource type and id); without
//     (straylight's probe) compose's plain lines (" Container P-S-1
//     Creating", a dry run's after "DRY-RUN MODE - "), what parse_events
//     reads (compose_v2.py:473-542);
//   - `compose ... ps --format json --all [--no-trunc]`: a JSON object a line
//     (list_containers_raw, compose_v2.py:759-772, and
//     _are_containers_stopped, docker_compose_v2.py:526-530, read State;
//     list_containers :774-787 reads Name, Labels, Networks, Publishers);
//     `--format '{{.State}}'` (straylight's stopped check) a state a line;
//   - `compose ... images --format json`: list_images (compose_v2.py:789), [].
const e2eComposeStub = `#!/bin/sh
S=@STATE@
{ printf 'docker'; printf ' %s' "$@"; echo; } >> "$S/calls"
fail() { echo "$*" >&2; exit 1; }
while [ "$1" = --host ]; do shift 2; done
case "$1" in
version) echo '{"Client":{"Version":"27.3.1","ApiVersion":"1.47"},"Server":{"Version":"27.3.1","ApiVersion":"1.47"}}'; exit 0 ;;
info) echo '{"ClientInfo":{"Plugins":[{"Name":"compose","Version":"v2.29.7","Path":"/usr/libexec/docker/cli-plugins/docker-compose"}]}}'; exit 0 ;;
compose) shift ;;
*) fail "docker stand-in: unexpected: $*" ;;
esac
dir=$PWD name= files= progress=
while [ $# -gt 0 ]; do
	case "$1" in
	--ansi) shift 2 ;;
	--progress) progress=$2; shift 2 ;;
	--project-directory) dir=$2; shift 2 ;;
	--project-name) name=$2; shift 2 ;;
	--file) case "$2" in /*) files="$files $2" ;; *) files="$files $PWD/$2" ;; esac; shift 2 ;;
	version) echo "Docker Compose version v2.29.7"; exit 0 ;;
	*) break ;;
	esac
done
[ -n "$name" ] || name=$(basename "$dir" | tr A-Z a-z | tr -cd 'a-z0-9_-')
if [ -z "$files" ]; then
	for f in compose.yaml compose.yml docker-compose.yaml docker-compose.yml; do
		if [ -f "$dir/$f" ]; then files=$dir/$f; break; fi
	done
	[ -n "$files" ] || fail "no configuration file provided: not found"
fi
for f in $files; do [ -f "$f" ] || fail "open $f: no such file or directory"; done
cmd=$1; shift
force= never= nostart= orphans= format= services= dry=
while [ $# -gt 0 ]; do
	case "$1" in
	--) shift; services=$*; break ;;
	--force-recreate) force=1 ;;
	--no-recreate) never=1 ;;
	--no-start) nostart=1 ;;
	--remove-orphans) orphans=1 ;;
	--format) format=$2; shift ;;
	--timeout | --pull) shift ;;
	--dry-run) dry=1 ;;
	-*) ;;
	*) services="$services $1" ;;
	esac
	shift
done
P=$S/projects/$name
mkdir -p "$P"
defined=$(awk '/^[^ #]/ { in_s = ($0 ~ /^services:/); s = ""; next } in_s && /^  [A-Za-z0-9_.-]+:/ { s = $1; sub(/:$/, "", s) } in_s && s != "" { body[s] = body[s] $0 "|" } END { for (s in body) print s, body[s] }' $files |
	while read -r s body; do echo "$s $(printf '%s' "$body" | cksum | cut -d' ' -f1)"; done | sort)
hash_of() { echo "$defined" | awk -v s="$1" '$1 == s { print $2 }'; }
for s in $services; do [ -n "$(hash_of "$s")" ] || fail "no such service: $s"; done
[ -n "$services" ] || services=$(echo "$defined" | cut -d' ' -f1)
event() {
	if [ "$progress" = json ]; then
		printf '{"id":"Container %s-%s-1","status":"%s"}\n' "$name" "$1" "$2" >&2
	else
		printf '%s Container %s-%s-1  %s\n' "${dry:+DRY-RUN MODE - }" "$name" "$1" "$2" >&2
	fi
}
get() { [ -f "$P/$1" ] && cut -d' ' -f"$2" "$P/$1"; }
put() { [ -n "$dry" ] || echo "$2 $3 $4 $5" > "$P/$1"; }
orphans() { for c in "$P"/*; do [ -f "$c" ] || continue; c=${c##*/}; [ -n "$(hash_of "$c")" ] || echo "$c"; done; }
remove() { event "$1" Stopping; event "$1" Stopped; event "$1" Removing; event "$1" Removed; [ -n "$dry" ] || rm -f "$P/$1"; }
case "$cmd" in
up)
	if [ -n "$orphans" ]; then for c in $(orphans); do remove "$c"; done; fi
	for s in $services; do
		h=$(hash_of "$s") state=$(get "$s" 1) gen=$(get "$s" 3) r=$(get "$s" 4)
		run=running; [ -z "$nostart" ] || run=created
		if [ -z "$state" ]; then
			event "$s" Creating; event "$s" Created; put "$s" $run "$h" 1 0
		elif [ -n "$force" ] || { [ -z "$never" ] && [ "$h" != "$(get "$s" 2)" ]; }; then
			event "$s" Recreate; event "$s" Recreated; put "$s" $run "$h" $((gen + 1)) 0
		elif [ -z "$nostart" ] && [ "$state" != running ]; then
			put "$s" running "$(get "$s" 2)" "$gen" "$r"
		else
			event "$s" Running; continue
		fi
		[ -n "$nostart" ] || { event "$s" Starting; event "$s" Started; }
	done ;;
restart)
	for s in $services; do
		[ -f "$P/$s" ] || continue
		event "$s" Restarting; event "$s" Restarted
		put "$s" running "$(get "$s" 2)" "$(get "$s" 3)" $(($(get "$s" 4) + 1))
	done ;;
stop)
	for s in $services; do
		[ -f "$P/$s" ] || continue
		event "$s" Stopping; event "$s" Stopped
		put "$s" exited "$(get "$s" 2)" "$(get "$s" 3)" "$(get "$s" 4)"
	done ;;
down)
	for s in $services; do [ -f "$P/$s" ] && remove "$s"; done
	if [ -n "$orphans" ]; then for c in $(orphans); do remove "$c"; done; fi ;;
ps)
	for c in "$P"/*; do
		[ -f "$c" ] || continue
		s=${c##*/} state=$(cut -d' ' -f1 "$c")
		case "$format" in
		json) printf '{"Name":"%s-%s-1","Project":"%s","Service":"%s","State":"%s","Labels":"com.docker.compose.project=%s","Networks":"%s_default","Publishers":[]}\n' "$name" "$s" "$name" "$s" "$state" "$name" "$name" ;;
		*) echo "$state" ;;
		esac
	done ;;
images) echo '[]' ;;
*) fail "docker stand-in: compose $cmd is not modelled" ;;
esac
`

// e2eComposeCase is a project with a compose handler (or a plain compose
// task): its folder under out (also its project name unless the module
// names one), the module's arguments after project_src (", key: value"...),
// the stand-in's commands that make the starting state (each run in the
// folder with the project name and files; "orphan" adds a running container
// of a service no file defines), and whether it has a second compose file.
type e2eComposeCase struct {
	name, args string
	start      []string
	project    string
	gpuFile    bool
	task       bool // a plain task, first in the play, not a handler
}

// e2eComposeCases: every state, services as a list and as the comma string
// Ansible splits, recreate always/never/auto, remove_orphans, timeout (an
// int, and a string the module reads as one), dependencies, pull, files and
// project_name. The template changes service a's image in every project.
var e2eComposeCases = []e2eComposeCase{
	{name: "upauto", args: ", pull: missing", start: []string{"up"}},
	{name: "upalways", args: ", recreate: always, services: [b], pull: never", start: []string{"up"}},
	{name: "upnever", args: ", recreate: never, dependencies: false", start: []string{"up", "stop -- b"}},
	{name: "upfiles", args: `, project_name: gpustack, files: [compose.yaml, gpu.yaml], remove_orphans: true, timeout: "05"`,
		start: []string{"up", "orphan"}, project: "gpustack", gpuFile: true},
	{name: "restartall", args: ", state: restarted", start: []string{"up", "stop -- a"}},
	{name: "restartsvc", args: `, state: restarted, services: "a,c", timeout: 5, dependencies: no`, start: []string{"up"}},
	{name: "stoprun", args: ", state: stopped, services: [a], pull: always", start: []string{"up"}},
	{name: "stopidle", args: ", state: stopped, recreate: never", start: []string{"up", "stop"}},
	{name: "downall", args: ", state: absent, remove_orphans: true", start: []string{"up", "orphan"}},
	{name: "downsvc", args: ", state: absent, services: [b], timeout: 3", start: []string{"up"}},
	{name: "taskrestart", args: ", state: restarted, services: [a, b], timeout: 4", start: []string{"up", "stop -- b"}, task: true},
}

// e2eComposeTemplate is every project's compose file; its first version
// has tag 1.
const e2eComposeTemplate = "services:\n  a:\n    image: \"localhost:5000/a:{{ tag }}\"\n  b:\n    image: localhost:5000/b:1\n  c:\n    image: localhost:5000/c:1\n"

// e2eComposeGPU is the second file of the project that names its files.
const e2eComposeGPU = "services:\n  b:\n    environment: {CUDA_VISIBLE_DEVICES: \"0\"}\n"

// e2eComposePlaybook runs the plain tasks, then renders each handler
// case's compose file, notifying its handler.
func e2eComposePlaybook() string {
	var b strings.Builder
	b.WriteString("- name: Compose\n  hosts: c1\n  gather_facts: false\n  tasks:\n")
	for _, c := range e2eComposeCases {
		if c.task {
			fmt.Fprintf(&b, "    - name: compose %s\n      %s\n      tags: [plain]\n", c.name, e2eComposeModule(c))
		}
	}
	for _, c := range e2eComposeCases {
		if !c.task {
			fmt.Fprintf(&b, "    - name: render %s\n      template: {src: compose.yaml.j2, dest: \"{{ out }}/%s/compose.yaml\"}\n      notify: compose %s\n", c.name, c.name, c.name)
		}
	}
	b.WriteString("  handlers:\n")
	for _, c := range e2eComposeCases {
		if !c.task {
			fmt.Fprintf(&b, "    - name: compose %s\n      %s\n", c.name, e2eComposeModule(c))
		}
	}
	return b.String()
}

func e2eComposeModule(c e2eComposeCase) string {
	return fmt.Sprintf("community.docker.docker_compose_v2: {project_src: \"{{ out }}/%s\"%s}", c.name, c.args)
}

// e2eComposeRepo is the repository: one local host, the playbook, the
// template.
func e2eComposeRepo(out string) parity.Repo {
	return parity.Repo{Name: "compose", Inventory: "inventory.yml", Playbooks: []string{"compose.yml"}, Discovered: []string{"compose.yml"},
		Files: map[string]string{
			"ansible.cfg":               "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
			"inventory.yml":             "all:\n  hosts:\n    c1: {ansible_connection: local, ansible_host: 127.0.0.1}\n",
			"group_vars/all.yml":        "out: " + out + "\ntag: 2\n",
			"compose.yml":               e2eComposePlaybook(),
			"templates/compose.yaml.j2": e2eComposeTemplate,
			"straylight.yml":            "",
		}}
}

// e2eComposeStart writes every project's first compose file and runs the
// case's starting commands through the stand-in, then clears its log.
func e2eComposeStart(t *testing.T, stub, state, out string) {
	t.Helper()
	e2eComposeStartCases(t, stub, state, out, e2eComposeCases)
}

// e2eComposeStartCases is e2eComposeStart for the cases given.
func e2eComposeStartCases(t *testing.T, stub, state, out string, cases []e2eComposeCase) {
	t.Helper()
	for _, p := range []string{state, out} {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
	parity.WriteTree(t, state, map[string]string{"calls": ""})
	first := strings.ReplaceAll(e2eComposeTemplate, "{{ tag }}", "1")
	for _, c := range cases {
		files := map[string]string{"compose.yaml": first}
		if c.gpuFile {
			files["gpu.yaml"] = e2eComposeGPU
		}
		parity.WriteTree(t, filepath.Join(out, c.name), files)
		for _, cmd := range c.start {
			e2eComposeStartCommand(t, stub, state, filepath.Join(out, c.name), c, cmd)
		}
	}
	parity.WriteTree(t, state, map[string]string{"calls": ""})
}

// e2eComposeStartCommand runs one starting command in the project's folder.
func e2eComposeStartCommand(t *testing.T, stub, state, dir string, c e2eComposeCase, command string) {
	t.Helper()
	project := c.project
	if project == "" {
		project = c.name
	}
	if command == "orphan" {
		parity.WriteTree(t, filepath.Join(state, "projects", project), map[string]string{"old": "running 1 1 0\n"})
		return
	}
	args := []string{"compose", "--project-directory", dir, "--project-name", project}
	if c.gpuFile {
		args = append(args, "--file", "compose.yaml", "--file", "gpu.yaml")
	}
	cmd := exec.Command(stub, append(args, strings.Fields(command)...)...)
	cmd.Dir = dir
	if log, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker stand-in %s: %v\n%s", command, err, log)
	}
}

// e2eComposeSnapshot is every container's line and the compose actions the
// stand-in ran, in order: up, restart, stop and down lines, without
// --progress, which only chooses how compose reports and which the module
// takes from the compose version.
func e2eComposeSnapshot(t *testing.T, state string) string {
	t.Helper()
	var b strings.Builder
	b.WriteString(e2eComposeContainers(t, state))
	calls, err := os.ReadFile(filepath.Join(state, "calls"))
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range strings.Split(strings.TrimSpace(string(calls)), "\n") {
		if words := e2eComposeAction(strings.Fields(call)); words != nil {
			b.WriteString(strings.Join(words, " ") + "\n")
		}
	}
	return b.String()
}

// e2eComposeContainers is a line per container: project/service: state
// hash generation restarts.
func e2eComposeContainers(t *testing.T, state string) string {
	t.Helper()
	var b strings.Builder
	containers, _ := filepath.Glob(filepath.Join(state, "projects", "*", "*"))
	for _, c := range containers {
		line, err := os.ReadFile(c)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "%s/%s: %s", filepath.Base(filepath.Dir(c)), filepath.Base(c), line)
	}
	return b.String()
}

// e2eComposeAction is a call's words without --progress, or nil for a
// call that changes nothing (version, info, ps, images, and any --dry-run:
// the module's in check mode, straylight's plan of a plain task).
func e2eComposeAction(words []string) []string {
	if slices.Contains(words, "--dry-run") {
		return nil
	}
	var out []string
	for i := 0; i < len(words); i++ {
		if words[i] == "--progress" {
			i++
			continue
		}
		out = append(out, words[i])
	}
	for _, w := range out {
		if slices.Contains([]string{"up", "restart", "stop", "down"}, w) {
			return out
		}
		if slices.Contains([]string{"ps", "images", "version", "info"}, w) {
			return nil
		}
	}
	return out
}

// TestE2EComposeParityWithModule: a plain docker_compose_v2 task with
// state restarted runs first; then each project's template changes and
// notifies its docker_compose_v2 handler. straylight's plan says changed
// for exactly the tasks ansible-playbook's real run reports changed, and
// for the plain task as ansible-playbook --check does (only that task is
// checked: the template tasks' check verdicts are the file parity tests'),
// whose --dry-run changes no container.
// ansible-playbook, running the real module, and straylight --apply,
// running the task and the handlers natively, from the same starting
// containers, run the same compose actions in the same order and leave the
// same containers. Against both ansible-cores.
func TestE2EComposeParityWithModule(t *testing.T) {
	collections := e2ePinnedCollection(t, "community/docker", e2eCommunityDocker, "STRAYLIGHT_COMMUNITY_DOCKER")
	parity.EachCoreInTurn(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		docker, state := e2eComposeInstallStub(t, dir)
		repo := e2eComposeRepo(out)
		parity.WriteTree(t, root, repo.Files)
		e2eComposeStart(t, docker, state, out)
		start := e2eComposeContainers(t, state)
		before := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
		e2eComposePlanned(t, before)
		e2eComposeCheckPlain(t, before, e2eComposeAnsible(t, o, dir, root, collections, "--check", "--tags", "plain"))
		if now := e2eComposeContainers(t, state); now != start {
			t.Errorf("%s: ansible-playbook --check changed containers (-) before, (+) after:\n%s", o.Full, parity.LineDiff(start, now))
		}
		e2eComposeStart(t, docker, state, out)
		parity.CompareStatus(t, before, parity.TaskStatus(e2eComposeAnsible(t, o, dir, root, collections)))
		byAnsible := e2eComposeSnapshot(t, state)
		e2eComposeEveryHandlerRan(t, byAnsible, out)
		e2eComposeStart(t, docker, state, out)
		parity.Apply(t, bin, root, o)
		if got := e2eComposeSnapshot(t, state); bin != "" && got != byAnsible {
			t.Errorf("%s, community.docker %s: after straylight --apply (-) and ansible-playbook (+):\n%s", o.Full, e2eCommunityDocker, parity.LineDiff(got, byAnsible))
		}
		t.Logf("%s, community.docker %s:\n%s", o.Full, e2eCommunityDocker, byAnsible)
	})
}

// e2eComposeCheckPlain: ansible-playbook --check reports the plain
// compose task changed (compose's --dry-run restart events), as the plan
// does.
func e2eComposeCheckPlain(t *testing.T, p *fleetplan.Plan, log string) {
	t.Helper()
	check := parity.TaskStatus(log)["c1"]
	for _, c := range e2eComposeCases {
		task := "compose " + c.name
		if planned := e2ePlannedChange(p.Host("c1"), task); c.task && (!check[task] || !planned) {
			t.Errorf("%s: ansible-playbook --check says changed %v, the plan %v:\n%s", task, check[task], planned, log)
		}
	}
}

// e2ePlannedChange reports whether the host's plan changes something
// through the task.
func e2ePlannedChange(h *fleetplan.HostPlan, task string) bool {
	for _, f := range h.Files {
		if f.Task == task && f.Action != fleetplan.ActionNone {
			return true
		}
	}
	return false
}

// e2eComposeInstallStub writes the docker stand-in into dir/stub, first on
// PATH, keeping its state in dir/docker; it returns both paths.
func e2eComposeInstallStub(t *testing.T, dir string) (docker, state string) {
	t.Helper()
	state, stub := filepath.Join(dir, "docker"), filepath.Join(dir, "stub")
	parity.WriteTree(t, stub, map[string]string{"docker": strings.ReplaceAll(e2eComposeStub, "@STATE@", state)})
	docker = filepath.Join(stub, "docker")
	if err := os.Chmod(docker, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", stub+string(os.PathListSeparator)+os.Getenv("PATH"))
	return docker, state
}

// e2eComposeEveryHandlerRan: the module ran a compose action in every
// project, so that the comparison is not one of two empty logs.
func e2eComposeEveryHandlerRan(t *testing.T, snapshot, out string) {
	t.Helper()
	for _, c := range e2eComposeCases {
		if !strings.Contains(snapshot, " --project-directory "+filepath.Join(out, c.name)+" ") {
			t.Errorf("ansible-playbook ran no compose action in %s:\n%s", c.name, snapshot)
		}
	}
}

// e2eComposePlanned: every task (the templates, the plain compose task)
// and every handler is planned natively.
func e2eComposePlanned(t *testing.T, p *fleetplan.Plan) {
	t.Helper()
	h := p.Host("c1")
	if h == nil {
		t.Fatal("no plan of c1")
	}
	handlers := len(e2eComposeCases) - 1 // one case is a plain task; each other renders a template
	if len(h.Unsupported) > 0 || len(h.ViaAnsible) > 0 || len(h.Files) != len(e2eComposeCases) || len(h.Handlers) != handlers {
		t.Fatalf("plan of c1: %d tasks, %d handlers, unsupported %+v, via ansible %+v; want %d and %d", len(h.Files), len(h.Handlers), h.Unsupported, h.ViaAnsible, len(e2eComposeCases), handlers)
	}
}

// e2eComposeAnsible runs ansible-playbook with the pinned community.docker
// first on its collections path, with args, and returns what it printed.
func e2eComposeAnsible(t *testing.T, o parity.Oracle, dir, root, collections string, args ...string) string {
	t.Helper()
	cmd := exec.Command(filepath.Join(o.Bin, "ansible-playbook"), append(args, "-i", "inventory.yml", "compose.yml")...)
	cmd.Dir = root
	cmd.Env = append(parity.AnsibleEnv(t, dir), "ANSIBLE_COLLECTIONS_PATH="+collections)
	log, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s, community.docker %s: ansible-playbook: %v\n%s", o.Full, e2eCommunityDocker, err, log)
	}
	return string(log)
}
