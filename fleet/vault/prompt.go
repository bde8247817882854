package vault

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"unicode/utf8"

	// golang.org/x/term is not in go.sum nor in the module cache here (only
	// hashes of old go.mod files are), so this uses charmbracelet/x/term,
	// already required in go.mod through Bubble Tea: the same MakeRaw/Restore
	// over termios ioctls, without running stty.
	"github.com/charmbracelet/x/term"
)

// Prompter asks the user for a password without echoing it. prompt is the
// text Ansible shows ("Vault password: " or "Vault password (LABEL): ").
type Prompter func(prompt string) ([]byte, error)

func promptPassword(ask Prompter, label, source string) ([]byte, error) {
	if ask == nil {
		ask = TerminalPrompt
	}
	text := "Vault password: " // --ask-vault-pass keeps Ansible's old prompt
	if source == sourcePrompt {
		text = fmt.Sprintf("Vault password (%s): ", normalizeVaultID(label))
	}
	answer, err := ask(text)
	if err != nil {
		return nil, &Error{Err: fmt.Errorf("%w: vault password prompt: %w", ErrPasswordSource, err)}
	}
	password := bytes.Trim(answer, asciiSpace) // Ansible strips prompted passwords
	if len(password) == 0 {
		return nil, &Error{Err: fmt.Errorf("vault password prompt: %w", ErrEmptyPassword)}
	}
	return password, nil
}

var (
	errInterrupted = errors.New("interrupted")
	errNoTerminal  = errors.New("no terminal to ask for the vault password on")
)

// TerminalPrompt reads a password from the controlling terminal (/dev/tty,
// like Python's getpass). The terminal goes into raw mode before the prompt
// is shown, so nothing typed after it appears is echoed, and Ctrl-C arrives as a key rather
// than a signal: the terminal is always restored.
func TerminalPrompt(prompt string) ([]byte, error) {
	tty, err := os.OpenFile("/dev/tty", os.O_RDWR, 0)
	if err != nil {
		return nil, errNoTerminal
	}
	defer tty.Close()
	state, err := term.MakeRaw(tty.Fd())
	if err != nil {
		return nil, errNoTerminal
	}
	defer term.Restore(tty.Fd(), state)
	defer restoreOnSignal(tty.Fd(), state)()
	fmt.Fprint(tty, prompt)
	defer fmt.Fprint(tty, "\r\n") // raw mode: the Enter was not echoed, and \n alone does not return
	return readRawLine(tty)
}

// Keys readRawLine handles; the rest of the line editing a password needs.
const (
	keyInterrupt = 0x03 // Ctrl-C
	keyEOF       = 0x04 // Ctrl-D
	keyBackspace = 0x08
	keyKill      = 0x15 // Ctrl-U
	keyDelete    = 0x7f
)

// restoreOnSignal restores the terminal's state if SIGINT, SIGTERM or
// SIGHUP comes while it is raw (Ctrl-C is a key then: only kill sends
// them), then lets the signal end the process as its default does. main
// takes those signals to roll a deploy back, and none has started while
// the password is asked for: without this, the run waited on the prompt
// and ignored the kill. stop ends the watch.
func restoreOnSignal(fd uintptr, state *term.State) (stop func()) {
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM, syscall.SIGHUP)
	done := make(chan struct{})
	go func() {
		select {
		case sig := <-signals:
			_ = term.Restore(fd, state)
			signal.Reset(sig)
			if self, err := os.FindProcess(os.Getpid()); err == nil {
				_ = self.Signal(sig)
			}
		case <-done:
		}
	}()
	return func() {
		signal.Stop(signals)
		close(done)
	}
}

// readRawLine reads one line typed on a raw terminal: Enter ends it,
// Backspace/Delete erase a character, Ctrl-U erases the line, Ctrl-C
// interrupts, Ctrl-D on an empty line is end of input.
func readRawLine(r io.Reader) ([]byte, error) {
	var line []byte
	key := make([]byte, 1)
	for {
		if _, err := io.ReadFull(r, key); err != nil {
			return nil, err
		}
		done, err := editLine(&line, key[0])
		if err != nil {
			return nil, err
		}
		if done {
			return line, nil
		}
	}
}

func editLine(line *[]byte, key byte) (done bool, err error) {
	switch {
	case key == '\r' || key == '\n':
		return true, nil
	case key == keyInterrupt:
		return false, errInterrupted
	case key == keyEOF && len(*line) == 0:
		return false, io.EOF
	case key == keyBackspace || key == keyDelete:
		_, size := utf8.DecodeLastRune(*line)
		*line = (*line)[:len(*line)-size]
	case key == keyKill:
		*line = (*line)[:0]
	case key != keyEOF:
		*line = append(*line, key)
	}
	return false, nil
}
