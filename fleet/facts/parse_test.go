package facts

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/fleet/filemod"
	"github.com/straylight-fleet/straylight/remote"
	"github.com/straylight-fleet/straylight/render"
)

// The script outputs below are written for these tests in the shape
// posix.sh prints (each machine's lines as its files would give them);
// only loopback addresses appear. This machine's own output is compared
// with Ansible's setup module in parity_test.go.

const ubuntuHT = `uname.n=gpu1
uname.s=Linux
uname.r=5.15.0-91-generic
uname.m=x86_64
byaddr=127.0.1.1       gpu1.lab.example gpu1
osr.NAME="Ubuntu"
osr.VERSION_ID="22.04"
osr.VERSION="22.04.3 LTS (Jammy Jellyfish)"
osr.VERSION_CODENAME=jammy
osr.ID=ubuntu
osr.PRETTY_NAME="Ubuntu 22.04.3 LTS"
xen=
cpu=processor:0
cpu=vendor_id:GenuineIntel
cpu=model name:Intel(R) Xeon(R)
cpu=physical id:0
cpu=siblings:4
cpu=core id:0
cpu=cpu cores:2
cpu=processor:1
cpu=vendor_id:GenuineIntel
cpu=model name:Intel(R) Xeon(R)
cpu=physical id:0
cpu=siblings:4
cpu=core id:0
cpu=cpu cores:2
cpu=processor:2
cpu=vendor_id:GenuineIntel
cpu=model name:Intel(R) Xeon(R)
cpu=physical id:0
cpu=siblings:4
cpu=core id:1
cpu=cpu cores:2
cpu=processor:3
cpu=vendor_id:GenuineIntel
cpu=model name:Intel(R) Xeon(R)
cpu=physical id:0
cpu=siblings:4
cpu=core id:1
cpu=cpu cores:2
nproc=3
mem.MemTotal=65843212
mem.SwapTotal=2097148
route=
user=ubuntu
passwd=ubuntu:x:1000:1000:Ubuntu:/home/ubuntu:/bin/bash
id.ru=1000
id.u=1000
id.rg=1000
id.g=1000
env.HOME=/home/ubuntu
env.PATH=/usr/local/bin:/usr/bin:/bin
env.USER=ubuntu
end=1
`

func TestParseUbuntuWithHyperThreads(t *testing.T) {
	f, err := parsePOSIX(ubuntuHT)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"hostname": "gpu1", "nodename": "gpu1", "fqdn": "gpu1.lab.example", "domain": "lab.example",
		"distribution": "Ubuntu", "distribution_version": "22.04", "distribution_major_version": "22",
		"distribution_release": "jammy", "os_family": "Debian", "architecture": "x86_64",
		"processor_count": 1, "processor_cores": 2, "processor_threads_per_core": 2, "processor_vcpus": 4,
		"processor_nproc": 3, "memtotal_mb": 64300, "swaptotal_mb": 2047,
		"user_id": "ubuntu", "user_uid": 1000, "user_dir": "/home/ubuntu", "user_shell": "/bin/bash", "user_gecos": "Ubuntu",
	}
	checkFacts(t, f, want)
	if def := f["default_ipv4"].(*render.Map); len(def.Keys) != 0 {
		t.Errorf("no default route: default_ipv4 %v, want {}", def.Values)
	}
	if env := f["env"].(*render.Map); strings.Join(env.Keys, ",") != "HOME,PATH,USER" {
		t.Errorf("env keys %v", env.Keys)
	}
}

func TestParseDistributions(t *testing.T) {
	for name, c := range map[string]struct {
		lines string
		want  map[string]any
	}{
		"Debian 12": {"osr.PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nosr.VERSION_ID=\"12\"\nosr.VERSION_CODENAME=bookworm\nosr.ID=debian\ndebian_version=12.11\n",
			map[string]any{"distribution": "Debian", "distribution_version": "12.11", "distribution_major_version": "12", "distribution_release": "bookworm", "os_family": "Debian"}},
		"Debian testing": {"osr.PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nosr.VERSION_CODENAME=trixie\nosr.ID=debian\ndebian_version=trixie/sid\n",
			map[string]any{"distribution": "Debian", "distribution_version": "", "distribution_release": "trixie"}},
		"Rocky 9": {"osr.NAME=\"Rocky Linux\"\nosr.VERSION=\"9.3 (Blue Onyx)\"\nosr.ID=\"rocky\"\nosr.VERSION_ID=\"9.3\"\n",
			map[string]any{"distribution": "Rocky", "distribution_version": "9.3", "distribution_major_version": "9", "distribution_release": "Blue Onyx", "os_family": "RedHat"}},
		"RHEL 9": {"osr.ID=\"rhel\"\nosr.VERSION_ID=\"9.4\"\nosr.VERSION=\"9.4 (Plow)\"\n",
			map[string]any{"distribution": "RedHat", "distribution_major_version": "9", "distribution_release": "Plow", "os_family": "RedHat"}},
		"Arch":    {"osr.ID=arch\n", map[string]any{"distribution": "Archlinux", "os_family": "Archlinux", "distribution_version": ""}},
		"unknown": {"osr.ID=nixos\nosr.VERSION_ID=\"24.05\"\n", map[string]any{"distribution": "Nixos", "os_family": "Nixos"}},
	} {
		t.Run(name, func(t *testing.T) {
			f, err := parsePOSIX("uname.m=x86_64\n" + c.lines + "end=1\n")
			if err != nil {
				t.Fatal(err)
			}
			checkFacts(t, f, c.want)
		})
	}
}

