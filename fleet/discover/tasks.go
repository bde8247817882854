package discover

import (
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strings"

	"gopkg.in/yaml.v3"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/discover/artifact"
)

// moduleReader reads the tasks straylight does not run that start a
// server (ansible.ModuleTask): container tasks, Kubernetes applies, and
// compose commands whose file no task renders. rendered holds the dests
// of the host's rendered files: a file already read is not read again.
type moduleReader struct {
	hs       *ansible.HostScope
	rz       *artifact.Recognizer
	rendered map[string]bool
	found    artifact.Findings
	pulls    []ollamaPull
	problems []Problem
}

// readModules recognises what each module task starts.
func readModules(hs *ansible.HostScope, mods []*ansible.ModuleTask, files []*ansible.FileTask, rz *artifact.Recognizer) *moduleReader {
	mr := &moduleReader{hs: hs, rz: rz, rendered: map[string]bool{}}
	for _, f := range files {
		mr.rendered[path.Clean(f.Dest)] = true
	}
	for _, m := range mods {
		mr.read(m)
	}
	return mr
}

func (mr *moduleReader) read(m *ansible.ModuleTask) {
	var err error
	switch shortModule(m.Task.ModuleName) {
	case "docker_container", "podman_container":
		err = mr.container(m)
	case "k8s":
		err = mr.kubernetes(m)
	case "docker_compose_v2", "docker_compose", "podman_compose":
		err = mr.composeModule(m)
	case "command", "shell", "win_command", "win_shell":
		err = errors.Join(mr.composeCommand(m), mr.ollamaPull(m))
	}
	if err != nil {
		mr.problems = append(mr.problems, Problem{Host: mr.hs.Host(), Message: fmt.Sprintf("task %q (%s) not read for discovery: %v", m.Task.Label(), mr.taskAt(m), err)})
	}
}

// shortModule drops a collection prefix: community.docker.docker_container
// → docker_container.
func shortModule(name string) string {
	return name[strings.LastIndex(name, ".")+1:]
}

// taskAt is the task's file (relative to the repository) and line.
func (mr *moduleReader) taskAt(m *ansible.ModuleTask) string {
	return fmt.Sprintf("%s:%d", ansible.RelTo(mr.hs.Root(), m.Task.At.File), m.Task.At.Line)
}

func (mr *moduleReader) taskSource(m *ansible.ModuleTask) artifact.Source {
	return artifact.Source{File: ansible.RelTo(mr.hs.Root(), m.Task.At.File), Line: m.Task.At.Line}
}

// args templates the task's arguments in the scope it runs in.
func args(m *ansible.ModuleTask) (map[string]any, error) {
	v, err := m.Scope.Template(m.Task.Args)
	if err != nil {
		return nil, err
	}
	out, _ := v.(map[string]any)
	return out, nil
}

// container reads docker_container and podman_container: image, name,
// entrypoint, command (a string is split as a shell would), env, and the
// published ports (published_ports, ports or publish).
func (mr *moduleReader) container(m *ansible.ModuleTask) error {
	a, err := args(m)
	if err != nil {
		return err
	}
	spec := artifact.ContainerSpec{Name: str(a["name"]), Image: str(a["image"]), Env: stringMap(a["env"]), Source: mr.taskSource(m)}
	if spec.Command, err = words(a["command"]); err != nil {
		return fmt.Errorf("command: %w", err)
	}
	if _, ok := a["entrypoint"]; ok {
		if spec.Entrypoint, err = words(a["entrypoint"]); err != nil {
			return fmt.Errorf("entrypoint: %w", err)
		}
	}
	for _, key := range []string{"published_ports", "ports", "publish"} {
		spec.Ports = append(spec.Ports, strList(a[key])...)
	}
	spec.EnvFiles = strList(a["env_file"])
	if b, ok := artifact.RecognizeContainer(spec); ok {
		b.Notes = append(b.Notes, "started by the "+m.Task.ModuleName+" task at "+mr.taskAt(m))
		mr.found.Backends = append(mr.found.Backends, b)
	}
	return nil
}

// kubernetes reads kubernetes.core.k8s: an inline definition (the task's
// line is the source), a src file (read in place when no task renders
// it), or a template (rendered in the task's scope).
func (mr *moduleReader) kubernetes(m *ansible.ModuleTask) error {
	a, err := args(m)
	if err != nil {
		return err
	}
	if def, ok := a["definition"]; ok && def != nil {
		return mr.definition(m, def)
	}
	if src := str(a["src"]); src != "" {
		return mr.inPlace(m, src)
	}
	if tmpl := templateName(a["template"]); tmpl != "" {
		return mr.k8sTemplate(m, tmpl)
	}
	return nil
}

