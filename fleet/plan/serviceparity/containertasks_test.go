package serviceparity_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	fleetplan "github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/internal/parity"
)

// Parity of plain podman_container and docker_container tasks without
// image with the real modules (containers.podman 1.16.2, community.docker
// 3.13.3) against the stand-ins of podman_test.go and
// dockercontainer_test.go: the modules decide from the container's state
// (in check mode too); straylight's plan asks the engine whether the
// container exists and runs (fleet/filemod/container.go decides), and its
// apply runs the handler's line for a task that changes.

// e2ePodmanTaskCases: started with and without restart on running and
// stopped containers (the module starts or restarts either way: always
// changed), stopped on both, absent on a running and on a missing one.
// With image (e2ePodmanImages: the host has vllm/vllm-openai:0 and :1, the
// registry :1 and :2): a container made as the task would make it, env
// and command (ok),
// one of an older image name (recreated), one of an earlier image under
// the same name (ok: the module compares names), recreate: true on a
// stopped one, a missing container (run with env and command; created
// for present, with pull), an image the host lacks (pulled, then run),
// absent on a running container, restart on one of an older image
// (restarted, not compared), env changed (recreated), a container made
// with an option the task does not give (recreated).
var e2ePodmanTaskCases = []e2ePodmanCase{
	{name: "startrun", args: "", start: "running"},
	{name: "startidle", args: ", state: started", start: "exited"},
	{name: "restartrun", args: ", restart: true", start: "running"},
	{name: "stoprun", args: ", state: stopped", start: "running"},
	{name: "stopidle", args: ", state: stopped", start: "exited"},
	{name: "absentrun", args: ", state: absent", start: "running"},
	{name: "absentnone", args: ", state: absent", start: ""},
	{name: "imgsame", args: ", image: vllm/vllm-openai:1, env: {MODEL: qwen}, command: [--port, 8000]", start: "running", image: "1", env: "MODEL=qwen", cmd: "--port 8000"},
	{name: "imgold", args: ", image: vllm/vllm-openai:1", start: "running", image: "0"},
	{name: "imgrepulled", args: ", image: vllm/vllm-openai:1", start: "running", image: "1old"},
	{name: "imgrecreate", args: ", image: vllm/vllm-openai:1, recreate: true", start: "exited", image: "1"},
	{name: "imgnew", args: `, image: vllm/vllm-openai:1, env: {MODEL: qwen}, command: "--port 8000"`, start: ""},
	{name: "imgpull", args: ", image: vllm/vllm-openai:2", start: ""},
	{name: "imgpresent", args: ", image: vllm/vllm-openai:1, state: present, pull: missing", start: ""},
	{name: "imgabsent", args: ", image: vllm/vllm-openai:1, state: absent", start: "running", image: "1"},
	{name: "imgrestart", args: ", image: vllm/vllm-openai:1, restart: true", start: "running", image: "0"},
	{name: "imgenv", args: ", image: vllm/vllm-openai:1, env: {MODEL: llama}", start: "running", image: "1", env: "MODEL=qwen"},
	{name: "imgopts", args: ", image: vllm/vllm-openai:1", start: "running", image: "1", opts: "--memory 1g"},
}

