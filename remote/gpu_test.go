package remote

import (
	"math"
	"strconv"
	"strings"
	"testing"
)

func ptr(v float64) *float64 { return &v }

func TestParseNvidiaSMI(t *testing.T) {
	out := "0, NVIDIA GeForce RTX 4090, 37, 18234, 24564, 61, 212.45\r\n" +
		"1, NVIDIA GeForce RTX 3090, [N/A], 3, 24576, 44, [Not Supported]\r\n" +
		"\r\n"
	gpus, err := ParseNvidiaSMI(out)
	if err != nil {
		t.Fatal(err)
	}
	want := []GPU{
		{Index: 0, Name: "NVIDIA GeForce RTX 4090", UtilPercent: ptr(37), MemUsedMiB: ptr(18234), MemTotalMiB: ptr(24564), TempC: ptr(61), PowerW: ptr(212.45)},
		{Index: 1, Name: "NVIDIA GeForce RTX 3090", MemUsedMiB: ptr(3), MemTotalMiB: ptr(24576), TempC: ptr(44)},
	}
	if len(gpus) != len(want) {
		t.Fatalf("got %d GPUs, want %d", len(gpus), len(want))
	}
	for i := range want {
		if !sameGPU(gpus[i], want[i]) {
			t.Errorf("GPU %d = %s, want %s", i, describeGPU(gpus[i]), describeGPU(want[i]))
		}
	}
}

func sameGPU(a, b GPU) bool {
	return a.Index == b.Index && a.Name == b.Name && samePtr(a.UtilPercent, b.UtilPercent) &&
		samePtr(a.MemUsedMiB, b.MemUsedMiB) && samePtr(a.MemTotalMiB, b.MemTotalMiB) &&
		samePtr(a.TempC, b.TempC) && samePtr(a.PowerW, b.PowerW)
}

func samePtr(a, b *float64) bool { return (a == nil && b == nil) || (a != nil && b != nil && *a == *b) }

func describeGPU(g GPU) string {
	parts := []string{strconv.Itoa(g.Index), g.Name}
	for _, p := range []*float64{g.UtilPercent, g.MemUsedMiB, g.MemTotalMiB, g.TempC, g.PowerW} {
		if p == nil {
			parts = append(parts, "nil")
		} else {
			parts = append(parts, strconv.FormatFloat(*p, 'g', -1, 64))
		}
	}
	return strings.Join(parts, " ")
}

func TestParseNvidiaSMIEmpty(t *testing.T) {
	gpus, err := ParseNvidiaSMI("")
	if err != nil || len(gpus) != 0 {
		t.Errorf("ParseNvidiaSMI(\"\") = %v, %v", gpus, err)
	}
}

func TestParseNvidiaSMIRejectsWhatItCannotRead(t *testing.T) {
	cases := map[string]string{
		"too few fields":    "0, NVIDIA GeForce RTX 4090, 37\n",
		"too many fields":   "0, A, 1, 2, 3, 4, 5, 6\n",
		"not a number":      "0, NVIDIA GeForce RTX 4090, lots, 18234, 24564, 61, 212.45\n",
		"not an index":      "[N/A], NVIDIA GeForce RTX 4090, 37, 18234, 24564, 61, 212.45\n",
		"NaN":               "0, A, NaN, 1, 2, 3, 4\n",
		"infinite":          "0, A, +Inf, 1, 2, 3, 4\n",
		"bare quote":        "0, NVIDIA \"RTX, 37, 18234, 24564, 61, 212.45\n",
		"driver failure":    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\n",
		"second row broken": "0, A, 1, 2, 3, 4, 5\n1, B, 1, 2\n",
	}
	for name, out := range cases {
		t.Run(name, func(t *testing.T) {
			gpus, err := ParseNvidiaSMI(out)
			if err == nil {
				t.Fatalf("parsed %q as %v", out, gpus)
			}
			badLine := strings.Split(strings.TrimSpace(out), "\n")
			last := badLine[len(badLine)-1]
			if !strings.Contains(err.Error(), "line ") || !strings.Contains(err.Error(), strings.ReplaceAll(last, `"`, `\"`)) {
				t.Errorf("error %q does not quote the line %q", err, last)
			}
		})
	}
}

