package serviceparity_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
// stops restarts") and log what they are asked to STATE/calls: the daemon
// "api METHOD PATH?QUERY", the CLI "docker ARGS". Every handler names an
// existing container without image.

// e2eDockerCLIStub is the docker CLI stand-in: what straylight's
// docker_container lines run. It fails unless --host names the daemon
// stand-in, DOCKER_HOST, the daemon the module talks to. `container inspect --format
// '{{.State.Running}}' NAME` prints true or false; start, stop and restart
// [-t N] act as Docker's do (start of a running container and stop of a
// stopped one change nothing; restart starts a stopped one); a missing
// container fails with the daemon's message.
const e2eDockerCLIStub = `#!/bin/sh
S=@STATE@
{ printf 'docker'; printf ' %s' "$@"; echo; } >> "$S/calls"
fail() { echo "$*" >&2; exit 1; }
[ "$1 $2" = "--host @HOST@" ] || fail "docker stand-in: not the daemon the module talks to: $*"
shift 2
verb=$1; shift
case "$verb" in
container)
	[ "$1 $2 $3" = "inspect --format {{.State.Running}}" ] || fail "docker stand-in: container $* is not modelled"
	verb=running; shift 3 ;;
restart) if [ "$1" = -t ]; then shift 2; fi ;;
start | stop) ;;
*) fail "docker stand-in: $verb is not modelled" ;;
esac
[ $# -eq 1 ] || fail "docker stand-in: one container name, got: $*"
name=$1 f=$S/containers/$1
[ -f "$f" ] || fail "Error response from daemon: No such container: $name"
read -r status starts stops restarts < "$f"
put() { echo "$1 $2 $3 $4" > "$f"; }
case "$verb" in
running) if [ "$status" = running ]; then echo true; else echo false; fi ;;
start) [ "$status" = running ] || put running $((starts + 1)) "$stops" "$restarts"; echo "$name" ;;
stop) [ "$status" != running ] || put exited "$starts" $((stops + 1)) "$restarts"; echo "$name" ;;
restart) put running "$starts" "$stops" $((restarts + 1)); echo "$name" ;;
esac
`

// e2eDockerDaemon is the Engine API stand-in: the requests
// community.docker 3.13.3's docker_container makes for a container named
// without image, found by logging them.
//   - GET /version: the client's API version check
//     (plugins/module_utils/common_api.py, AnsibleDockerClientBase);
//   - GET /containers/json?all=1: get_container (common_api.py:245-275)
//     finds the container by its Names, then GET /containers/ID/json
//     inspects it (Id, Image, State.Running/Paused/Status read by
//     module_container/docker_api.py and module.py:25-54);
//   - GET /images/ID/json: the container's image (module.py _get_image,
//     no image given: the container's own);
//   - POST /containers/ID/start|stop|restart: the actions (docker_api.py
//     start_container, stop_container, restart_container with t).
type e2eDockerDaemon struct {
	t     *testing.T
	state string
}

// e2eDockerImage is every container's image ID, as the daemon reports it.
const e2eDockerImage = "sha256:abababababababababababababababababababababababababababababababab"

// e2eDockerAPIVersion strips the /v1.NN prefix of a versioned path.
var e2eDockerAPIVersion = regexp.MustCompile(`^/v[0-9]+\.[0-9]+`)

func (d *e2eDockerDaemon) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d.log("api " + r.Method + " " + r.URL.RequestURI())
	parts := strings.Split(strings.Trim(e2eDockerAPIVersion.ReplaceAllString(r.URL.Path, ""), "/"), "/")
	switch {
	case r.Method == http.MethodGet && slices.Equal(parts, []string{"version"}):
		e2eDockerJSON(w, http.StatusOK, map[string]string{"Version": "27.3.1", "ApiVersion": "1.47", "MinAPIVersion": "1.24", "Os": "linux", "Arch": "amd64"})
	case r.Method == http.MethodGet && slices.Equal(parts, []string{"_ping"}):
		io.WriteString(w, "OK")
	case r.Method == http.MethodGet && slices.Equal(parts, []string{"containers", "json"}):
		e2eDockerJSON(w, http.StatusOK, d.list())
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "containers" && parts[2] == "json":
		d.inspect(w, parts[1])
	case r.Method == http.MethodGet && len(parts) == 3 && parts[0] == "images" && parts[2] == "json":
		e2eDockerJSON(w, http.StatusOK, map[string]any{"Id": e2eDockerImage, "RepoTags": []string{"vllm/vllm-openai:1"}, "Config": map[string]any{}})
	case r.Method == http.MethodPost && len(parts) == 3 && parts[0] == "containers":
		d.act(w, parts[1], parts[2])
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

// read is the container's fields (status starts stops restarts), by name
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
		return name, strings.Fields(string(data))
	}
	return "", nil
}

func (d *e2eDockerDaemon) list() []map[string]any {
	var out []map[string]any
	names, _ := filepath.Glob(filepath.Join(d.state, "containers", "*"))
	for _, path := range names {
		name := filepath.Base(path)
		_, c := d.read(name)
		out = append(out, map[string]any{"Id": e2eDockerID(name), "Names": []string{"/" + name}, "Image": "vllm/vllm-openai:1", "ImageID": e2eDockerImage, "State": c[0]})
	}
	return out
}

