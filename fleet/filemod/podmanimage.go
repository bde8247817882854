package filemod

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/internal/shquote"
)

// PodmanContainer is a podman_container task with image, run with the
// podman CLI lines containers.podman 1.16.2's module runs. All citations
// are that collection's plugins/module_utils/podman/podman_container_lib.py
// (lib) and common.py.
//
// lib:1735-1737 and :1515-1547 ensure_image_exists: whatever the state
// (absent too) and whatever pull says, `podman image exists IMAGE` and,
// when it fails, `podman image pull IMAGE`; the module runs both in check
// mode too, and a pull alone changes nothing. Then the container is
// inspected (lib:1608-1613) and the state decides (lib:1781-1909, see
// decidePodmanImage); the comparison (Differences) is PodmanContainerDiff
// (lib:900-1512). A missing container is run (started: `podman container
// run --name NAME [--env K=V]... [--pull=P] --detach=True IMAGE [CMD]...`,
// lib:259-283 with :465-470, :721-722 and :416-420: the task's options in
// the task's order, then detach, a default, after them) or created
// (present, stopped: the same without --detach, which create leaves out).
type PodmanContainer struct {
	Name  string `json:"name"`
	Image string `json:"image"`
	State string `json:"state"`          // started, present, stopped, absent
	Pull  string `json:"pull,omitempty"` // always, missing, never, newer; "" when not given
	// Env is env as "KEY=VALUE" sorted by key, each as the module writes
	// it; nil when not given. Its values may be secrets: never serialized.
	Env []string `json:"-"`
	// Command is command's words (a string split on white space, as the
	// module creates it, lib:279-282); nil when not given. Never
	// serialized: it may hold secrets.
	Command           []string `json:"-"`
	Restart, Recreate bool
}

// ErrUndecidable marks a task whose outcome the probe's answer cannot
// tell: Ansible runs it.
var ErrUndecidable = errors.New("straylight cannot decide this task before the run; Ansible runs it")

// Probe prints what the module reads, in sections: "== image" and the
// image's inspection (or "== image missing"), "== container" and the
// container's (or "== container missing"), "== version" and podman's
// version. It runs the module's own read commands and changes nothing.
func (pc PodmanContainer) Probe() string {
	return "(if podman image exists " + pc.Image + "; then echo '== image'; podman image inspect " + pc.Image + " || exit; else echo '== image missing'; fi; " +
		"podman container exists " + pc.Name + "; rc=$?; if [ $rc -eq 0 ]; then echo '== container'; podman container inspect " + pc.Name + " || exit; " +
		"elif [ $rc -eq 1 ]; then echo '== container missing'; else exit $rc; fi; echo '== version'; podman --version)"
}

// podmanInfo is what the module reads of a container's inspection
// (lower_keys, common.py:252-258, makes its keys case-blind).
type podmanInfo struct {
	ID, Image, Rootfs string
	State             struct{ Running bool }
	Config            podmanConfig
	HostConfig        struct {
		AutoRemove bool
		ExtraHosts []string
	}
}

// podmanImage is what the module reads of the image's inspection.
type podmanImage struct {
	ID     string
	Labels map[string]string
}

// podmanProbe is the probe's answer: nil for a missing image or container.
type podmanProbe struct {
	image     *podmanImage
	container *podmanInfo
	version   string
}

func parsePodmanProbe(stdout string) (podmanProbe, error) {
	var p podmanProbe
	sections := map[string]*strings.Builder{}
	var cur *strings.Builder
	for _, line := range strings.SplitAfter(stdout, "\n") {
		if name, ok := strings.CutPrefix(strings.TrimSpace(line), "== "); ok {
			cur = &strings.Builder{}
			sections[name] = cur
			continue
		}
		if cur == nil && strings.TrimSpace(line) != "" {
			return p, fmt.Errorf("the probe's answer %q is outside its sections", strings.TrimSpace(line))
		}
		if cur != nil {
			cur.WriteString(line)
		}
	}
	return p, p.fill(sections)
}

