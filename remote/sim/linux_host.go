package sim

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/crypto/ssh"
)

// LinuxHostSpec is one Linux GPU host reached over SSH (Neuromancer names:
// case, riviera). Its filesystem is a real directory, <LabSpec.Dir>/<Name>:
// commands straylight sends run there in /bin/sh, and files it writes land
// there, so the inventory's paths for the host point inside that directory.
type LinuxHostSpec struct {
	Name     string
	User     string   // the SSH login
	Password string   // "": keys only
	Keys     [][]byte // authorized_keys lines
	// BecomePassword is what the host's sudo asks for; "": sudo needs none
	// (NOPASSWD).
	BecomePassword string
	Files          map[string]string // initial files, paths relative to the host's directory
	ConfigPath     string            // vLLM's config.yml among Files (relative)
	// UnitPath is a systemd unit among Files (relative) whose ExecStart
	// runs llama.cpp's llama-server: the host then serves llama.cpp, not
	// vLLM, started and restarted from that unit as written on disk
	// (ConfigPath is unused; Unit is the unit's file name).
	UnitPath string
	// Runtime is how vLLM runs: "systemd" (the unit Unit) or "docker"
	// (the container ContainerName). "": systemd.
	Runtime       string
	Unit          string // "": vllm.service
	ContainerName string // "": config's container_name, else vllm-<Name>
	TokenRate     float64
	LoadDelay     time.Duration
	VLLMPort      int // 0: config.yml's vllm.port
	SSHPort       int // 0: DefaultLabSSHPort
	GPU           GPUSpec
	Faults        []FaultKind // active from the start
}

// DefaultLabSSHPort is a Linux host's SSH port: above 1023, so a lab
// started by an ordinary user can bind it (each host has its own address).
const DefaultLabSSHPort = 2222

// Runtimes of a Linux host's vLLM.
const (
	RuntimeSystemd = "systemd"
	RuntimeDocker  = "docker"
)

// RoleLinuxGPU marks Linux GPU hosts (SSH) in Hosts().
const RoleLinuxGPU HostRole = "linux-gpu"

// LinuxHostInfo is how to reach a lab Linux host.
type LinuxHostInfo struct {
	Name       string
	IP         string
	SSHPort    int
	User       string
	Password   string
	HostKey    ssh.PublicKey
	KnownHosts string // a known_hosts line for IP:SSHPort
	Dir        string // the host's root directory
	ConfigPath string // absolute path of config.yml
	VLLMURL    string // "" on a llama.cpp host
	// LlamaCppURL is the llama-server's base URL on a llama.cpp host ("" on
	// a vLLM host).
	LlamaCppURL string
	Runtime     string
	Unit        string
	Container   string
}

// linuxHost is one Linux GPU host's servers.
type linuxHost struct {
	spec    LinuxHostSpec
	ip      string
	dir     string          // the host's root
	toolDir string          // stand-ins, outside the root
	fs      *FS             // vLLM reads config.yml from here; synced from disk on restart
	vllm    *VLLMServer     // nil on a llama.cpp host
	llama   *LlamaCppServer // nil on a vLLM host
	ssh     *SSHServer
	tools   *toolServer
	journal *journal
	stop    chan struct{}
	hostKey ssh.Signer // kept across a down/up fault
	faults  faultSet
}

func (h LinuxHostSpec) validate(seen map[string]bool) error {
	switch {
	case h.Name == "" || seen[h.Name] || strings.ContainsAny(h.Name, "/\\ ."):
		return fmt.Errorf("sim: lab Linux host names must be unique simple names (got %q)", h.Name)
	case h.User == "" || (h.Password == "" && len(h.Keys) == 0):
		return fmt.Errorf("sim: lab host %s: needs a User and a Password or Keys", h.Name)
	case h.UnitPath == "" && !isInsidePath(h.ConfigPath):
		return fmt.Errorf("sim: lab host %s: ConfigPath must be a relative path inside the host (got %q)", h.Name, h.ConfigPath)
	case h.UnitPath != "" && (!isInsidePath(h.UnitPath) || (h.Runtime != "" && h.Runtime != RuntimeSystemd)):
		return fmt.Errorf("sim: lab host %s: UnitPath must be a relative path inside the host, run by systemd (got %q, %q)", h.Name, h.UnitPath, h.Runtime)
	case h.Runtime != "" && h.Runtime != RuntimeSystemd && h.Runtime != RuntimeDocker:
		return fmt.Errorf("sim: lab host %s: Runtime %q: want systemd or docker", h.Name, h.Runtime)
	}
	seen[h.Name] = true
	return nil
}

func isInsidePath(rel string) bool {
	return rel != "" && !filepath.IsAbs(rel) && !strings.Contains(rel, "..")
}

func (h LinuxHostSpec) withDefaults() LinuxHostSpec {
	if h.Runtime == "" {
		h.Runtime = RuntimeSystemd
	}
	if h.Unit == "" && h.UnitPath != "" {
		h.Unit = filepath.Base(h.UnitPath)
	}
	if h.Unit == "" {
		h.Unit = "vllm.service"
	}
	if h.SSHPort == 0 {
		h.SSHPort = DefaultLabSSHPort
	}
	return h
}

// startLinuxHost lays out the host's directory and starts its servers,
// moving to the next address when a port is taken.
func startLinuxHost(spec LinuxHostSpec, labDir string, pool *loopbackPool) (*linuxHost, error) {
	spec = spec.withDefaults()
	h := &linuxHost{spec: spec, dir: filepath.Join(labDir, spec.Name),
		toolDir: filepath.Join(labDir, ".lab", spec.Name, "bin"), fs: NewFS(), stop: make(chan struct{})}
	if err := h.layout(); err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		err := h.bind(pool.take())
		if err == nil {
			h.watchJournal()
			return h, h.applyFaults(spec.Faults)
		}
		h.closeServers()
		if !isAddrInUse(err) || attempt == maxBindAttempts {
			return nil, fmt.Errorf("sim: lab host %s: %w", spec.Name, err)
		}
	}
}

