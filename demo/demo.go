// Package demo builds the simulated lab behind `straylight --demo` and
// `--serve-lab`: a copy of examples/homelab, with the Linux GPU hosts of
// examples/homelab-linux (case and riviera serving vLLM, dixie llama.cpp's
// llama-server, reached over SSH with a key and
// known_hosts generated per demo), whose addresses are rewritten to the
// lab's loopback addresses, in the seed's broken state (docs/lab.md). The
// lab keeps an address free for a host added at run time (addhost.go) and
// starts a machine there once the host is written. The checked-in examples
// are never modified and nothing leaves loopback.
package demo

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/straylight-fleet/straylight/examples"
	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/remote/sim"
)

// Options tune the demo lab.
type Options struct {
	Dir       string        // where the repository copy goes; "" makes a temporary directory
	Faults    []string      // HOST:KIND, as --lab-fault takes them
	LoadDelay time.Duration // vLLM model load after a restart; 0: the lab's default
	TokenRate float64       // tokens/s per stream; 0: the lab's default
	HTTP      bool          // WinRM over plain HTTP (NTLM, sealed; marked insecure) instead of HTTPS
	// StaleLinux starts case (over SSH) on an older config (max_model_len
	// 4096) and dixie's llama-server on an older unit (-c 4096), so a deploy
	// writes them with sudo and restarts their systemd units. --demo sets
	// it; without it only wintermute differs from the repository.
	StaleLinux bool
}

// Demo is a running lab and its repository.
type Demo struct {
	Dir  string // repository root
	Lab  *sim.Lab
	temp bool
	// GitNote says why the repository has no git history ("" when it has).
	GitNote string
	opts    Options
	spare   spareAddress // where a host added at run time will be served
}

// Hosts of the example and where their files live.
const (
	proxyHost   = "motoko"
	winrmUser   = "mdt"
	configName  = "config.yml"
	scriptsPath = `scripts\Start-VLLM.ps1`
)

