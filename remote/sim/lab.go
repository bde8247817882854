package sim

import (
	"crypto/x509"
	"fmt"
	"net"
	"strconv"
	"sync"
	"time"
)

// LabSpec lists the hosts of a simulated lab.
type LabSpec struct {
	GPUHosts []GPUHostSpec
	// LinuxHosts are GPU hosts reached over SSH; their files live in
	// Dir/<name> (Dir is required when there are any).
	LinuxHosts []LinuxHostSpec
	Dir        string
	Proxy      *ProxySpec // nil: no LiteLLM proxy
	// SlowWinRMDelay is the delay the slow-winrm fault adds to every WinRM
	// reply; 0: 3 s.
	SlowWinRMDelay time.Duration
}

// GPUHostSpec is one Windows GPU host: WinRM (HTTP and HTTPS) over its
// filesystem, and vLLM serving its deployed config.yml.
type GPUHostSpec struct {
	Name                     string
	WinRMUser, WinRMPassword string
	Files                    map[string]string // initial filesystem: path → content
	ConfigPath               string            // vLLM's config.yml among Files
	ContainerName            string            // "": config's container_name, else vllm-<Name>
	TokenRate                float64           // tokens/s per stream; 0: DefaultTokenRate
	LoadDelay                time.Duration     // model load after a restart; 0: DefaultLoadDelay
	VLLMPort                 int               // 0: config.yml's vllm.port (default 8000)
	WinRMPort, WinRMSPort    int               // 0: 5985, 5986
	GPU                      GPUSpec
	Faults                   []FaultKind // active from the start
	// WinRMAllowUnencrypted is WinRM's AllowUnencrypted setting. Off (the
	// Windows default), plain HTTP serves only NTLM-sealed messages: Basic
	// and unsealed NTLM get 401.
	WinRMAllowUnencrypted bool
	// Services are its Windows services (sc.exe, *-Service); none by default.
	Services []WindowsService
}

// ProxySpec is the LiteLLM proxy host (ansible_connection: local): its
// config.yaml is a real file.
type ProxySpec struct {
	Name         string
	ConfigPath   string            // config.yaml on disk, read at start and on restart
	Env          map[string]string // for os.environ/VAR values
	Port         int               // 0: 8000
	RestartDelay time.Duration     // connections refused during a restart; 0: 300 ms
	Faults       []FaultKind
}

// HostRole tells GPU hosts from the proxy.
type HostRole string

const (
	RoleGPU   HostRole = "gpu"
	RoleProxy HostRole = "proxy"
)

// HostInfo is how to reach a lab host. IP is what ansible_host becomes; the
// ports are the repository's own.
type HostInfo struct {
	Name string
	Role HostRole
	IP   string

	// GPU hosts.
	VLLMURL       string // http://IP:8000 (no /v1)
	WinRMPort     int
	WinRMSPort    int
	WinRMHTTPURL  string // http://IP:5985/wsman
	WinRMHTTPSURL string // https://IP:5986/wsman, certificate from the lab CA
	User          string
	Password      string
	ConfigPath    string
	ContainerName string

	// The proxy.
	ProxyURL   string // http://IP:8000
	ProxyPort  int
	RestartURL string // POST here to restart the proxy
	ConfigFile string
	MasterKey  string // "" when the config sets none
}

// Lab is a running simulated fleet on loopback.
type Lab struct {
	ca        *labCA
	slowWinRM time.Duration
	gpuHosts  []*labGPUHost
	proxy     *LiteLLMProxy
	proxySpec ProxySpec
	proxyIP   string
	closeOnce sync.Once
	linux     []*linuxHost
	pool      *loopbackPool

	mu         sync.RWMutex // guards gpuHosts and hostByName: AddGPUHost adds to them
	hostByName map[string]*labGPUHost
}

// labGPUHost is one GPU host's servers.
type labGPUHost struct {
	spec       GPUHostSpec
	ip         string
	fs         *FS
	vllm       *VLLMServer
	winrm      *WinRMServer
	winrmHTTP  loopServer
	winrmHTTPS loopServer
	faults     faultSet
}

// maxBindAttempts bounds the addresses tried per host when one is taken.
const maxBindAttempts = 16

