package serviceparity_test

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/parity"
)

// Parity of docker_container handlers with the real module: community.docker
// 3.13.3 (the ansible 9.13.0 package's, which .ci/venvs unpacks), run by
// ansible-playbook. The module talks to the Docker Engine API on DOCKER_HOST
// (plugins/module_utils/util.py:27 in community.docker 3.13.3), here a
// stand-in daemon this test serves on a unix socket; straylight runs the
// docker CLI, here a stand-in script first on PATH. Both stand-ins keep
// each container in the same file STATE/containers/NAME ("status starts
// stops restarts image stop_timeout": its image's ID, "-" for no
// StopTimeout), its port bindings in STATE/ports/NAME ("PORT/PROTO HOSTIP
// HOSTPORT" lines, "-" for empty; every bound port exposed) and its binds
// in STATE/binds/NAME (one a line), the host's images in STATE/images
// ("REF ID" lines) and
// the registry's in STATE/registry (what a pull fetches), and log what
// they are asked to STATE/calls: the daemon "api METHOD PATH?QUERY" (a
// creation with the body's image, StopTimeout, Env, Cmd, ports and binds
// after it), the CLI "docker ARGS".

// e2eDockerCLIStub is the docker CLI stand-in: what straylight's
// docker_container lines run. It fails unless --host names the daemon
// stand-in, DOCKER_HOST, the daemon the module talks to. `container
// inspect --format` '{{.State.Running}}' prints true or false, '{{.Image}}
// {{.State.Running}}' the image's ID before it, and the env format (each
// Config.Env entry as a JSON line) the container's STATE/env/NAME; `image
// inspect --format '{{.Id}}' REF` prints the image's ID, with the env
// format the image's variables (STATE/imageenv, "ID KEY=VALUE" lines);
// REF is a name or an image's ID, as the CLI takes either, here and in
// create; pull fetches REF from the registry into the images; create
// [--stop-timeout N] [-e KEY=VALUE]... [-p IP:HOSTPORT:PORT/PROTO]... [-v
// BIND]... IMAGE [WORD...] creates a container that does not run, its
// bindings and binds those given, which `container inspect` with
// straylight's host configuration format prints as docker's template
// would ("port PORT JSON", "exposed PORT", "bind JSON" lines, ports sorted
// as the template's range sorts a map's keys), its variables the image's with the given ones over
// them, as the daemon sets them, its Config.Cmd the words
// (STATE/cmd/NAME, JSON; none: the images have no CMD), which `container
// inspect --format '{{json .Config.Cmd}}'` prints (null for none); rm
// removes one that does not run; start, stop [-t N], kill and
// restart [-t N] act as Docker's do (start of a running container and stop
// of a stopped one change nothing; restart starts a stopped one); a
// missing container or image fails with the daemon's message.
const e2eDockerCLIStub = `#!/bin/sh
S=@STATE@
{ printf 'docker'; printf ' %s' "$@"; echo; } >> "$S/calls"
fail() { echo "$*" >&2; exit 1; }
ENVFORMAT='{{range .Config.Env}}{{json .}}{{println}}{{end}}'
HOSTCONFIGFORMAT='{{range $p, $b := .HostConfig.PortBindings}}port {{$p}} {{json $b}}{{println}}{{end}}{{range $p, $e := .Config.ExposedPorts}}exposed {{$p}}{{println}}{{end}}{{range .HostConfig.Binds}}bind {{json .}}{{println}}{{end}}restart {{.HostConfig.RestartPolicy.Name}}{{println}}'
json() { sed 's/\\/\\\\/g; s/"/\\"/g; s/.*/"&"/'; }
lookup() { awk -v r="$2" '$1 == r { print $2 }' "$S/$1"; }
imageid() { case $1 in sha256:*) awk -v i="$1" '$2 == i { print $2; exit }' "$S/images" ;; *) lookup images "$1" ;; esac; }
[ "$1 $2" = "--host @HOST@" ] || fail "docker stand-in: not the daemon the module talks to: $*"
shift 2
verb=$1; shift
case "$verb" in
image)
	[ "$1 $2 $#" = "inspect --format 4" ] || fail "docker stand-in: image $* is not modelled"
	id=$(imageid "$4"); [ -n "$id" ] || fail "Error response from daemon: No such image: $4"
	case "$3" in
	'{{.Id}}') echo "$id" ;;
	"$ENVFORMAT") awk -v id="$id" '$1 == id { sub(/^[^ ]* /, ""); print }' "$S/imageenv" | json ;;
	*) fail "docker stand-in: image $* is not modelled" ;;
	esac
	exit 0 ;;
pull)
	[ $# -eq 1 ] || fail "docker stand-in: pull $* is not modelled"
	id=$(lookup registry "$1"); [ -n "$id" ] || fail "Error response from daemon: manifest for $1 not found"
	{ awk -v r="$1" '$1 != r' "$S/images"; echo "$1 $id"; } > "$S/images.new" && mv "$S/images.new" "$S/images"
	echo "Status: Downloaded newer image for $1"; exit 0 ;;
create)
	[ "$1" = --name ] || fail "docker stand-in: create $* is not modelled"
	name=$2 timeout=- env=; shift 2
	if [ "$1" = --stop-timeout ]; then timeout=$2; shift 2; fi
	policy=
	if [ "$1" = --restart ]; then policy=$2; shift 2; fi
	while [ "$1" = -e ]; do env="$env$2
"; shift 2; done
	ports= binds=
	while [ "$1" = -p ]; do
		p=$(printf '%s\n' "$2" | awk -F: 'NF == 3 && $3 ~ /^[0-9]+\/[a-z]+$/ { print $3, ($1 == "" ? "-" : $1), ($2 == "" ? "-" : $2) }')
		[ -n "$p" ] || fail "docker stand-in: -p $2 is not modelled"
		ports="$ports$p
"; shift 2; done
	while [ "$1" = -v ]; do binds="$binds$2
"; shift 2; done
	[ $# -ge 1 ] || fail "docker stand-in: create $* is not modelled"
	id=$(imageid "$1"); [ -n "$id" ] || fail "Unable to find image '$1' locally"
	shift
	mkdir -p "$S/cmd"; rm -f "$S/cmd/$name"
	if [ $# -gt 0 ]; then printf '%s\n' "$@" | json | paste -sd, - | sed 's/.*/[&]/' > "$S/cmd/$name"; fi
	[ ! -f "$S/containers/$name" ] || fail "Error response from daemon: Conflict. The container name \"/$name\" is already in use"
	mkdir -p "$S/ports" "$S/binds"
	[ -z "$ports" ] || printf '%s' "$ports" | LC_ALL=C sort > "$S/ports/$name"
	[ -z "$binds" ] || printf '%s' "$binds" | LC_ALL=C sort > "$S/binds/$name"
	mkdir -p "$S/restart"; [ -z "$policy" ] || echo "$policy" > "$S/restart/$name"
	mkdir -p "$S/env"
	{ awk -v id="$id" '$1 == id { sub(/^[^ ]* /, ""); print }' "$S/imageenv"; printf '%s' "$env"; } |
		awk '{ k = $0; sub(/=.*/, "", k); v[k] = $0 } END { for (k in v) print v[k] }' | sort > "$S/env/$name"
	echo "created 0 0 0 $id $timeout" > "$S/containers/$name"; echo "$name"; exit 0 ;;
container)
	case "$1 $2 $3" in
	"inspect --format {{.State.Running}}") verb=running ;;
	"inspect --format {{.Image}} {{.State.Running}}") verb=imagerunning ;;
	"inspect --format $ENVFORMAT") verb=env ;;
	"inspect --format {{json .Config.Cmd}}") verb=cmd ;;
	"inspect --format $HOSTCONFIGFORMAT") verb=hostconfig ;;
	"inspect --format {{.HostConfig.RestartPolicy.Name}}") verb=policy ;;
	*) fail "docker stand-in: container $* is not modelled" ;;
	esac
	shift 3 ;;
restart | stop) if [ "$1" = -t ]; then shift 2; fi ;;
update) [ "$1" = --restart ] || fail "docker stand-in: update $* is not modelled"; policy=$2; shift 2 ;;
start | kill | rm) ;;
*) fail "docker stand-in: $verb is not modelled" ;;
esac
[ $# -eq 1 ] || fail "docker stand-in: one container name, got: $*"
name=$1 f=$S/containers/$1
[ -f "$f" ] || fail "Error response from daemon: No such container: $name"
read -r status starts stops restarts image timeout < "$f"
put() { echo "$1 $2 $3 $4 $image $timeout" > "$f"; }
running=false; [ "$status" != running ] || running=true
case "$verb" in
running) echo "$running" ;;
imagerunning) echo "$image $running" ;;
env) [ ! -f "$S/env/$name" ] || json < "$S/env/$name" ;;
cmd) if [ -f "$S/cmd/$name" ]; then cat "$S/cmd/$name"; else echo null; fi ;;
hostconfig) if [ -f "$S/ports/$name" ]; then
		awk '{ printf "port %s [{\"HostIp\":\"%s\",\"HostPort\":\"%s\"}]\n", $1, ($2 == "-" ? "" : $2), ($3 == "-" ? "" : $3) }' "$S/ports/$name"
		awk '{ print "exposed " $1 }' "$S/ports/$name"
	fi
	[ ! -f "$S/binds/$name" ] || json < "$S/binds/$name" | sed 's/^/bind /'
	echo "restart $(cat "$S/restart/$name" 2>/dev/null || echo no)" ;;
policy) cat "$S/restart/$name" 2>/dev/null || echo no ;;
update) mkdir -p "$S/restart"; echo "$policy" > "$S/restart/$name"; echo "$name" ;;
start) [ "$status" = running ] || put running $((starts + 1)) "$stops" "$restarts"; echo "$name" ;;
stop | kill) [ "$status" != running ] || put exited "$starts" $((stops + 1)) "$restarts"; echo "$name" ;;
restart) put running "$starts" "$stops" $((restarts + 1)); echo "$name" ;;
rm) [ "$status" != running ] || fail "Error response from daemon: cannot remove container \"/$name\": container is running: stop the container before removing or force remove"
	rm -f "$f" "$S/env/$name" "$S/cmd/$name" "$S/ports/$name" "$S/binds/$name" "$S/restart/$name"; echo "$name" ;;
esac
`