func (d *e2eDockerDaemon) inspect(w http.ResponseWriter, ref string) {
	name, c := d.read(ref)
	if c == nil {
		e2eDockerJSON(w, http.StatusNotFound, map[string]string{"message": "No such container: " + ref})
		return
	}
	e2eDockerJSON(w, http.StatusOK, map[string]any{"Id": e2eDockerID(name), "Name": "/" + name, "Image": e2eDockerImage,
		"State":      map[string]any{"Status": c[0], "Running": c[0] == "running", "Paused": false, "Restarting": false, "Dead": false},
		"Config":     map[string]any{"Image": "vllm/vllm-openai:1"},
		"HostConfig": map[string]any{}, "NetworkSettings": map[string]any{"Networks": map[string]any{}}})
}

// act starts, stops or restarts the container as the daemon does: 304 for
// a start of a running or a stop of a stopped container.
func (d *e2eDockerDaemon) act(w http.ResponseWriter, ref, action string) {
	name, c := d.read(ref)
	if c == nil || len(c) != 4 || !slices.Contains([]string{"start", "stop", "restart"}, action) {
		d.t.Errorf("docker daemon stand-in: %s of %q is not modelled", action, ref)
		e2eDockerJSON(w, http.StatusNotFound, map[string]string{"message": "No such container: " + ref})
		return
	}
	i, status := map[string]int{"start": 1, "stop": 2, "restart": 3}[action], map[string]string{"start": "running", "stop": "exited", "restart": "running"}[action]
	if action != "restart" && (c[0] == "running") == (action == "start") {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	var n int
	fmt.Sscan(c[i], &n)
	c[0], c[i] = status, fmt.Sprint(n+1)
	if err := os.WriteFile(filepath.Join(d.state, "containers", name), []byte(strings.Join(c, " ")+"\n"), 0o644); err != nil {
		d.t.Error(err)
	}
	w.WriteHeader(http.StatusNoContent)
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
// stopped containers (state left to its default, a string boolean),
// stopped on both (restart ignored, as the module ignores it).
var e2eDockerContainerCases = []e2ePodmanCase{
	{name: "restartrun", args: ", state: started, restart: true", start: "running"},
	{name: "restartstop", args: `, restart: "yes"`, start: "exited"},
	{name: "startrun", args: "", start: "running"},
	{name: "startstop", args: ", state: started", start: "exited"},
	{name: "stoprun", args: ", state: stopped", start: "running"},
	{name: "stopidle", args: ", state: stopped", start: "exited"},
	{name: "stoprestart", args: ", state: stopped, restart: true", start: "running"},
}

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
// its container, and clears the log.
func e2eDockerContainerStart(t *testing.T, state, out string) {
	t.Helper()
	if err := os.RemoveAll(filepath.Join(state, "containers")); err != nil {
		t.Fatal(err)
	}
	files, containers := map[string]string{}, map[string]string{}
	for _, c := range e2eDockerContainerCases {
		files["docker-"+c.name+".conf"] = "tag = 1\n"
		containers["vllm-"+c.name] = c.start + " 0 0 0\n"
	}
	e2eContainersAt(t, state, out, files, containers)
}

// e2eDockerContainerSnapshot is every container's line ("docker NAME:
// ...") and the actions either stand-in was asked for, in order, in one form: "start NAME",
// "stop NAME", "restart NAME t=N" (the API's t parameter, the CLI's -t).
func e2eDockerContainerSnapshot(t *testing.T, state string) string {
	t.Helper()
	var b strings.Builder
	containers := e2eContainerLines(t, &b, state, "docker")
	calls, err := os.ReadFile(filepath.Join(state, "calls"))
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]string{}
	for _, c := range containers {
		ids[e2eDockerID(filepath.Base(c))] = filepath.Base(c)
	}
	for _, call := range strings.Split(strings.TrimSpace(string(calls)), "\n") {
		if action := e2eDockerAction(strings.Fields(call), ids); action != "" {
			b.WriteString(action + "\n")
		}
	}
	return b.String()
}

// e2eDockerAction is a logged call's action, or "" for one that only
// reads. The CLI's --host is left out: the stand-in refuses any other than
// the daemon's.
func e2eDockerAction(w []string, ids map[string]string) string {
	if len(w) > 3 && w[0] == "docker" && w[1] == "--host" {
		w = append([]string{"docker"}, w[3:]...)
	}
	switch {
	case len(w) == 3 && w[0] == "api" && w[1] == http.MethodPost:
		u, err := url.Parse(w[2])
		parts := strings.Split(strings.Trim(e2eDockerAPIVersion.ReplaceAllString(u.Path, ""), "/"), "/")
		if err != nil || len(parts) != 3 {
			return "api " + w[2]
		}
		return e2eDockerActionLine(parts[2], ids[parts[1]], u.Query().Get("t"))
	case len(w) == 3 && w[0] == "docker" && slices.Contains([]string{"start", "stop", "restart"}, w[1]):
		return e2eDockerActionLine(w[1], w[2], "")
	case len(w) == 5 && w[0] == "docker" && w[1] == "restart" && w[2] == "-t":
		return e2eDockerActionLine(w[1], w[4], w[3])
	case len(w) > 1 && w[0] == "docker" && w[1] != "container":
		return strings.Join(w, " ") // not an action modelled: shown as it is
	}
	return ""
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
