package remote

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
	"github.com/straylight-fleet/straylight/internal/shquote"
)

// WriteOptions are what Ansible's template and copy modules set on a file.
type WriteOptions struct {
	// Mode is chmod's argument: octal ("0644", "644") or symbolic
	// ("u=rw,g=r,o=r"). "" keeps the old file's mode, else 0644.
	Mode string
	// Owner and Group are user/group names or numeric ids; "" keeps the old
	// file's (when the writer may) or the writer's own.
	Owner, Group string
	// Validate is a command run on the staged file before it replaces the
	// target, "%s" standing for its path (Ansible's validate). A non-zero
	// exit leaves the target untouched.
	Validate string
	// ValidateExports is sh run before Validate, in its shell only: the
	// task's environment keyword as export lines. It may hold secrets.
	ValidateExports string
	// NoBackup skips keeping the old content (Ansible's backup: false).
	NoBackup bool
	// DirMode is the octal mode of the missing directories the write
	// creates (copy's directory_mode); "" leaves them as mkdir makes them.
	DirMode string
}

// FileWriter is implemented by transports that apply WriteOptions.
type FileWriter interface {
	WriteFileWith(ctx context.Context, path string, content []byte, opts WriteOptions) (WriteResult, error)
}

// ErrValidate: the validate command rejected the new content; the target
// was not touched.
var ErrValidate = fmt.Errorf("validation failed")

var (
	modePattern  = lazyre.New(`^(0?[0-7]{3,4}|[ugoa]*[-+=][rwxXst]*([,][ugoa]*[-+=][rwxXst]*)*)$`)
	octalPattern = lazyre.New(`^0?[0-7]{3,4}$`)
	ownerPattern = lazyre.New(`^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$`)
)

func (o WriteOptions) check() error {
	switch {
	case o.Mode != "" && !modePattern().MatchString(o.Mode):
		return fmt.Errorf("mode %q is not an octal or symbolic mode", o.Mode)
	case o.DirMode != "" && !octalPattern().MatchString(o.DirMode):
		return fmt.Errorf("directory mode %q is not an octal mode", o.DirMode)
	case o.Owner != "" && !ownerPattern().MatchString(o.Owner):
		return fmt.Errorf("owner %q is not a user name or id", o.Owner)
	case o.Group != "" && !ownerPattern().MatchString(o.Group):
		return fmt.Errorf("group %q is not a group name or id", o.Group)
	case strings.Count(o.Validate, "%s") > 1 || (o.Validate != "" && !strings.Contains(o.Validate, "%s")):
		return fmt.Errorf("validate %q must contain %%s exactly once", o.Validate)
	}
	return nil
}

// exit codes of the file scripts
const (
	exitNotRegular   = 3
	exitValidateFail = 4
)

// readScript prints "absent <umask>", or "present <sha256> <mode> <uid>
// <gid> <owner> <group> <umask>" (stat's %a %u %g %U %G) and the content:
// the file, its attributes and the shell's umask in one round trip.
func readScript(p string) string {
	return `p=` + shquote.Always(p) + `
m=$(umask)
if [ ! -e "$p" ] && [ ! -L "$p" ]; then echo "absent $m"; exit 0; fi
[ -f "$p" ] || { echo "$p is not a regular file" >&2; exit 3; }
h=$(sha256sum < "$p") || exit 1
a=$(stat -L -c '%a %u %g %U %G' -- "$p") || exit 1
echo "present ${h%% *} $a $m"
exec cat < "$p"`
}

// ReadFile fetches path and checks the content against the host's SHA-256.
func (s *SSH) ReadFile(ctx context.Context, p string) (FileState, error) {
	op := "read " + p
	if err := checkRemotePath(p); err != nil {
		return FileState{Path: p}, s.fail(op, err)
	}
	var stdout, stderr bytes.Buffer
	code, err := s.scriptTo(ctx, readScript(p), sessionIO{stdout: &stdout, stderr: &stderr})
	if err != nil {
		return FileState{Path: p}, s.fail(op, err)
	}
	if code != 0 {
		return FileState{Path: p}, s.fail(op, scriptError(code, stderr.String()))
	}
	state, err := parseReadAnswer(p, stdout.Bytes())
	if err != nil {
		return FileState{Path: p}, s.fail(op, err)
	}
	return state, nil
}