// e2eDockerDaemon is the Engine API stand-in: the requests
// community.docker 3.13.3's docker_container makes, found by logging them.
//   - GET /version: the client's API version check
//     (plugins/module_utils/common_api.py, AnsibleDockerClientBase);
//   - GET /containers/json?all=1: get_container (common_api.py:245-275)
//     finds the container by its Names, then GET /containers/ID/json
//     inspects it (Id, Image, State.Running/Paused/Status read by
//     module_container/docker_api.py:198-221 and module.py:25-54;
//     Config.Env compared with the image's, docker_api.py:661-675;
//     Config.Cmd with command);
//   - GET /images/json?filters={"reference":[REPOSITORY]}: find_image
//     (common_api.py:326-407) lists the repository's images and picks the
//     tag, then GET /images/ID/json inspects it (module.py:452-503; without
//     image the container's own, by ID, :439-450);
//   - POST /images/create?fromImage=REPOSITORY&tag=TAG: pull_image
//     (common_api.py:427-468), a stream of JSON status lines;
//   - POST /containers/create?name=NAME: create_container
//     (docker_api.py:285-299) with the body module.py:513-520 composes:
//     the image, StopTimeout, Env and Cmd when stop_timeout, env and
//     command are given, ExposedPorts (always) with
//     HostConfig.PortBindings for published_ports, Volumes (empty) with
//     HostConfig.Binds for volumes (published); inspect returns them as
//     docker does (HostConfig.PortBindings {} and Binds null for none,
//     Config.ExposedPorts left out for none),
//     and the client's defaults (e2eDockerCreateDefaults; anything else
//     fails the test: not modelled); the container's variables are the
//     image's with Env's over them, as the daemon merges them;
//   - POST /containers/ID/start|stop|restart|kill and DELETE
//     /containers/ID: the actions (docker_api.py:301-376).
type e2eDockerDaemon struct {
	t     *testing.T
	state string
}

// e2eDockerImage is the ID of vllm/vllm-openai:1, the image of every
// container a case does not give another.
const e2eDockerImage = "sha256:abababababababababababababababababababababababababababababababab"

// e2eDockerImages are the images' IDs by key: 0 an older image the host
// still has (vllm/vllm-openai:0), 1 e2eDockerImage, 2 one only the
// registry has (vllm/vllm-openai:2).
var e2eDockerImages = map[string]string{
	"0": "sha256:0000000000000000000000000000000000000000000000000000000000000000",
	"1": e2eDockerImage,
	"2": "sha256:2222222222222222222222222222222222222222222222222222222222222222",
}

