package sim

import (
	"fmt"
	"net"
)

// gpuHost finds a Windows GPU host by name.
func (l *Lab) gpuHost(name string) (*labGPUHost, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	h, ok := l.hostByName[name]
	return h, ok
}

// gpuList is the Windows GPU hosts in the order they were started.
func (l *Lab) gpuList() []*labGPUHost {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return append([]*labGPUHost(nil), l.gpuHosts...)
}

// ReserveAddress takes the next loopback address of the lab's pool for a
// host added later with AddGPUHost: the operator can be told it before
// the host has a name.
func (l *Lab) ReserveAddress() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.pool.take()
}

// AddGPUHost starts one more Windows GPU host on a running lab, at ip (a
// loopback address, usually from ReserveAddress), as StartLab starts those
// of its spec.
func (l *Lab) AddGPUHost(spec GPUHostSpec, ip string) (HostInfo, error) {
	if err := checkLoopback(net.JoinHostPort(ip, "0")); err != nil {
		return HostInfo{}, fmt.Errorf("sim: lab host %s: %w", spec.Name, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if err := spec.validate(l.names()); err != nil {
		return HostInfo{}, err
	}
	fs := NewFS()
	for path, content := range spec.Files {
		fs.WriteFile(path, []byte(content))
	}
	h, err := l.bindGPUHost(spec, fs, ip)
	if err != nil {
		return HostInfo{}, err
	}
	l.gpuHosts, l.hostByName[spec.Name] = append(l.gpuHosts, h), h
	return h.info(), nil
}

// names are the lab's host names, taken (mu held).
func (l *Lab) names() map[string]bool {
	seen := map[string]bool{}
	for name := range l.hostByName {
		seen[name] = true
	}
	for _, h := range l.linux {
		seen[h.spec.Name] = true
	}
	if l.proxy != nil {
		seen[l.proxySpec.Name] = true
	}
	return seen
}
