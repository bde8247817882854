package sim

import (
	"net"
	"os"
	"path/filepath"
	"strings"
)

// labCall is the bash function every stand-in uses to reach the lab's tool
// server: it sends "<argc>\0<argv...>\0" and reads "EXIT <code>\n" and the
// output (to stderr when the code is not 0). Bash's /dev/tcp needs no
// program a fresh Debian lacks.
const labCall = `lab_call() {
	exec 3<>"/dev/tcp/@HOST@/@PORT@" || { echo "$1: the lab is not answering" >&2; return 127; }
	{ printf '%d\0' "$#"; printf '%s\0' "$@"; } >&3
	IFS= read -r head <&3 || { exec 3<&-; return 1; }
	code=${head#EXIT }
	if [ "$code" = 0 ]; then cat <&3; else cat <&3 >&2; fi
	exec 3<&-
	return "$code"
}
`

// toolScript is nvidia-smi, docker, systemctl and journalctl: each passes
// its name and arguments to the lab.
const toolScript = `#!/bin/bash
# straylight lab stand-in: the lab's tool server answers for this host.
` + labCall + `lab_call "$(basename "$0")" "$@"
exit $?
`

// sudoScript stands in for sudo. The lab runs every host as one user, so it
// checks the host's become password (read from stdin with -S, as sudo
// does, after printing the -p prompt on stderr) and runs the command.
const sudoScript = `#!/bin/bash
# straylight lab stand-in for sudo (the lab has one user; -u is accepted).
` + labCall + `prompt="[sudo] password for $USER: "; nonint=
while [ $# -gt 0 ]; do
	case $1 in
	-n) nonint=1 ;;
	-S|-H|-E|-k) ;;
	-p) shift; prompt=$1 ;;
	-u) shift ;;
	--) shift; break ;;
	-*) echo "sudo: invalid option -- '$1'" >&2; exit 1 ;;
	*) break ;;
	esac
	shift
done
if ! lab_call sudo-password 2>/dev/null; then
	[ -z "$nonint" ] || { echo "sudo: a password is required" >&2; exit 1; }
	tries=0
	while :; do
		printf '%s' "$prompt" >&2
		IFS= read -r pw || { echo "sudo: no password was provided" >&2; exit 1; }
		lab_call sudo-password "$pw" 2>/dev/null && break
		tries=$((tries + 1))
		[ $tries -lt 3 ] || { echo "sudo: 3 incorrect password attempts" >&2; exit 1; }
		echo "Sorry, try again." >&2
	done
fi
[ $# -gt 0 ] || exit 0
exec "$@"
`

// writeStandIns writes the host's stand-ins, aimed at the tool server.
func writeStandIns(dir, toolAddr string) error {
	host, port, err := net.SplitHostPort(toolAddr)
	if err != nil {
		return err
	}
	fill := strings.NewReplacer("@HOST@", host, "@PORT@", port)
	if err := os.WriteFile(filepath.Join(dir, ".tool"), []byte(fill.Replace(toolScript)), 0o755); err != nil {
		return err
	}
	for _, name := range []string{"nvidia-smi", "docker", "systemctl", "journalctl"} {
		link := filepath.Join(dir, name)
		_ = os.Remove(link)
		if err := os.Symlink(".tool", link); err != nil {
			return err
		}
	}
	return os.WriteFile(filepath.Join(dir, "sudo"), []byte(fill.Replace(sudoScript)), 0o755)
}