// e2eDockerAPIVersion strips the /v1.NN prefix of a versioned path.
var e2eDockerAPIVersion = regexp.MustCompile(`^/v[0-9]+\.[0-9]+`)

func (d *e2eDockerDaemon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(e2eDockerAPIVersion.ReplaceAllString(r.URL.Path, ""), "/"), "/")
	if r.Method == http.MethodPost && slices.Equal(parts, []string{"containers", "create"}) {
		d.create(w, r)
		return
	}
	if r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "containers" && parts[2] == "update" {
		d.update(w, r, parts[1])
		return
	}
	d.log("api " + r.Method + " " + r.URL.RequestURI())
	switch {
	case r.Method == http.MethodGet && slices.Equal(parts, []string{"version"}):
		e2eDockerJSON(w, http.StatusOK, map[string]string{"Version": "27.3.1", "ApiVersion": "1.47", "MinAPIVersion": "1.24", "Os": "linux", "Arch": "amd64"})
	case r.Method == http.MethodGet && slices.Equal(parts, []string{"_ping"}):
		io.WriteString(w, "OK")
	case r.Method == http.MethodGet && slices.Equal(parts, []string{"containers", "json"}):
		e2eDockerJSON(w, http.StatusOK, d.list())
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "containers" && parts[2] == "json":
		d.inspect(w, parts[1])
	case r.Method == http.MethodGet && slices.Equal(parts, []string{"images", "json"}):
		e2eDockerJSON(w, http.StatusOK, d.imageList(r.URL.Query().Get("filters")))
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "images" && parts[2] == "json":
		d.imageInspect(w, parts[1])
	case r.Method == http.MethodPost && slices.Equal(parts, []string{"images", "create"}):
		d.pull(w, r.URL.Query().Get("fromImage")+":"+r.URL.Query().Get("tag"))
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "containers":
		d.act(w, parts[1], parts[2])
	case r.Method == http.MethodDelete && len(parts) == 2 && parts[0] == "containers":
		d.remove(w, parts[1])
	default:
		d.t.Errorf("docker daemon stand-in: %s %s is not modelled", r.Method, r.URL)
		e2eDockerJSON(w, http.StatusNotFound, map[string]string{"message": "not modelled"})
	}
}

func (d *e2eDockerDaemon) log(line string) {
	f, err := os.OpenFile(filepath.Join(d.state, "calls"), os.O_APPEND|os.O_WRONLY, 0)
	if err == nil {
		_, err = fmt.Fprintln(f, line)
		err = errors.Join(err, f.Close())
	}
	if err != nil {
		d.t.Errorf("docker daemon stand-in: %v", err)
	}
}

func e2eDockerJSON(w http.ResponseWriter, code int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(body)
}

// e2eDockerID is a container's ID: a checksum of its name.
func e2eDockerID(name string) string {
	sum := sha256.Sum256([]byte(name))
	return hex.EncodeToString(sum[:])
}

// read is the container's fields (status starts stops restarts image
// stop_timeout; the last two default to e2eDockerImage and "-"), by name
// or ID; nil when there is none.
func (d *e2eDockerDaemon) read(ref string) (string, []string) {
	names, _ := filepath.Glob(filepath.Join(d.state, "containers", "*"))
	for _, path := range names {
		name := filepath.Base(path)
		if ref != name && ref != e2eDockerID(name) {
			continue
		}
		data, err := os.ReadFile(path)
		if err != nil {
			d.t.Error(err)
		}
		return name, append(strings.Fields(string(data)), e2eDockerImage, "-")[:6]
	}
	return "", nil
}

func (d *e2eDockerDaemon) write(name string, c []string) {
	if err := os.WriteFile(filepath.Join(d.state, "containers", name), []byte(strings.Join(c, " ")+"\n"), 0o644); err != nil {
		d.t.Error(err)
	}
}

func (d *e2eDockerDaemon) list() []map[string]any {
	var out []map[string]any
	names, _ := filepath.Glob(filepath.Join(d.state, "containers", "*"))
	for _, path := range names {
		name := filepath.Base(path)
		_, c := d.read(name)
		out = append(out, map[string]any{"Id": e2eDockerID(name), "Names": []string{"/" + name}, "Image": "vllm/vllm-openai:1", "ImageID": c[4], "State": c[0]})
	}
	return out
}

func (d *e2eDockerDaemon) inspect(w http.ResponseWriter, ref string) {
	name, c := d.read(ref)
	if c == nil {
		e2eDockerJSON(w, http.StatusNotFound, map[string]string{"message": "No such container: " + ref})
		return
	}
	config := map[string]any{"Image": "vllm/vllm-openai:1", "Env": d.lines(filepath.Join("env", name)), "Cmd": d.cmd(name)}
	if c[5] != "-" {
		config["StopTimeout"] = c[5]
	}
	hostConfig := map[string]any{"PortBindings": map[string]any{}, "Binds": nil, "RestartPolicy": map[string]any{"Name": d.policy(name), "MaximumRetryCount": 0}}
	if binds := d.lines(filepath.Join("binds", name)); len(binds) > 0 {
		hostConfig["Binds"] = binds
	}
	if bindings, exposed := d.ports(name); len(exposed) > 0 {
		hostConfig["PortBindings"], config["ExposedPorts"] = bindings, exposed
	}
	e2eDockerJSON(w, http.StatusOK, map[string]any{"Id": e2eDockerID(name), "Name": "/" + name, "Image": c[4],
		"State":      map[string]any{"Status": c[0], "Running": c[0] == "running", "Paused": false, "Restarting": false, "Dead": false},
		"Config":     config,
		"HostConfig": hostConfig, "NetworkSettings": map[string]any{"Networks": map[string]any{}}})
}

// ports is the container's HostConfig.PortBindings and
// Config.ExposedPorts, from STATE/ports/NAME, as docker's inspect writes
// them (api/types/container HostConfig.PortBindings, nat.PortMap: each
// port's list of {HostIp, HostPort}; Config.ExposedPorts, nat.PortSet: an
// empty object by port, left out when none).
func (d *e2eDockerDaemon) ports(name string) (map[string]any, map[string]any) {
	bindings, exposed := map[string]any{}, map[string]any{}
	for _, line := range d.lines(filepath.Join("ports", name)) {
		f := strings.Fields(line)
		bindings[f[0]] = []map[string]string{{"HostIp": strings.TrimPrefix(f[1], "-"), "HostPort": strings.TrimPrefix(f[2], "-")}}
		exposed[f[0]] = map[string]any{}
	}
	return bindings, exposed
}

