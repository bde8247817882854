package remote

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// h200Capture reads a real nvidia-smi capture (testdata/nvidia-smi/SOURCES.md).
func h200Capture(t *testing.T, name string) string {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("..", "testdata", "nvidia-smi", name))
	if err != nil {
		t.Fatalf("fixture missing: %v", err)
	}
	return string(raw)
}

func TestParseNvidiaSMIRealH200Idle(t *testing.T) {
	gpus, err := ParseNvidiaSMI(h200Capture(t, "h200_idle.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if len(gpus) != 1 || gpus[0].Name != "NVIDIA H200" || gpus[0].Index != 0 {
		t.Fatalf("gpus = %+v", gpus)
	}
	wantNumber(t, "util", gpus[0].UtilPercent, 0)
	wantNumber(t, "mem used", gpus[0].MemUsedMiB, 0)
	wantNumber(t, "mem total", gpus[0].MemTotalMiB, 143771)
	wantNumber(t, "temp", gpus[0].TempC, 35)
	wantNumber(t, "power", gpus[0].PowerW, 107.91)
}

func TestParseNvidiaSMIRealH200Busy(t *testing.T) {
	text := h200Capture(t, "h200_busy.csv")
	// Three samples of one GPU: each line parses alone to a busy GPU.
	for _, line := range strings.Split(strings.TrimSpace(text), "\n") {
		gpus, err := ParseNvidiaSMI(line + "\n")
		if err != nil {
			t.Fatal(err)
		}
		wantNumber(t, "util", gpus[0].UtilPercent, 100)
		wantNumber(t, "mem used", gpus[0].MemUsedMiB, 41971)
	}
}

// A query run without noheader,nounits is refused with the line quoted, not
// misread as a GPU whose index is "index".
func TestParseNvidiaSMIRealH200HeaderAndUnitsRefused(t *testing.T) {
	_, err := ParseNvidiaSMI(h200Capture(t, "h200_idle__header_units.csv"))
	if err == nil || !strings.Contains(err.Error(), "line 1") {
		t.Fatalf("err = %v, want an error naming line 1", err)
	}
}

func TestParseNvidiaSMIRealH200BadFieldRefused(t *testing.T) {
	_, err := ParseNvidiaSMI(h200Capture(t, "h200_bad_field.txt"))
	if err == nil || !strings.Contains(err.Error(), "no.such.field") {
		t.Fatalf("err = %v, want nvidia-smi's own message quoted", err)
	}
}

func wantNumber(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	if got == nil || *got != want {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}