// definition reads an inline manifest (a mapping, a list of them, or YAML
// text) with the task's line as every finding's source.
func (mr *moduleReader) definition(m *ansible.ModuleTask, def any) error {
	content, ok := def.(string)
	if !ok {
		b, err := yaml.Marshal(def)
		if err != nil {
			return fmt.Errorf("definition: %w", err)
		}
		content = string(b)
	}
	fs, err := mr.rz.Recognize(mr.taskAt(m)+" definition.yaml", []byte(content))
	if err != nil {
		return fmt.Errorf("definition: %w", err)
	}
	for i := range fs.Backends {
		fs.Backends[i].Source = mr.taskSource(m)
	}
	mr.add(fs, m, "")
	return nil
}

// k8sTemplate renders the task's template: argument (the k8s module
// templates it on the controller) from the role's templates/ or the
// playbook's folder, and reads the manifest.
func (mr *moduleReader) k8sTemplate(m *ansible.ModuleTask, name string) error {
	file, raw, err := m.Source("templates", name)
	if err != nil {
		return fmt.Errorf("template %s: %w", name, err)
	}
	out, err := m.Scope.Template(string(raw))
	if err != nil {
		return fmt.Errorf("template %s: %w", name, err)
	}
	rel := ansible.RelTo(mr.hs.Root(), file)
	fs, err := mr.rz.Recognize(strings.TrimSuffix(rel, ".j2"), []byte(fmt.Sprint(out)))
	if err != nil {
		return err
	}
	for i := range fs.Backends {
		fs.Backends[i].Source.File = rel
	}
	mr.add(fs, m, "")
	return nil
}

// templateName is the k8s module's template: a path, or {path: ...}.
func templateName(v any) string {
	if m, ok := v.(map[string]any); ok {
		return str(m["path"])
	}
	return str(v)
}

// composeFileNames are the files `docker compose` reads from its project
// folder when no -f is given (compose-spec: "Compose file").
var composeFileNames = []string{"compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"}

// composeModule reads community.docker.docker_compose_v2 (project_src,
// files) for a compose file no task renders.
func (mr *moduleReader) composeModule(m *ansible.ModuleTask) error {
	a, err := args(m)
	if err != nil {
		return err
	}
	dir := str(a["project_src"])
	if dir == "" {
		return nil
	}
	mr.composeFiles(m, dir, strList(a["files"]))
	return nil
}

// composeCommand reads a command or shell task that runs `docker compose
// [-f FILE]... up` (or docker-compose, podman compose, podman-compose),
// in its chdir when no -f is given.
func (mr *moduleReader) composeCommand(m *ansible.ModuleTask) error {
	argv, err := templatedCommand(m, isComposeUp)
	if err != nil || argv == nil {
		return err
	}
	files, ok := composeUp(argv)
	if !ok {
		return nil
	}
	a, err := args(m)
	if err != nil {
		return err
	}
	mr.composeFiles(m, str(a["chdir"]), files)
	return nil
}

// templatedCommand is a command task's words once templated, when its
// untemplated words already look like what wants says (a quick test that
// spares templating every command task); nil when they do not.
func templatedCommand(m *ansible.ModuleTask, wants func([]string) bool) ([]string, error) {
	raw := commandText(m.Task)
	if rawWords, err := words(raw); err != nil || !wants(rawWords) {
		return nil, nil
	}
	v, err := m.Scope.Template(raw)
	if err != nil {
		return nil, err
	}
	return words(v)
}

// commandText is what a command task runs: its argv list, its cmd
// argument, or its free-form text.
func commandText(t *ansible.Task) any {
	if argv, ok := t.Args["argv"]; ok {
		return argv
	}
	if c, ok := t.Args["cmd"]; ok {
		return c
	}
	return t.FreeForm
}

// composeUp finds `docker compose ... up` (and its other spellings) in a
// command line and returns its -f/--file values.
func composeUp(argv []string) ([]string, bool) {
	for i := range argv {
		rest, ok := composeAt(argv, i)
		if !ok {
			continue
		}
		return composeFlags(rest)
	}
	return nil, false
}

func isComposeUp(argv []string) bool {
	_, ok := composeUp(argv)
	return ok
}

// composeAt: argv[i] starts a compose invocation; rest is what follows it.
func composeAt(argv []string, i int) ([]string, bool) {
	switch path.Base(argv[i]) {
	case "docker-compose", "podman-compose":
		return argv[i+1:], true
	case "docker", "podman":
		if i+1 < len(argv) && argv[i+1] == "compose" {
			return argv[i+2:], true
		}
	}
	return nil, false
}

// composeFlags reads compose's global options up to the subcommand, which
// must be up.
func composeFlags(rest []string) ([]string, bool) {
	var files []string
	for i := 0; i < len(rest); i++ {
		a := rest[i]
		name, value, hasValue := strings.Cut(a, "=")
		switch {
		case name == "-f" || name == "--file":
			if !hasValue && i+1 < len(rest) {
				i++
				value = rest[i]
			}
			files = append(files, value)
		case strings.HasPrefix(a, "-f") && len(a) > 2:
			files = append(files, a[2:])
		case strings.HasPrefix(a, "-"):
			if !hasValue && composeValueFlags[name] {
				i++
			}
		default:
			return files, a == "up"
		}
	}
	return nil, false
}