// act starts, stops, kills or restarts the container as the daemon does:
// 304 for a start of a running or a stop of a stopped container.
func (d *e2eDockerDaemon) act(w http.ResponseWriter, ref, action string) {
	name, c := d.read(ref)
	if c == nil || !slices.Contains([]string{"start", "stop", "restart", "kill"}, action) {
		d.t.Errorf("docker daemon stand-in: %s of %q is not modelled", action, ref)
		e2eDockerJSON(w, http.StatusNotFound, map[string]string{"message": "No such container: " + ref})
		return
	}
	i, status := map[string]int{"start": 1, "stop": 2, "kill": 2, "restart": 3}[action], map[string]string{"start": "running", "stop": "exited", "kill": "exited", "restart": "running"}[action]
	if action != "restart" && (c[0] == "running") == (action == "start") {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var n int
	fmt.Sscan(c[i], &n)
	c[0], c[i] = status, fmt.Sprint(n+1)
	d.write(name, c)
	w.WriteHeader(http.StatusNoContent)
}

// remove removes a container that does not run, as the daemon does
// without force (the module's remove_container: v, link and force false).
func (d *e2eDockerDaemon) remove(w http.ResponseWriter, ref string) {
	name, c := d.read(ref)
	switch {
	case c == nil:
		e2eDockerJSON(w, http.StatusNotFound, map[string]string{"message": "No such container: " + ref})
	case c[0] == "running":
		e2eDockerJSON(w, http.StatusConflict, map[string]string{"message": "cannot remove container \"/" + name + "\": container is running"})
	default:
		err := os.Remove(filepath.Join(d.state, "containers", name))
		for _, dir := range []string{"env", "cmd", "ports", "binds", "restart"} {
			err = errors.Join(err, os.RemoveAll(filepath.Join(d.state, dir, name)))
		}
		if err != nil {
			d.t.Error(err)
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

// create creates the container the body describes, not running, and logs
// the request with the body's image and StopTimeout ("-" for none).
func (d *e2eDockerDaemon) create(w http.ResponseWriter, r *http.Request) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		d.t.Errorf("docker daemon stand-in: create: %v", err)
	}
	image, _ := body["Image"].(string)
	timeout := "-"
	if v, ok := body["StopTimeout"]; ok {
		timeout = fmt.Sprint(v)
	}
	var env []string
	envs, _ := body["Env"].([]any)
	for _, kv := range envs {
		env = append(env, fmt.Sprint(kv))
	}
	var cmd []string
	cmds, _ := body["Cmd"].([]any)
	for _, w := range cmds {
		cmd = append(cmd, fmt.Sprint(w))
	}
	ports, binds := d.published(body)
	policy := d.restartPolicy(body["HostConfig"])
	d.log("api POST " + r.URL.RequestURI() + " " + image + " " + timeout + " " + e2eDockerEnvWord(env) + " " + e2eDockerCmdWord(cmd) + " " + e2eDockerListWord(ports) + " " + e2eDockerListWord(binds) + " " + cmp.Or(policy, "-"))
	rest := maps.Clone(body)
	for _, key := range []string{"Image", "StopTimeout", "Env", "Cmd", "ExposedPorts", "HostConfig", "Volumes"} {
		delete(rest, key)
	}
	if got, _ := json.Marshal(rest); string(got) != e2eDockerCreateDefaults {
		d.t.Errorf("docker daemon stand-in: create with %s is not modelled (only %s besides Image and StopTimeout)", got, e2eDockerCreateDefaults)
	}
	name, id := r.URL.Query().Get("name"), d.images("images")[image]
	if slices.Contains(slices.Collect(maps.Values(d.images("images"))), image) {
		id = image // recreated from the container's image, by ID
	}
	if _, c := d.read(name); c != nil || id == "" {
		d.t.Errorf("docker daemon stand-in: create of %s from %q (ID %q) over %v is not modelled", name, image, id, c)
		e2eDockerJSON(w, http.StatusConflict, map[string]string{"message": "not modelled"})
		return
	}
	d.write(name, []string{"created", "0", "0", "0", id, timeout})
	d.writeEnv(name, append(d.imageEnv(id), env...))
	d.writeCmd(name, cmd)
	d.writeLines(filepath.Join("ports", name), ports)
	d.writeLines(filepath.Join("binds", name), binds)
	d.writeLines(filepath.Join("restart", name), slices.DeleteFunc([]string{policy}, func(p string) bool { return p == "" }))
	e2eDockerJSON(w, http.StatusCreated, map[string]any{"Id": e2eDockerID(name), "Warnings": []string{}})
}

// e2eDockerCreateDefaults is what the module's creation body holds
// besides Image, StopTimeout, Env, Cmd and the ports and binds
// (published) when the task gives no other option (community.docker
// 3.13.3 module_container/docker_api.py:644-658 detach unset: stdout and
// stderr attached, stdin not, as `docker create` attaches them; :289-296
// no network), as json.Marshal writes it.
const e2eDockerCreateDefaults = `{"AttachStderr":true,"AttachStdin":false,"AttachStdout":true,"NetworkingConfig":{"EndpointsConfig":{}},"StdinOnce":false}`

// published reads a creation body's ports and binds as "PORT/PROTO
// HOSTIP HOSTPORT" lines ("-" for empty) and bind lines, both sorted:
// ExposedPorts, always sent (docker_api.py:1223-1234), exposing exactly
// the published ports (the images expose none), HostConfig.PortBindings
// one binding a port (:1235-1238), Volumes empty and HostConfig.Binds
// (:1058-1074); anything else in them fails the test: not modelled.
func (d *e2eDockerDaemon) published(body map[string]any) ([]string, []string) {
	var req struct {
		ExposedPorts map[string]struct{}
		Volumes      map[string]struct{}
		HostConfig   struct {
			PortBindings map[string][]struct{ HostIp, HostPort string }
			Binds        []string
		}
	}
	data, _ := json.Marshal(body)
	err := json.Unmarshal(data, &req)
	host, _ := body["HostConfig"].(map[string]any)
	if other := slices.DeleteFunc(slices.Collect(maps.Keys(host)), func(k string) bool { return k == "PortBindings" || k == "Binds" || k == "RestartPolicy" }); err != nil || req.ExposedPorts == nil || len(req.Volumes) > 0 || len(other) > 0 {
		d.t.Errorf("docker daemon stand-in: create with ExposedPorts, Volumes or HostConfig %s is not modelled (%v)", data, err)
	}
	var ports []string
	for port, b := range req.HostConfig.PortBindings {
		if len(b) != 1 {
			d.t.Errorf("docker daemon stand-in: port %s bound %d times is not modelled", port, len(b))
			continue
		}
		ports = append(ports, port+" "+cmp.Or(b[0].HostIp, "-")+" "+cmp.Or(b[0].HostPort, "-"))
	}
	if !slices.Equal(slices.Sorted(maps.Keys(req.ExposedPorts)), slices.Sorted(maps.Keys(req.HostConfig.PortBindings))) {
		d.t.Errorf("docker daemon stand-in: ExposedPorts %v other than the published ports %v are not modelled", req.ExposedPorts, req.HostConfig.PortBindings)
	}
	slices.Sort(ports)
	binds := slices.Clone(req.HostConfig.Binds)
	slices.Sort(binds)
	return ports, binds
}

// images reads STATE/images or STATE/registry: ID by reference.
func (d *e2eDockerDaemon) images(file string) map[string]string {
	data, err := os.ReadFile(filepath.Join(d.state, file))
	if err != nil {
		d.t.Error(err)
	}
	out := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		if ref, id, ok := strings.Cut(line, " "); ok {
			out[ref] = id
		}
	}
	return out
}

// imageList is the host's images of the filter's repository, one entry
// per ID with its tags.
func (d *e2eDockerDaemon) imageList(filters string) []map[string]any {
	var f map[string][]string
	if err := json.Unmarshal([]byte(filters), &f); err != nil || len(f["reference"]) != 1 {
		d.t.Errorf("docker daemon stand-in: image filters %q are not modelled", filters)
	}
	tags := map[string][]string{}
	for ref, id := range d.images("images") {
		if repo, _, _ := strings.Cut(ref, ":"); f["reference"] != nil && repo == f["reference"][0] {
			tags[id] = append(tags[id], ref)
		}
	}
	out := []map[string]any{}
	for id, refs := range tags {
		out = append(out, map[string]any{"Id": id, "RepoTags": refs, "RepoDigests": []string{}})
	}
	return out
}

func (d *e2eDockerDaemon) imageInspect(w http.ResponseWriter, id string) {
	var refs []string
	for ref, have := range d.images("images") {
		if have == id {
			refs = append(refs, ref)
		}
	}
	if refs == nil {
		e2eDockerJSON(w, http.StatusNotFound, map[string]string{"message": "No such image: " + id})
		return
	}
	slices.Sort(refs)
	e2eDockerJSON(w, http.StatusOK, map[string]any{"Id": id, "RepoTags": refs, "Config": map[string]any{"Env": d.imageEnv(id)}})
}

// imageEnv is the image's variables, from STATE/imageenv.
func (d *e2eDockerDaemon) imageEnv(id string) []string {
	env := []string{}
	for _, line := range d.lines("imageenv") {
		if have, kv, _ := strings.Cut(line, " "); have == id {
			env = append(env, kv)
		}
	}
	return env
}

// lines is the file's lines under STATE; none for a missing file.
func (d *e2eDockerDaemon) lines(file string) []string {
	data, err := os.ReadFile(filepath.Join(d.state, file))
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		d.t.Error(err)
	}
	lines := []string{}
	for _, line := range strings.Split(string(data), "\n") {
		if line != "" {
			lines = append(lines, line)
		}
	}
	return lines
}