func (p *podmanProbe) fill(sections map[string]*strings.Builder) error {
	for _, want := range []string{"image", "container", "version"} {
		if sections[want] == nil && sections[want+" missing"] == nil {
			return fmt.Errorf("the probe's answer has no %s section", want)
		}
	}
	if s := sections["image"]; s != nil {
		p.image = &podmanImage{}
		if err := firstInspected(s.String(), p.image); err != nil {
			return fmt.Errorf("the image's inspection: %w", err)
		}
	}
	if s := sections["container"]; s != nil {
		p.container = &podmanInfo{}
		if err := firstInspected(s.String(), p.container); err != nil {
			return fmt.Errorf("the container's inspection: %w", err)
		}
	}
	if s := sections["version"]; s != nil {
		_, p.version, _ = strings.Cut(s.String(), "version")
		p.version = strings.TrimSpace(p.version)
	}
	return nil
}

// firstInspected reads the first element of an inspection's JSON list,
// as the module does (json.loads(out)[0], lib:1612, :1623). Go's JSON
// matches keys without regard to case, as lower_keys makes the module.
func firstInspected(text string, v any) error {
	var list []json.RawMessage
	if err := json.Unmarshal([]byte(text), &list); err != nil {
		return err
	}
	if len(list) == 0 {
		return fmt.Errorf("an empty list")
	}
	return json.Unmarshal(list[0], v)
}

// decidePodmanImage decides a task with image as the module's states do
// (check mode runs the same decisions): absent removes an existing
// container (lib:1896-1909); started (lib:1781-1840) starts or restarts
// an existing container with force_restart without comparing it
// (:1797-1807), else
// recreates one that differs (or with recreate; stopped first when it
// runs, removed unless it removes itself, then run), leaves a running one
// that does not, runs a missing one and starts a stopped one; present
// (lib:1842-1875) creates a missing container, recreates one that
// differs and starts it again when it ran, else starts or restarts with
// force_restart; stopped (lib:1877-1894) creates a missing container and
// stops a running one, never comparing. A missing image is pulled first:
// what the pulled image is decides the comparison, which straylight
// cannot know before (ErrUndecidable).
func (ct ContainerTask) decidePodmanImage(code int, stdout, stderr string) (ContainerResult, error) {
	p, err := parsePodmanProbe(stdout)
	switch {
	case code != 0:
		return ContainerResult{}, fmt.Errorf("container %s: %s", ct.Target, firstLine(stderr, stdout))
	case err != nil:
		return ContainerResult{}, fmt.Errorf("container %s: %w", ct.Target, err)
	case strings.HasPrefix(p.version, "1.8."):
		return ContainerResult{}, fmt.Errorf("podman %s: the module then expects cpu_shares 1024 of every container (lib:889-897), which straylight does not model: %w", p.version, ErrUndecidable)
	}
	return ct.Podman.decide(p)
}

func (pc PodmanContainer) decide(p podmanProbe) (ContainerResult, error) {
	c := p.container
	switch {
	case pc.State == "absent" && c == nil:
		return pc.done(p, "no container to remove")
	case pc.State == "absent":
		return pc.act(p, "remove the container", "podman container rm --force "+pc.Name)
	case c == nil:
		return pc.create(p)
	case pc.State == "stopped" && c.State.Running:
		return pc.act(p, "stop the running container", "podman container stop "+pc.Name)
	case pc.State == "stopped":
		return pc.done(p, "already stopped")
	case pc.State == "started" && pc.Restart:
		return pc.startOrRestart(p)
	case p.image == nil:
		return ContainerResult{}, fmt.Errorf("image %s is not on the host: the module pulls it (in check mode too) and compares the container with what it pulled: %w", pc.Image, ErrUndecidable)
	}
	return pc.compared(p, pc.Differences(*p.image, *c))
}

// compared decides started and present for an existing container from
// its differences.
func (pc PodmanContainer) compared(p podmanProbe, diffs []string) (ContainerResult, error) {
	running := p.container.State.Running
	switch {
	case len(diffs) > 0 || pc.Recreate:
		return pc.act(p, "recreate the container"+pc.because(diffs), pc.recreate(running)...)
	case pc.State == "present" && pc.Restart:
		return pc.startOrRestart(p)
	case pc.State == "present":
		return pc.done(p, "the container exists as the task describes it")
	case running:
		return pc.done(p, "already running as the task describes it")
	}
	return pc.act(p, "start the container", "podman container start "+pc.Name)
}