// layout writes the host's initial files and its tmp directory.
func (h *linuxHost) layout() error {
	for _, dir := range []string{h.dir, filepath.Join(h.dir, "tmp"), h.toolDir} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	for rel, content := range h.spec.Files {
		if filepath.IsAbs(rel) || strings.Contains(rel, "..") {
			return fmt.Errorf("sim: lab host %s: file %q is not inside the host", h.spec.Name, rel)
		}
		path := filepath.Join(h.dir, rel)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			return err
		}
	}
	return h.syncConfig()
}

func (h *linuxHost) configPath() string { return filepath.Join(h.dir, h.spec.ConfigPath) }

func (h *linuxHost) servesLlamaCpp() bool { return h.spec.UnitPath != "" }

// syncConfig copies config.yml from disk to where vLLM reads it (a
// llama.cpp host reads its unit from disk itself).
func (h *linuxHost) syncConfig() error {
	if h.servesLlamaCpp() {
		return nil
	}
	raw, err := os.ReadFile(h.configPath())
	if err != nil {
		return fmt.Errorf("sim: lab host %s: %w", h.spec.Name, err)
	}
	h.fs.WriteFile(h.configPath(), raw)
	return nil
}

func (h *linuxHost) bind(ip string) error {
	h.ip, h.journal = ip, newJournal(h.spec.Name)
	if err := h.startServer(); err != nil {
		return err
	}
	h.tools = newToolServer(h)
	if err := h.tools.start(net.JoinHostPort(ip, "0")); err != nil {
		return err
	}
	if err := writeStandIns(h.toolDir, h.tools.addr()); err != nil {
		return err
	}
	return h.startSSH()
}

// startServer starts the host's model server: llama-server from its unit,
// or vLLM from config.yml.
func (h *linuxHost) startServer() error {
	if h.servesLlamaCpp() {
		llama, err := NewLlamaCppServer(LlamaCppOptions{Hostname: h.spec.Name, UnitPath: filepath.Join(h.dir, h.spec.UnitPath),
			IP: h.ip, TokenRate: h.spec.TokenRate, LoadDelay: h.spec.LoadDelay})
		if err != nil {
			return err
		}
		h.llama = llama
		return llama.Start()
	}
	vllm, err := NewVLLMServer(VLLMOptions{Hostname: h.spec.Name, FS: h.fs, ConfigPath: h.configPath(), IP: h.ip,
		Port: h.spec.VLLMPort, ContainerName: h.spec.ContainerName, TokenRate: h.spec.TokenRate,
		LoadDelay: h.spec.LoadDelay, GPU: h.spec.GPU})
	if err != nil {
		return err
	}
	h.vllm = vllm
	return vllm.Start()
}

func (h *linuxHost) watchJournal() {
	if h.vllm != nil {
		go h.journal.watch(h.vllm, h.stop)
	}
}

func (h *linuxHost) startSSH() error {
	if h.hostKey == nil {
		key, err := newHostKey()
		if err != nil {
			return err
		}
		h.hostKey = key
	}
	server, err := NewSSHServer(SSHServerOptions{User: h.spec.User, Password: h.spec.Password, Keys: h.spec.Keys,
		Dir: h.dir, Path: h.toolDir, HostKey: h.hostKey})
	if err != nil {
		return err
	}
	h.ssh = server
	return server.Start(net.JoinHostPort(h.ip, strconv.Itoa(h.spec.SSHPort)))
}

// restart is `systemctl restart` / `docker restart`: vLLM reloads the
// config.yml now on disk.
func (h *linuxHost) restart() error {
	if h.servesLlamaCpp() {
		return h.restartLlamaCpp()
	}
	if err := h.syncConfig(); err != nil {
		return err
	}
	h.journal.add("Stopping vLLM OpenAI-compatible server...")
	return h.vllm.RestartVLLM()
}

func (h *linuxHost) closeServers() {
	if h.ssh != nil {
		h.ssh.Close()
		h.ssh = nil
	}
	if h.tools != nil {
		h.tools.close()
		h.tools = nil
	}
	if h.vllm != nil {
		_ = h.vllm.Close()
		h.vllm = nil
	}
	if h.llama != nil {
		_ = h.llama.Close()
		h.llama = nil
	}
}

func (h *linuxHost) close() {
	close(h.stop)
	h.closeServers()
}

func (h *linuxHost) info() LinuxHostInfo {
	known := h.ip
	if h.spec.SSHPort != 22 {
		known = "[" + h.ip + "]:" + strconv.Itoa(h.spec.SSHPort)
	}
	key := h.hostKey.PublicKey()
	info := LinuxHostInfo{Name: h.spec.Name, IP: h.ip, SSHPort: h.spec.SSHPort, User: h.spec.User,
		Password: h.spec.Password, HostKey: key,
		KnownHosts: known + " " + strings.TrimSpace(string(ssh.MarshalAuthorizedKey(key))),
		Dir:        h.dir, ConfigPath: h.configPath(), Runtime: h.spec.Runtime, Unit: h.spec.Unit}
	if h.llama != nil {
		info.ConfigPath, info.LlamaCppURL = filepath.Join(h.dir, h.spec.UnitPath), h.llama.URL()
		return info
	}
	info.VLLMURL, info.Container = h.vllm.URL(), h.vllm.containerName()
	return info
}

var errNoLabDir = errors.New("sim: LabSpec.Dir is required for Linux hosts (their files live there)")