// writeEnv writes the container's variables, later ones over earlier ones
// of the same name, sorted, as the daemon merges the image's and the
// creation's.
func (d *e2eDockerDaemon) writeEnv(name string, env []string) {
	merged := map[string]string{}
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		merged[k] = kv
	}
	var b strings.Builder
	for _, k := range slices.Sorted(maps.Keys(merged)) {
		b.WriteString(merged[k] + "\n")
	}
	dir := filepath.Join(d.state, "env")
	if err := errors.Join(os.MkdirAll(dir, 0o755), os.WriteFile(filepath.Join(dir, name), []byte(b.String()), 0o644)); err != nil {
		d.t.Error(err)
	}
}

// cmd is the container's Config.Cmd; nil for none.
func (d *e2eDockerDaemon) cmd(name string) []string {
	data, err := os.ReadFile(filepath.Join(d.state, "cmd", name))
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	var cmd []string
	if err := errors.Join(err, json.Unmarshal(data, &cmd)); err != nil {
		d.t.Error(err)
	}
	return cmd
}

// writeCmd writes the container's Config.Cmd as JSON, none for none (the
// images have no CMD).
func (d *e2eDockerDaemon) writeCmd(name string, cmd []string) {
	dir := filepath.Join(d.state, "cmd")
	data, _ := json.Marshal(cmd)
	err := os.MkdirAll(dir, 0o755)
	if cmd != nil {
		err = errors.Join(err, os.WriteFile(filepath.Join(dir, name), append(data, '\n'), 0o644))
	}
	if err != nil {
		d.t.Error(err)
	}
}

// e2eDockerListWord is a creation's ports or binds in one word: joined
// by commas, "-" for none.
func e2eDockerListWord(lines []string) string {
	if len(lines) == 0 {
		return "-"
	}
	return strings.ReplaceAll(strings.Join(lines, ","), " ", "=")
}

// writeLines writes the lines to the file under STATE, none for none.
func (d *e2eDockerDaemon) writeLines(file string, lines []string) {
	path := filepath.Join(d.state, file)
	err := os.MkdirAll(filepath.Dir(path), 0o755)
	if len(lines) > 0 {
		err = errors.Join(err, os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o644))
	}
	if err != nil {
		d.t.Error(err)
	}
}

// e2eDockerCmdWord is a creation's command in one word: its words joined
// by commas, "-" for none.
func e2eDockerCmdWord(cmd []string) string {
	if len(cmd) == 0 {
		return "-"
	}
	return strings.Join(cmd, ",")
}

// e2eDockerEnvWord is a creation's variables in one word: sorted, joined
// by commas, "-" for none.
func e2eDockerEnvWord(env []string) string {
	if len(env) == 0 {
		return "-"
	}
	env = slices.Clone(env)
	slices.Sort(env)
	return strings.Join(env, ",")
}

