package ansible

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// serviceName is what a unit or container name may hold: nothing a shell
// would interpret.
var serviceName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.@:-]*$`)

// serviceCommand is the shell line a service handler runs: systemctl for
// systemd and service (straylight's Linux hosts run systemd), docker or
// podman for containers. Arguments are templated first.
func (hs *HostScope) serviceCommand(h *Task) (string, error) {
	if h.FreeForm != "" {
		return "", &InputError{At: h.At, Key: h.ModuleName, Msg: "free-form k=v arguments are not supported; write them as a mapping"}
	}
	v, err := hs.template(h.Args)
	if err != nil {
		return "", atTask(h, err)
	}
	args, _ := v.(map[string]any)
	var cmd string
	switch h.Module {
	case ModSystemd, ModService:
		if err = onlyArgs(args, "name", "state", "daemon_reload", "daemon-reload"); err == nil {
			cmd, err = systemctlCommand(args)
		}
	case ModDockerContainer:
		cmd, err = containerCommand("docker", args)
	case ModPodmanContainer:
		cmd, err = containerCommand("podman", args)
	}
	if err != nil {
		return "", &InputError{At: h.At, Key: h.ModuleName, Msg: err.Error()}
	}
	return cmd, nil
}

// systemctlCommand: daemon_reload first when asked, then the state's verb.
func systemctlCommand(args map[string]any) (string, error) {
	var parts []string
	if boolArg(args, "daemon_reload", false) || boolArg(args, "daemon-reload", false) {
		parts = append(parts, "systemctl daemon-reload")
	}
	name, state := argString(args, "name"), argString(args, "state")
	if state != "" {
		verb, err := systemctlVerb(state)
		if err != nil {
			return "", err
		}
		if !serviceName.MatchString(name) {
			return "", fmt.Errorf("name %q is not a unit name", name)
		}
		parts = append(parts, "systemctl "+verb+" "+name)
	}
	if len(parts) == 0 {
		return "", fmt.Errorf("neither state nor daemon_reload is set: nothing to run")
	}
	return strings.Join(parts, " && "), nil
}

func systemctlVerb(state string) (string, error) {
	switch state {
	case "restarted":
		return "restart", nil
	case "reloaded":
		return "reload", nil
	case "started":
		return "start", nil
	case "stopped":
		return "stop", nil
	}
	return "", fmt.Errorf("state %q is not supported (restarted, reloaded, started, stopped)", state)
}

// containerCommand: restart: true or state restarted restarts the
// container; state started starts it; nothing else is run (straylight
// does not create or reconfigure containers).
func containerCommand(engine string, args map[string]any) (string, error) {
	name, state := argString(args, "name"), argString(args, "state")
	if !serviceName.MatchString(name) {
		return "", fmt.Errorf("name %q is not a container name", name)
	}
	if err := onlyArgs(args, "name", "state", "restart"); err != nil {
		return "", err
	}
	switch {
	case boolArg(args, "restart", false) || state == "restarted":
		return engine + " restart " + name, nil
	case state == "started" || state == "":
		return engine + " start " + name, nil
	}
	return "", fmt.Errorf("state %q is not supported in a handler (started with restart: true, restarted)", state)
}

// onlyArgs refuses an argument straylight would not honour.
func onlyArgs(args map[string]any, allowed ...string) error {
	for k := range args {
		if !slices.Contains(allowed, k) {
			return fmt.Errorf("argument %q is not supported in a handler (%s)", k, strings.Join(allowed, ", "))
		}
	}
	return nil
}
