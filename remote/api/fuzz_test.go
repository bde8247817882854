package api

import (
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"
)

// FuzzSSE: the reader never panics, the events do not depend on how the
// bytes are cut, data never holds a CR, and whatever DecodeError or the chat
// chunk decoder make of the events is a one-line error or nothing.
func FuzzSSE(f *testing.F) {
	f.Add([]byte("data: {\"choices\":[]}\r\n\r\n: ping\n\ndata:[DONE]\n\n"))
	f.Fuzz(func(t *testing.T, input []byte) {
		whole, wholeErr := readAll(bytes.NewReader(input))
		bytewise, byteErr := readAll(iotest.OneByteReader(bytes.NewReader(input)))
		if !reflect.DeepEqual(whole, bytewise) || !errors.Is(byteErr, wholeErr) {
			t.Fatalf("framing changed the events: %q (%v) vs %q (%v)", dataOf(whole), wholeErr,
				dataOf(bytewise), byteErr)
		}
		for _, ev := range whole {
			if strings.ContainsRune(ev.Data, '\r') {
				t.Fatalf("CR in event data %q", ev.Data)
			}
		}
		checkReasonShape(t, DecodeError(200, input, Hint{}))
		checkReasonShape(t, consumeForFuzz(input))
	})
}

// consumeForFuzz runs the chat stream consumer over input without a network.
func consumeForFuzz(input []byte) error {
	s := &streamState{req: ChatRequest{}.withDefaults(), start: time.Now()}
	s.res.Status = 200
	err := s.consume(NewSSEReader(bytes.NewReader(input)))
	res := s.finish()
	if res.Tokens < 0 || res.Chunks < 0 {
		return fmt.Errorf("negative counts %d %d", res.Tokens, res.Chunks)
	}
	return err
}

func checkReasonShape(t *testing.T, err error) {
	t.Helper()
	var apiErr *APIError
	if errors.As(err, &apiErr) && (apiErr.Reason == "" || strings.ContainsAny(apiErr.Reason, "\r\n")) {
		t.Fatalf("reason not one line: %q", apiErr.Reason)
	}
}

// FuzzMetrics: ParseMetrics never panics, a success found something, and a
// gzip copy of the body parses to the same result.
func FuzzMetrics(f *testing.F) {
	f.Add([]byte("vllm:num_requests_running{engine=\"0\",model_name=\"m\"} 1.0\n"))
	f.Fuzz(func(t *testing.T, input []byte) {
		m, err := ParseMetrics(bytes.NewReader(input))
		if err == nil && m.Found == 0 {
			t.Fatal("success without any vLLM metric")
		}
		if err == nil && m.Found&FoundKVCache == 0 && m.KVCacheUsage != 0 {
			t.Fatal("KV usage without a KV metric")
		}
		checkLineFilter(t, input, m, err)
		if len(input) >= 2 && input[0] == 0x1f && input[1] == 0x8b {
			return // already gzip: wrapping again is a different body
		}
		mz, errz := ParseMetrics(bytes.NewReader(gzipped(input)))
		if (err == nil) != (errz == nil) || err == nil && !reflect.DeepEqual(m, mz) {
			t.Fatalf("gzip changed the result: %+v %v vs %+v %v", m, err, mz, errz)
		}
	})
}

// checkLineFilter: whenever expfmt accepts the whole body, the line filter
// in front of it must not change the result.
func checkLineFilter(t testing.TB, input []byte, m Metrics, err error) {
	t.Helper()
	if len(input) >= 2 && input[0] == 0x1f && input[1] == 0x8b {
		return
	}
	families, fullErr := parseFamilies(input)
	if fullErr != nil {
		return
	}
	full := metricsFrom(families)
	if full.Found != 0 && (err != nil || !reflect.DeepEqual(m, full)) {
		t.Fatalf("line filter changed the result: %+v (%v), unfiltered %+v", m, err, full)
	}
}