// pull fetches the reference from the registry into the host's images
// and streams the daemon's status lines.
func (d *e2eDockerDaemon) pull(w http.ResponseWriter, ref string) {
	id := d.images("registry")[ref]
	if id == "" {
		d.t.Errorf("docker daemon stand-in: pull of %s, which the registry does not have, is not modelled", ref)
	}
	images := d.images("images")
	images[ref] = id
	d.writeImages(images)
	w.Header().Set("Content-Type", "application/json")
	for _, status := range []string{"Pulling from " + ref, "Status: Downloaded newer image for " + ref} {
		json.NewEncoder(w).Encode(map[string]string{"status": status})
		w.(http.Flusher).Flush() // chunked, one JSON object a chunk, as the daemon streams
	}
}

// writeImages writes STATE/images, sorted.
func (d *e2eDockerDaemon) writeImages(images map[string]string) {
	var b strings.Builder
	for _, ref := range slices.Sorted(maps.Keys(images)) {
		b.WriteString(ref + " " + images[ref] + "\n")
	}
	if err := os.WriteFile(filepath.Join(d.state, "images"), []byte(b.String()), 0o644); err != nil {
		d.t.Error(err)
	}
}

// e2eDockerServe serves the daemon stand-in on dir/docker.sock until the
// test ends and returns its DOCKER_HOST.
func e2eDockerServe(t *testing.T, dir, state string) string {
	t.Helper()
	sock := filepath.Join(dir, "docker.sock")
	l, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: &e2eDockerDaemon{t: t, state: state}}
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return "unix://" + sock
}

// e2eDockerContainerCases: started with and without restart on running and
// stopped containers (state left to its default, the string " T ", which
// the module's argument spec reads as true),
// stopped on both (restart ignored, as the module ignores it), restart on
// a container holding its own value of its image's PATH (recreated from
// its image, then started); with image:
// a container of an older image (recreated and started), restart on one of
// the image, absent with force_kill, env other than the container's
// (recreated with it).
var e2eDockerContainerCases = []e2ePodmanCase{
	{name: "restartrun", args: ", state: started, restart: true", start: "running"},
	{name: "restartstop", args: `, restart: " T "`, start: "exited"},
	{name: "startrun", args: "", start: "running"},
	{name: "startstop", args: ", state: started", start: "exited"},
	{name: "stoprun", args: ", state: stopped", start: "running"},
	{name: "stopidle", args: ", state: stopped", start: "exited"},
	{name: "stoprestart", args: ", state: stopped, restart: true", start: "running"},
	{name: "imgold", args: ", image: vllm/vllm-openai:1", start: "running", image: "0"},
	{name: "imgrestart", args: ", image: vllm/vllm-openai:1, restart: true, stop_timeout: 30", start: "running", image: "1"},
	{name: "imgabsent", args: ", state: absent, force_kill: true", start: "running"},
	{name: "envchanged", args: ", image: vllm/vllm-openai:1, env: {MODEL: llama}", start: "running", env: e2eDockerPath + ",MODEL=qwen"},
	{name: "ovrestart", args: ", state: started, restart: true", start: "running", env: e2eDockerPathOverride},
}

// e2eDockerPathOverride is a container's own value of the variable its
// image sets (e2eDockerPath): without image the module recreates such a
// container from its image, with the task's options only.
const e2eDockerPathOverride = "PATH=/opt/vllm/bin"

// e2eDockerContainerCollection is the folder holding community.docker at
// the pinned version (e2ePinnedCollection).
func e2eDockerContainerCollection(t *testing.T) string {
	t.Helper()
	return e2ePinnedCollection(t, "community/docker", e2eCommunityDocker, "STRAYLIGHT_COMMUNITY_DOCKER")
}

// e2eDockerInstall serves the daemon stand-in, names it in DOCKER_HOST
// (for ansible-playbook, and for straylight's lines, which pass it to the
// CLI), writes the CLI stand-in into dir/stub, first on PATH, and returns
// the folder of their state, dir/docker.
func e2eDockerInstall(t *testing.T, dir string) string {
	t.Helper()
	state, stub := filepath.Join(dir, "docker"), filepath.Join(dir, "stub")
	parity.WriteTree(t, state, map[string]string{"calls": ""})
	host := e2eDockerServe(t, dir, state)
	parity.WriteTree(t, stub, map[string]string{"docker": strings.NewReplacer("@STATE@", state, "@HOST@", host).Replace(e2eDockerCLIStub)})
	if err := os.Chmod(filepath.Join(stub, "docker"), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("PATH", stub+string(os.PathListSeparator)+os.Getenv("PATH"))
	t.Setenv("DOCKER_HOST", host)
	return state
}

// e2eDockerContainerStart writes every docker case's first config file and
// its container, the images, and clears the log.
func e2eDockerContainerStart(t *testing.T, state, out string) {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(state, "containers")); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, c := range e2eDockerContainerCases {
		files["docker-"+c.name+".conf"] = "tag = 1\n"
	}
	e2eContainersAt(t, state, out, files, e2eDockerContainers(e2eDockerContainerCases))
	e2eDockerImagesAt(t, state)
	e2eDockerEnvAt(t, state, e2eDockerContainerCases)
}

// e2eDockerContainers are the cases' starting containers (a case without
// start has none), and writes nothing: e2eContainersAt does. Each runs
// the image its case names by key (e2eDockerImages), else
// vllm/vllm-openai:1, without StopTimeout; its variables are the case's
// env (none without).
func e2eDockerContainers(cases []e2ePodmanCase) map[string]string {
	containers := map[string]string{}
	for _, c := range cases {
		if c.start != "" {
			containers["vllm-"+c.name] = c.start + " 0 0 0 " + e2eDockerImages[cmp.Or(c.image, "1")] + " -\n"
		}
	}
	return containers
}

