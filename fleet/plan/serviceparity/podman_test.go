package serviceparity_test

import (
	"encoding/json"
	"errors"
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

// Parity of podman_container handlers with the real module: containers.podman
// 1.16.2 (the ansible 9.13.0 package's; .ci/venvs unpacks it, ahead of
// Debian's bundled 1.10.2 on ANSIBLE_COLLECTIONS_PATH), run by
// ansible-playbook against a podman stand-in both it and straylight find
// first on PATH. The module finds podman with get_bin_path
// (plugins/module_utils/podman/podman_container_lib.py:1730-1732 in
// containers.podman 1.16.2); straylight's local transport runs sh with the
// same PATH. Every handler names an existing container without image: a
// handler restarting, starting, stopping or removing what a play deployed.

// e2ePodmanStub is the podman stand-in. It keeps each container as a file
// STATE/containers/NAME holding "status starts stops restarts" (status
// running, exited or created; the counters count what changed it) and,
// for one made from an image, STATE/spec/NAME ("key value" lines: id,
// image, its image's ID; name, the image's name as podman records it;
// labels and cmd, JSON; create, the CreateCommand, JSON); the host's
// images in STATE/images and the registry's in STATE/registry ("REF ID
// LABELS" lines, LABELS a JSON object); it appends every command line to
// STATE/calls. What it answers, for whom (citations are containers.podman
// 1.16.2's plugins/module_utils/podman/podman_container_lib.py):
//   - `podman --version`: the module's _get_podman_version
//     (:1625-1632) reads what follows "version"; straylight's probe too;
//   - `podman image exists REF`, `podman image pull REF`: the module's
//     ensure_image_exists (:1515-1547), and straylight's probe and line; a
//     pull copies the registry's image;
//   - `podman image inspect REF`: get_image_info (:1615-1623), a JSON list
//     of the image's Id and Labels, the fields PodmanContainerDiff reads
//     (:1204-1221, :1247-1260); straylight's probe; with --format
//     '{{.Id}}', straylight's check that the image is the one it planned
//     with;
//   - `podman container inspect NAME`: get_info (:1608-1613), a JSON list
//     whose first element holds the fields the module reads: State.Running
//     (:1599-1606), HostConfig.AutoRemove (:1692-1706) and what the
//     comparison reads (:900-1512: Image, Rootfs, EffectiveCaps,
//     Config.Image, Cmd, Labels, Annotations, Tty, CreateCommand,
//     HostConfig.ExtraHosts). A missing container: "[]" and rc 125, as
//     podman does, which the module takes as "does not exist" (:1611-1613,
//     :1576); straylight's probe reads the same;
//   - `podman container inspect --format '{{.State.Running}}' NAME`:
//     straylight's stopped check, true or false; with '{{.Id}}
//     {{.State.Running}} {{.HostConfig.AutoRemove}}', straylight's check
//     that the container is the one it planned with;
//   - `podman container exists NAME`: straylight's checks, rc 0 or 1;
//   - `podman container run|create --name NAME [--env K=V]... [--pull=P]
//     [--detach=True] REF [WORD]...`: the module's creation (:259-283),
//     and straylight's; the image must be on the host; run starts it;
//   - `podman container start|stop|restart NAME`, `podman container rm
//     --force NAME`: the actions (_perform_action, :1653-1654, with
//     start_stop_delete's arguments, :285-316), failing on a missing
//     container as podman does;
//   - `podman generate systemd NAME --format json --name`: generate_systemd
//     after a change (:1764; plugins/module_utils/podman/common.py:55-105
//     run_generate_systemd_command), a unit a container as JSON.
const e2ePodmanStub = `#!/bin/sh
S=@STATE@
{ printf 'podman'; printf ' %s' "$@"; echo; } >> "$S/calls"
fail() { echo "Error: $*" >&2; exit 125; }
jl() { printf '['; sep=; for w; do printf '%s"%s"' "$sep" "$w"; sep=,; done; printf ']'; }
ref() { awk -v r="$2" '$1 == r' "$S/$1"; }
if [ "$1" = --version ]; then echo "podman version 4.9.3"; exit 0; fi
if [ "$1 $2" = "generate systemd" ]; then
	printf '{"container-%s":"[Unit]\\nDescription=Podman container-%s.service\\n"}\n' "$3" "$3"; exit 0
fi
if [ "$1" = image ]; then
	verb=$2; shift 2; format=
	if [ "$verb $1" = "inspect --format" ]; then format=$2; shift 2; fi
	[ $# -eq 1 ] || fail "podman stand-in: image $verb $* is not modelled"
	img=$(ref images "$1")
	case "$verb" in
	exists) [ -n "$img" ]; exit ;;
	pull)
		img=$(ref registry "$1"); [ -n "$img" ] || fail "initializing source docker://$1: reading manifest: manifest unknown"
		{ awk -v r="$1" '$1 != r' "$S/images"; echo "$img"; } > "$S/images.new"; mv "$S/images.new" "$S/images"
		set -- $img; echo "$2"; exit 0 ;;
	inspect)
		if [ -z "$img" ]; then echo '[]'; fail "$1: image not known"; fi
		set -- $img
		case "$format" in
		'') printf '[{"Id":"%s","Labels":%s}]\n' "$2" "$3" ;;
		'{{.Id}}') echo "$2" ;;
		*) fail "podman stand-in: --format $format is not modelled" ;;
		esac
		exit 0 ;;
	esac
	fail "podman stand-in: image $verb is not modelled"
fi
[ "$1" = container ] || fail "podman stand-in: unexpected: $*"
verb=$2; shift 2
if [ "$verb" = run ] || [ "$verb" = create ]; then
	create=$(jl podman container "$verb" "$@")
	name=
	while [ $# -gt 0 ]; do
		case "$1" in
		--name) name=$2; shift 2 ;;
		--env) shift 2 ;;
		--pull=*|--detach=*) shift ;;
		-*) fail "podman stand-in: container $verb $1 is not modelled" ;;
		*) break ;;
		esac
	done
	image=$1; shift
	[ ! -f "$S/containers/$name" ] || fail "creating container storage: the container name \"$name\" is already in use"
	img=$(ref images "$image"); [ -n "$img" ] || fail "$image: image not known"
	cmd=null; [ $# -eq 0 ] || cmd=$(jl "$@"); set -- $img
	n=$(($(cat "$S/nextid" 2>/dev/null || echo 0) + 1)); echo "$n" > "$S/nextid"
	mkdir -p "$S/spec"
	printf 'id ctr%s\nimage %s\nname docker.io/%s\nlabels %s\ncmd %s\ncreate %s\n' "$n" "$2" "$image" "$3" "$cmd" "$create" > "$S/spec/$name"
	if [ "$verb" = run ]; then echo "running 1 0 0"; else echo "created 0 0 0"; fi > "$S/containers/$name"
	echo "ctr$n"; exit 0
fi
format= force=
while [ $# -gt 1 ]; do
	case "$1" in
	--format) format=$2; shift 2 ;;
	--force) force=1; shift ;;
	*) fail "podman stand-in: container $verb $1 is not modelled" ;;
	esac
done
name=$1 f=$S/containers/$1
status= starts=0 stops=0 restarts=0
[ ! -f "$f" ] || read -r status starts stops restarts < "$f"
missing() { fail "no container with name or ID \"$name\" found: no such container"; }
put() { echo "$1 $2 $3 $4" > "$f"; }
sid= simage= sname= slabels=null scmd=null screate='[]'
[ ! -f "$S/spec/$name" ] || while read -r k v; do
	case "$k" in id) sid=$v ;; image) simage=$v ;; name) sname=$v ;; labels) slabels=$v ;; cmd) scmd=$v ;; create) screate=$v ;; esac
done < "$S/spec/$name"
case "$verb" in
inspect)
	if [ -z "$status" ]; then echo '[]'; missing; fi
	running=false; [ "$status" != running ] || running=true
	id=${sid:-$(echo "$name" | cksum | cut -d' ' -f1)}
	case "$format" in
	'') printf '[{"Id":"%s","Name":"%s","Image":"%s","Rootfs":"","EffectiveCaps":[],"State":{"Status":"%s","Running":%s},"Config":{"Image":"%s","Cmd":%s,"Labels":%s,"Annotations":{},"Tty":false,"CreateCommand":%s},"HostConfig":{"AutoRemove":false,"ExtraHosts":[]}}]\n' \
		"$id" "$name" "$simage" "$status" "$running" "$sname" "$scmd" "$slabels" "$screate" ;;
	'{{.State.Running}}') echo "$running" ;;
	'{{.Id}} {{.State.Running}} {{.HostConfig.AutoRemove}}') echo "$id $running false" ;;
	*) fail "podman stand-in: --format $format is not modelled" ;;
	esac ;;
exists) [ -n "$status" ] ;;
start)
	[ -n "$status" ] || missing
	[ "$status" = running ] || put running $((starts + 1)) "$stops" "$restarts"
	echo "$name" ;;
stop)
	[ -n "$status" ] || missing
	[ "$status" != running ] || put exited "$starts" $((stops + 1)) "$restarts"
	echo "$name" ;;
restart)
	[ -n "$status" ] || missing
	put running "$starts" "$stops" $((restarts + 1))
	echo "$name" ;;
rm)
	[ -n "$status" ] || missing
	[ "$status" != running ] || [ -n "$force" ] || fail "cannot remove container $name as it is running"
	rm -f "$f" "$S/spec/$name"; echo "$name" ;;
*) fail "podman stand-in: container $verb is not modelled" ;;
esac
`

// e2ePodmanCase is a container with a podman_container handler: its name
// (after the inventory's prefix), the handler's arguments after name
// (", key: value"...), the container's starting status (running, exited,
// or "" for none) and, for docker's, its image's key in e2eDockerImages
// ("" for vllm/vllm-openai:1), its variables (KEY=VALUE,...), its
// Config.Cmd (JSON; "" for none), its port bindings ("PORT/PROTO HOSTIP
// HOSTPORT", "-" for an empty address or port) and its binds, each
// separated by commas, and its restart policy ("" for none: "no"). A
// podman container of an image (image a key of e2ePodmanImages) was made
// by `podman container run` with the options opts, the variables env
// (KEY=VALUE,...) and the words cmd.
type e2ePodmanCase struct{ name, args, start, image, env, cmd, ports, binds, policy, opts string }

// e2ePodmanCases: started with restart (its alias and force_restart, a
// YAML boolean, the string "on" and the number 1, which the module's
// argument spec reads as true, state left to its default) on running and
// stopped containers, without on a running one; stopped on both (restart
// ignored); absent on a running and on a missing container. (started
// without restart and absent run one line whatever the container's
// status; the task cases, containertasks_test.go, start a stopped one.)
var e2ePodmanCases = []e2ePodmanCase{
	{name: "restartrun", args: ", state: started, restart: true", start: "running"},
	{name: "restartstop", args: `, restart: "on"`, start: "exited"},
	{name: "forcerestart", args: ", state: started, force_restart: 1", start: "running"},
	{name: "startrun", args: "", start: "running"},
	{name: "stoprun", args: ", state: stopped", start: "running"},
	{name: "stopidle", args: ", state: stopped", start: "exited"},
	{name: "stoprestart", args: ", state: stopped, restart: true", start: "running"},
	{name: "absentrun", args: ", state: absent", start: "running"},
	{name: "absentnone", args: ", state: absent", start: ""},
}

// e2eContainersPlaybook renders each case's config file, notifying its
// handler: the podman_container cases', then the docker_container cases'.
func e2eContainersPlaybook() string {
	var b strings.Builder
	b.WriteString("- name: Containers\n  hosts: c1\n  gather_facts: false\n  tasks:\n")
	for _, m := range e2eContainerModules {
		for _, c := range m.cases {
			fmt.Fprintf(&b, "    - name: render %s %s\n      template: {src: app.conf.j2, dest: \"{{ out }}/%s-%s.conf\"}\n      notify: %s %s\n", m.engine, c.name, m.engine, c.name, m.engine, c.name)
		}
	}
	b.WriteString("  handlers:\n")
	for _, m := range e2eContainerModules {
		for _, c := range m.cases {
			fmt.Fprintf(&b, "    - name: %s %s\n      %s: {name: \"{{ prefix }}%s\"%s}\n", m.engine, c.name, m.module, c.name, c.args)
		}
	}
	return b.String()
}

// e2eContainerModule is a container module, the engine its stand-ins
// model, and its cases.
type e2eContainerModule struct {
	module, engine string
	cases          []e2ePodmanCase
}

// e2eContainerModules are the modules compared.
var e2eContainerModules = []e2eContainerModule{
	{module: "containers.podman.podman_container", engine: "podman", cases: e2ePodmanCases},
	{module: "community.docker.docker_container", engine: "docker", cases: e2eDockerContainerCases},
}

// e2ePodmanRepo is the repository: the local hosts, the playbook, the
// template.
func e2ePodmanRepo(out, playbook string, hosts ...string) map[string]string {
	inventory := "all:\n  hosts:\n"
	for _, h := range hosts {
		inventory += "    " + h + ": {ansible_connection: local, ansible_host: 127.0.0.1}\n"
	}
	return map[string]string{
		"ansible.cfg":           "[defaults]\ninventory = inventory.yml\ngathering = explicit\nretry_files_enabled = False\n",
		"inventory.yml":         inventory,
		"group_vars/all.yml":    "out: " + out + "\nprefix: vllm-\ntag: 2\n",
		"containers.yml":        playbook,
		"templates/app.conf.j2": "tag = {{ tag }}\n",
		"straylight.yml":        "",
	}
}

// e2ePodmanCollection is the folder holding containers.podman at the
// pinned version (e2ePinnedCollection).
func e2ePodmanCollection(t *testing.T) string {
	t.Helper()
	return e2ePinnedCollection(t, "containers/podman", e2eContainersPodman, "STRAYLIGHT_CONTAINERS_PODMAN")
}

// e2ePodmanInstallStub writes the podman stand-in into dir/stub, first on
// PATH, keeping its state in dir/podman, which it returns.
func e2ePodmanInstallStub(t *testing.T, dir string) string {
	t.Helper()
	state, stub := filepath.Join(dir, "podman"), filepath.Join(dir, "stub")
	parity.WriteTree(t, stub, map[string]string{"podman": strings.ReplaceAll(e2ePodmanStub, "@STATE@", state)})
	if err := os.Chmod(filepath.Join(stub, "podman"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", stub+string(os.PathListSeparator)+os.Getenv("PATH"))
	return state
}

// e2ePodmanStart writes every podman case's first config file (tag 1) and
// its container, and clears the stand-in's log.
func e2ePodmanStart(t *testing.T, state, out string) {
	t.Helper()
	if err := os.RemoveAll(state); err != nil {
		t.Fatal(err)
	}
	files, containers := map[string]string{}, map[string]string{}
	for _, c := range e2ePodmanCases {
		files["podman-"+c.name+".conf"] = "tag = 1\n"
		if c.start != "" {
			containers["vllm-"+c.name] = c.start + " 0 0 0\n"
		}
	}
	e2eContainersAt(t, state, out, files, containers)
}

// e2ePodmanSnapshot is every container's line ("podman NAME: ...") and
// what it was made from ("podman NAME spec: ..." lines but its ID), the
// host's images ("podman image REF ID LABELS") and the podman actions the
// stand-in ran, in order: image pull, container run, create, start,
// stop, restart and rm lines (inspect, exists, --version and generate
// systemd only read).
func e2ePodmanSnapshot(t *testing.T, state string) string {
	t.Helper()
	var b strings.Builder
	for _, c := range e2eContainerLines(t, &b, state, "podman") {
		spec, _ := os.ReadFile(filepath.Join(state, "spec", filepath.Base(c)))
		for _, line := range strings.Split(strings.TrimSpace(string(spec)), "\n") {
			if line != "" && !strings.HasPrefix(line, "id ") {
				fmt.Fprintf(&b, "podman %s spec: %s\n", filepath.Base(c), line)
			}
		}
	}
	images, _ := os.ReadFile(filepath.Join(state, "images"))
	for _, line := range strings.Split(strings.TrimSpace(string(images)), "\n") {
		if line != "" {
			b.WriteString("podman image " + line + "\n")
		}
	}
	calls, err := os.ReadFile(filepath.Join(state, "calls"))
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range strings.Split(strings.TrimSpace(string(calls)), "\n") {
		if w := strings.Fields(call); len(w) > 2 && e2ePodmanAction(w[1], w[2]) {
			b.WriteString(call + "\n")
		}
	}
	return b.String()
}

// e2ePodmanAction: the podman command acts (the snapshot lists it).
func e2ePodmanAction(object, verb string) bool {
	if object == "image" {
		return verb == "pull"
	}
	return object == "container" && slices.Contains([]string{"run", "create", "start", "stop", "restart", "rm"}, verb)
}

// e2ePodmanImages are the images the podman cases name by key: "REF ID",
// "1old" an earlier vllm/vllm-openai:1 the host no longer holds. All
// carry the same label.
var e2ePodmanImages = map[string]string{
	"0": "vllm/vllm-openai:0 4a0e0000", "1": "vllm/vllm-openai:1 4a0e0001", "2": "vllm/vllm-openai:2 4a0e0002", "1old": "vllm/vllm-openai:1 4a0e0010",
}

// e2ePodmanLabels are every image's labels.
const e2ePodmanLabels = `{"maintainer":"vllm"}`

// e2ePodmanImagesAt writes the host's podman images (vllm/vllm-openai:0
// and :1), the registry's (:1 and :2) and, for each case with an image
// and a container, what the container was made from: `podman container
// run --name NAME OPTS [--env K=V]... --detach=True REF [CMD]...` as
// the module runs it, podman recording the image's name with its
// registry and the image's labels.
func e2ePodmanImagesAt(t *testing.T, state string, cases []e2ePodmanCase) {
	t.Helper()
	if err := errors.Join(os.RemoveAll(filepath.Join(state, "spec")), os.RemoveAll(filepath.Join(state, "nextid"))); err != nil {
		t.Fatal(err)
	}
	line := func(k string) string { return e2ePodmanImages[k] + " " + e2ePodmanLabels + "\n" }
	parity.WriteTree(t, state, map[string]string{"images": line("0") + line("1"), "registry": line("1") + line("2")})
	specs := map[string]string{}
	for _, c := range cases {
		if c.image != "" && c.start != "" {
			specs["vllm-"+c.name] = e2ePodmanSpec(c)
		}
	}
	parity.WriteTree(t, filepath.Join(state, "spec"), specs)
}

// e2ePodmanSpec is the stand-in's record of the case's container.
func e2ePodmanSpec(c e2ePodmanCase) string {
	ref, id, _ := strings.Cut(e2ePodmanImages[c.image], " ")
	create := append([]string{"podman", "container", "run", "--name", "vllm-" + c.name}, strings.Fields(c.opts)...)
	for _, kv := range strings.FieldsFunc(c.env, func(r rune) bool { return r == ',' }) {
		create = append(create, "--env", kv)
	}
	create = append(append(create, "--detach=True", ref), strings.Fields(c.cmd)...)
	cmd := "null"
	if c.cmd != "" {
		cmd = e2ePodmanJSON(strings.Fields(c.cmd))
	}
	return fmt.Sprintf("id ctr-%s\nimage %s\nname docker.io/%s\nlabels %s\ncmd %s\ncreate %s\n", c.name, id, ref, e2ePodmanLabels, cmd, e2ePodmanJSON(create))
}

// e2ePodmanJSON is the words as the stand-in writes a JSON list.
func e2ePodmanJSON(words []string) string {
	b, _ := json.Marshal(words)
	return string(b)
}

// TestE2EContainerHandlersParityWithModules: each case's template changes
// and notifies its podman_container or docker_container handler;
// ansible-playbook, running the real modules, and straylight --apply,
// running the handlers natively, from the same starting containers, ask
// for the same actions in the same order and leave the same containers.
// Then state restarted, which neither module has, fails in Ansible and is
// unsupported in the plan. Against both ansible-cores.
func TestE2EContainerHandlersParityWithModules(t *testing.T) {
	collections := e2ePodmanCollection(t) + string(os.PathListSeparator) + e2eDockerContainerCollection(t)
	parity.EachCoreInTurn(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		podman, docker := e2ePodmanInstallStub(t, dir), e2eDockerInstall(t, dir)
		parity.WriteTree(t, root, e2ePodmanRepo(out, e2eContainersPlaybook(), "c1"))
		e2eContainersStart(t, podman, docker, out)
		e2eContainersPlanned(t, parity.Plan(t, parity.OpenCore(t, root, "", o.Version)))
		log, err := e2eContainersAnsible(t, o, dir, root, collections)
		if err != nil {
			t.Fatalf("%s: ansible-playbook: %v\n%s", e2eContainerVersions(o), err, log)
		}
		e2eContainersEveryHandlerRan(t, log)
		byAnsible := e2ePodmanSnapshot(t, podman) + e2eDockerContainerSnapshot(t, docker)
		e2eContainersStart(t, podman, docker, out)
		parity.Apply(t, bin, root, o)
		if got := e2ePodmanSnapshot(t, podman) + e2eDockerContainerSnapshot(t, docker); bin != "" && got != byAnsible {
			t.Errorf("%s: after straylight --apply (-) and ansible-playbook (+):\n%s", e2eContainerVersions(o), parity.LineDiff(got, byAnsible))
		}
		t.Logf("%s:\n%s", e2eContainerVersions(o), byAnsible)
		e2eContainersStateRestarted(t, o, dir, collections, podman)
	})
}

// e2eContainerVersions names the core and the collections compared.
func e2eContainerVersions(o parity.Oracle) string {
	return fmt.Sprintf("%s, containers.podman %s, community.docker %s", o.Full, e2eContainersPodman, e2eCommunityDocker)
}

// e2eContainersStart writes every case's first config file and container.
func e2eContainersStart(t *testing.T, podman, docker, out string) {
	t.Helper()
	if err := os.RemoveAll(out); err != nil {
		t.Fatal(err)
	}
	e2ePodmanStart(t, podman, out)
	e2eDockerContainerStart(t, docker, out)
}

// e2eContainersPlanned: every template task and every handler is planned
// natively.
func e2eContainersPlanned(t *testing.T, p *fleetplan.Plan) {
	t.Helper()
	h := p.Host("c1")
	if h == nil {
		t.Fatal("no plan of c1")
	}
	n := len(e2ePodmanCases) + len(e2eDockerContainerCases)
	if len(h.Unsupported) > 0 || len(h.ViaAnsible) > 0 || len(h.Files) != n || len(h.Handlers) != n {
		t.Fatalf("plan of c1: %d tasks, %d handlers, unsupported %+v, via ansible %+v; want %d of each", len(h.Files), len(h.Handlers), h.Unsupported, h.ViaAnsible, n)
	}
}

// e2eContainersEveryHandlerRan: Ansible ran every handler, so that the
// comparison is not one of two empty logs.
func e2eContainersEveryHandlerRan(t *testing.T, log string) {
	t.Helper()
	for _, m := range e2eContainerModules {
		for _, c := range m.cases {
			if !strings.Contains(log, "RUNNING HANDLER ["+m.engine+" "+c.name+"]") {
				t.Errorf("ansible-playbook did not run handler %s %s:\n%s", m.engine, c.name, log)
			}
		}
	}
}

// e2eContainersAnsible runs ansible-playbook with the pinned collections
// first on its collections path (DOCKER_HOST, the daemon stand-in, comes
// with the test's environment), with args, and returns what it printed.
func e2eContainersAnsible(t *testing.T, o parity.Oracle, dir, root, collections string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(filepath.Join(o.Bin, "ansible-playbook"), append(args, "-i", "inventory.yml", "containers.yml")...)
	cmd.Dir = root
	cmd.Env = append(parity.AnsibleEnv(t, dir), "ANSIBLE_COLLECTIONS_PATH="+collections)
	log, err := cmd.CombinedOutput()
	return string(log), err
}

// e2eContainersStateRestarted: neither podman_container nor
// docker_container has a state restarted; the real module fails the
// handler on its argument spec (containers.podman 1.16.2
// podman_container_lib.py:22-23; community.docker 3.13.3
// module_container/module.py:910) before it asks the engine anything, and
// straylight's plan lists the handler as unsupported, saying so, rather
// than restarting. The handlers ignore errors, so that both run.
func e2eContainersStateRestarted(t *testing.T, o parity.Oracle, dir, collections, podman string) {
	t.Helper()
	root, out := filepath.Join(dir, "restarted", "repo"), filepath.Join(dir, "restarted", "out")
	playbook := "- hosts: c1\n  gather_facts: false\n  tasks:\n    - template: {src: app.conf.j2, dest: \"{{ out }}/app.conf\"}\n      notify: [podman again, docker again]\n  handlers:\n"
	for _, m := range e2eContainerModules {
		playbook += "    - name: " + m.engine + " again\n      ignore_errors: true\n      " + m.module + ": {name: vllm-app, state: restarted}\n"
	}
	parity.WriteTree(t, root, e2ePodmanRepo(out, playbook, "c1"))
	parity.WriteTree(t, out, map[string]string{"app.conf": "tag = 1\n"})
	parity.WriteTree(t, filepath.Join(podman, "containers"), map[string]string{"vllm-app": "running 0 0 0\n"})
	parity.WriteTree(t, podman, map[string]string{"calls": ""})
	before := e2ePodmanSnapshot(t, podman)
	h := parity.Plan(t, parity.OpenCore(t, root, "", o.Version)).Host("c1")
	if h == nil || len(h.Handlers) != 0 || len(h.Unsupported) != 2 || !strings.Contains(h.Unsupported[0].Reason, "no state restarted") || !strings.Contains(h.Unsupported[1].Reason, "no state restarted") {
		t.Errorf("plan of c1: %+v; want both handlers unsupported: no state restarted", h)
	}
	log, err := e2eContainersAnsible(t, o, dir, root, collections)
	podmanFailed := strings.Contains(log, "value of state must be one of: absent, present, stopped, started, created, quadlet, got: restarted")
	dockerFailed := strings.Contains(log, "value of state must be one of: absent, present, healthy, started, stopped, got: restarted")
	if err != nil || !podmanFailed || !dockerFailed || strings.Count(log, "...ignoring") != 2 {
		t.Errorf("%s: ansible-playbook: %v, want both handlers to fail on their state (errors ignored):\n%s", e2eContainerVersions(o), err, log)
	}
	if after := e2ePodmanSnapshot(t, podman); after != before {
		t.Errorf("%s: the failed handler changed the container:\n%s", e2eContainerVersions(o), parity.LineDiff(before, after))
	}
}
