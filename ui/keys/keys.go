// Package keys builds the key bindings of the UI. The keys are a contract
// the end-to-end tests rely on (README, "Tour"): ↑/↓ or j/k move, tab switches
// fleet/routes, / filters, enter opens, e edits, d diffs, a applies, r
// restarts, t tests routes, n adds a host, ? shows help, esc goes back, q or
// ctrl+c quits, y confirms. Bindings are built by functions, so no key state is shared
// between views.
package keys

import "charm.land/bubbles/v2/key"

func bind(help, desc string, keys ...string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// Up moves the cursor up.
func Up() key.Binding { return bind("↑/k", "up", "up", "k") }

// Down moves the cursor down.
func Down() key.Binding { return bind("↓/j", "down", "down", "j") }

// PageUp scrolls a page up.
func PageUp() key.Binding { return bind("pgup", "page up", "pgup", "ctrl+u") }

// PageDown scrolls a page down.
func PageDown() key.Binding { return bind("pgdn", "page down", "pgdown", "ctrl+d", "space") }

// Top moves to the first line or row.
func Top() key.Binding { return bind("home/g", "top", "home", "g") }

// Bottom moves to the last line or row.
func Bottom() key.Binding { return bind("end/G", "bottom", "end", "G") }

// Tab switches between the fleet table and the routes pane.
func Tab(desc string) key.Binding { return bind("tab", desc, "tab") }

// Filter starts typing a filter.
func Filter() key.Binding { return bind("/", "filter", "/") }

// Enter opens the selected item.
func Enter(desc string) key.Binding { return bind("enter", desc, "enter") }

// Edit opens the edit form of the selected host.
func Edit() key.Binding { return bind("e", "edit vllm values", "e") }

// Diff shows what applying the selected host would change.
func Diff() key.Binding { return bind("d", "diff", "d") }

// Apply deploys the selected host (asks to confirm).
func Apply() key.Binding { return bind("a", "deploy", "a") }

// Restart restarts the selected host's vLLM (asks to confirm).
func Restart() key.Binding { return bind("r", "restart", "r") }

// Test streams a chat completion through the selected routes.
func Test(desc string) key.Binding { return bind("t", desc, "t") }

// Commit commits the last edit with git.
func Commit() key.Binding { return bind("c", "git commit", "c") }

// Help toggles the help overlay.
func Help() key.Binding { return bind("?", "help", "?") }

// Back leaves the current view.
func Back() key.Binding { return bind("esc", "back", "esc") }

// Quit leaves the program.
func Quit() key.Binding { return bind("q", "quit", "q", "ctrl+c") }

// ForceQuit leaves the program even while typing.
func ForceQuit() key.Binding { return bind("ctrl+c", "quit", "ctrl+c") }

// Progress reopens the last task's progress view.
func Progress() key.Binding { return bind("p", "last task's progress", "p") }

// Cancel cancels the running deploy or restart, which rolls the host back.
func Cancel() key.Binding { return bind("x", "cancel (rolls back)", "x") }

// Confirm is y in a confirmation.
func Confirm() key.Binding { return bind("y", "yes", "y", "Y") }

// Save writes the edit form.
func Save() key.Binding { return bind("enter", "save", "enter") }

// NextField moves to the next field of a form.
func NextField() key.Binding { return bind("↓/tab", "next field", "down", "tab") }

// PrevField moves to the previous field of a form.
func PrevField() key.Binding { return bind("↑/shift+tab", "previous field", "up", "shift+tab") }

// Logs shows the selected host's backend log.
func Logs() key.Binding { return bind("l", "logs", "l") }

// History shows the git history of the files feeding the selected host.
func History() key.Binding { return bind("h", "git history", "h") }

// AddHost opens the form that adds a host like the selected one.
func AddHost() key.Binding { return bind("n", "add a host like this one", "n") }
