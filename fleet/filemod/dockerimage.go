package filemod

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/internal/shquote"
)

// DockerCLI is the docker CLI talking to the daemon community.docker's
// modules talk to: DOCKER_HOST from the environment, else the default
// socket, never the CLI's current context (community.docker 3.13.3
// plugins/module_utils/util.py:20 DEFAULT_DOCKER_HOST, :27 docker_host's
// env_fallback).
const DockerCLI = `docker --host "${DOCKER_HOST:-unix:///var/run/docker.sock}"`

// DockerContainer is a docker_container task or handler straylight runs
// with the docker CLI where the module would use the Engine API: a
// container named without image (ownImage, below), or with an image (or
// state absent) and only the options
// below, so that the module compares nothing but the image, the
// environment (envComparison), the command (commandDiffers), the
// published ports, the binds and the restart policy (dockeroptions.go).
// All citations are community.docker 3.13.3
// plugins/module_utils/module_container/.
//
// module.py:296-387 present: the image is looked up by name (its tag, or
// latest) and pulled when missing (pull missing, the default; pull never
// fails instead, :471-472); a missing container is created with the
// task's options only (:312-328, :764-788); an existing one is recreated
// when its image ID is not the image's (:333-334, :505-511), its
// environment lacks a variable the module expects, its command is not
// the task's, it lacks a port binding or a bind the task gives (:331,
// :565-578) or recreate is true (:349): stopped (or killed with force_kill, :871-874) when it
// runs, removed keeping its volumes (:361-363, :828-837, keep_volumes
// defaults true) and created again from the task's image (:356, :367).
// Then started starts a container that does not run, or restarts one
// that does with restart (stop_timeout or 10, :861-869); stopped stops a
// running one (:377-387). absent stops a running container and removes it
// (:420-427). Other options the module would compare with the container
// (:565-578) are not modelled here: such a task stays Ansible's.
type DockerContainer struct {
	Name  string `json:"name"`
	Image string `json:"image,omitempty"` // "": the container's own (ownImage), or state absent
	State string `json:"state"`           // started, present, stopped, absent
	Pull  string `json:"pull"`            // missing or never
	// StopTimeout is stop_timeout in seconds, "" when not given.
	StopTimeout string `json:"stop_timeout,omitempty"`
	// Env is env as "KEY=VALUE", sorted by key; nil when not given. Its
	// values may be secrets: never serialized.
	Env []string `json:"-"`
	// Command is command as the module reads it (command_handling
	// correct: a string split as shlex.split splits it); nil when not
	// given. It may hold secrets: never serialized.
	Command []string `json:"-"`
	// Ports are published_ports, Binds volumes as the module sends them,
	// RestartPolicy restart_policy (dockeroptions.go); none when not
	// given.
	Ports                        []DockerPort `json:"published_ports,omitempty"`
	Binds                        []string     `json:"volumes,omitempty"`
	RestartPolicy                string       `json:"restart_policy,omitempty"` // "": not given
	Restart, Recreate, ForceKill bool
}

// Probe prints "image ID" (or "image missing") and "container IMAGEID
// RUNNING" (or "container missing"), the environments (envProbe) and,
// with command given, the container's (commandProbe), with ports, binds
// or a restart policy given its port bindings, binds and restart policy
// (hostConfigProbe): what the module
// reads (module.py:298-310, docker_api.py:198-216). It changes nothing,
// as the module in check mode pulls nothing (module.py:484-492).
func (dc DockerContainer) Probe() string {
	if dc.ownImage() {
		return "(" + dc.ownImageLookup() + `; echo "container $c"; ` + dc.ownImageEnv() + `; printf '%s\n' "$ie" | sed '/^$/d; s/^/imageenv /'; printf '%s\n' "$ce" | sed '/^$/d; s/^/env /')`
	}
	if dc.State == "absent" {
		return "(" + dc.containerLookup() + `; echo "container $c")`
	}
	return "(" + dc.imageLookup() + "; " + dc.containerLookup() + `; echo "image $i"; echo "container $c"` + dc.envProbe() + dc.commandProbe() + dc.hostConfigProbe() + ")"
}

