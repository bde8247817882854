package spark

import (
	"math"
	"strings"
	"testing"
)

func TestLineScalesToTheCeiling(t *testing.T) {
	got := Line([]float64{0, 25, 50, 100}, 100, 4)
	if got != "▁▂▄█" {
		t.Fatalf("Line = %q, want %q", got, "▁▂▄█")
	}
}

func TestLinePadsAndCutsToWidth(t *testing.T) {
	if got := Line([]float64{8, 8}, 8, 5); got != "   ██" {
		t.Errorf("short series: %q", got)
	}
	if got := Line([]float64{1, 2, 4, 8}, 0, 2); got != "▄█" {
		t.Errorf("long series, auto scale: %q, want the newest two", got)
	}
}

func TestLineShowsGapsAndSmallActivity(t *testing.T) {
	got := Line([]float64{math.NaN(), 0.1, 1000}, 1000, 3)
	if got != "╌▁█" {
		t.Fatalf("Line = %q, want %q", got, "╌▁█")
	}
}

func TestChartHasScaleAndColumns(t *testing.T) {
	rows := Chart([]float64{0, 50, 100, math.NaN()}, 100, 2)
	want := []string{
		"   100 ┤  █ ",
		"     0 ┤▁██╌",
	}
	if strings.Join(rows, "\n") != strings.Join(want, "\n") {
		t.Fatalf("Chart =\n%s\nwant\n%s", strings.Join(rows, "\n"), strings.Join(want, "\n"))
	}
}

func TestChartAutoScaleRoundsUp(t *testing.T) {
	rows := Chart([]float64{130}, 0, 3)
	if !strings.HasPrefix(rows[0], "   200 ┤") {
		t.Fatalf("top row %q, want the scale rounded up to 200", rows[0])
	}
}
