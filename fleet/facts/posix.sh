# straylight:facts v1 (POSIX sh). Prints what straylight derives its
# gathered facts from, one "key=value" line each; fleet/facts/posix.go
# computes the facts as Ansible's setup module does. Only HOME, PATH and
# USER of the environment are read.
export LC_ALL=C
p() { printf '%s=%s\n' "$1" "$(printf '%s' "$2" | tr '\n' ' ')"; }
h=$(uname -n)
p uname.n "$h"
p uname.s "$(uname -s)"
p uname.r "$(uname -r)"
p uname.m "$(uname -m)"
if command -v getent >/dev/null 2>&1; then
	a=$(getent ahosts "$h" 2>/dev/null | awk 'NR==1 {print $1}')
	[ -n "$a" ] && p byaddr "$(getent hosts "$a" 2>/dev/null | head -n 1)"
fi
for f in /etc/os-release /usr/lib/os-release; do
	if [ -r "$f" ]; then
		sed -n 's/^\([A-Z_][A-Z0-9_]*\)=/osr.\1=/p' "$f"
		break
	fi
done
[ -r /etc/debian_version ] && p debian_version "$(head -n 1 /etc/debian_version)"
xen=''
if [ -e /proc/xen ] || [ "$(head -n 1 /sys/hypervisor/type 2>/dev/null)" = xen ]; then xen=1; fi
p xen "$xen"
[ -r /proc/cpuinfo ] && awk -v xen="$xen" '
	/^(model name|Processor|vendor_id|cpu|Vendor|processor|physical id|core id|cpu cores|siblings|# processors|ncpus active|flags)[ \t]*:/ {
		k = $0; sub(/[ \t]*:.*/, "", k)
		if (k == "flags" && xen == "") next
		v = substr($0, index($0, ":") + 1); sub(/^[ \t]+/, "", v); sub(/[ \t]+$/, "", v)
		print "cpu=" k ":" v
	}' /proc/cpuinfo
p nproc "$(env -u OMP_NUM_THREADS -u OMP_THREAD_LIMIT nproc 2>/dev/null)"
[ -r /proc/meminfo ] && awk '/^(MemTotal|SwapTotal):/ {sub(/:$/, "", $1); print "mem." $1 "=" $2}' /proc/meminfo
if command -v ip >/dev/null 2>&1; then
	r=$(ip -4 route show default 2>/dev/null | head -n 1)
	p route "$r"
	set -- $r
	gw='' dev=''
	while [ $# -gt 1 ]; do
		case $1 in via) gw=$2 ;; dev) dev=$2 ;; esac
		shift
	done
	[ -n "$gw" ] && p routeget "$(ip -4 route get "$gw" 2>/dev/null | head -n 1)"
	if [ -n "$dev" ]; then
		ip -4 addr show dev "$dev" 2>/dev/null | sed -n 's/^[[:space:]]*inet /inet=/p'
		for k in address mtu type; do
			[ -r "/sys/class/net/$dev/$k" ] && p "net.$k" "$(cat "/sys/class/net/$dev/$k")"
		done
		for k in bridge bonding; do
			[ -e "/sys/class/net/$dev/$k" ] && p "net.$k" 1
		done
	fi
fi
u=${LOGNAME:-${USER:-${LNAME:-${USERNAME:-$(id -un)}}}}
p user "$u"
r=$(id -ru)
pw=$(getent passwd "$u" 2>/dev/null || grep "^$u:" /etc/passwd 2>/dev/null)
[ -n "$pw" ] || pw=$(getent passwd "$r" 2>/dev/null || awk -F: -v r="$r" '$3 == r' /etc/passwd 2>/dev/null)
p passwd "$(printf '%s\n' "$pw" | head -n 1)"
p id.ru "$r"
p id.u "$(id -u)"
p id.rg "$(id -rg)"
[ -n "${HOME+x}" ] && p env.HOME "$HOME"
[ -n "${PATH+x}" ] && p env.PATH "$PATH"
[ -n "${USER+x}" ] && p env.USER "$USER"
p end 1