// StartLab starts every host of spec, each on its own loopback address.
func StartLab(spec LabSpec) (*Lab, error) {
	if err := spec.validate(); err != nil {
		return nil, err
	}
	ca, err := newLabCA()
	if err != nil {
		return nil, err
	}
	l := &Lab{ca: ca, slowWinRM: spec.SlowWinRMDelay, hostByName: map[string]*labGPUHost{}, pool: newLoopbackPool()}
	if l.slowWinRM <= 0 {
		l.slowWinRM = 3 * time.Second
	}
	if err := l.start(spec); err != nil {
		_ = l.Close()
		return nil, err
	}
	return l, nil
}

func (l *Lab) start(spec LabSpec) error {
	pool := l.pool
	for _, hs := range spec.GPUHosts {
		h, err := l.startGPUHost(hs, pool)
		if err != nil {
			return err
		}
		l.gpuHosts = append(l.gpuHosts, h)
		l.hostByName[hs.Name] = h
	}
	if err := l.startLinuxHosts(spec, pool); err != nil {
		return err
	}
	if spec.Proxy != nil {
		return l.startProxy(*spec.Proxy, pool)
	}
	return nil
}

func (s LabSpec) validate() error {
	seen := map[string]bool{}
	for _, h := range s.GPUHosts {
		if err := h.validate(seen); err != nil {
			return err
		}
	}
	if err := s.validateLinux(seen); err != nil {
		return err
	}
	if s.Proxy == nil {
		return nil
	}
	if s.Proxy.Name == "" || s.Proxy.ConfigPath == "" || seen[s.Proxy.Name] {
		return fmt.Errorf("sim: lab proxy needs a unique Name and a ConfigPath (got %q)", s.Proxy.Name)
	}
	return nil
}

func (h GPUHostSpec) validate(seen map[string]bool) error {
	switch {
	case h.Name == "" || seen[h.Name]:
		return fmt.Errorf("sim: lab GPU host names must be unique and non-empty (got %q)", h.Name)
	case h.ConfigPath == "":
		return fmt.Errorf("sim: lab host %s: ConfigPath is empty", h.Name)
	case h.WinRMUser == "":
		return fmt.Errorf("sim: lab host %s: WinRMUser is empty", h.Name)
	}
	seen[h.Name] = true
	return nil
}

// startGPUHost binds the host's servers, moving to the next address when
// one of its ports is taken.
func (l *Lab) startGPUHost(spec GPUHostSpec, pool *loopbackPool) (*labGPUHost, error) {
	fs := NewFS()
	for path, content := range spec.Files {
		fs.WriteFile(path, []byte(content))
	}
	for attempt := 1; ; attempt++ {
		h, err := l.bindGPUHost(spec, fs, pool.take())
		if err == nil || !isAddrInUse(err) || attempt == maxBindAttempts {
			return h, err
		}
	}
}

func (l *Lab) bindGPUHost(spec GPUHostSpec, fs *FS, ip string) (*labGPUHost, error) {
	h := &labGPUHost{spec: spec.withDefaults(), ip: ip, fs: fs}
	if err := h.build(l.ca); err != nil {
		return nil, err
	}
	if err := h.listen(); err != nil {
		h.close()
		return nil, err
	}
	return h, h.applyFaults(spec.Faults, l.slowWinRM)
}

func (h GPUHostSpec) withDefaults() GPUHostSpec {
	if h.WinRMPort == 0 {
		h.WinRMPort = 5985
	}
	if h.WinRMSPort == 0 {
		h.WinRMSPort = 5986
	}
	return h
}

// build makes the host's servers without listening.
func (h *labGPUHost) build(ca *labCA) error {
	vllm, err := NewVLLMServer(VLLMOptions{Hostname: h.spec.Name, FS: h.fs, ConfigPath: h.spec.ConfigPath, IP: h.ip,
		Port: h.spec.VLLMPort, ContainerName: h.spec.ContainerName, TokenRate: h.spec.TokenRate,
		LoadDelay: h.spec.LoadDelay, GPU: h.spec.GPU})
	if err != nil {
		return fmt.Errorf("sim: lab host %s: %w", h.spec.Name, err)
	}
	tlsConfig, err := ca.serverTLS(h.ip, h.spec.Name)
	if err != nil {
		return err
	}
	h.vllm, h.winrmHTTPS.tlsConfig = vllm, tlsConfig
	h.winrm = NewWinRMServer(WinRMOptions{User: h.spec.WinRMUser, Password: h.spec.WinRMPassword,
		FS: h.fs, Runtime: vllm, Hostname: h.spec.Name, DenyUnencrypted: !h.spec.WinRMAllowUnencrypted,
		Services: h.spec.Services})
	return nil
}