func (pc PodmanContainer) startOrRestart(p podmanProbe) (ContainerResult, error) {
	if p.container.State.Running {
		return pc.act(p, "restart the container", "podman container restart "+pc.Name)
	}
	return pc.act(p, "start the container", "podman container start "+pc.Name)
}

// create runs (started) or creates (present, stopped) a missing
// container.
func (pc PodmanContainer) create(p podmanProbe) (ContainerResult, error) {
	if pc.State == "started" {
		return pc.act(p, "run the container from "+pc.Image, pc.createLine("run"))
	}
	return pc.act(p, "create the container from "+pc.Image, pc.createLine("create"))
}

// recreate: started stops a running container, removes it (unless it
// removes itself, HostConfig.AutoRemove, lib:1700-1706) and runs it
// again; present creates it and starts it again when it ran
// (lib:1692-1698, :1853-1860: the module reads the container's state from
// before).
func (pc PodmanContainer) recreate(running bool) []string {
	var lines []string
	if running {
		lines = append(lines, "podman container stop "+pc.Name)
	}
	lines = append(lines, `{ [ "$autoremove" = true ] || podman container rm --force `+pc.Name+"; }")
	if pc.State == "started" {
		return append(lines, pc.createLine("run"))
	}
	lines = append(lines, pc.createLine("create"))
	if running {
		lines = append(lines, "podman container start "+pc.Name)
	}
	return lines
}

// createLine is `podman container run` or `create` with the task's
// options (lib:259-283).
func (pc PodmanContainer) createLine(verb string) string {
	var b strings.Builder
	b.WriteString("podman container " + verb + " --name " + pc.Name)
	for _, kv := range pc.Env {
		b.WriteString(" --env " + shquote.Always(kv))
	}
	if pc.Pull != "" {
		b.WriteString(" --pull=" + pc.Pull)
	}
	if verb == "run" {
		b.WriteString(" --detach=True")
	}
	b.WriteString(" " + pc.Image)
	for _, w := range pc.Command {
		b.WriteString(" " + shquote.Always(w))
	}
	return b.String()
}

func (pc PodmanContainer) because(diffs []string) string {
	if len(diffs) == 0 {
		return " (recreate: true)"
	}
	return " (its " + strings.Join(diffs, ", ") + " differ from the task's)"
}

// done is a task that changes nothing; a missing image is still pulled.
func (pc PodmanContainer) done(p podmanProbe, ok string) (ContainerResult, error) {
	res := ContainerResult{Summary: "podman_container " + pc.State + ": " + ok}
	if p.image == nil {
		res.Runs, res.Script = true, pc.script(p, nil)
		res.Summary += " (the module pulls " + pc.Image + ", which changes nothing it reports)"
	}
	return res, nil
}

// act is a task that changes the container with the lines.
func (pc PodmanContainer) act(p podmanProbe, did string, lines ...string) (ContainerResult, error) {
	summary := "podman_container " + pc.State + ": " + did
	if p.image == nil {
		summary = "podman_container " + pc.State + ": pull " + pc.Image + ", then " + did
	}
	return ContainerResult{Changed: true, Runs: true, Summary: summary, Script: pc.script(p, lines)}, nil
}

// script is what the apply runs: the image pulled when missing, as the
// module does first (lib:1515-1547), a check that the container (and the
// image it was compared with) are still what the plan found, then the
// lines.
func (pc PodmanContainer) script(p podmanProbe, lines []string) string {
	pull := "if ! podman image exists " + pc.Image + "; then podman image pull " + pc.Image + " || { echo " + shquote.Always("Can't pull image "+pc.Image) + " >&2; exit 1; }; fi; "
	check := pc.containerGuard(p.container)
	if p.image != nil {
		pull, check = "", "i=$(podman image inspect --format '{{.Id}}' "+pc.Image+`) && [ "$i" = `+shquote.Always(p.image.ID)+" ] && "+check
	}
	guard := "{ " + check + "; } || { echo " + shquote.Always("podman_container "+pc.Name+": the container or the image "+pc.Image+" is not what the plan found; plan again") + " >&2; exit 1; }"
	if len(lines) > 0 {
		guard += "; " + strings.Join(lines, " && ")
	}
	return "(" + pull + guard + ")"
}