// e2eDockerTaskCases: started with restart on running and stopped
// containers (restart, or start), started without on both (ok, or start),
// stopped on both; on containers holding their own value of their image's
// PATH (e2eDockerPathOverride), started, restarted and stopped (each
// recreated from its image, without its other variables, then started or
// left stopped); recreate: true without image on a running container
// holding one more variable (recreated from its image with the task's
// options only, then started; recreated again on every run). With image (e2eDockerImages: the host has
// vllm/vllm-openai:0 and :1, the registry :1 and :2): a container of the
// image (ok; restart with stop_timeout), one of an older image
// (recreated and started), recreate: true on a stopped one, a missing
// container (created and started; created only for present, pull never),
// stopped with force_kill on a container of an older image (killed,
// removed, created), absent with image on a running container and without
// on a missing one, and an image the host lacks (a pull; then recreated);
// with env: a container holding it and more (ok), one holding another
// value (recreated), one lacking the image's PATH (recreated); with
// command (a string, a list): the container's (ok), another (recreated);
// with published_ports, volumes and restart_policy: the container's and
// more ports and binds (ok: compared allow_more_present), "8000:8000"
// (through the alias ports) on a container bound as `docker run -p
// 8000:8000` binds it, with an empty address where the module expects
// 0.0.0.0 (recreated), a volume added beside another restart policy
// (recreated with it, not updated), another policy on a stopped container
// (updated in place, then started), `no` (a YAML false) on a running
// container with state stopped (updated, then stopped).
var e2eDockerTaskCases = []e2ePodmanCase{
	{name: "restartrun", args: ", state: started, restart: true", start: "running"},
	{name: "restartidle", args: `, restart: "yes"`, start: "exited"},
	{name: "startrun", args: "", start: "running"},
	{name: "startidle", args: ", state: started", start: "exited"},
	{name: "stoprun", args: ", state: stopped", start: "running"},
	{name: "stopidle", args: ", state: stopped", start: "exited"},
	{name: "ovstart", args: "", start: "running", env: e2eDockerPathOverride},
	{name: "ovrestart", args: ", restart: true", start: "exited", env: e2eDockerPathOverride + ",MODEL=qwen"},
	{name: "ovstop", args: ", state: stopped", start: "running", env: e2eDockerPathOverride},
	{name: "ovrecreate", args: ", recreate: true", start: "running", env: e2eDockerPath + ",MODEL=qwen"},
	{name: "imgsame", args: ", image: vllm/vllm-openai:1", start: "running", image: "1"},
	{name: "imgrestart", args: ", image: vllm/vllm-openai:1, restart: true, stop_timeout: 30", start: "running", image: "1"},
	{name: "imgold", args: ", image: vllm/vllm-openai:1", start: "running", image: "0"},
	{name: "imgrecreate", args: ", image: vllm/vllm-openai:1, state: started, recreate: true", start: "exited", image: "1"},
	{name: "imgnew", args: ", image: vllm/vllm-openai:1", start: ""},
	{name: "imgpresent", args: ", image: vllm/vllm-openai:1, state: present, pull: never", start: ""},
	{name: "imgkill", args: ", image: vllm/vllm-openai:1, state: stopped, force_kill: true", start: "running", image: "0"},
	{name: "imgabsent", args: ", image: vllm/vllm-openai:1, state: absent", start: "running", image: "1"},
	{name: "imgabsentnone", args: ", state: absent", start: ""},
	{name: "imgpull", args: ", image: vllm/vllm-openai:2", start: "running", image: "1"},
	{name: "envsame", args: ", image: vllm/vllm-openai:1, env: {MODEL: qwen}", start: "running", env: e2eDockerPath + ",MODEL=qwen,HOSTNAME=c1"},
	{name: "envchanged", args: ", image: vllm/vllm-openai:1, env: {MODEL: llama}", start: "running", env: e2eDockerPath + ",MODEL=qwen"},
	{name: "envimage", args: ", image: vllm/vllm-openai:1, env: {MODEL: qwen}", start: "running", env: "MODEL=qwen"},
	{name: "cmdsame", args: `, image: vllm/vllm-openai:1, command: "--model qwen --port 8000"`, start: "running", cmd: `["--model","qwen","--port","8000"]`},
	{name: "cmdchanged", args: ", image: vllm/vllm-openai:1, command: [--model, llama, --port, 8000]", start: "running", cmd: `["--model","qwen","--port","8000"]`},
	{name: "pubsame", args: `, image: vllm/vllm-openai:1, published_ports: ["8000:8000", "127.0.0.1:9000:9000"], volumes: ["/srv/models:/models:ro"], restart_policy: unless-stopped`,
		start: "running", ports: "8000/tcp 0.0.0.0 8000,9000/tcp 127.0.0.1 9000,9001/udp 127.0.0.1 9001", binds: "/srv/models:/models:ro,/srv/cache:/root/.cache:rw", policy: "unless-stopped"},
	{name: "pubdefault", args: `, image: vllm/vllm-openai:1, ports: ["8000:8000"]`, start: "running", ports: "8000/tcp - 8000"},
	{name: "voladded", args: `, image: vllm/vllm-openai:1, volumes: ["/srv/models:/models", "/srv/cache:/root/.cache:ro"], restart_policy: always`, start: "running", binds: "/srv/models:/models:rw"},
	{name: "rpupdate", args: ", image: vllm/vllm-openai:1, restart_policy: always", start: "exited"},
	{name: "rpno", args: ", image: vllm/vllm-openai:1, state: stopped, restart_policy: no", start: "running", policy: "always"},
}

// e2eContainerTaskModules are the modules compared, with their task cases.
var e2eContainerTaskModules = []e2eContainerModule{
	{module: "containers.podman.podman_container", engine: "podman", cases: e2ePodmanTaskCases},
	{module: "community.docker.docker_container", engine: "docker", cases: e2eDockerTaskCases},
}

