package remote

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
	"github.com/straylight-fleet/straylight/internal/shquote"
)

// ErrBecome: sudo or su refused to run the command as the become user.
var ErrBecome = errors.New("privilege escalation failed")

var userNamePattern = lazyre.New(`^[A-Za-z0-9_][A-Za-z0-9_.-]*\$?$`)

func validUserName(name string) bool { return userNamePattern().MatchString(name) && len(name) <= 64 }

// checkRemotePath refuses paths a POSIX shell script should not be handed:
// relative ones, and names holding a newline or NUL (which no quoting makes
// safe for the line-based tools involved).
func checkRemotePath(path string) error {
	switch {
	case !strings.HasPrefix(path, "/"):
		return fmt.Errorf("path %q is not absolute", path)
	case strings.ContainsAny(path, "\n\r\x00"):
		return fmt.Errorf("path %q holds a newline or NUL: refused", path)
	}
	return nil
}

// Run runs cmd.Script with /bin/sh on the host (as the become user when
// become is on). Stdin is streamed.
func (s *SSH) Run(ctx context.Context, cmd Command) (CommandResult, error) {
	if shell := shellOrDefault(cmd.Shell, Sh); shell != Sh {
		return CommandResult{}, s.fail("run", fmt.Errorf("shell %q is not available over SSH (use sh)", shell))
	}
	var stdin io.Reader
	if cmd.Stdin != nil {
		stdin = bytes.NewReader(cmd.Stdin)
	}
	res, err := s.script(ctx, cmd.Script, stdin)
	if err != nil {
		return res, s.fail("run", err)
	}
	return res, nil
}

// script runs a POSIX shell script, escalating when become is on.
func (s *SSH) script(ctx context.Context, script string, stdin io.Reader) (CommandResult, error) {
	var stdout, stderr bytes.Buffer
	code, err := s.scriptTo(ctx, script, sessionIO{stdin: stdin, stdout: &stdout, stderr: &stderr})
	if err != nil {
		return CommandResult{ExitCode: code}, err
	}
	return CommandResult{ExitCode: code, Stdout: stdout.String(), Stderr: stderr.String()}, nil
}

// scriptTo runs script with its output going to sio's writers.
func (s *SSH) scriptTo(ctx context.Context, script string, sio sessionIO) (int, error) {
	if !s.become.Enabled {
		return s.execRaw(ctx, "/bin/sh -c "+shquote.Always(script), sio)
	}
	return s.escalated(ctx, script, sio)
}

// becomeMarker is printed by the escalated shell before the script runs, so
// the client knows sudo/su accepted and may now send the script's stdin.
func newBecomeMarker() string {
	buf := make([]byte, 12)
	_, _ = rand.Read(buf)
	return "STRAYLIGHT-BECOME-" + hex.EncodeToString(buf)
}

// becomeLine is the command line that runs script as the become user.
// The password (if any) is written to sudo's stdin when it prompts.
func (s *SSH) becomeLine(script, marker string) string {
	user := stringOr(s.become.User, "root")
	inner := "/bin/sh -c " + shquote.Always("echo "+marker+"; "+script)
	if s.become.Method == "su" {
		// util-linux su prints "Password: " on stderr and reads stdin when
		// there is no terminal.
		return "LC_ALL=C su -s /bin/sh " + shquote.Always(user) + " -c " + shquote.Always("echo "+marker+"; "+script)
	}
	prompt := "[straylight sudo " + marker[len(marker)-8:] + "] password:"
	flags := "-H -S -n"
	if s.become.Password != "" {
		flags = "-H -S"
	}
	return "LC_ALL=C sudo " + flags + " -p " + shquote.Always(prompt) + " -u " + shquote.Always(user) + " " + inner
}

func sudoPrompt(marker string) string {
	return "[straylight sudo " + marker[len(marker)-8:] + "] password:"
}

// escalated runs script through sudo (or su). Stdin is held back until the
// escalated shell prints the marker: before that, the only thing written
// to the command is the become password, once, when sudo prompts. A second
// prompt means the password was wrong: the command is killed and the error
// says so, instead of feeding the script's input to the password prompt.
func (s *SSH) escalated(ctx context.Context, script string, sio sessionIO) (int, error) {
	marker := newBecomeMarker()
	gate := newBecomeGate(s.become.Password, sio.stdin)
	out := &markerWriter{marker: []byte(marker + "\n"), next: sio.stdout, seen: gate.accepted}
	errw := &promptWatcher{prompt: []byte(s.promptFor(marker)), accepted: gate.accepted, next: sio.stderr, prompted: gate.prompt}
	code, err := s.execGated(ctx, "/bin/sh -c "+shquote.Always(s.becomeLine(script, marker)), sessionIO{stdin: gate, stdout: out, stderr: errw}, gate)
	return s.becomeOutcome(code, err, gate, out, errw)
}

func (s *SSH) promptFor(marker string) string {
	if s.become.Method == "su" {
		return "Password: " // util-linux su, under LC_ALL=C
	}
	return sudoPrompt(marker)
}

func (s *SSH) execGated(ctx context.Context, line string, sio sessionIO, gate *becomeGate) (int, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	defer gate.finish()
	go func() {
		select {
		case <-gate.refused:
			cancel(errWrongBecomePassword)
		case <-ctx.Done():
		}
	}()
	code, err := s.execRaw(ctx, line, sio)
	if cause := context.Cause(ctx); errors.Is(cause, errWrongBecomePassword) {
		return -1, cause
	}
	return code, err
}

var errWrongBecomePassword = errors.New("wrong become password")

func (s *SSH) becomeOutcome(code int, err error, gate *becomeGate, out *markerWriter, errw *promptWatcher) (int, error) {
	user := stringOr(s.become.User, "root")
	method := stringOr(s.become.Method, "sudo")
	switch {
	case errors.Is(err, errWrongBecomePassword), !out.found && gate.answered():
		return -1, fmt.Errorf("%w: %s refused the become password for %s (ansible_become_password is wrong)", ErrBecome, method, user)
	case err != nil:
		return code, err
	case out.found:
		return code, nil
	case gate.promptedWithoutPassword():
		return -1, fmt.Errorf("%w: %s asks for a password to become %s and ansible_become_password is not set", ErrBecome, method, user)
	}
	detail := strings.TrimSpace(errw.text() + " " + out.text())
	return -1, fmt.Errorf("%w: %s to %s failed (exit %d): %s", ErrBecome, method, user, code, abbreviate(detail, 300))
}