// envFormat prints each Config.Env entry as a JSON string on its own line,
// as the docker CLI's json function writes it.
const envFormat = `'{{range .Config.Env}}{{json .}}{{println}}{{end}}'`

// envProbe prints the image's environment ("imageenv JSON" lines) and
// the container's ("env JSON" lines): what the module compares
// (envComparison), env given or not.
func (dc DockerContainer) envProbe() string {
	return `; ie= ce=; if [ "$i" != missing ]; then ie=$(` + DockerCLI + " image inspect --format " + envFormat + " " + dc.Image + `) || exit; fi` +
		`; if [ "$c" != missing ]; then ce=$(` + DockerCLI + " container inspect --format " + envFormat + " " + dc.Name + `) || exit; fi` +
		`; printf '%s\n' "$ie" | sed '/^$/d; s/^/imageenv /'; printf '%s\n' "$ce" | sed '/^$/d; s/^/env /'`
}

// Line is what the module does, deciding on the host when it runs: the
// image (pulled if missing), the container created or recreated, then its
// state. A handler runs it as it is; a task runs it when the plan finds it
// changes something.
func (dc DockerContainer) Line() string {
	if dc.ownImage() {
		differs := `! ce="$ce" ie="$ie" pe= awk '` + envAwk + `'`
		if dc.Recreate {
			differs = ":"
		}
		return "(" + dc.ownImageLookup() + "; " + dc.ownImageEnv() + `; if ` + differs + `; then ` +
			dc.stopIfRunning() + " && " + DockerCLI + " rm " + dc.Name + " && " + DockerCLI + ` create --name ` + dc.Name + ` "$i" || exit; c="$i false"; fi` + dc.stateLine() + ")"
	}
	if dc.State == "absent" {
		return "(" + dc.containerLookup() + `; if [ "$c" != missing ]; then ` + dc.stopIfRunning() + " && " + DockerCLI + " rm " + dc.Name + "; fi)"
	}
	return "(" + dc.imageOrPull() + "; " + dc.containerLookup() + "; " + dc.converge() + dc.restartPolicyLine() + dc.stateLine() + ")"
}

// imageLookup sets i to the image's ID, or to "missing" when the daemon
// has none by that name; another failure ends the script.
func (dc DockerContainer) imageLookup() string {
	return "i=$(" + DockerCLI + " image inspect --format '{{.Id}}' " + dc.Image + ` 2>&1) || case $i in *"No such image"*) i=missing ;; *) echo "$i" >&2; exit 1 ;; esac`
}

// containerLookup sets c to the container's image ID and whether it runs,
// or to "missing"; another failure ends the script.
func (dc DockerContainer) containerLookup() string {
	return "c=$(" + DockerCLI + " container inspect --format '{{.Image}} {{.State.Running}}' " + dc.Name + ` 2>&1) || case $c in *"No such container"*) c=missing ;; *) echo "$c" >&2; exit 1 ;; esac`
}

// imageOrPull sets i to the image's ID, pulling a missing image, or fails
// as the module does with pull never (module.py:471-472).
func (dc DockerContainer) imageOrPull() string {
	inspect := "i=$(" + DockerCLI + " image inspect --format '{{.Id}}' " + dc.Image
	if dc.Pull == "never" {
		return inspect + `) || { echo "Cannot find image with name ` + dc.Image + `, and pull=never" >&2; exit 1; }`
	}
	return inspect + " 2>/dev/null) || { " + DockerCLI + " pull " + dc.Image + " && " + inspect + "); } || exit"
}

// converge creates a missing container, and recreates one whose image,
// environment, command, ports or binds differ (every time with
// recreate); c then says it does not run.
func (dc DockerContainer) converge() string {
	create := DockerCLI + " create --name " + dc.Name + dc.createOptions() + " " + dc.Image + dc.commandWords()
	differs := `[ "${c% *}" != "$i" ]` + dc.envDiffers() + dc.commandDiffers() + dc.hostConfigDiffers()
	if dc.Recreate {
		differs = ":"
	}
	init := ""
	if dc.RestartPolicy != "" {
		init, create = "n=; ", create+" && n=1" // n: created with the policy (restartPolicyLine)
	}
	return init + `if [ "$c" = missing ]; then ` + create + ` || exit; c="$i false"; elif ` + differs + "; then " +
		dc.stopIfRunning() + " && " + DockerCLI + " rm " + dc.Name + " && " + create + ` || exit; c="$i false"; fi`
}

