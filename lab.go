package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/remote/sim"
)

// startDemo starts the lab for --demo and points the run at its repository.
func (a *app) startDemo() (*demo.Demo, error) {
	d, err := demo.Start(demo.Options{Faults: a.opts.labFaults, StaleLinux: true})
	if err != nil {
		return nil, fmt.Errorf("demo lab: %w", err)
	}
	a.opts.repo, a.opts.inventory = d.Dir, ""
	a.demo = d
	return d, nil
}

// demoHooks lets a host added in the TUI (`n`) be served by the demo's lab:
// the form suggests the address the lab keeps free, and the lab starts a
// machine there once the host is written.
func (a *app) demoHooks(cfg *fleet.Config) {
	if a.demo != nil {
		cfg.SuggestAddress, cfg.HostAdded = a.demo.SuggestAddress, a.demo.HostAdded
	}
}

// runServeLab runs the lab until interrupted, printing how to reach each host.
func (a *app) runServeLab(ctx context.Context) int {
	if err := os.MkdirAll(a.opts.serveLab, 0o755); err != nil {
		return a.fail(err)
	}
	d, err := demo.Start(demo.Options{Dir: a.opts.serveLab, Faults: a.opts.labFaults})
	if err != nil {
		return a.fail(fmt.Errorf("lab: %w", err))
	}
	defer d.Close()
	enc := json.NewEncoder(a.stdout)
	for _, h := range d.Lab.Hosts() {
		enc.Encode(labEndpoint(h))
	}
	for _, h := range d.Lab.LinuxHosts() {
		enc.Encode(linuxEndpoint(h, d))
	}
	fmt.Fprintln(a.stdout, "ready")
	<-ctx.Done()
	return exitOK
}

// endpoint is one --serve-lab line: what a client needs to reach a host.
type endpoint struct {
	Host          string `json:"host"`
	WinRMURL      string `json:"winrm_url,omitempty"`
	WinRMHTTPSURL string `json:"winrm_https_url,omitempty"`
	WinRMUser     string `json:"winrm_user,omitempty"`
	WinRMPassword string `json:"winrm_password,omitempty"`
	VLLMURL       string `json:"vllm_url,omitempty"`
	LlamaCppURL   string `json:"llamacpp_url,omitempty"` // a Linux host serving llama.cpp's llama-server
	LiteLLMURL    string `json:"litellm_url,omitempty"`
	LiteLLMKey    string `json:"litellm_key,omitempty"`
	// Linux hosts: ssh -p SSHPort -i SSHKey -o UserKnownHostsFile=KnownHosts SSHUser@SSHHost
	SSHHost    string `json:"ssh_host,omitempty"`
	SSHPort    int    `json:"ssh_port,omitempty"`
	SSHUser    string `json:"ssh_user,omitempty"`
	SSHKey     string `json:"ssh_key,omitempty"`
	KnownHosts string `json:"known_hosts,omitempty"`
}

func linuxEndpoint(h sim.LinuxHostInfo, d *demo.Demo) endpoint {
	return endpoint{Host: h.Name, SSHHost: h.IP, SSHPort: h.SSHPort, SSHUser: h.User,
		SSHKey: d.SSHKeyPath(), KnownHosts: d.KnownHostsPath(), VLLMURL: h.VLLMURL, LlamaCppURL: h.LlamaCppURL}
}

func labEndpoint(h sim.HostInfo) endpoint {
	if h.Role == sim.RoleProxy {
		return endpoint{Host: h.Name, LiteLLMURL: h.ProxyURL, LiteLLMKey: h.MasterKey}
	}
	return endpoint{Host: h.Name, WinRMURL: h.WinRMHTTPURL, WinRMHTTPSURL: h.WinRMHTTPSURL,
		WinRMUser: h.User, WinRMPassword: h.Password, VLLMURL: h.VLLMURL}
}