func (h *labGPUHost) listen() error {
	if err := h.vllm.Start(); err != nil {
		return err
	}
	return h.listenWinRM()
}

func (h *labGPUHost) listenWinRM() error {
	if err := h.winrmHTTP.start(h.addr(h.spec.WinRMPort), h.winrm); err != nil {
		return err
	}
	return h.winrmHTTPS.start(h.addr(h.spec.WinRMSPort), h.winrm)
}

func (h *labGPUHost) addr(port int) string { return net.JoinHostPort(h.ip, strconv.Itoa(port)) }

func (h *labGPUHost) applyFaults(kinds []FaultKind, slow time.Duration) error {
	for _, k := range kinds {
		if err := h.setFault(k, true, slow); err != nil {
			h.close()
			return fmt.Errorf("sim: lab host %s: %w", h.spec.Name, err)
		}
	}
	return nil
}

// setFault turns a fault on or off on every server of the host it concerns.
func (h *labGPUHost) setFault(kind FaultKind, on bool, slow time.Duration) error {
	if err := faultAllowed(kind, gpuHostFaults); err != nil {
		return err
	}
	h.faults.set(kind, on)
	switch kind {
	case FaultWinRMAuth:
		h.winrm.SetRejectAuth(on)
	case FaultSlowWinRM:
		h.winrm.SetDelay(slowDelay(on, slow))
	case FaultDown:
		return h.setDown(on)
	case FaultDockerNotRunning:
		h.winrm.SetDockerDown(on)
	case FaultNvidiaSMIMissing:
		h.winrm.SetNvidiaSMIMissing(on)
	default:
		return h.vllmFault(kind, on)
	}
	return nil
}

func slowDelay(on bool, slow time.Duration) time.Duration {
	if on {
		return slow
	}
	return 0
}

func (h *labGPUHost) vllmFault(kind FaultKind, on bool) error {
	if on {
		return h.vllm.SetFault(kind)
	}
	return h.vllm.ClearFault(kind)
}

// setDown powers the host off (nothing listens) or on again (WinRM answers at
// once, vLLM loads).
func (h *labGPUHost) setDown(down bool) error {
	if err := h.vllmFault(FaultDown, down); err != nil {
		return err
	}
	if !down {
		return h.bootWinRM()
	}
	h.winrm.Close()
	h.winrmHTTP.stop()
	h.winrmHTTPS.stop()
	return nil
}

func (h *labGPUHost) bootWinRM() error {
	if h.winrmHTTP.running() {
		return nil
	}
	return h.listenWinRM()
}

func (h *labGPUHost) close() {
	if h.vllm != nil {
		_ = h.vllm.Close()
	}
	if h.winrm != nil {
		h.winrm.Close()
	}
	h.winrmHTTP.stop()
	h.winrmHTTPS.stop()
}

func (h *labGPUHost) info() HostInfo {
	return HostInfo{Name: h.spec.Name, Role: RoleGPU, IP: h.ip, VLLMURL: h.vllm.URL(),
		WinRMPort: h.spec.WinRMPort, WinRMSPort: h.spec.WinRMSPort,
		WinRMHTTPURL:  "http://" + h.addr(h.spec.WinRMPort) + "/wsman",
		WinRMHTTPSURL: "https://" + h.addr(h.spec.WinRMSPort) + "/wsman",
		User:          h.spec.WinRMUser, Password: h.spec.WinRMPassword,
		ConfigPath: h.spec.ConfigPath, ContainerName: h.vllm.containerName()}
}

// startProxy starts the proxy; api_base host names resolve to lab addresses.
func (l *Lab) startProxy(spec ProxySpec, pool *loopbackPool) error {
	resolve := map[string]string{}
	for _, h := range l.gpuList() {
		resolve[h.spec.Name] = h.ip
	}
	for _, h := range l.linux {
		resolve[h.spec.Name] = h.ip
	}
	for attempt := 1; ; attempt++ {
		ip := pool.take()
		resolve[spec.Name] = ip
		p := NewLiteLLMProxy(LiteLLMOptions{Name: spec.Name, ConfigPath: spec.ConfigPath, Env: spec.Env, IP: ip,
			Port: spec.Port, RestartDelay: spec.RestartDelay, Resolve: resolve})
		err := p.Start()
		if err == nil {
			l.proxy, l.proxySpec, l.proxyIP = p, spec, ip
			return l.applyProxyFaults(spec.Faults)
		}
		if !isAddrInUse(err) || attempt == maxBindAttempts {
			return err
		}
	}
}