func TestParseProcessors(t *testing.T) {
	for name, c := range map[string]struct {
		lines string
		want  map[string]any
	}{
		// Xen paravirt hides the vme flag: one core per CPU, as Ansible counts it.
		"xen paravirt": {"uname.m=x86_64\nxen=1\ncpu=processor:0\ncpu=vendor_id:GenuineIntel\ncpu=model name:Xeon\ncpu=flags:fpu de\ncpu=processor:1\ncpu=vendor_id:GenuineIntel\ncpu=model name:Xeon\ncpu=flags:fpu de\nnproc=2\n",
			map[string]any{"processor_count": 2, "processor_cores": 2, "processor_threads_per_core": 1, "processor_vcpus": 2, "processor_nproc": 2}},
		// ARM: processor lines counted, no sockets.
		"aarch64": {"uname.m=aarch64\nxen=\ncpu=processor:0\ncpu=processor:1\ncpu=processor:2\nnproc=\n",
			map[string]any{"architecture": "aarch64", "processor_count": 3, "processor_cores": 1, "processor_threads_per_core": 1, "processor_vcpus": 3, "processor_nproc": 3}},
		"i686": {"uname.m=i686\n", map[string]any{"architecture": "i386", "machine": "i686"}},
	} {
		t.Run(name, func(t *testing.T) {
			f, err := parsePOSIX(c.lines + "end=1\n")
			if err != nil {
				t.Fatal(err)
			}
			checkFacts(t, f, c.want)
		})
	}
}

// The default route's address, on a bridge, with an alias label.
func TestParseDefaultIPv4(t *testing.T) {
	out := "route=default via 127.0.0.1 dev br0 proto static \nrouteget=127.0.0.1 dev br0 src 127.0.0.9 uid 1000 \n" +
		"inet=127.0.0.8/8 brd 127.255.255.255 scope host br0\ninet=127.0.0.9/8 brd 127.255.255.255 scope host secondary br0:1\n" +
		"net.address=02:00:00:00:00:09\nnet.mtu=9000\nnet.type=1\nnet.bridge=1\nend=1\n"
	f, err := parsePOSIX(out)
	if err != nil {
		t.Fatal(err)
	}
	def := f["default_ipv4"].(*render.Map)
	if got := strings.Join(def.Keys, ","); got != "gateway,interface,address,broadcast,netmask,network,prefix,macaddress,mtu,type,alias" {
		t.Errorf("keys in order %s", got)
	}
	want := map[string]any{"gateway": "127.0.0.1", "interface": "br0", "address": "127.0.0.9", "broadcast": "127.255.255.255",
		"netmask": "255.0.0.0", "network": "127.0.0.0", "prefix": "8", "macaddress": "02:00:00:00:00:09", "mtu": 9000, "type": "bridge", "alias": "br0:1"}
	if !reflect.DeepEqual(def.Values, want) {
		t.Errorf("default_ipv4 %v, want %v", def.Values, want)
	}
}

func TestParseRefusesCutOutput(t *testing.T) {
	if _, err := parsePOSIX("uname.n=gpu1\nuname.s=Linux\n"); err == nil || !strings.Contains(err.Error(), "incomplete") {
		t.Errorf("error %v", err)
	}
}

// The script reads HOME, PATH and USER of the environment and nothing
// else: a variable holding a secret never leaves the host.
func TestScriptPrintsNoOtherEnvironment(t *testing.T) {
	t.Setenv("STRAYLIGHT_FACTS_TEST_SECRET", "s3cret-never-printed")
	res, err := remote.NewLocal(remote.LocalConfig{}).Run(context.Background(), remote.Command{Shell: remote.Sh, Script: posixScript})
	if err != nil || res.ExitCode != 0 {
		t.Fatalf("run: %v, exit %d: %s", err, res.ExitCode, res.Stderr)
	}
	if strings.Contains(res.Stdout, "s3cret-never-printed") {
		t.Error("the script printed an environment variable it does not gather")
	}
	for line := range strings.SplitSeq(res.Stdout, "\n") {
		if k, _, _ := strings.Cut(line, "="); strings.HasPrefix(k, "env.") && k != "env.HOME" && k != "env.PATH" && k != "env.USER" {
			t.Errorf("printed %s", k)
		}
	}
}