// Start copies the example, starts the lab and leaves it in the seed's state.
func Start(opts Options) (*Demo, error) {
	d, err := newDemo(opts.Dir)
	if err != nil {
		return nil, err
	}
	if err := d.start(opts); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func newDemo(dir string) (*Demo, error) {
	d := &Demo{Dir: dir}
	if dir == "" {
		tmp, err := os.MkdirTemp("", "straylight-demo-")
		if err != nil {
			return nil, err
		}
		d.Dir, d.temp = tmp, true
	}
	if err := CopyHomelab(d.Dir); err != nil {
		return d, err
	}
	return d, addLinuxHosts(d.Dir)
}

func (d *Demo) start(opts Options) error {
	d.opts = opts
	files, err := d.renderedGPUFiles()
	if err != nil {
		return err
	}
	if err := d.startLab(opts, files); err != nil {
		return err
	}
	if err := os.WriteFile(d.caPath(), d.Lab.CACertPEM(), 0o644); err != nil {
		return err
	}
	if err := d.writeKnownHosts(); err != nil {
		return err
	}
	if err := d.rewriteInventory(opts); err != nil {
		return err
	}
	if err := d.deployProxyConfig(); err != nil {
		return err
	}
	if err := d.initGit(); err != nil {
		return err
	}
	d.spare.reserve(d.Lab)
	return d.injectFaults(opts.Faults)
}

// Close stops the lab and removes a temporary repository.
func (d *Demo) Close() {
	if d.Lab != nil {
		d.Lab.Close()
	}
	if d.temp {
		os.RemoveAll(d.Dir)
	}
}

// CopyHomelab writes examples/homelab into dir, with its inventory links.
func CopyHomelab(dir string) error {
	sub, err := fs.Sub(examples.Homelab, "homelab")
	if err != nil {
		return err
	}
	if err := os.CopyFS(dir, sub); err != nil {
		return fmt.Errorf("copy the example to %s: %w", dir, err)
	}
	for _, link := range []string{"host_vars", "group_vars"} {
		if err := os.Symlink(filepath.Join("..", link), filepath.Join(dir, "inventory", link)); err != nil {
			return err
		}
	}
	return nil
}

// renderedGPUFiles renders each GPU host's files as the repository says
// now; they do not depend on addresses, so they can seed the lab.
func (d *Demo) renderedGPUFiles() (map[string]map[string]string, error) {
	repo, err := d.open()
	if err != nil {
		return nil, err
	}
	out := map[string]map[string]string{}
	f := repo.Fleet()
	for _, g := range append(f.GPU, f.Backends...) { // dixie's llama-server is a discovered backend
		if out[g.Name] != nil {
			continue
		}
		files, err := repo.RenderedFiles(g.Name)
		if err != nil {
			return nil, err
		}
		out[g.Name] = files
	}
	return out, nil
}

// seedBroken is the seed's state: wintermute still runs the config from
// before the fix, without --served-model-name; with staleLinux, case (over
// SSH) runs an older config with a shorter context, and dixie's
// llama-server an older unit with a shorter context (-c 4096).
func seedBroken(host string, files map[string]string, staleLinux bool) map[string]string {
	edit := map[string]func(string) string{
		"wintermute": func(c string) string { return dropLine(c, "served_model_name:") },
	}[host]
	if host == "case" && staleLinux {
		edit = func(c string) string { return strings.Replace(c, "max_model_len: 8192", "max_model_len: 4096", 1) }
	}
	if host == "dixie" && staleLinux {
		edit = func(c string) string { return strings.Replace(c, " -c 8192 ", " -c 4096 ", 1) }
	}
	if edit == nil {
		return files
	}
	out := map[string]string{}
	for path, content := range files {
		if strings.HasSuffix(path, configName) || strings.HasSuffix(path, "/"+llamaUnitName) {
			content = edit(content)
		}
		out[path] = content
	}
	return out
}

func dropLine(content, marker string) string {
	lines := strings.SplitAfter(content, "\n")
	var b strings.Builder
	for _, l := range lines {
		if !strings.Contains(l, marker) {
			b.WriteString(l)
		}
	}
	return b.String()
}

func (d *Demo) startLab(opts Options, files map[string]map[string]string) error {
	spec := sim.LabSpec{Proxy: &sim.ProxySpec{Name: proxyHost, ConfigPath: d.proxyConfigPath()}, Dir: d.linuxLabDir()}
	key, err := d.newSSHKey()
	if err != nil {
		return err
	}
	for _, host := range sortedHosts(files) {
		if isLinuxHost(host) {
			spec.LinuxHosts = append(spec.LinuxHosts, linuxSpec(host, seedBroken(host, files[host], opts.StaleLinux), key, opts))
			continue
		}
		spec.GPUHosts = append(spec.GPUHosts, gpuSpec(host, seedBroken(host, files[host], false), opts))
	}
	if err := writePlaceholderProxyConfig(spec.Proxy.ConfigPath); err != nil {
		return err
	}
	lab, err := sim.StartLab(spec)
	d.Lab = lab
	return err
}

func gpuSpec(host string, files map[string]string, opts Options) sim.GPUHostSpec {
	// AllowUnencrypted, as on a host set up for Ansible's Basic-over-HTTP
	// quick start: --serve-lab's clients may use Basic over its http URL.
	// straylight itself speaks sealed NTLM, which Windows' default accepts.
	spec := sim.GPUHostSpec{Name: host, WinRMUser: winrmUser, WinRMPassword: demoPassword,
		Files: files, LoadDelay: opts.LoadDelay, TokenRate: opts.TokenRate, WinRMAllowUnencrypted: true}
	for path := range files {
		if strings.HasSuffix(path, configName) {
			spec.ConfigPath = path
		}
	}
	return spec
}

func (d *Demo) proxyConfigPath() string {
	return filepath.Join(d.proxyConfigDir(), "config.yaml")
}

func (d *Demo) proxyConfigDir() string {
	return filepath.Join(d.Dir, ".lab", proxyHost, "litellm")
}

// writePlaceholderProxyConfig gives the proxy a config to start with until
// the real one, which names the lab's addresses, is rendered.
func writePlaceholderProxyConfig(path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	placeholder := "model_list:\n  - model_name: placeholder\n    litellm_params:\n      model: openai/placeholder\n      api_base: http://127.0.0.1:9/v1\n"
	return os.WriteFile(path, []byte(placeholder), 0o644)
}

// deployProxyConfig renders motoko's LiteLLM config with the lab's addresses,
// as a previous deploy would have left it, and restarts the proxy on it.
func (d *Demo) deployProxyConfig() error {
	repo, err := d.open()
	if err != nil {
		return err
	}
	files, err := repo.RenderedFiles(proxyHost)
	if err != nil {
		return err
	}
	content, ok := files[d.proxyConfigPath()]
	if !ok {
		return fmt.Errorf("demo: %s renders no %s", proxyHost, d.proxyConfigPath())
	}
	if err := os.WriteFile(d.proxyConfigPath(), []byte(content), 0o644); err != nil {
		return err
	}
	return d.restartProxy()
}

func (d *Demo) restartProxy() error {
	p := d.Lab.Proxy()
	if err := p.Restart(); err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return p.WaitState(ctx, sim.ProxyServing)
}

func (d *Demo) injectFaults(faults []string) error {
	for _, f := range faults {
		host, kind, err := sim.ParseHostFault(f)
		if err != nil {
			return err
		}
		if err := d.Lab.SetFault(host, kind); err != nil {
			return err
		}
	}
	return nil
}

// open reads the copy with its vault password (ansible.cfg's
// vault_password_file), as straylight run on it would.
func (d *Demo) open() (*fleet.Repo, error) {
	s := fleet.NewSession(fleet.Config{Repo: d.Dir})
	defer s.Close()
	return s.Open()
}
