// Package ui is straylight's terminal UI (Bubble Tea v2): the fleet table,
// the routes pane, host detail, the edit form, the add-host form, the diff,
// deploy/restart progress and route tests, keyboard only. It holds no business logic:
// the repository, plans, edits and the apply engine come from the
// fleet.Session the CLI built (data types from fleet/plan and fleet/apply),
// live state from fleet/status. Nothing here blocks on
// the network: every probe, plan, edit and deploy runs in a tea.Cmd or in
// the status monitor's own goroutines. When a connection needs an
// encrypted SSH key's passphrase, the session asks and the UI answers in a
// masked prompt (passphrase.go, ui/secret) that holds every key until
// enter or esc; the passphrase goes to the session and nowhere else.
//
// A deploy or restart is never cut short by the UI: it runs under its own
// context (engine_tasks.go), quitting asks while one runs, a cancel makes
// the engine roll the host back, and Run waits for that before it returns
// (non-nil when a host may be left broken). One runs at a time; every end
// is announced and kept on the host's row until seen. What a dead process
// left unfinished is a banner on the next start (safety.go).
package ui

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/ui/theme"
)

// Config is what the TUI runs on.
type Config struct {
	// Session is the setup the CLI built from its options (repository,
	// vault keyring, --forks and the other deploy options); nil: one for
	// Repo with no other option.
	Session *fleet.Session
	Repo    string // the repository root, when Session is nil
	// NoColor turns colours off; NO_COLOR in the environment does too.
	NoColor bool
	// Stderr is where Run says, after the screen is restored, that it
	// waits for a rollback; nil: os.Stderr.
	Stderr io.Writer
}

// session is the configured session, or one for Repo.
func (c Config) session() *fleet.Session {
	if c.Session != nil {
		return c.Session
	}
	return fleet.NewSession(fleet.Config{Repo: c.Repo})
}

// repoDir is the repository root as given.
func (c Config) repoDir() string {
	if c.Session != nil {
		return c.Session.Config().Repo
	}
	return c.Repo
}

// Run shows the UI until the operator quits or ctx ends (a signal). Before
// it returns, a deploy or restart still running is cancelled and waited for
// while the engine rolls its host back under its own deadline; Run returns
// an error when a host may be left broken (the exit code is then non-zero).
func Run(ctx context.Context, cfg Config) error {
	m := newModel(ctx, cfg, defaultServices(cfg), theme.FromEnv(cfg.NoColor))
	defer m.Close()
	final, err := tea.NewProgram(m, tea.WithContext(ctx)).Run()
	if errors.Is(err, tea.ErrProgramKilled) && ctx.Err() != nil {
		err = nil // interrupted from outside: a normal way to leave
	}
	if last, ok := final.(Model); ok {
		m = last
	}
	return errors.Join(err, m.rt.engine.settle(m.settleLimit(), cfg.say))
}

// say writes a line to Stderr.
func (c Config) say(line string) {
	w := c.Stderr
	if w == nil {
		w = os.Stderr
	}
	fmt.Fprintln(w, line)
}

// settleLimit bounds the wait for rollbacks at exit: the engine's own
// rollback deadline (the health timeout and two minutes) and a minute more.
func (m Model) settleLimit() time.Duration {
	timeout := 5 * time.Minute
	if m.repo != nil && m.repo.Settings().HealthTimeout > 0 {
		timeout = m.repo.Settings().HealthTimeout
	}
	return timeout + 3*time.Minute
}
