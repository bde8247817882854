package facts

import (
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// distributionFacts reads /etc/os-release (and /etc/debian_version) as
// Ansible's distribution facts do: the distro library's id, version and
// codename, then Ansible's corrections for Debian, and its OS family map.
func distributionFacts(d rawData, f map[string]any) {
	osr := osRelease(d)
	id := osr["ID"]
	name := distributionName(id)
	version := osr["VERSION_ID"]
	if id == "debian" {
		version = debianVersion(d.first("debian_version"), version)
	}
	major, _, _ := strings.Cut(osr["VERSION_ID"], ".")
	f["distribution"] = name
	f["distribution_version"] = version
	f["distribution_major_version"] = major
	f["distribution_release"] = release(name, osr, d)
	f["os_family"] = osFamily(name)
}

// osRelease reads the os-release lines, their values unquoted.
func osRelease(d rawData) map[string]string {
	out := map[string]string{}
	for key, values := range d {
		if k, ok := strings.CutPrefix(key, "osr."); ok {
			out[k] = unquote(values[0])
		}
	}
	return out
}

// unquote reads a shell-quoted os-release value.
func unquote(v string) string {
	v = strings.TrimSpace(v)
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = v[1 : len(v)-1]
		if v[0] == '"' {
			v = strings.NewReplacer(`\"`, `"`, `\\`, `\`, `\$`, `$`, "\\`", "`").Replace(v)
		}
	}
	return v
}

// debianVersion: the distro library's best version for Debian is
// /etc/debian_version when it is a version number ("12.11").
var debianVersionNumber = lazyre.New(`^\d+(\.\d+)*$`)

func debianVersion(file, versionID string) string {
	if debianVersionNumber().MatchString(strings.TrimSpace(file)) {
		return strings.TrimSpace(file)
	}
	return versionID
}

// debianRelease is Ansible's reading of PRETTY_NAME ("... (bookworm)").
var debianRelease = lazyre.New(`PRETTY_NAME=[^(]+ \(?([^)]+?)\)`)

// release is the distro library's codename, with Ansible's Debian rule.
func release(name string, osr map[string]string, d rawData) string {
	if name == "Debian" {
		if m := debianRelease().FindStringSubmatch("PRETTY_NAME=" + d.first("osr.PRETTY_NAME")); m != nil {
			return m[1]
		}
	}
	for _, k := range []string{"VERSION_CODENAME", "UBUNTU_CODENAME"} {
		if osr[k] != "" {
			return osr[k]
		}
	}
	if m := versionCodename().FindStringSubmatch(osr["VERSION"]); m != nil {
		return m[1]
	}
	return ""
}

// versionCodename: "9.3 (Blue Onyx)" or "22.04.3 LTS, Jammy Jellyfish".
var versionCodename = lazyre.New(`\(([^)]+)\)\s*$`)

// distributionName: distro's id capitalized, with Ansible's names for the
// ids whose capitalized form it corrects.
func distributionName(id string) string {
	if n, ok := distributionNames[id]; ok {
		return n
	}
	if id == "" {
		return "OtherLinux"
	}
	return strings.ToUpper(id[:1]) + strings.ToLower(id[1:])
}

var distributionNames = map[string]string{
	"rhel": "RedHat", "centos": "CentOS", "almalinux": "AlmaLinux", "amzn": "Amazon",
	"ol": "OracleLinux", "sles": "SLES", "sled": "SLED", "opensuse-leap": "openSUSE Leap",
	"opensuse-tumbleweed": "openSUSE Tumbleweed", "arch": "Archlinux", "linuxmint": "Linux Mint",
	"pop": "Pop!_OS", "clear-linux-os": "Clear Linux OS", "neon": "KDE neon",
}

// osFamily is Ansible's OS_FAMILY_MAP; a distribution it does not list is
// its own family.
func osFamily(name string) string {
	for family, names := range osFamilies {
		for _, n := range names {
			if n == name {
				return family
			}
		}
	}
	return name
}

var osFamilies = map[string][]string{
	"RedHat": {"RedHat", "RHEL", "Fedora", "CentOS", "Scientific", "SLC", "Ascendos", "CloudLinux", "PSBM",
		"OracleLinux", "OVS", "OEL", "Amazon", "Virtuozzo", "XenServer", "Alibaba", "EulerOS", "openEuler",
		"AlmaLinux", "Rocky", "TencentOS", "EuroLinux", "Kylin Linux Advanced Server"},
	"Debian": {"Debian", "Ubuntu", "Raspbian", "Neon", "KDE neon", "Linux Mint", "SteamOS", "Devuan", "Kali",
		"Cumulus Linux", "Pop!_OS", "Parrot", "Pardus GNU/Linux", "Uos", "Deepin", "OSMC"},
	"Suse": {"SuSE", "SLES", "SLED", "openSUSE", "openSUSE Tumbleweed", "SLES_SAP", "SUSE_LINUX",
		"openSUSE Leap"},
	"Archlinux":  {"Archlinux", "Antergos", "Manjaro"},
	"Gentoo":     {"Gentoo", "Funtoo"},
	"Alpine":     {"Alpine"},
	"ClearLinux": {"Clear Linux OS", "Clear Linux Mix"},
}