func parseReadAnswer(p string, out []byte) (FileState, error) {
	header, content, _ := bytes.Cut(out, []byte("\n"))
	fields := strings.Fields(string(header))
	switch {
	case len(fields) >= 1 && len(fields) <= 2 && fields[0] == "absent":
		return FileState{Path: p, Meta: FileMeta{Umask: umaskField(fields[1:])}}, nil
	case (len(fields) != 2 && len(fields) != 8) || fields[0] != "present":
		return FileState{}, fmt.Errorf("unreadable answer %q", abbreviate(string(header), 120))
	}
	got := sha256Hex(content)
	if got != fields[1] {
		return FileState{}, fmt.Errorf("%w: host reported %s, received %s", ErrHashMismatch, fields[1], got)
	}
	meta, err := parseMetaFields(fields[2:])
	if err != nil {
		return FileState{}, fmt.Errorf("unreadable answer %q: %w", abbreviate(string(header), 120), err)
	}
	return FileState{Path: p, Exists: true, Content: content, SHA256: got, Meta: meta}, nil
}

// parseMetaFields reads "<mode> <uid> <gid> <owner> <group> <umask>"; none
// (an older answer's header) is an unknown FileMeta.
func parseMetaFields(f []string) (FileMeta, error) {
	if len(f) == 0 {
		return FileMeta{}, nil
	}
	mode, err1 := strconv.ParseUint(f[0], 8, 32)
	uid, err2 := strconv.Atoi(f[1])
	gid, err3 := strconv.Atoi(f[2])
	if err := errors.Join(err1, err2, err3); err != nil || mode > 0o7777 {
		return FileMeta{}, fmt.Errorf("mode and ids %q", strings.Join(f[:3], " "))
	}
	return FileMeta{Known: true, Mode: uint32(mode), UID: uid, GID: gid,
		Owner: statName(f[3]), Group: statName(f[4]), Umask: umaskField(f[5:])}, nil
}

// statName: stat prints UNKNOWN for an id without a name.
func statName(s string) string {
	if s == "UNKNOWN" {
		return ""
	}
	return s
}

// umaskField reads the shell's umask ("0022"); unreadable or missing, the
// common 022.
func umaskField(f []string) uint32 {
	if len(f) == 1 {
		if m, err := strconv.ParseUint(f[0], 8, 32); err == nil && m <= 0o777 {
			return uint32(m)
		}
	}
	return 0o022
}

func scriptError(code int, stderr string) error {
	message := strings.TrimSpace(stderr)
	if message == "" {
		message = "no message on stderr"
	}
	switch code {
	case exitHashMismatch:
		return fmt.Errorf("%w: %s", ErrHashMismatch, message)
	case exitValidateFail:
		return fmt.Errorf("%w: %s", ErrValidate, abbreviate(message, 500))
	}
	return fmt.Errorf("exit code %d: %s", code, abbreviate(message, 500))
}

// WriteFile replaces path atomically with a backup, keeping the old mode
// and ownership.
func (s *SSH) WriteFile(ctx context.Context, p string, content []byte) (WriteResult, error) {
	return s.WriteFileWith(ctx, p, content, WriteOptions{})
}

// WriteFileWith streams content to a temp file beside path, checks its
// SHA-256, applies mode/owner/group, fsyncs it, runs validate on it, keeps
// a backup of the old content and renames the temp file over path.
func (s *SSH) WriteFileWith(ctx context.Context, p string, content []byte, opts WriteOptions) (WriteResult, error) {
	op := "write " + p
	if err := firstError(checkRemotePath(p), opts.check()); err != nil {
		return WriteResult{}, s.fail(op, err)
	}
	want := sha256Hex(content)
	backup := ""
	if !opts.NoBackup {
		backup = backupPath(p, s.now())
	}
	script := sshWriteScript(p, want, backup, opts)
	var stdout, stderr bytes.Buffer
	code, err := s.scriptTo(ctx, script, sessionIO{stdin: bytes.NewReader(content), stdout: &stdout, stderr: &stderr})
	if err != nil {
		return WriteResult{}, s.fail(op, err)
	}
	if code != 0 {
		return WriteResult{}, s.fail(op, scriptError(code, stderr.String()))
	}
	return writeAnswer(stdout.String(), want, backup)
}

func writeAnswer(out, want, backup string) (WriteResult, error) {
	fields := strings.Fields(lastLine(out))
	if len(fields) != 3 || fields[0] != "written" {
		return WriteResult{}, fmt.Errorf("unreadable answer %q", abbreviate(out, 200))
	}
	if fields[1] != want {
		return WriteResult{}, fmt.Errorf("%w: sent %s, host wrote %s", ErrHashMismatch, want, fields[1])
	}
	if fields[2] != "backup" {
		backup = ""
	}
	return WriteResult{SHA256: want, BackupPath: backup}, nil
}

