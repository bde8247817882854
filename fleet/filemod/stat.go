package filemod

import (
	"fmt"
	"slices"
	"strings"

	"github.com/straylight-fleet/straylight/internal/shquote"
)

// StatArgs are the arguments of a stat task (ansible.builtin.stat) that
// decide what straylight reads of its result: what is at the path. The
// others (get_checksum, get_mime, get_attributes, checksum_algorithm)
// only add fields to the result, which straylight does not read.
type StatArgs struct {
	Path   string `json:"path"`
	Follow bool   `json:"follow,omitempty"` // stat(2) the link's target, not the link
}

// statArgNames are stat's arguments and aliases on both cores
// (lib/ansible/modules/stat.py: 2.14.18 :454-464, 2.19 :431-440), less
// get_md5, which 2.19 refuses and 2.14 accepts: left to Ansible.
var statArgNames = []string{"path", "dest", "name", "follow", "get_checksum", "get_mime", "mime", "mime_type", "mime-type",
	"get_attributes", "attr", "attributes", "checksum_algorithm", "checksum", "checksum_algo"}

// ParseStatArgs reads a stat task's templated arguments. A path with ~ or
// $ is refused: the module expands them on the host (type 'path').
func ParseStatArgs(args map[string]any) (StatArgs, error) {
	if err := onlyArgs("stat", args, statArgNames); err != nil {
		return StatArgs{}, err
	}
	a := StatArgs{Path: firstString(args, "path", "dest", "name")}
	follow, err := BoolArg(args, "follow", false)
	if err != nil {
		return StatArgs{}, err
	}
	a.Follow = follow
	switch {
	case a.Path == "":
		return StatArgs{}, fmt.Errorf("missing required arguments: path")
	case strings.ContainsAny(a.Path, "$~"):
		return StatArgs{}, fmt.Errorf("path %q: the module expands ~ and $VAR on the host", a.Path)
	}
	return a, nil
}

// KindScript is the module's os.lstat (os.stat with follow) as POSIX
// sh, with GNU stat: it prints what is at the path — file, directory,
// link, other (a socket, a device, a fifo) — or "absent" where the call
// fails with ENOENT; any other failure (a path through a file, a folder
// it may not search) exits 1 with the error's text, the module's msg
// (stat.py: 2.14.18 :481-491, 2.19 :453-462).
func (a StatArgs) KindScript() string {
	deref := ""
	if a.Follow {
		deref = "-L "
	}
	return "p=" + shquote.Always(a.Path) + "\n" +
		"if t=$(LC_ALL=C stat " + deref + "-c %F -- \"$p\" 2>/dev/null); then\n" +
		"  case $t in 'regular file'|'regular empty file') echo file;; directory) echo directory;; 'symbolic link') echo link;; *) echo other;; esac; exit 0\n" +
		"fi\n" +
		"e=$(LC_ALL=C stat " + deref + "-c x -- \"$p\" 2>&1 >/dev/null)\n" +
		"case $e in *': No such file or directory') echo absent; exit 0;; esac\n" +
		"printf '%s\\n' \"${e##*: }\" >&2; exit 1\n"
}

// StatKinds are what KindScript answers.
var StatKinds = []string{"absent", "file", "directory", "link", "other"}

// ParseKind reads KindScript's answer.
func ParseKind(out string) (string, error) {
	kind := strings.TrimSpace(out)
	if !slices.Contains(StatKinds, kind) {
		return "", fmt.Errorf("unexpected answer %q", out)
	}
	return kind, nil
}
