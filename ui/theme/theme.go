// Package theme holds the terminal UI's styles: one Theme built once at
// start-up (colour or NO_COLOR) and handed to every view. There is no
// package-level style state.
package theme

import (
	"image/color"
	"os"
	"strings"

	"charm.land/bubbles/v2/help"
	"charm.land/lipgloss/v2"
)

// Paint is a style reduced to the escape sequences around a piece of text.
// Applying it is a string concatenation, which keeps row rendering cheap
// (the fleet table draws hundreds of cells per frame).
type Paint struct {
	pre, post string
}

// S paints s.
func (p Paint) S(s string) string {
	if p.pre == "" || s == "" {
		return s
	}
	return p.pre + s + p.post
}

// Pre is the escape sequence that starts the paint.
func (p Paint) Pre() string { return p.pre }

// Post is the escape sequence that ends the paint.
func (p Paint) Post() string { return p.post }

// sentinel is a private-use rune lipgloss leaves alone, used to split a
// rendered style into its prefix and suffix.
const sentinel = "\uE000"

func paintOf(st lipgloss.Style) Paint {
	r := st.Render(sentinel)
	i := strings.Index(r, sentinel)
	if i < 0 {
		return Paint{}
	}
	return Paint{pre: r[:i], post: r[i+len(sentinel):]}
}

// Theme is every style the UI uses.
type Theme struct {
	NoColor bool

	Title, Dim, Bold     Paint
	OK, Warn, Err, Info  Paint
	Accent, Key          Paint
	Selected             Paint // the cursor row
	ColumnHeader         Paint
	BarFull, BarEmpty    Paint
	DiffAdd, DiffDel     Paint
	DiffHunk, DiffHeader Paint
	ErrorBar, Prompt     Paint

	// Box frames overlays (help, confirm).
	Box lipgloss.Style
	// Help styles the key help (footer and overlay).
	Help help.Styles
}

// FromEnv builds the theme, without colours when NO_COLOR is set to any
// non-empty value (https://no-color.org) or when noColor is true.
func FromEnv(noColor bool) *Theme {
	return New(noColor || os.Getenv("NO_COLOR") != "")
}

// New builds the theme.
func New(noColor bool) *Theme {
	if noColor {
		return plain()
	}
	return coloured()
}

func plain() *Theme {
	bold := lipgloss.NewStyle().Bold(true)
	return &Theme{
		NoColor:  true,
		Title:    paintOf(bold),
		Bold:     paintOf(bold),
		Selected: paintOf(lipgloss.NewStyle().Reverse(true)),
		ErrorBar: paintOf(bold),
		Prompt:   paintOf(bold),
		Box:      lipgloss.NewStyle().Border(lipgloss.NormalBorder()).Padding(0, 1),
		Help:     plainHelp(),
	}
}

func fg(c string) lipgloss.Style { return lipgloss.NewStyle().Foreground(lipgloss.Color(c)) }

func coloured() *Theme {
	accent := lipgloss.Color("#7AA2F7")
	return &Theme{
		Title:        paintOf(lipgloss.NewStyle().Bold(true).Foreground(accent)),
		Dim:          paintOf(fg("#7F849C")),
		Bold:         paintOf(lipgloss.NewStyle().Bold(true)),
		OK:           paintOf(fg("#9ECE6A")),
		Warn:         paintOf(fg("#E0AF68")),
		Err:          paintOf(fg("#F7768E")),
		Info:         paintOf(fg("#7DCFFF")),
		Accent:       paintOf(lipgloss.NewStyle().Foreground(accent)),
		Key:          paintOf(lipgloss.NewStyle().Bold(true).Foreground(accent)),
		Selected:     paintOf(lipgloss.NewStyle().Background(lipgloss.Color("#283457")).Bold(true)),
		ColumnHeader: paintOf(lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#A9B1D6"))),
		BarFull:      paintOf(fg("#9ECE6A")),
		BarEmpty:     paintOf(fg("#3B4261")),
		DiffAdd:      paintOf(fg("#9ECE6A")),
		DiffDel:      paintOf(fg("#F7768E")),
		DiffHunk:     paintOf(fg("#7DCFFF")),
		DiffHeader:   paintOf(lipgloss.NewStyle().Bold(true)),
		ErrorBar:     paintOf(lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#FFFFFF")).Background(lipgloss.Color("#9D2A3E"))),
		Prompt:       paintOf(lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("#E0AF68"))),
		Box:          lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(accent).Padding(0, 1),
		Help:         colouredHelp(accent),
	}
}

func plainHelp() help.Styles {
	plain := lipgloss.NewStyle()
	return help.Styles{Ellipsis: plain, ShortKey: lipgloss.NewStyle().Bold(true), ShortDesc: plain, ShortSeparator: plain,
		FullKey: lipgloss.NewStyle().Bold(true), FullDesc: plain, FullSeparator: plain}
}

func colouredHelp(accent color.Color) help.Styles {
	key := lipgloss.NewStyle().Foreground(accent).Bold(true)
	desc := fg("#A9B1D6")
	sep := fg("#3B4261")
	return help.Styles{Ellipsis: sep, ShortKey: key, ShortDesc: desc, ShortSeparator: sep,
		FullKey: key, FullDesc: desc, FullSeparator: sep}
}