// e2eContainerTasksPlaybook: each case's task notifies a handler that
// notes the case in out/notified, in the handlers' order.
func e2eContainerTasksPlaybook() string {
	var b strings.Builder
	b.WriteString("- name: Container tasks\n  hosts: c1\n  gather_facts: false\n  tasks:\n")
	for _, m := range e2eContainerTaskModules {
		for _, c := range m.cases {
			fmt.Fprintf(&b, "    - name: %s %s\n      %s: {name: \"{{ prefix }}%s\"%s}\n      notify: notified %s %s\n", m.engine, c.name, m.module, c.name, c.args, m.engine, c.name)
		}
	}
	b.WriteString("  handlers:\n")
	for _, m := range e2eContainerTaskModules {
		for _, c := range m.cases {
			fmt.Fprintf(&b, "    - name: notified %s %s\n      shell: echo %s %s >> {{ out }}/notified\n", m.engine, c.name, m.engine, c.name)
		}
	}
	return b.String()
}

// TestE2EContainerTasksParityWithModules: for every plain podman_container
// and docker_container task, straylight's plan says changed exactly where
// ansible-playbook --check --diff does (and neither acts on a container;
// podman_container pulls a missing image even in check mode);
// ansible-playbook and straylight --apply, from the same starting
// containers, ask the engines for the same actions in the same order,
// leave the same containers and images and notify the same handlers;
// after them, straylight's plan says ok for every task but podman's
// started without image (which the module always starts or restarts,
// podman_container_lib.py:1781-1797) or with restart or recreate, and
// docker's started with restart (module.py:382-385) or with recreate:
// true (module.py:349). Against both ansible-cores.
func TestE2EContainerTasksParityWithModules(t *testing.T) {
	collections := e2ePodmanCollection(t) + string(os.PathListSeparator) + e2eDockerContainerCollection(t)
	parity.EachCoreInTurn(t, func(t *testing.T, o parity.Oracle, bin, dir, root, out string) {
		podman, docker := e2ePodmanInstallStub(t, dir), e2eDockerInstall(t, dir)
		parity.WriteTree(t, root, e2ePodmanRepo(out, e2eContainerTasksPlaybook(), "c1"))
		snapshot := func() string {
			return e2ePodmanSnapshot(t, podman) + e2eDockerContainerSnapshot(t, docker) + e2eNotified(t, out)
		}
		before := e2eContainerTasksStart(t, podman, docker, out, snapshot)
		plan := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
		e2eContainerTasksPlanned(t, plan)
		e2eTasksChanged(t, o, plan, "podman startrun", "podman startidle", "podman restartrun", "podman stoprun", "podman absentrun",
			"podman imgold", "podman imgrecreate", "podman imgnew", "podman imgpull", "podman imgpresent", "podman imgabsent", "podman imgrestart",
			"podman imgenv", "podman imgopts",
			"docker restartrun", "docker restartidle", "docker startidle", "docker stoprun", "docker ovstart", "docker ovrestart", "docker ovstop",
			"docker ovrecreate", "docker imgrestart", "docker imgold",
			"docker imgrecreate", "docker imgnew", "docker imgpresent", "docker imgkill", "docker imgabsent", "docker imgpull",
			"docker envchanged", "docker envimage", "docker cmdchanged", "docker pubdefault", "docker voladded", "docker rpupdate", "docker rpno")
		e2eContainerTasksCheck(t, o, plan, e2eContainerTasksAnsible(t, o, dir, root, collections, "--check", "--diff"))
		e2eCheckPulledOnly(t, o, before, snapshot())
		e2eContainerTasksStart(t, podman, docker, out, snapshot)
		e2eContainerTasksAnsible(t, o, dir, root, collections)
		byAnsible := snapshot()
		e2eContainerTasksStart(t, podman, docker, out, snapshot)
		parity.Apply(t, bin, root, o)
		if got := snapshot(); bin != "" && got != byAnsible {
			t.Errorf("%s: after straylight --apply (-) and ansible-playbook (+):\n%s", e2eContainerVersions(o), parity.LineDiff(got, byAnsible))
		}
		after := parity.Plan(t, parity.OpenCore(t, root, "", o.Version))
		e2eContainerTasksPlanned(t, after)
		e2eTasksChanged(t, o, after, "podman startrun", "podman startidle", "podman restartrun", "podman imgrecreate", "podman imgrestart", "docker restartrun", "docker restartidle",
			"docker ovrestart", "docker ovrecreate", "docker imgrestart", "docker imgrecreate")
		t.Logf("%s:\n%s", e2eContainerVersions(o), byAnsible)
	})
}