// windowsReply is written for this test in the shape windows.ps1's
// ConvertTo-Json -Compress prints; it was not recorded from a Windows host
// (the lab has no PowerShell to run the script).
const windowsReply = `{"hostname":"WINTERMUTE","fqdn":"WINTERMUTE.lab.example","nodename":"WINTERMUTE.lab.example","domain":"lab.example",` +
	`"system":"Win32NT","kernel":"10.0.20348.0","distribution":"Microsoft Windows Server 2022 Standard",` +
	`"distribution_version":"10.0.20348.0","distribution_major_version":"10","os_family":"Windows","architecture":"64-bit",` +
	`"architecture2":"x86_64","processor_vcpus":16,"memtotal_mb":65407,"swaptotal_mb":0,` +
	`"env":{"PATH":"C:\\Windows\\system32;C:\\Windows"},"user_id":"ansible","user_dir":"C:\\Users\\ansible","user_gecos":""}` + "\r\n"

func TestParseWindowsReply(t *testing.T) {
	f, err := parseWindows(windowsReply)
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range Names(true) {
		if _, ok := f[name]; !ok {
			t.Errorf("%s missing", name)
		}
	}
	checkFacts(t, f, map[string]any{"processor_vcpus": 16, "memtotal_mb": 65407, "os_family": "Windows", "distribution_major_version": "10"})
	if env := f["env"].(*render.Map); len(env.Keys) != 1 || env.Values["PATH"] != `C:\Windows\system32;C:\Windows` {
		t.Errorf("env %v", env.Values)
	}
	if _, err := parseWindows("not simulated"); err == nil {
		t.Error("a reply that is not JSON was read")
	}
}

// On a Windows host a Linux fact is undefined (Ansible's Windows setup has
// none), a setup fact straylight does not gather is named, and the facts
// come as ansible_<name> and under ansible_facts.
func TestHostVarsByPlatform(t *testing.T) {
	h := &Host{name: "wintermute", windows: true, gather: func() (map[string]any, error) { return parseWindows(windowsReply) }}
	if _, ok, err := h.Var("ansible_default_ipv4"); ok || err != nil {
		t.Errorf("default_ipv4 on Windows: ok %v, err %v", ok, err)
	}
	if _, _, err := h.Var("ansible_powershell_version"); err == nil || !strings.Contains(err.Error(), "does not gather") {
		t.Errorf("powershell_version: %v", err)
	}
	v, ok, err := h.Var("ansible_facts")
	if !ok || err != nil || v.(*render.Map).Values["hostname"] != "WINTERMUTE" {
		t.Errorf("ansible_facts: %v %v %v", v, ok, err)
	}
	if v, ok, _ := h.Var("ansible_hostname"); !ok || v != "WINTERMUTE" {
		t.Errorf("ansible_hostname %v", v)
	}
	if _, ok, _ := h.Var("inventory_hostname"); ok {
		t.Error("a variable that is no fact was answered")
	}
	linux := &Host{name: "case", gather: func() (map[string]any, error) { return parsePOSIX(ubuntuHT) }}
	if _, ok, err := linux.Var("ansible_powershell_version"); ok || err != nil {
		t.Errorf("a Windows fact on Linux: ok %v, err %v (undefined, as in Ansible)", ok, err)
	}
	if _, _, err := linux.Var("ansible_pkg_mgr"); err == nil || !strings.Contains(err.Error(), "ansible_pkg_mgr is a fact") {
		t.Errorf("pkg_mgr on Linux: %v", err)
	}
}

func checkFacts(t *testing.T, got, want map[string]any) {
	t.Helper()
	for k, v := range want {
		if !reflect.DeepEqual(got[k], v) {
			t.Errorf("%s: %#v, want %#v", k, got[k], v)
		}
	}
}

// replyTransport answers Run with a fixed result and records the command.
type replyTransport struct {
	remote.Transport // nil: only Run is called
	res              remote.CommandResult
	got              remote.Command
}

func (r *replyTransport) Run(_ context.Context, cmd remote.Command) (remote.CommandResult, error) {
	r.got = cmd
	return r.res, nil
}