// composeValueFlags are compose's global options that take a value.
var composeValueFlags = map[string]bool{"-p": true, "--project-name": true, "--project-directory": true,
	"--profile": true, "--env-file": true, "--ansi": true, "--parallel": true, "--progress": true}

// composeFiles reads the compose files a project uses (relative ones in
// dir) that no task renders, from the repository: each one named, else
// the first of the default names found.
func (mr *moduleReader) composeFiles(m *ansible.ModuleTask, dir string, files []string) {
	for _, f := range files {
		if !path.IsAbs(f) {
			f = path.Join(dir, f)
		}
		if err := mr.inPlace(m, f); err != nil {
			mr.problems = append(mr.problems, Problem{Host: mr.hs.Host(), Message: fmt.Sprintf("task %q (%s): compose file %v", m.Task.Label(), mr.taskAt(m), err)})
		}
	}
	if len(files) > 0 || dir == "" {
		return
	}
	for _, name := range composeFileNames {
		f := path.Join(dir, name)
		if mr.rendered[f] {
			return
		}
		if rel := repoFileAt(mr.hs.Root(), f); rel != "" {
			mr.readOrReport(m, f, rel)
			return
		}
	}
}

// inPlace reads a file the task names on the host that no task renders:
// the repository's file at the same path, as for a checkout of the
// repository on the host (see repoFileAt).
func (mr *moduleReader) inPlace(m *ansible.ModuleTask, hostPath string) error {
	if mr.rendered[path.Clean(hostPath)] {
		return nil
	}
	rel := repoFileAt(mr.hs.Root(), hostPath)
	if rel == "" {
		return fmt.Errorf("%s: no task renders it and the repository holds no file at that path", hostPath)
	}
	return mr.readRepoFile(m, hostPath, rel)
}

func (mr *moduleReader) readOrReport(m *ansible.ModuleTask, hostPath, rel string) {
	if err := mr.readRepoFile(m, hostPath, rel); err != nil {
		mr.problems = append(mr.problems, Problem{Host: mr.hs.Host(), Message: err.Error()})
	}
}

func (mr *moduleReader) readRepoFile(m *ansible.ModuleTask, hostPath, rel string) error {
	content, err := os.ReadFile(filepath.Join(mr.hs.Root(), rel))
	if err != nil {
		return err
	}
	fs, err := mr.rz.Recognize(rel, content)
	if err != nil {
		return err
	}
	mr.add(fs, m, "used in place as "+hostPath+" by the task at "+mr.taskAt(m))
	return nil
}

// repoFileAt is the repository file whose path ends hostPath in at least
// two components (a folder and the file: /opt/stack/compose/app.yml →
// compose/app.yml), the longest such; "" when there is none. A lone file
// name is not enough: too many repositories hold a docker-compose.yml.
func repoFileAt(root, hostPath string) string {
	parts := strings.Split(strings.Trim(path.Clean(hostPath), "/"), "/")
	for i := 0; i+2 <= len(parts); i++ {
		rel := path.Join(parts[i:]...)
		if st, err := os.Stat(filepath.Join(root, filepath.FromSlash(rel))); err == nil && st.Mode().IsRegular() {
			return rel
		}
	}
	return ""
}

func (mr *moduleReader) add(fs artifact.Findings, m *ansible.ModuleTask, note string) {
	for i := range fs.Backends {
		if note != "" {
			fs.Backends[i].Notes = append(fs.Backends[i].Notes, note)
		} else {
			fs.Backends[i].Notes = append(fs.Backends[i].Notes, "applied by the "+m.Task.ModuleName+" task at "+mr.taskAt(m))
		}
	}
	mr.found.Backends = append(mr.found.Backends, fs.Backends...)
	mr.found.Proxies = append(mr.found.Proxies, fs.Proxies...)
}

// words is a command as a list of words: a list as given, a string split
// as a shell would (docker_container and podman_container split a string
// command the same way).
func words(v any) ([]string, error) {
	switch t := v.(type) {
	case nil:
		return nil, nil
	case []any:
		return strList(t), nil
	case []string:
		return t, nil
	}
	return artifact.SplitWords(fmt.Sprint(v))
}

func str(v any) string {
	if v == nil {
		return ""
	}
	return fmt.Sprint(v)
}

// strList reads a list of scalars (a lone scalar is a list of one).
func strList(v any) []string {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		out := make([]string, 0, len(t))
		for _, e := range t {
			out = append(out, str(e))
		}
		return out
	case []string:
		return t
	}
	return []string{str(v)}
}

// stringMap reads env: a mapping of names to values.
func stringMap(v any) map[string]string {
	m, _ := v.(map[string]any)
	out := map[string]string{}
	for k, val := range m {
		out[k] = str(val)
	}
	return out
}