func (l *Lab) applyProxyFaults(kinds []FaultKind) error {
	for _, k := range kinds {
		if err := l.proxy.SetFault(k); err != nil {
			return fmt.Errorf("sim: lab proxy %s: %w", l.proxySpec.Name, err)
		}
	}
	return nil
}

func (l *Lab) proxyInfo() HostInfo {
	url := l.proxy.URL()
	_, port, _ := net.SplitHostPort(url[len("http://"):])
	portNum, _ := strconv.Atoi(port)
	return HostInfo{Name: l.proxySpec.Name, Role: RoleProxy, IP: l.proxyIP, ProxyURL: url, ProxyPort: portNum,
		RestartURL: url + LabRestartPath, ConfigFile: l.proxySpec.ConfigPath, MasterKey: l.proxy.MasterKey()}
}

// Hosts lists every host: GPU hosts in spec order, then the proxy.
func (l *Lab) Hosts() []HostInfo {
	gpus := l.gpuList()
	out := make([]HostInfo, 0, len(gpus)+1)
	for _, h := range gpus {
		out = append(out, h.info())
	}
	if l.proxy != nil {
		out = append(out, l.proxyInfo())
	}
	return out
}

// Host finds one host by name.
func (l *Lab) Host(name string) (HostInfo, bool) {
	for _, h := range l.Hosts() {
		if h.Name == name {
			return h, true
		}
	}
	return HostInfo{}, false
}

// SetFault turns a fault on for a host; kinds that do not apply to the host's
// role are refused.
func (l *Lab) SetFault(host string, kind FaultKind) error { return l.fault(host, kind, true) }

// ClearFault turns a fault off.
func (l *Lab) ClearFault(host string, kind FaultKind) error { return l.fault(host, kind, false) }

func (l *Lab) fault(host string, kind FaultKind, on bool) error {
	if h, ok := l.gpuHost(host); ok {
		return h.setFault(kind, on, l.slowWinRM)
	}
	if h := l.linuxHost(host); h != nil {
		return h.setFault(kind, on)
	}
	if l.proxy == nil || host != l.proxySpec.Name {
		return fmt.Errorf("sim: no lab host %q", host)
	}
	if on {
		return l.proxy.SetFault(kind)
	}
	return l.proxy.ClearFault(kind)
}

// Faults lists a host's active faults.
func (l *Lab) Faults(host string) []FaultKind {
	if h, ok := l.gpuHost(host); ok {
		return h.faults.list()
	}
	if h := l.linuxHost(host); h != nil {
		return h.faults.list()
	}
	if l.proxy != nil && host == l.proxySpec.Name {
		return l.proxy.Faults()
	}
	return nil
}

// CACertPEM is the lab CA certificate: trust it for the WinRM HTTPS endpoints
// (ansible_winrm_ca_trust_path).
func (l *Lab) CACertPEM() []byte { return append([]byte(nil), l.ca.pem...) }

// CertPool is a pool holding only the lab CA.
func (l *Lab) CertPool() *x509.CertPool { return l.ca.certPool() }

// FS is a GPU host's filesystem (nil for an unknown host).
func (l *Lab) FS(host string) *FS {
	if h, ok := l.gpuHost(host); ok {
		return h.fs
	}
	return nil
}

// WinRM is a Windows GPU host's WinRM server (nil for an unknown host):
// its services (SetService, Services) among the rest.
func (l *Lab) WinRM(host string) *WinRMServer {
	if h, ok := l.gpuHost(host); ok {
		return h.winrm
	}
	return nil
}

// VLLM is a GPU host's vLLM server (nil for an unknown host).
func (l *Lab) VLLM(host string) *VLLMServer {
	if h, ok := l.gpuHost(host); ok {
		return h.vllm
	}
	if h := l.linuxHost(host); h != nil {
		return h.vllm
	}
	return nil
}

// Proxy is the LiteLLM proxy (nil when the spec has none).
func (l *Lab) Proxy() *LiteLLMProxy { return l.proxy }

// Close stops every server; it is safe to call more than once.
func (l *Lab) Close() error {
	l.closeOnce.Do(func() {
		var wg sync.WaitGroup
		for _, h := range l.gpuList() {
			wg.Add(1)
			go func() { defer wg.Done(); h.close() }()
		}
		for _, h := range l.linux {
			wg.Add(1)
			go func() { defer wg.Done(); h.close() }()
		}
		if l.proxy != nil {
			_ = l.proxy.Close()
		}
		wg.Wait()
	})
	return nil
}