func lastLine(text string) string {
	lines := strings.Split(strings.TrimRight(text, "\n"), "\n")
	return lines[len(lines)-1]
}

// sshWriteScript is the POSIX shell script behind WriteFileWith. Every path is
// single-quoted; the content arrives on stdin.
func sshWriteScript(p, want, backup string, opts WriteOptions) string {
	dir, base := path.Dir(p), path.Base(p)
	var b strings.Builder
	fmt.Fprintf(&b, "set -e\numask 077\ndst=%s\ndir=%s\n", shquote.Always(p), shquote.Always(dir))
	b.WriteString(`[ ! -e "$dst" ] || [ -f "$dst" ] || { echo "$dst is not a regular file" >&2; exit 3; }
`)
	writeMkdir(&b, opts.DirMode)
	fmt.Fprintf(&b, "tmp=$(mktemp \"$dir\"/%s)\n", shquote.Always("."+base+".straylight-tmp-XXXXXX"))
	b.WriteString(`trap 'rm -f -- "$tmp"' EXIT
cat > "$tmp"
h=$(sha256sum < "$tmp"); h=${h%% *}
`)
	fmt.Fprintf(&b, "[ \"$h\" = %s ] || { echo \"expected %s, got $h\" >&2; exit 2; }\n", want, want)
	writeAttributes(&b, opts)
	b.WriteString("sync -- \"$tmp\" 2>/dev/null || sync\n")
	writeValidate(&b, opts.ValidateExports, opts.Validate)
	writeBackup(&b, backup)
	b.WriteString(`mv -f -- "$tmp" "$dst"
trap - EXIT
sync -- "$dir" 2>/dev/null || sync
echo "written $h $kept"
`)
	return b.String()
}

// writeMkdir makes the missing directories, giving each the directory
// mode when there is one.
func writeMkdir(b *strings.Builder, dirMode string) {
	if dirMode == "" {
		b.WriteString("mkdir -p -- \"$dir\"\n")
		return
	}
	fmt.Fprintf(b, `set --; d=$dir; while [ ! -e "$d" ]; do set -- "$d" "$@"; d=$(dirname -- "$d"); done
for d in "$@"; do mkdir -- "$d"; chmod %s "$d"; done
`, shquote.Always(dirMode))
}

// writeAttributes sets owner and group, then the mode (a chown clears
// setuid and setgid, so the mode comes last).
func writeAttributes(b *strings.Builder, opts WriteOptions) {
	owner := shquote.Always(opts.Owner)
	if opts.Owner == "" {
		owner = `"$(stat -c %u -- "$dst")"`
	}
	group := shquote.Always(opts.Group)
	if opts.Group == "" {
		group = `"$(stat -c %g -- "$dst")"`
	}
	if opts.Owner != "" {
		fmt.Fprintf(b, "chown %s \"$tmp\"\n", owner)
	} else {
		fmt.Fprintf(b, "if [ -e \"$dst\" ] && [ \"$(id -u)\" = 0 ]; then chown %s \"$tmp\"; fi\n", owner)
	}
	if opts.Group != "" {
		fmt.Fprintf(b, "chgrp %s \"$tmp\"\n", group)
	} else {
		fmt.Fprintf(b, "if [ -e \"$dst\" ]; then chgrp %s \"$tmp\" 2>/dev/null || true; fi\n", group)
	}
	if opts.Mode != "" {
		fmt.Fprintf(b, "chmod %s \"$tmp\"\n", shquote.Always(opts.Mode))
	} else {
		b.WriteString(`if [ -e "$dst" ]; then chmod "$(stat -c %a -- "$dst")" "$tmp"; else chmod 644 "$tmp"; fi
`)
	}
}

// writeValidate runs the validate command with %s replaced by the staged
// file's quoted path.
func writeValidate(b *strings.Builder, exports, validate string) {
	if validate == "" {
		return
	}
	command := strings.Replace(validate, "%s", `"$tmp"`, 1)
	fmt.Fprintf(b, "if ! out=$( { %s%s ; } 2>&1 ); then echo \"validate: $out\" >&2; exit 4; fi\n", exports, command)
}

func writeBackup(b *strings.Builder, backup string) {
	b.WriteString("kept=nobackup\n")
	if backup == "" {
		return
	}
	fmt.Fprintf(b, "if [ -e \"$dst\" ]; then cp -p -- \"$dst\" %s; sync -- %s 2>/dev/null || sync; kept=backup; fi\n",
		shquote.Always(backup), shquote.Always(backup))
}