func TestParseDockerPS(t *testing.T) {
	out := `{"Command":"\"vllm serve\"","CreatedAt":"2025-03-14 09:00:00 +0100 CET","ID":"3f2a9c1b7d44",` +
		`"Image":"vllm/vllm-openai:v0.10.1.1","Names":"vllm-wintermute","Ports":"0.0.0.0:8000->8000/tcp",` +
		`"State":"exited","Status":"Exited (1) 2 minutes ago"}` + "\r\n"
	c, err := ParseDockerPS(out, "vllm-wintermute")
	want := Container{ID: "3f2a9c1b7d44", Name: "vllm-wintermute", Image: "vllm/vllm-openai:v0.10.1.1",
		State: "exited", Status: "Exited (1) 2 minutes ago"}
	if err != nil || c == nil || *c != want {
		t.Errorf("ParseDockerPS = %+v, %v", c, err)
	}
}

func TestParseDockerPSWithoutState(t *testing.T) {
	c, err := ParseDockerPS(`{"ID":"a","Names":"vllm","Image":"i","Status":"Up 2 hours (Paused)"}`, "vllm")
	if err != nil || c == nil || c.State != "paused" {
		t.Errorf("ParseDockerPS = %+v, %v; want the state derived from the status", c, err)
	}
}

func TestParseDockerPSNoContainer(t *testing.T) {
	for _, out := range []string{"", "\r\n", `{"ID":"b","Names":"other","Image":"i","State":"running"}`} {
		if c, err := ParseDockerPS(out, "vllm-wintermute"); c != nil || err != nil {
			t.Errorf("ParseDockerPS(%q) = %+v, %v; want none", out, c, err)
		}
	}
}

func TestParseDockerPSMalformed(t *testing.T) {
	_, err := ParseDockerPS("Cannot connect to the Docker daemon at unix:///var/run/docker.sock.\n", "vllm")
	if err == nil || !strings.Contains(err.Error(), "line 1") || !strings.Contains(err.Error(), "Cannot connect") {
		t.Errorf("error = %v, want one quoting line 1", err)
	}
}

func TestBuildSnapshot(t *testing.T) {
	snap := buildSnapshot(probeOutput{Output: "0, A, 1, 2, 3\n"}, probeOutput{Missing: true, ExitCode: exitNotFound}, "vllm")
	if snap.GPUs != nil || !strings.Contains(snap.GPUError, "want 7 fields") || snap.DockerErr != "docker not found" {
		t.Errorf("snapshot = %+v", snap)
	}
	snap = buildSnapshot(probeOutput{ExitCode: 9, Output: "NVIDIA-SMI has failed\nmore\n"}, probeOutput{}, "vllm")
	if snap.GPUError != "nvidia-smi exited 9: NVIDIA-SMI has failed" || snap.Container != nil || snap.DockerErr != "" {
		t.Errorf("snapshot = %+v", snap)
	}
}

// FuzzNvidiaSMI: any output either parses into finite numbers, one GPU per
// non-blank record, or fails with an error; it never panics.
func FuzzNvidiaSMI(f *testing.F) {
	f.Add("0, NVIDIA GeForce RTX 4090, 37, 18234, 24564, 61, 212.45\r\n")
	f.Fuzz(func(t *testing.T, out string) {
		gpus, err := ParseNvidiaSMI(out)
		if err != nil {
			return
		}
		for _, g := range gpus {
			for _, p := range []*float64{g.UtilPercent, g.MemUsedMiB, g.MemTotalMiB, g.TempC, g.PowerW} {
				if p != nil && (math.IsNaN(*p) || math.IsInf(*p, 0)) {
					t.Fatalf("non-finite value in %+v", g)
				}
			}
			if g.Index < 0 {
				t.Fatalf("negative index in %+v", g)
			}
		}
		if len(gpus) > strings.Count(out, "\n")+1 {
			t.Fatalf("%d GPUs from %d lines", len(gpus), strings.Count(out, "\n")+1)
		}
	})
}