// createOptions are the task's options the module creates the container
// with besides its image: stop_timeout (Config.StopTimeout,
// docker_api.py:1379; never compared, base.py:1035) and env (Config.Env,
// docker_api.py:1330: the task's variables only; the daemon adds the
// image's), restart_policy (HostConfig.RestartPolicy,
// docker_api.py:1148-1157), published_ports and volumes (publishFlags).
func (dc DockerContainer) createOptions() string {
	var b strings.Builder
	if dc.StopTimeout != "" {
		b.WriteString(" --stop-timeout " + dc.StopTimeout)
	}
	if dc.RestartPolicy != "" {
		b.WriteString(" --restart " + dc.RestartPolicy)
	}
	for _, kv := range dc.Env {
		b.WriteString(" -e " + shquote.Always(kv))
	}
	return b.String() + dc.publishFlags()
}

// commandWords are the command's words after the image, where `docker
// create` takes them as Config.Cmd (docker_api.py:1289 config_value Cmd).
func (dc DockerContainer) commandWords() string {
	var b strings.Builder
	for _, w := range dc.Command {
		b.WriteString(" " + shquote.Always(w))
	}
	return b.String()
}

// commandFormat prints Config.Cmd as JSON, "null" for none.
const commandFormat = `'{{json .Config.Cmd}}'`

// commandDiffers, with command given, is the shell condition that the
// container's Config.Cmd is not the command: command is a list compared
// strict, in order (base.py:819-822, :101-110; util.py:180-185), and
// drawn from the task alone.
func (dc DockerContainer) commandDiffers() string {
	if dc.Command == nil {
		return ""
	}
	return ` || [ "$(` + DockerCLI + " container inspect --format " + commandFormat + " " + dc.Name + `)" != ` + shquote.Always(dc.commandJSON()) + " ]"
}

// commandJSON is the command as the docker CLI's json function writes a
// Config.Cmd.
func (dc DockerContainer) commandJSON() string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.Encode(dc.Command)
	return strings.TrimSuffix(b.String(), "\n")
}

// commandProbe, with command given, prints "cmd JSON", the container's
// Config.Cmd.
func (dc DockerContainer) commandProbe() string {
	if dc.Command == nil {
		return ""
	}
	return `; if [ "$c" != missing ]; then cmd=$(` + DockerCLI + " container inspect --format " + commandFormat + " " + dc.Name + `) || exit; echo "cmd $cmd"; fi`
}

// envDiffers is the shell condition that the container's environment
// lacks a variable the module expects (envComparison): the image's
// variables with the task's over them, each as a JSON line, looked up
// among the container's. awk reads them from its environment, where
// nothing is unescaped.
func (dc DockerContainer) envDiffers() string {
	return " || ! { ce=$(" + DockerCLI + " container inspect --format " + envFormat + " " + dc.Name + ") && ie=$(" +
		DockerCLI + " image inspect --format " + envFormat + " " + dc.Image + ") && pe=" + shquote.Always(strings.Join(jsonLines(dc.Env), "\t")) +
		` && ce="$ce" ie="$ie" pe="$pe" awk '` + envAwk + `'; }`
}

// envAwk exits 1 when an expected variable (pe: the task's, separated by
// tabs, which a JSON string never holds raw; ie: the image's, but for the
// task's keys) is not among the container's (ce).
const envAwk = `BEGIN { n = split(ENVIRON["ce"], l, "\n"); for (j = 1; j <= n; j++) have[l[j]] = 1; ` +
	`n = split(ENVIRON["pe"], l, "\t"); for (j = 1; j <= n; j++) { k = l[j]; sub(/=.*/, "", k); over[k] = 1; if (!(l[j] in have)) exit 1 }; ` +
	`n = split(ENVIRON["ie"], l, "\n"); for (j = 1; j <= n; j++) { k = l[j]; sub(/=.*/, "", k); if (l[j] != "" && !(k in over) && !(l[j] in have)) exit 1 } }`

// stopIfRunning stops (or kills) the container when c says it runs.
func (dc DockerContainer) stopIfRunning() string {
	return `{ [ "${c#* }" != true ] || ` + dc.stopCommand() + "; }"
}