// e2eDockerEnvAt writes the cases' containers' variables (env, one a
// line): the case's, else its image's, as the daemon gives a container
// created without env; and their commands (cmd, JSON), port bindings
// (ports), binds (binds) and restart policies (restart), where a case has
// them.
func e2eDockerEnvAt(t *testing.T, state string, cases []e2ePodmanCase) {
	t.Helper()
	env := map[string]string{}
	for _, c := range cases {
		switch {
		case c.start == "":
		case c.env != "":
			env["vllm-"+c.name] = strings.ReplaceAll(c.env, ",", "\n") + "\n"
		case c.image != "0":
			env["vllm-"+c.name] = e2eDockerPath + "\n"
		default:
			env["vllm-"+c.name] = ""
		}
	}
	if err := os.RemoveAll(filepath.Join(state, "env")); err != nil {
		t.Fatal(err)
	}
	parity.WriteTree(t, filepath.Join(state, "env"), env)
	e2eDockerCaseFiles(t, filepath.Join(state, "cmd"), cases, func(c e2ePodmanCase) string { return c.cmd })
	e2eDockerCaseFiles(t, filepath.Join(state, "ports"), cases, func(c e2ePodmanCase) string { return strings.ReplaceAll(c.ports, ",", "\n") })
	e2eDockerCaseFiles(t, filepath.Join(state, "binds"), cases, func(c e2ePodmanCase) string { return strings.ReplaceAll(c.binds, ",", "\n") })
	e2eDockerCaseFiles(t, filepath.Join(state, "restart"), cases, func(c e2ePodmanCase) string { return c.policy })
}

// e2eDockerCaseFiles replaces dir with a file for each case's container
// that has the field.
func e2eDockerCaseFiles(t *testing.T, dir string, cases []e2ePodmanCase, field func(e2ePodmanCase) string) {
	t.Helper()
	if err := os.RemoveAll(dir); err != nil {
		t.Fatal(err)
	}
	files := map[string]string{}
	for _, c := range cases {
		if v := field(c); v != "" && c.start != "" {
			files["vllm-"+c.name] = v + "\n"
		}
	}
	parity.WriteTree(t, dir, files)
}

// e2eDockerImagesAt writes the host's images (vllm/vllm-openai:0 and :1)
// and the registry's (:1 and :2).
func e2eDockerImagesAt(t *testing.T, state string) {
	t.Helper()
	ref := func(keys ...string) string {
		var b strings.Builder
		for _, k := range keys {
			b.WriteString("vllm/vllm-openai:" + k + " " + e2eDockerImages[k] + "\n")
		}
		return b.String()
	}
	parity.WriteTree(t, state, map[string]string{"images": ref("0", "1"), "registry": ref("1", "2"),
		"imageenv": e2eDockerImages["1"] + " " + e2eDockerPath + "\n" + e2eDockerImages["2"] + " " + e2eDockerPath + "\n"})
}

// e2eDockerPath is the variable vllm/vllm-openai:1 and :2 set.
const e2eDockerPath = "PATH=/usr/local/bin:/usr/bin"

// e2eDockerContainerSnapshot is every container's line ("docker NAME:
// ..."), the host's images ("image REF ID", sorted) and the actions either
// stand-in was asked for, in order, in one form: "start NAME", "stop
// NAME", "kill NAME", "restart NAME t=N" (the API's t parameter, the CLI's
// -t), "remove NAME", "pull REF", "create NAME IMAGE STOPTIMEOUT ENV CMD
// PORTS BINDS" (e2eDockerEnvWord, e2eDockerCmdWord, e2eDockerListWord);
// the containers' variables, port bindings, binds and commands are
// "docker NAME env: ENV", "docker NAME ports: PORTS", "docker NAME binds:
// BINDS" and "docker NAME cmd: JSON" lines.
func e2eDockerContainerSnapshot(t *testing.T, state string) string {
	t.Helper()
	var b strings.Builder
	e2eContainerLines(t, &b, state, "docker")
	envs, _ := filepath.Glob(filepath.Join(state, "env", "*"))
	for _, f := range envs {
		env, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "docker %s env: %s\n", filepath.Base(f), e2eDockerEnvWord(strings.Fields(string(env))))
	}
	for _, kind := range []string{"ports", "binds", "restart"} {
		files, _ := filepath.Glob(filepath.Join(state, kind, "*"))
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			fmt.Fprintf(&b, "docker %s %s: %s\n", filepath.Base(f), kind, e2eDockerListWord(strings.Split(strings.TrimSpace(string(data)), "\n")))
		}
	}
	cmds, _ := filepath.Glob(filepath.Join(state, "cmd", "*"))
	for _, f := range cmds {
		cmd, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&b, "docker %s cmd: %s", filepath.Base(f), cmd)
	}
	images, err := os.ReadFile(filepath.Join(state, "images"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(images)), "\n")
	slices.Sort(lines)
	for _, line := range lines {
		b.WriteString("image " + line + "\n")
	}
	calls, err := os.ReadFile(filepath.Join(state, "calls"))
	if err != nil {
		t.Fatal(err)
	}
	for _, call := range strings.Split(strings.TrimSpace(string(calls)), "\n") {
		if action := e2eDockerAction(strings.Fields(call), e2eDockerNames()); action != "" {
			b.WriteString(action + "\n")
		}
	}
	return b.String()
}

// e2eDockerNames is every docker case's container name by ID.
func e2eDockerNames() map[string]string {
	ids := map[string]string{}
	for _, cases := range [][]e2ePodmanCase{e2eDockerContainerCases, e2eDockerTaskCases} {
		for _, c := range cases {
			ids[e2eDockerID("vllm-"+c.name)] = "vllm-" + c.name
		}
	}
	return ids
}

// e2eDockerAction is a logged call's action, or "" for one that only
// reads. The CLI's --host is left out: the stand-in refuses any other than
// the daemon's.
func e2eDockerAction(w []string, ids map[string]string) string {
	if len(w) > 3 && w[0] == "docker" && w[1] == "--host" {
		w = append([]string{"docker"}, w[3:]...)
	}
	switch {
	case len(w) >= 3 && w[0] == "api" && (w[1] == http.MethodPost || w[1] == http.MethodDelete):
		return e2eDockerAPIAction(w, ids)
	case len(w) > 1 && w[0] == "docker" && (w[1] == "container" || w[1] == "image"):
		return ""
	case len(w) > 1 && w[0] == "docker":
		return e2eDockerCLIAction(w[1:])
	}
	return ""
}