// containerGuard checks the container is what the plan found: its ID,
// whether it runs, whether it removes itself; or that there is none.
func (pc PodmanContainer) containerGuard(c *podmanInfo) string {
	if c == nil {
		return "! podman container exists " + pc.Name
	}
	want := fmt.Sprintf("%s %t %t", c.ID, c.State.Running, c.HostConfig.AutoRemove)
	return "c=$(podman container inspect --format '{{.Id}} {{.State.Running}} {{.HostConfig.AutoRemove}}' " + pc.Name + `) && [ "$c" = ` + shquote.Always(want) + ` ] && autoremove=${c##* }`
}

// Differences are what PodmanContainerDiff.is_different (lib:1496-1512)
// finds between the container and the task, by the names of the module's
// parameters: the image (diffImage), the labels (diffLabels), tty
// (lib:1431-1434: the default is false), etc_hosts (lib:1121-1128: none
// expected), the command when given (diffCommand), env and pull (given:
// compared with their values in Config.CreateCommand; not given, as every
// other option the module compares through CreateCommand, diffGeneric: the
// container differs when it was created with it). The comparisons that
// expect nothing the container does not hold when the task does not give
// them (annotation, cap_add, cap_drop, healthcheck and its failure action,
// rm: lib:948-992, :1147-1163, :1379-1384) find nothing.
func (pc PodmanContainer) Differences(img podmanImage, c podmanInfo) []string {
	var diffs []string
	add := func(name string, differs bool) {
		if differs {
			diffs = append(diffs, name)
		}
	}
	add("image", pc.diffImage(img, c))
	add("label", !maps.Equal(diffLabels(img.Labels, c.Config.Labels)))
	add("tty", c.Config.Tty)
	add("etc_hosts", len(c.HostConfig.ExtraHosts) > 0)
	add("command", pc.Command != nil && !slices.Equal(joinQuotes(c.Config.Cmd), pc.Command))
	add("env", pc.diffEnv(c.Config))
	add("pull", pc.diffPull(c.Config))
	add("volume", len(createCommand("--volume", c.Config, false)) > 0)
	for _, g := range podmanGenericOptions {
		add(g.param, len(createCommand(g.arg, c.Config, g.boolean)) > 0)
	}
	return diffs
}

// diffImage (lib:1204-1221): the same image ID is no difference; else, as
// image_strict is false, the container's image name (Config.Image) and the
// task's compare without ":latest" and without their registry and
// namespace, so that an image pulled anew under the same name is no
// difference either. A container made from a rootfs compares by ID.
func (pc PodmanContainer) diffImage(img podmanImage, c podmanInfo) bool {
	before := c.Image
	if before == "" {
		before = c.Rootfs
	}
	if before == img.ID {
		return false
	}
	if c.Rootfs != "" {
		return true
	}
	return liteImageName(orDefault(c.Config.Image, before)) != liteImageName(pc.Image)
}

func liteImageName(name string) string {
	name = strings.ReplaceAll(name, ":latest", "")
	return name[strings.LastIndex(name, "/")+1:]
}

// diffLabels (lib:1247-1260) are the labels compared: the container's, and
// the image's the module expects (the task gives none), keys lowercased
// (lower_keys), podman_systemd_unit left out of both when the container
// holds it.
func diffLabels(image, container map[string]string) (want, have map[string]string) {
	want, have = lowerKeys(image), lowerKeys(container)
	if _, ok := have["podman_systemd_unit"]; ok {
		delete(want, "podman_systemd_unit")
		delete(have, "podman_systemd_unit")
	}
	return want, have
}

func lowerKeys(m map[string]string) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		out[strings.ToLower(k)] = v
	}
	return out
}

