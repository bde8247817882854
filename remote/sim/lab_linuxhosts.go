package sim

import "fmt"

func (s LabSpec) validateLinux(seen map[string]bool) error {
	if len(s.LinuxHosts) > 0 && s.Dir == "" {
		return errNoLabDir
	}
	for _, h := range s.LinuxHosts {
		if err := h.validate(seen); err != nil {
			return err
		}
	}
	return nil
}

func (l *Lab) startLinuxHosts(spec LabSpec, pool *loopbackPool) error {
	for _, hs := range spec.LinuxHosts {
		h, err := startLinuxHost(hs, spec.Dir, pool)
		if err != nil {
			return err
		}
		l.linux = append(l.linux, h)
	}
	return nil
}

func (l *Lab) linuxHost(name string) *linuxHost {
	for _, h := range l.linux {
		if h.spec.Name == name {
			return h
		}
	}
	return nil
}

// LinuxHosts lists the Linux GPU hosts in spec order.
func (l *Lab) LinuxHosts() []LinuxHostInfo {
	out := make([]LinuxHostInfo, 0, len(l.linux))
	for _, h := range l.linux {
		out = append(out, h.info())
	}
	return out
}

// LinuxHost finds one Linux GPU host by name.
func (l *Lab) LinuxHost(name string) (LinuxHostInfo, error) {
	h := l.linuxHost(name)
	if h == nil {
		return LinuxHostInfo{}, fmt.Errorf("sim: no lab Linux host %q", name)
	}
	return h.info(), nil
}