// Over WinRM the PowerShell script is sent, and its JSON read; a host
// whose PowerShell cannot run it is refused by name.
func TestGatherOverWinRM(t *testing.T) {
	tr := &replyTransport{res: remote.CommandResult{Stdout: windowsReply}}
	f, err := Gather(context.Background(), tr, true)
	if err != nil || f["hostname"] != "WINTERMUTE" {
		t.Fatalf("facts %v, err %v", f, err)
	}
	if tr.got.Shell != remote.PowerShell || !strings.Contains(tr.got.Script, "# straylight:facts v1 (PowerShell)") {
		t.Errorf("sent %s: %.60q", tr.got.Shell, tr.got.Script)
	}
	tr.res = remote.CommandResult{ExitCode: 1, Stderr: "not simulated: $ipProps = ...\r\n"}
	if _, err := Gather(context.Background(), tr, true); err == nil || !strings.Contains(err.Error(), "facts over WinRM need a Windows host's PowerShell") {
		t.Errorf("refusal: %v", err)
	}
}

// BenchmarkGatherLocal is one gathering over the local transport: the
// script's run and the parse (Ansible's setup module takes over a second
// on the same machine).
func BenchmarkGatherLocal(b *testing.B) {
	tr := remote.NewLocal(remote.LocalConfig{})
	for b.Loop() {
		if _, err := Gather(context.Background(), tr, false); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParsePOSIX(b *testing.B) {
	for b.Loop() {
		if _, err := parsePOSIX(ubuntuHT); err != nil {
			b.Fatal(err)
		}
	}
}

// closeableReply is a replyTransport the Gatherer may close.
type closeableReply struct{ *replyTransport }

func (closeableReply) Close() error { return nil }

// A WinRM host's facts are gathered with the play's environment set first,
// as Ansible's PowerShell module wrapper sets it for ansible.windows.setup
// (module_wrapper.ps1:74-76): the script sent sets each variable and names
// them, so that ansible_env holds them as setup.ps1's Env: listing would,
// under the name Windows keeps (Path, not PATH).
func TestWindowsGatheringRunsWithThePlaysEnvironment(t *testing.T) {
	reply := strings.Replace(windowsReply, `"env":{"PATH":"C:\\Windows\\system32;C:\\Windows"}`,
		`"env":{"Path":"C:\\Windows","HF_HOME":"D:\\hf"}`, 1)
	tr := &replyTransport{res: remote.CommandResult{Stdout: reply}}
	g := New(func(ansible.Connection) (remote.Transport, error) { return closeableReply{tr}, nil }, time.Second)
	env := []filemod.EnvVar{{Name: "HF_HOME", Value: `D:\hf\`}, {Name: "GONE", Null: true}, {Name: "it's", Value: "a'b"}}
	h := g.Facts("wintermute", ansible.Connection{Kind: "winrm"}, ansible.BecomeSpec{}, env)
	got, ok, err := h.Var("ansible_env")
	if err != nil || !ok {
		t.Fatalf("ansible_env: ok %v, err %v", ok, err)
	}
	wantPrefix := "[System.Environment]::SetEnvironmentVariable('HF_HOME', 'D:\\hf\\')\n" +
		"[System.Environment]::SetEnvironmentVariable('GONE', $null)\n" +
		"[System.Environment]::SetEnvironmentVariable('it''s', 'a''b')\n" +
		"$straylightExported = @('HF_HOME', 'GONE', 'it''s')\n# straylight:facts v1 (PowerShell)"
	if tr.got.Shell != remote.PowerShell || !strings.HasPrefix(tr.got.Script, wantPrefix) {
		t.Errorf("sent %s:\n%.400s\nwant it to start with:\n%s", tr.got.Shell, tr.got.Script, wantPrefix)
	}
	m := got.(*render.Map)
	if strings.Join(m.Keys, ",") != "HF_HOME,Path" || m.Values["HF_HOME"] != `D:\hf` {
		t.Errorf("ansible_env %v %v, want HF_HOME then Path, as the script sorts them", m.Keys, m.Values)
	}
}

// A list or mapping value is one straylight does not send to PowerShell:
// the gathering fails naming the variable, and nothing is run.
func TestWindowsGatheringRefusesAStructuredEnvironmentValue(t *testing.T) {
	tr := &replyTransport{res: remote.CommandResult{Stdout: windowsReply}}
	_, err := gatherWindows(context.Background(), tr, []filemod.EnvVar{{Name: "OPTS", Value: "['a']", Structured: true}})
	if err == nil || !strings.Contains(err.Error(), "environment variable OPTS is a list or a mapping") || tr.got.Script != "" {
		t.Errorf("err %v, sent %.40q", err, tr.got.Script)
	}
}