// diffEnv (lib:1109-1110, common.py:381-433 diff_generic): env given, its
// KEY=VALUE pairs and the container's --env values, lowercased, sorted and
// joined with commas, compare (a task's key has "max_size" spelt
// "max-size" first, common.py:414-416, so such a key always differs); not
// given, any --env is a difference.
func (pc PodmanContainer) diffEnv(config podmanConfig) bool {
	before := createCommand("--env", config, false)
	if pc.Env == nil {
		return len(before) > 0
	}
	after := make([]string, len(pc.Env))
	for i, kv := range pc.Env {
		k, v, _ := strings.Cut(kv, "=")
		after[i] = strings.ReplaceAll(strings.ToLower(k), "max_size", "max-size") + "=" + v
	}
	return lowerSortedJoin(before) != lowerSortedJoin(after)
}

// diffPull (lib:1347-1348): pull given, the first --pull value compares
// with it; not given, any --pull is a difference.
func (pc PodmanContainer) diffPull(config podmanConfig) bool {
	before := createCommand("--pull", config, false)
	if pc.Pull == "" || len(before) == 0 {
		return pc.Pull != "" || len(before) > 0
	}
	return before[0] != pc.Pull
}

func lowerSortedJoin(values []string) string {
	lowered := make([]string, len(values))
	for i, v := range values {
		lowered[i] = strings.ToLower(v)
	}
	slices.Sort(lowered)
	return strings.Join(lowered, ",")
}

// podmanConfig is what the module reads of a container's Config.
type podmanConfig struct {
	Image         string
	Cmd           []string
	Labels        map[string]string
	Tty           bool
	CreateCommand []string
}

// podmanArgAliases are the short forms common.py:22-39 ARGUMENTS_OPTS_DICT
// gives an option the module compares.
var podmanArgAliases = map[string][]string{
	"--cpu-shares": {"--cpu-shares", "-c"}, "--env": {"--env", "-e"}, "--hostname": {"--hostname", "-h"},
	"--interactive": {"--interactive", "-i"}, "--memory": {"--memory", "-m"}, "--network": {"--network", "--net"},
	"--publish": {"--publish", "-p"}, "--publish-all": {"--publish-all", "-P"}, "--user": {"--user", "-u"},
	"--volume": {"--volume", "-v"}, "--workdir": {"--workdir", "-w"},
}

// createCommand is common.py:342-378: the values Config.CreateCommand
// gives the option (its aliases too), the container's command left out
// when it ends the line; "True" for a switch.
func createCommand(arg string, config podmanConfig, boolean bool) []string {
	cr := config.CreateCommand
	if n := len(config.Cmd); n > 0 && n <= len(cr) && slices.Equal(config.Cmd, cr[len(cr)-n:]) {
		cr = cr[:len(cr)-n]
	}
	var values []string
	for _, a := range orDefaultSlice(podmanArgAliases[arg], []string{arg}) {
		for i, opt := range cr {
			if opt == a && (boolean || i+1 >= len(cr) || strings.HasPrefix(cr[i+1], "-")) {
				return []string{"True"}
			}
			if opt == a {
				values = append(values, cr[i+1])
			}
			if v, ok := strings.CutPrefix(opt, a+"="); ok {
				values = append(values, v)
			}
		}
	}
	return values
}

func orDefaultSlice(s, def []string) []string {
	if s == nil {
		return def
	}
	return s
}

// joinQuotes is diffparam_command's _join_quotes (lib:1016-1036): words
// a double quote opens and closes are one, the quotes stripped.
func joinQuotes(words []string) []string {
	if len(words) == 0 {
		return words
	}
	var out, buffer []string
	inQuotes := false
	for _, w := range words {
		switch {
		case strings.HasPrefix(w, `"`) && !inQuotes:
			buffer, inQuotes = append(buffer, w), true
		case strings.HasSuffix(w, `"`) && inQuotes:
			out = append(out, strings.Trim(strings.Join(append(buffer, w), " "), `"`))
			buffer, inQuotes = nil, false
		case inQuotes:
			buffer = append(buffer, w)
		default:
			out = append(out, w)
		}
	}
	return append(out, buffer...)
}

// podmanGenericOption is an option PodmanContainerDiff compares through
// diff_generic: the module's parameter, its CLI option, whether a switch.
type podmanGenericOption struct {
	param, arg string
	boolean    bool
}