// e2eDockerAPIAction is an API request's action: "api POST|DELETE
// PATH?QUERY [IMAGE STOPTIMEOUT]".
func e2eDockerAPIAction(w []string, ids map[string]string) string {
	u, err := url.Parse(w[2])
	parts := strings.Split(strings.Trim(e2eDockerAPIVersion.ReplaceAllString(u.Path, ""), "/"), "/")
	q := u.Query()
	switch {
	case err != nil:
		return strings.Join(w, " ")
	case w[1] == http.MethodDelete && len(parts) == 2:
		return "remove " + ids[parts[1]]
	case slices.Equal(parts, []string{"images", "create"}):
		return "pull " + q.Get("fromImage") + ":" + q.Get("tag")
	case slices.Equal(parts, []string{"containers", "create"}) && len(w) == 10:
		return "create " + q.Get("name") + " " + strings.Join(w[3:], " ")
	case len(parts) == 3 && parts[2] == "update" && len(w) == 4:
		return "update " + ids[parts[1]] + " " + w[3]
	case len(parts) == 3 && parts[0] == "containers":
		return e2eDockerActionLine(parts[2], ids[parts[1]], q.Get("t"))
	}
	return strings.Join(w, " ") // not an action modelled: shown as it is
}

// e2eDockerCLIAction is a CLI line's action (its words after docker
// --host HOST).
func e2eDockerCLIAction(w []string) string {
	switch {
	case len(w) == 2 && slices.Contains([]string{"start", "stop", "restart", "kill"}, w[0]):
		return e2eDockerActionLine(w[0], w[1], "")
	case len(w) == 4 && (w[0] == "restart" || w[0] == "stop") && w[1] == "-t":
		return e2eDockerActionLine(w[0], w[3], w[2])
	case len(w) == 2 && w[0] == "rm":
		return "remove " + w[1]
	case len(w) == 4 && w[0] == "update" && w[1] == "--restart":
		return "update " + w[3] + " " + w[2]
	case len(w) == 2 && w[0] == "pull":
		return "pull " + w[1]
	case len(w) >= 4 && w[0] == "create" && w[1] == "--name":
		return e2eDockerCLICreate(w[2], w[3:])
	}
	return "docker " + strings.Join(w, " ") // not an action modelled: shown as it is
}

// e2eDockerCLICreate is `docker create --name NAME [--stop-timeout N] [-e
// KEY=VALUE]... [-p IP:HOSTPORT:PORT/PROTO]... [-v BIND]... IMAGE
// [WORD]...` as an action.
func e2eDockerCLICreate(name string, w []string) string {
	timeout, policy, env, ports, binds := "-", "-", []string{}, []string{}, []string{}
	if len(w) > 2 && w[0] == "--stop-timeout" {
		timeout, w = w[1], w[2:]
	}
	if len(w) > 2 && w[0] == "--restart" {
		policy, w = w[1], w[2:]
	}
	for len(w) > 2 && w[0] == "-e" {
		env, w = append(env, w[1]), w[2:]
	}
	for len(w) > 2 && w[0] == "-p" {
		ports, w = append(ports, e2eDockerCLIPort(w[1])), w[2:]
	}
	for len(w) > 2 && w[0] == "-v" {
		binds, w = append(binds, w[1]), w[2:]
	}
	if len(w) == 0 {
		return "docker create --name " + name // not modelled
	}
	slices.Sort(ports)
	slices.Sort(binds)
	return "create " + name + " " + w[0] + " " + timeout + " " + e2eDockerEnvWord(env) + " " + e2eDockerCmdWord(w[1:]) + " " + e2eDockerListWord(ports) + " " + e2eDockerListWord(binds) + " " + policy
}

// e2eDockerCLIPort is -p IP:HOSTPORT:PORT/PROTO as a "PORT/PROTO HOSTIP
// HOSTPORT" line ("-" for empty), the form the daemon stand-in logs.
func e2eDockerCLIPort(spec string) string {
	f := strings.Split(spec, ":")
	if len(f) != 3 {
		return "not-modelled:" + spec
	}
	return f[2] + " " + cmp.Or(f[0], "-") + " " + cmp.Or(f[1], "-")
}

func e2eDockerActionLine(action, name, timeout string) string {
	if timeout != "" {
		return action + " " + name + " t=" + timeout
	}
	return action + " " + name
}

// e2eContainerLines writes each stand-in container's line ("LABEL NAME:
// state ...") to b and returns the containers' files.
func e2eContainerLines(t *testing.T, b *strings.Builder, state, label string) []string {
	t.Helper()
	containers, _ := filepath.Glob(filepath.Join(state, "containers", "*"))
	for _, c := range containers {
		line, err := os.ReadFile(c)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(b, "%s %s: %s", label, filepath.Base(c), line)
	}
	return containers
}

// e2eContainersAt writes the templates' starting files under out, the
// stand-in's containers and an empty call log under state.
func e2eContainersAt(t *testing.T, state, out string, files, containers map[string]string) {
	t.Helper()
	parity.WriteTree(t, out, files)
	parity.WriteTree(t, filepath.Join(state, "containers"), containers)
	parity.WriteTree(t, state, map[string]string{"calls": ""})
}

// policy is the container's restart policy, "no" when none was set, as
// docker reports it.
func (d *e2eDockerDaemon) policy(name string) string {
	if lines := d.lines(filepath.Join("restart", name)); len(lines) == 1 {
		return lines[0]
	}
	return "no"
}

// restartPolicy is a creation's or an update's HostConfig.RestartPolicy
// name ("" for none); a MaximumRetryCount fails the test: the module sends
// null without restart_retries (docker_api.py:1148-1166), which
// straylight leaves to Ansible.
func (d *e2eDockerDaemon) restartPolicy(hostConfig any) string {
	host, _ := hostConfig.(map[string]any)
	policy, _ := host["RestartPolicy"].(map[string]any)
	if policy == nil {
		return ""
	}
	if policy["MaximumRetryCount"] != nil {
		d.t.Errorf("docker daemon stand-in: restart policy %v is not modelled", policy)
	}
	name, _ := policy["Name"].(string)
	return name
}

// update sets the container's restart policy, the only update the
// module's tasks here ask for (docker_api.py:324-326, :1160-1166): its
// body holds RestartPolicy alone, anything else fails the test.
func (d *e2eDockerDaemon) update(w http.ResponseWriter, r *http.Request, ref string) {
	var body map[string]any
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil || len(body) != 1 || body["RestartPolicy"] == nil {
		d.t.Errorf("docker daemon stand-in: update with %v is not modelled (%v)", body, err)
	}
	policy := d.restartPolicy(body)
	d.log("api POST " + r.URL.RequestURI() + " " + policy)
	name, c := d.read(ref)
	if c == nil {
		e2eDockerJSON(w, http.StatusNotFound, map[string]string{"message": "No such container: " + ref})
		return
	}
	d.writeLines(filepath.Join("restart", name), []string{policy})
	e2eDockerJSON(w, http.StatusOK, map[string]any{"Warnings": []string{}})
}