// e2eContainerTasksStart writes every case's container, an empty
// out/notified and empty call logs, and returns the snapshot of it.
func e2eContainerTasksStart(t *testing.T, podman, docker, out string, snapshot func() string) string {
	t.Helper()
	for _, p := range []string{out, podman + "/containers", docker + "/containers"} {
		if err := os.RemoveAll(p); err != nil {
			t.Fatal(err)
		}
	}
	podmans := map[string]string{}
	for _, c := range e2ePodmanTaskCases {
		if c.start != "" {
			podmans["vllm-"+c.name] = c.start + " 0 0 0\n"
		}
	}
	e2eContainersAt(t, podman, out, map[string]string{"notified": ""}, podmans)
	e2ePodmanImagesAt(t, podman, e2ePodmanTaskCases)
	e2eContainersAt(t, docker, out, map[string]string{"notified": ""}, e2eDockerContainers(e2eDockerTaskCases))
	e2eDockerImagesAt(t, docker)
	e2eDockerEnvAt(t, docker, e2eDockerTaskCases)
	return snapshot()
}

// e2eContainerTasksPlanned: every task is planned natively.
func e2eContainerTasksPlanned(t *testing.T, p *fleetplan.Plan) {
	t.Helper()
	h := p.Host("c1")
	if h == nil {
		t.Fatal("no plan of c1")
	}
	n := len(e2ePodmanTaskCases) + len(e2eDockerTaskCases)
	if len(h.Unsupported) > 0 || len(h.ViaAnsible) > 0 || len(h.Files) != n {
		t.Fatalf("plan of c1: %d tasks, unsupported %+v, via ansible %+v; want %d", len(h.Files), h.Unsupported, h.ViaAnsible, n)
	}
}

// e2eContainerTasksCheck: the plan changes what ansible-playbook reports
// changed, task by task, and every task ran.
func e2eContainerTasksCheck(t *testing.T, o parity.Oracle, p *fleetplan.Plan, log string) {
	t.Helper()
	status := parity.TaskStatus(log)["c1"]
	for _, m := range e2eContainerTaskModules {
		for _, c := range m.cases {
			task := m.engine + " " + c.name
			if _, ran := status[task]; !ran {
				t.Errorf("%s: ansible-playbook did not report %q:\n%s", e2eContainerVersions(o), task, log)
			}
			if planned := e2ePlannedChange(p.Host("c1"), task); planned != status[task] {
				t.Errorf("%s: %q: ansible-playbook says changed %v, straylight's plan %v", e2eContainerVersions(o), task, status[task], planned)
			}
		}
	}
}

// e2eContainerTasksAnsible runs ansible-playbook with args and returns
// what it printed; it fails the test when the playbook fails.
func e2eContainerTasksAnsible(t *testing.T, o parity.Oracle, dir, root, collections string, args ...string) string {
	t.Helper()
	log, err := e2eContainersAnsible(t, o, dir, root, collections, args...)
	if err != nil {
		t.Fatalf("%s: ansible-playbook %v: %v\n%s", e2eContainerVersions(o), args, err, log)
	}
	return log
}

// e2ePodmanCheckPull is what podman_container does in check mode: it
// pulls a missing image (containers.podman 1.16.2
// podman_container_lib.py:1515-1547 runs whatever the mode), which
// straylight's plan does not.
const e2ePodmanCheckPull = "vllm/vllm-openai:2"

// e2eCheckPulledOnly: ansible-playbook --check acted on no container; the
// one thing it changed is podman's pull of the image the host lacked.
func e2eCheckPulledOnly(t *testing.T, o parity.Oracle, before, now string) {
	t.Helper()
	if !strings.Contains(now, "podman image pull "+e2ePodmanCheckPull+"\n") {
		t.Errorf("%s: podman_container --check did not pull %s:\n%s", e2eContainerVersions(o), e2ePodmanCheckPull, now)
	}
	without := func(s string) string {
		var b strings.Builder
		for _, line := range strings.SplitAfter(s, "\n") {
			if !strings.Contains(line, e2ePodmanCheckPull) {
				b.WriteString(line)
			}
		}
		return b.String()
	}
	if without(now) != without(before) {
		t.Errorf("%s: a check acted on containers (-) before, (+) after:\n%s", e2eContainerVersions(o), parity.LineDiff(before, now))
	}
}
