// Command straylight is a keyboard-driven fleet manager for GPU hosts that
// serve models with vLLM behind a LiteLLM proxy, driven by the operators'
// Ansible repository. See README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/straylight-fleet/straylight/demo"
	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/internal/growstack"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

// Exit codes (README.md, "Command line").
const (
	exitOK      = 0
	exitFailure = 1
	exitChanges = 2
)

func main() {
	growstack.Grow()
	deferFirstCollection(firstCollectionAt)
	// SIGHUP: the terminal was closed. Each ends the run the same way: a
	// deploy in flight is rolled back before the process exits.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM, syscall.SIGHUP)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// app is one invocation: its options and where it writes.
type app struct {
	opts   options
	sess   *fleet.Session // the run's one setup; see session
	demo   *demo.Demo     // --demo's lab; nil without
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	o, err := parseOptions(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	if err != nil {
		fmt.Fprintln(stderr, "straylight:", err)
		return exitFailure
	}
	a := &app{opts: o, stdin: stdin, stdout: stdout, stderr: stderr}
	defer a.closeSession()
	return a.dispatch(ctx)
}

// closeSession closes the session's SSH connections, if one was built.
func (a *app) closeSession() {
	if a.sess != nil {
		a.sess.Close()
	}
}

func (a *app) dispatch(ctx context.Context) int {
	switch {
	case a.opts.version:
		fmt.Fprintln(a.stdout, "straylight", version)
		return exitOK
	case a.opts.serveLab != "":
		return a.runServeLab(ctx)
	}
	if a.opts.demo {
		d, err := a.startDemo()
		if err != nil {
			return a.fail(err)
		}
		defer d.Close()
	}
	if a.opts.doctor {
		return a.runDoctor(ctx)
	}
	if a.opts.check {
		return a.runCheck(ctx)
	}
	if a.opts.apply {
		return a.runApply(ctx)
	}
	if a.opts.restart != "" {
		return a.runRestart(ctx, a.opts.restart)
	}
	if a.opts.testRoute != "" {
		return a.runTestRoute(ctx, a.opts.testRoute)
	}
	return a.runUI(ctx)
}

// fail prints an error on stderr and returns the failure exit code.
func (a *app) fail(err error) int {
	fmt.Fprintln(a.stderr, "straylight:", err)
	return exitFailure
}
