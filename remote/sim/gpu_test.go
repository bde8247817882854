package sim

import (
	"encoding/csv"
	"strconv"
	"strings"
	"testing"
	"time"
)

// gpuRow is one parsed nvidia-smi row, read the way a client reads it.
type gpuRow struct {
	index, util, usedMiB, totalMiB, tempC int
	name                                  string
	powerW                                float64
}

func parseGPUCSV(t *testing.T, out string) []gpuRow {
	t.Helper()
	r := csv.NewReader(strings.NewReader(out))
	r.TrimLeadingSpace = true
	records, err := r.ReadAll()
	if err != nil {
		t.Fatalf("nvidia-smi output is not CSV: %v\n%q", err, out)
	}
	rows := make([]gpuRow, 0, len(records))
	for _, rec := range records {
		rows = append(rows, gpuRowFrom(t, rec))
	}
	return rows
}

func gpuRowFrom(t *testing.T, rec []string) gpuRow {
	t.Helper()
	if len(rec) != 7 {
		t.Fatalf("want 7 fields, got %q", rec)
	}
	ints := make([]int, 0, 5)
	for _, i := range []int{0, 2, 3, 4, 5} {
		n, err := strconv.Atoi(rec[i])
		if err != nil {
			t.Fatalf("field %d of %q: %v", i, rec, err)
		}
		ints = append(ints, n)
	}
	power, err := strconv.ParseFloat(rec[6], 64)
	if err != nil || !strings.Contains(rec[6], ".") || len(rec[6])-strings.IndexByte(rec[6], '.') != 3 {
		t.Fatalf("power %q", rec[6])
	}
	return gpuRow{index: ints[0], name: rec[1], util: ints[1], usedMiB: ints[2], totalMiB: ints[3], tempC: ints[4], powerW: power}
}

func TestNvidiaSMIFollowsTheLoad(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, []string{wintermuteServed}), func(o *VLLMOptions) { o.TokenRate = 20 })
	idle := parseGPUCSV(t, s.NvidiaSMI())
	if !strings.HasSuffix(s.NvidiaSMI(), "\r\n") {
		t.Error("a Windows nvidia-smi ends lines with CRLF")
	}
	want := gpuDesktopMiB + 21616 // 0.88 × 24564 MiB
	if len(idle) != 1 || idle[0].name != "NVIDIA GeForce RTX 4090" || idle[0].util > 5 || idle[0].usedMiB != want || idle[0].totalMiB != 24564 {
		t.Fatalf("idle: %+v (memory want %d)", idle, want)
	}
	resp := streamPost(t, s.URL()+"/v1/chat/completions", chatBody(wintermuteServed, true, false))
	src := newTestSSE(resp.Body)
	for range 2 {
		if _, err := src.next(); err != nil {
			t.Fatal(err)
		}
	}
	busy := parseGPUCSV(t, s.NvidiaSMI())[0]
	if busy.util < 85 || busy.tempC <= idle[0].tempC || busy.powerW < 2*idle[0].powerW {
		t.Fatalf("while streaming: %+v (idle %+v)", busy, idle[0])
	}
}

func TestNvidiaSMIShowsEveryGPUOfTensorParallelism(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, nil, "tensor_parallel_size: 2"),
		func(o *VLLMOptions) { o.GPU = GPUSpec{Name: "NVIDIA RTX A6000", MemoryMiB: 49140} })
	rows := parseGPUCSV(t, s.NvidiaSMI())
	if len(rows) != 2 || rows[1].index != 1 || rows[1].usedMiB < 40000 || rows[0].name != "NVIDIA RTX A6000" {
		t.Fatalf("rows %+v", rows)
	}
}

func TestNvidiaSMIMemoryFreedWhenDown(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, nil))
	_ = s.SetFault(FaultDown)
	if rows := parseGPUCSV(t, s.NvidiaSMI()); rows[0].usedMiB != gpuDesktopMiB || rows[0].util > 5 {
		t.Fatalf("down host still holds the GPU: %+v", rows)
	}
}

func TestBadGPUCSVFault(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, nil))
	_ = s.SetFault(FaultBadGPUCSV)
	r := csv.NewReader(strings.NewReader(s.NvidiaSMI()))
	r.TrimLeadingSpace = true
	if _, err := r.ReadAll(); err == nil {
		t.Fatalf("malformed output parsed: %q", s.NvidiaSMI())
	}
}

func TestDockerPSFollowsTheContainer(t *testing.T) {
	s := startTestVLLM(t, vllmConfigYAML(labAWQModel, nil))
	line := s.DockerPS("vllm-wintermute")
	keys := `{"Command":s,"CreatedAt":s,"ID":s,"Image":s,"Labels":s,"LocalVolumes":s,"Mounts":s,"Names":s,"Networks":s,"Ports":s,"RunningFor":s,"Size":s,"State":s,"Status":s}`
	if !strings.HasSuffix(line, "}\n") || strings.Count(line, "\n") != 1 || jsonSkeleton(t, line) != keys {
		t.Fatalf("docker ps line %q", line)
	}
	for _, want := range []string{`"State":"running"`, `"Status":"Up 2 hours"`, `-\u003e8000/tcp"`, `"Command":"\"vllm serve --model …\""`, `"Image":"vllm/vllm-openai:latest"`} {
		if !strings.Contains(line, want) {
			t.Errorf("missing %s in %s", want, line)
		}
	}
	if s.DockerPS("vllm-armitage") != "" || s.DockerPS("vllm-winter") != "" {
		t.Error("other names must print nothing")
	}
	_ = s.RestartVLLM()
	if line := s.DockerPS("vllm-wintermute"); !strings.Contains(line, `"State":"restarting"`) || !strings.Contains(line, `"Ports":""`) {
		t.Errorf("loading: %s", line)
	}
	waitState(t, s, VLLMServing)
	if line := s.DockerPS("vllm-wintermute"); !strings.Contains(line, `"Status":"Up `) {
		t.Errorf("after load: %s", line)
	}
}

func TestHumanDurationIsGoUnits(t *testing.T) {
	cases := map[float64]string{0.5: "Less than a second", 1: "1 second", 45: "45 seconds", 61: "About a minute",
		600: "10 minutes", 3600: "About an hour", 5400: "2 hours", 72 * 3600: "3 days"}
	for secs, want := range cases {
		if got := humanDuration(secondsDuration(secs)); got != want {
			t.Errorf("%vs: %q, want %q", secs, got, want)
		}
	}
}

func secondsDuration(secs float64) time.Duration { return time.Duration(secs * float64(time.Second)) }