// stopCommand: force_kill kills (no signal given: the daemon's default),
// else stop with stop_timeout when given (docker_api.py:334-352).
func (dc DockerContainer) stopCommand() string {
	switch {
	case dc.ForceKill:
		return DockerCLI + " kill " + dc.Name
	case dc.StopTimeout != "":
		return DockerCLI + " stop -t " + dc.StopTimeout + " " + dc.Name
	}
	return DockerCLI + " stop " + dc.Name
}

// stateLine brings the container to the state (module.py:377-387).
func (dc DockerContainer) stateLine() string {
	switch dc.State {
	case "started":
		line := `; if [ "${c#* }" != true ]; then ` + DockerCLI + " start " + dc.Name
		if dc.Restart {
			line += "; else " + DockerCLI + " restart -t " + orDefault(dc.StopTimeout, "10") + " " + dc.Name
		}
		return line + "; fi"
	case "stopped":
		return `; if [ "${c#* }" = true ]; then ` + dc.stopCommand() + "; fi"
	}
	return ""
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// dockerProbe is the probe's answer: the image's ID ("missing"), the
// container's image ID and whether it runs (exists false for none).
type dockerProbe struct {
	image, containerImage string
	exists, running       bool
	imageEnv, env         []string // the image's and the container's variables
	command               string   // with command given: the container's Config.Cmd as JSON
	// hostConfig holds the container's port, exposed and bind lines
	// (hostConfigFormat), read with ports, binds or a policy given.
	hostConfig    map[string]bool
	restartPolicy string // read with a restart policy given
}

func parseDockerProbe(stdout string) (dockerProbe, error) {
	var p dockerProbe
	for _, line := range strings.Split(strings.TrimSpace(stdout), "\n") {
		key, value, _ := strings.Cut(strings.TrimSpace(line), " ")
		switch {
		case key == "image":
			p.image = value
		case key == "container" && value != "missing":
			img, running, ok := strings.Cut(value, " ")
			if !ok {
				return p, fmt.Errorf("the probe's answer %q is not an image ID and a running state", line)
			}
			p.exists, p.containerImage, p.running = true, img, running == "true"
		case key == "cmd":
			p.command = value
		case key == "restart":
			p.restartPolicy = value
		case key == "port" || key == "exposed" || key == "bind":
			p.addHostConfig(strings.TrimSpace(line))
		case key == "imageenv" || key == "env":
			var kv string
			if err := json.Unmarshal([]byte(value), &kv); err != nil {
				return p, fmt.Errorf("the probe's answer %q is not a JSON string: %v", line, err)
			}
			p.addEnv(key, kv)
		case key != "container":
			return p, fmt.Errorf("the probe's answer %q is not an image or a container", line)
		}
	}
	return p, nil
}

func (p *dockerProbe) addHostConfig(line string) {
	if p.hostConfig == nil {
		p.hostConfig = map[string]bool{}
	}
	p.hostConfig[line] = true
}

func (p *dockerProbe) addEnv(key, kv string) {
	if key == "imageenv" {
		p.imageEnv = append(p.imageEnv, kv)
	} else {
		p.env = append(p.env, kv)
	}
}

// decideDockerImage decides the task from the probe's answer as the
// module decides in check mode: a missing image is a pull (changed; what
// follows is decided after it, on the host, module.py:484-492), a missing
// container a creation, a different image or recreate a recreation, then
// the state as without image.
func (ct ContainerTask) decideDockerImage(code int, stdout, stderr string) (ContainerResult, error) {
	dc := ct.Docker
	p, err := parseDockerProbe(stdout)
	switch {
	case code != 0:
		return ContainerResult{}, fmt.Errorf("container %s: %s", ct.Target, firstLine(stderr, stdout))
	case err != nil:
		return ContainerResult{}, fmt.Errorf("container %s: %w", ct.Target, err)
	case dc.State == "absent":
		return ct.result(p.exists, "remove the container", "no container to remove")
	case p.image == "missing" && dc.Pull == "never":
		return ContainerResult{}, fmt.Errorf("image %s is not on the host: the module fails (Cannot find image with name %s, and pull=never)", dc.Image, dc.Image)
	case p.image == "missing":
		return ct.result(true, "pull "+dc.Image+", then "+dc.afterPull(p), "")
	case !p.exists:
		return ct.result(true, dc.createWords(), "")
	case dc.Recreate || p.containerImage != p.image || dc.configDiffers(p):
		return ct.result(true, "re"+dc.createWords()+dc.because(p), "")
	case dc.restartPolicyDiffers(p):
		return ct.withPolicyUpdate(p)
	case dc.State == "present":
		return ct.result(false, "", "the container exists with image "+dc.Image)
	}
	return ct.fromRunning(p.running, false)
}

// createWords: what a creation does in the state.
func (dc DockerContainer) createWords() string {
	if dc.State == "started" {
		return "create the container from " + dc.Image + " and start it"
	}
	return "create the container from " + dc.Image
}

// afterPull says what the pulled image decides.
func (dc DockerContainer) afterPull(p dockerProbe) string {
	if !p.exists {
		return dc.createWords()
	}
	return "recreate the container if its image differs, and bring it to " + dc.State
}

// configDiffers: an option the module compares differs (differing).
func (dc DockerContainer) configDiffers(p dockerProbe) bool { return len(dc.differing(p)) > 0 }

// differing names the options whose comparison fails: env (the container
// lacks a variable the module expects, env given or not), command (with
// command given, the container runs another), published_ports and
// volumes (the container lacks a binding, an exposed port or a bind the
// task gives, dockeroptions.go).
func (dc DockerContainer) differing(p dockerProbe) []string {
	var names []string
	if !envComparison(p.imageEnv, dc.Env, p.env) {
		names = append(names, "env")
	}
	if dc.Command != nil && p.command != dc.commandJSON() {
		names = append(names, "command")
	}
	if !p.holdsAll(dc.portLines()) {
		names = append(names, "published_ports")
	}
	if !p.holdsAll(dc.bindLines()) {
		names = append(names, "volumes")
	}
	return names
}

func (dc DockerContainer) because(p dockerProbe) string {
	switch {
	case dc.Recreate:
		return " (recreate: true)"
	case p.containerImage == p.image:
		return " (it differs from the task in " + strings.Join(dc.differing(p), ", ") + ")"
	}
	return fmt.Sprintf(" (its image %s is not %s's %s)", shortID(p.containerImage), dc.Image, shortID(p.image))
}

// jsonLines are the strings as the docker CLI's json template function
// writes them (no HTML escaping).
func jsonLines(values []string) []string {
	out := make([]string, len(values))
	for i, v := range values {
		var b bytes.Buffer
		enc := json.NewEncoder(&b)
		enc.SetEscapeHTML(false)
		enc.Encode(v)
		out[i] = strings.TrimSuffix(b.String(), "\n")
	}
	return out
}

// envComparison: the module expects the image's environment with the
// task's variables over it (docker_api.py:661-675), env given or not (a
// config_value with get_expected_value compares even an option the task
// does not give, docker_api.py:480-487), and env is a set compared
// allow_more_present (base.py:938-942, :101-110; util.py:138-198
// compare_generic): the container may hold more, not lack one; a
// container made with an image variable overridden is recreated. The
// image is the task's (image_comparison desired-image); in check mode an
// image the host lacks contributes nothing (module.py:497). The other
// expectations drawn from the image whatever the task gives, its exposed
// ports and volumes (docker_api.py:976-1010, :1186-1222), a container of
// the same image ID always holds: the daemon adds them at creation and
// nothing takes them away.
func envComparison(imageEnv, taskEnv, containerEnv []string) bool {
	have, over := map[string]bool{}, map[string]bool{}
	for _, kv := range containerEnv {
		have[kv] = true
	}
	for _, kv := range taskEnv {
		k, _, _ := strings.Cut(kv, "=")
		over[k] = true
	}
	for _, kv := range imageEnv {
		if k, _, _ := strings.Cut(kv, "="); !over[k] && !have[kv] {
			return false
		}
	}
	return !slices.ContainsFunc(taskEnv, func(kv string) bool { return !have[kv] })
}

// shortID is an image ID as docker prints it short.
func shortID(id string) string {
	id = strings.TrimPrefix(id, "sha256:")
	if len(id) > 12 {
		return id[:12]
	}
	return id
}

// ownImage: a task or handler naming an existing container without image
// (state started or stopped). community.docker 3.13.3's module then
// compares the container with its own image (module_container/module.py
// :452-461: no image given, the comparison image is the container's,
// looked up by its ID, :439-450; a missing one compares as none): the
// environment expected is that image's (docker_api.py:661-675), so a
// container holding another value of one of its image's variables differs
// (:331), and is recreated (as any is with recreate: true, :349) from its
// image ID with the task's options only
// (:356-367: name, nothing else; its other configuration is dropped), not
// started (:377-387 then start it for started). The rest is as with image:
// a missing container fails (:318-319), started starts a container that
// does not run or restarts one that does with restart, stopped stops a
// running one.
func (dc DockerContainer) ownImage() bool { return dc.Image == "" && dc.State != "absent" }

// ownImageLookup sets c to the container's image ID and whether it runs,
// and i to that image ID; a missing container ends the script, as it
// fails the module.
func (dc DockerContainer) ownImageLookup() string {
	return "c=$(" + DockerCLI + " container inspect --format '{{.Image}} {{.State.Running}}' " + dc.Name + `) || exit; i=${c% *}`
}

// ownImageEnv sets ie to the container's image's variables (none when the
// host no longer has the image, as the module then compares with none)
// and ce to the container's, JSON lines.
func (dc DockerContainer) ownImageEnv() string {
	return "ie=$(" + DockerCLI + " image inspect --format " + envFormat + ` "$i" 2>&1) || case $ie in *"No such image"*) ie= ;; *) echo "$ie" >&2; exit 1 ;; esac; ce=$(` +
		DockerCLI + " container inspect --format " + envFormat + " " + dc.Name + ") || exit"
}

// decideDockerOwnImage decides a task without image from the probe's
// answer (ownImage): the container recreated from its image with
// recreate: true (module.py:349: recreate whatever the comparison finds,
// from the container's image ID, :356-358) or when it holds another value
// of one of that image's variables, then its state.
func (ct ContainerTask) decideDockerOwnImage(code int, stdout, stderr string) (ContainerResult, error) {
	p, err := parseDockerProbe(stdout)
	switch {
	case code != 0:
		return ContainerResult{}, fmt.Errorf("container %s: %s (without image the module fails: Cannot create container when image is not specified!)", ct.Target, firstLine(stderr, stdout))
	case err != nil:
		return ContainerResult{}, fmt.Errorf("container %s: %w", ct.Target, err)
	case !p.exists:
		return ContainerResult{}, fmt.Errorf("container %s: the probe found no container (without image the module fails: Cannot create container when image is not specified!)", ct.Target)
	}
	if ct.Docker.Recreate {
		return ct.result(true, ct.Docker.recreateOwnImage(p.containerImage, "recreate: true"), "")
	}
	if keys := missingImageVars(p.imageEnv, p.env); len(keys) > 0 {
		return ct.result(true, ct.Docker.recreateOwnImage(p.containerImage, "its "+variablesAre(keys)+" not its image's"), "")
	}
	return ct.fromRunning(p.running, false)
}

// recreateOwnImage says what the module does to a container that does
// not hold its image's variables (only their names are said: their
// values may be secrets), or to any with recreate: true.
func (dc DockerContainer) recreateOwnImage(image, why string) string {
	then := ""
	if dc.State == "started" {
		then = " and start it"
	}
	return fmt.Sprintf("recreate the container from its image %s%s (%s: without image the module recreates it from its own image with this task's options only, dropping the rest of its configuration)",
		shortID(image), then, why)
}

func variablesAre(keys []string) string {
	if len(keys) == 1 {
		return "variable " + keys[0] + " is"
	}
	return "variables " + strings.Join(keys, ", ") + " are"
}

// missingImageVars are the names of the image's variables the container
// does not hold with the image's value (envComparison with no task env),
// sorted.
func missingImageVars(imageEnv, containerEnv []string) []string {
	var keys []string
	for _, kv := range imageEnv {
		if k, _, _ := strings.Cut(kv, "="); !slices.Contains(containerEnv, kv) && !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys
}