func gzipped(b []byte) []byte {
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	_, _ = zw.Write(b)
	_ = zw.Close()
	return buf.Bytes()
}

// TestFuzzSeedCorpusIsCommitted: every seed built from the wire fixtures is
// committed under testdata/fuzz/{FuzzSSE,FuzzMetrics}, byte for byte, so
// that go test ./... runs them all. STRAYLIGHT_WRITE_CORPUS=1 rewrites them
// instead (after a fixture is added or changed).
func TestFuzzSeedCorpusIsCommitted(t *testing.T) {
	dir := wireDir(t)
	write := os.Getenv("STRAYLIGHT_WRITE_CORPUS") == "1"
	for target, seeds := range map[string]map[string][]byte{
		"FuzzSSE": sseSeeds(t, dir), "FuzzMetrics": metricsSeeds(t, dir),
	} {
		if write {
			writeCorpus(t, target, seeds)
			continue
		}
		checkCorpus(t, target, seeds)
	}
}

// checkCorpus fails for each seed missing from testdata/fuzz/<target> or
// different there.
func checkCorpus(t *testing.T, target string, seeds map[string][]byte) {
	t.Helper()
	for name, seed := range seeds {
		path := filepath.Join("testdata", "fuzz", target, name)
		got, err := os.ReadFile(path)
		if err != nil || string(got) != corpusEntry(seed) {
			t.Errorf("%s is missing or stale (%v): run STRAYLIGHT_WRITE_CORPUS=1 go test ./remote/api -run TestFuzzSeedCorpusIsCommitted", path, err)
		}
	}
}

func sseSeeds(t *testing.T, dir string) map[string][]byte {
	seeds := map[string][]byte{}
	streams, _ := filepath.Glob(filepath.Join(dir, "*.sse"))
	for _, path := range streams {
		body := fixture(t, filepath.Base(path))
		name := strings.TrimSuffix(filepath.Base(path), ".sse")
		for i, variant := range sseVariants(body) {
			seeds[fmt.Sprintf("%s__%d", name, i)] = variant
		}
		seeds[name+"__cut"] = body[:len(body)*2/3]
	}
	bodies, _ := filepath.Glob(filepath.Join(dir, "*error*.json"))
	for _, path := range bodies {
		seeds["data__"+strings.TrimSuffix(filepath.Base(path), ".json")] =
			append(append([]byte("data: "), bytes.TrimSpace(fixture(t, filepath.Base(path)))...), "\n\n"...)
	}
	return seeds
}

func metricsSeeds(t *testing.T, dir string) map[string][]byte {
	seeds := map[string][]byte{}
	proms, _ := filepath.Glob(filepath.Join(dir, "*.prom"))
	for _, path := range proms {
		seeds[strings.TrimSuffix(filepath.Base(path), ".prom")] = fixture(t, filepath.Base(path))
	}
	seeds["v1_gzip"] = gzipped(fixture(t, "vllm_metrics__v1_engine_v0.10.prom"))
	return seeds
}

// writeCorpus writes seeds in the "go test fuzz v1" file format.
func writeCorpus(t *testing.T, target string, seeds map[string][]byte) {
	dir := filepath.Join("testdata", "fuzz", target)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, seed := range seeds {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(corpusEntry(seed)), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// corpusEntry is a seed in the "go test fuzz v1" file format.
func corpusEntry(seed []byte) string {
	return fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", seed)
}

func BenchmarkParseMetricsV1(b *testing.B) {
	body := fixture(b, "vllm_metrics__v1_engine_v0.10.prom")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseMetrics(bytes.NewReader(body)); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSSEFixtureStream(b *testing.B) {
	body := fixture(b, "vllm_chat_stream__v0.10.2-v0.11__include_usage.sse")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := readAll(bytes.NewReader(body)); !errors.Is(err, io.EOF) {
			b.Fatal(err)
		}
	}
}
