package facts

import "sort"

// linuxFacts are the facts gathered from a Linux host (posix.sh), by
// Ansible's names without the ansible_ prefix.
var linuxFacts = []string{
	"hostname", "nodename", "fqdn", "domain", "system", "kernel", "machine", "architecture",
	"distribution", "distribution_version", "distribution_major_version", "distribution_release", "os_family",
	"processor_count", "processor_cores", "processor_threads_per_core", "processor_vcpus", "processor_nproc",
	"memtotal_mb", "swaptotal_mb", "default_ipv4",
	"user_id", "user_uid", "user_gid", "user_gecos", "user_dir", "user_shell",
	"real_user_id", "effective_user_id", "real_group_id", "effective_group_id", "env",
}

// windowsFacts are the facts gathered from a Windows host (windows.ps1).
var windowsFacts = []string{
	"hostname", "fqdn", "nodename", "domain", "system", "kernel",
	"distribution", "distribution_version", "distribution_major_version", "os_family",
	"architecture", "architecture2", "processor_vcpus", "memtotal_mb", "swaptotal_mb",
	"env", "user_id", "user_dir", "user_gecos",
}

// notGatheredLinux are the other facts Ansible's setup module gives on
// Linux (as ansible-core 2.14 and 2.19 list them, but for the per-interface
// ansible_<device> ones): reading one is an error naming it, where Ansible
// would have a value.
var notGatheredLinux = setOf(
	"all_ipv4_addresses", "all_ipv6_addresses", "apparmor", "bios_date", "bios_vendor", "bios_version",
	"board_asset_tag", "board_name", "board_serial", "board_vendor", "board_version", "chassis_asset_tag",
	"chassis_serial", "chassis_vendor", "chassis_version", "cmdline", "date_time", "default_ipv6",
	"device_links", "devices", "distribution_file_parsed", "distribution_file_path",
	"distribution_file_variety", "distribution_minor_version", "dns", "fibre_channel_wwn", "fips",
	"form_factor", "hostnqn", "interfaces", "is_chroot", "iscsi_iqn", "kernel_version", "loadavg", "local",
	"lsb", "lvm", "machine_id", "memfree_mb", "memory_mb", "mounts", "pkg_mgr", "proc_cmdline", "processor",
	"product_name", "product_serial", "product_uuid", "product_version", "python", "python_version",
	"selinux", "selinux_python_present", "service_mgr", "ssh_host_key_ecdsa_public",
	"ssh_host_key_ecdsa_public_keytype", "ssh_host_key_ed25519_public", "ssh_host_key_ed25519_public_keytype",
	"ssh_host_key_rsa_public", "ssh_host_key_rsa_public_keytype", "swapfree_mb", "system_capabilities",
	"system_capabilities_enforced", "system_vendor", "uptime_seconds", "userspace_architecture",
	"userspace_bits", "virtualization_role", "virtualization_tech_guest", "virtualization_tech_host",
	"virtualization_type",
)

// notGatheredWindows are those ansible.windows.setup gives.
var notGatheredWindows = setOf(
	"all_ipv4_addresses", "all_ipv6_addresses", "bios_date", "bios_version", "date_time", "interfaces",
	"lastboot", "machine_id", "memfree_mb", "processor", "processor_count", "processor_cores",
	"processor_threads_per_core", "product_name", "product_serial", "system_vendor", "uptime_seconds",
	"ip_addresses", "netbios_name", "os_name", "os_product_type", "os_installation_type", "owner_contact",
	"owner_name", "pagefilefree_mb", "pagefiletotal_mb", "powershell_version", "reboot_pending",
	"system_description", "user_sid", "windows_domain", "windows_domain_member", "windows_domain_role",
)

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// Names are the facts straylight gathers from a Windows or another host,
// without the ansible_ prefix.
func Names(windows bool) []string {
	if windows {
		return append([]string(nil), windowsFacts...)
	}
	return append([]string(nil), linuxFacts...)
}

var gatheredLinux, gatheredWindows = setOf(linuxFacts...), setOf(windowsFacts...)

// platformNames are the names gathered from such a host, and those its
// setup module gives that straylight does not gather.
func platformNames(windows bool) (gathered, notGathered map[string]bool) {
	if windows {
		return gatheredWindows, notGatheredWindows
	}
	return gatheredLinux, notGatheredLinux
}

func sortedNames(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