// podmanGenericOptions are lib's diffparam_* calling _diff_generic, but
// env and pull (compared above) and those commented out there (cgroups,
// cidfile, pod, pod_id_file, sdnotify: lib:1004-1013, :1331-1336,
// :1376-1377).
var podmanGenericOptions = genericOptions(
	"arch --arch", "authfile --authfile", "blkio_weight --blkio-weight", "blkio_weight_device --blkio-weight-device",
	"cgroup_conf --cgroup-conf", "cgroup_parent --cgroup-parent", "cgroupns --cgroupns", "chrootdirs --chrootdirs",
	"conmon_pidfile --conmon-pidfile", "cpu_period --cpu-period", "cpu_quota --cpu-quota", "cpu_rt_period --cpu-rt-period",
	"cpu_rt_runtime --cpu-rt-runtime", "cpu_shares --cpu-shares", "cpus --cpus", "cpuset_cpus --cpuset-cpus",
	"cpuset_mems --cpuset-mems", "decryption_key --decryption-key", "device --device", "device_cgroup_rule --device-cgroup-rule",
	"device_read_bps --device-read-bps", "device_read_iops --device-read-iops", "device_write_bps --device-write-bps",
	"device_write_iops --device-write-iops", "dns --dns", "dns_option --dns-option", "dns_search --dns-search",
	"env_file --env-file", "env_merge --env-merge", "env_host --env-host", "expose --expose", "gidmap --gidmap", "gpus --gpus",
	"group_add --group-add", "group_entry --group-entry", "healthcheck_interval --healthcheck-interval",
	"healthcheck_retries --healthcheck-retries", "healthcheck_start_period --healthcheck-start-period",
	"health_startup_cmd --health-startup-cmd", "health_startup_interval --health-startup-interval",
	"health_startup_retries --health-startup-retries", "health_startup_success --health-startup-success",
	"health_startup_timeout --health-startup-timeout", "healthcheck_timeout --healthcheck-timeout", "hooks_dir --hooks-dir",
	"hostname --hostname", "hostuser --hostuser", "http_proxy --http-proxy", "image_volume --image-volume", "init --init bool",
	"init_ctr --init-ctr", "init_path --init-path", "interactive --interactive", "ip --ip", "ip6 --ip6", "ipc --ipc",
	"label_file --label-file", "log_driver --log-driver", "log_opt --log-opt", "mac_address --mac-address", "memory --memory",
	"memory_reservation --memory-reservation", "memory_swap --memory-swap", "memory_swappiness --memory-swappiness",
	"mount --mount", "network --network", "network_aliases --network-alias", "no_healthcheck --no-healthcheck bool",
	"no_hosts --no-hosts", "oom_kill_disable --oom-kill-disable", "oom_score_adj --oom-score-adj", "os --os",
	"passwd --passwd bool", "passwd_entry --passwd-entry", "personality --personality", "pid --pid", "pid_file --pid-file",
	"pids_limit --pids-limit", "platform --platform", "privileged --privileged", "publish --publish",
	"publish_all --publish-all", "rdt_class --rdt-class", "read_only --read-only", "read_only_tmpfs --read-only-tmpfs",
	"requires --requires", "restart_policy --restart", "retry --retry", "retry_delay --retry-delay", "rootfs --rootfs",
	"rmi --rmi bool", "seccomp_policy --seccomp-policy", "secrets --secret", "security_opt --security-opt",
	"shm_size --shm-size", "shm_size_systemd --shm-size-systemd", "stop_signal --stop-signal", "stop_timeout --stop-timeout",
	"subgidname --subgidname", "subuidname --subuidname", "sysctl --sysctl", "systemd --systemd", "timeout --timeout",
	"timezone --tz", "tls_verify --tls-verify", "tmpfs --tmpfs", "uidmap --uidmap", "ulimit --ulimit", "umask --umask",
	"unsetenv --unsetenv", "unsetenv_all --unsetenv-all bool", "user --user", "userns --userns", "uts --uts",
	"variant --variant", "volumes_from --volumes-from", "workdir --workdir",
)

func genericOptions(specs ...string) []podmanGenericOption {
	out := make([]podmanGenericOption, len(specs))
	for i, s := range specs {
		f := strings.Fields(s)
		out[i] = podmanGenericOption{param: f[0], arg: f[1], boolean: len(f) > 2}
	}
	return out
}
