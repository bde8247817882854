package sim

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/internal/testfixture"
)

// Paths and names of the seed's fleet, as the fixtures use them.
const (
	labWintermuteConfig = `C:\Users\mdt\dev\wintermute\config.yml`
	labArmitageConfig   = `C:\Users\mdt\dev\armitage\config.yml`
	labMasterKey        = "sk-lab-master-key"
	labTestLoadDelay    = 200 * time.Millisecond
	labTestTokenRate    = 2000.0
)

// wireFixture reads the repository's testdata/wire/<name>; a missing file
// fails the test.
func wireFixture(t testing.TB, name string) []byte {
	t.Helper()
	return testfixture.Read(t, "wire", name)
}

// fixtureEvents splits an .sse fixture into its data payloads.
func fixtureEvents(t testing.TB, name string) []string {
	t.Helper()
	events, err := readEvents(bytes.NewReader(wireFixture(t, name)))
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return events
}

// readEvents reads SSE data payloads until the body ends; the error is the
// transport's (nil on a clean end).
func readEvents(r io.Reader) ([]string, error) {
	src := newTestSSE(r)
	var out []string
	for {
		ev, err := src.next()
		if err != nil {
			if err == io.EOF {
				return out, nil
			}
			return out, err
		}
		out = append(out, ev)
	}
}

// testSSE is the tests' own SSE reader (independent of the lab's).
type testSSE struct{ br *bufio.Reader }

func newTestSSE(r io.Reader) *testSSE { return &testSSE{br: bufio.NewReader(r)} }

func (s *testSSE) next() (string, error) {
	var data []string
	for {
		line, err := s.br.ReadString('\n')
		if err != nil {
			if err == io.EOF && line == "" && data == nil {
				return "", io.EOF
			}
			return "", errors.Join(io.ErrUnexpectedEOF, err)
		}
		line = strings.TrimRight(line, "\r\n")
		if line == "" && data != nil {
			return strings.Join(data, "\n"), nil
		}
		if v, ok := strings.CutPrefix(line, "data: "); ok {
			data = append(data, v)
		}
	}
}

// jsonSkeleton renders JSON with every string as s, number as n and bool as
// b, keeping keys, their order, nulls and nesting: two bodies with the same
// skeleton have the same shape byte for byte but for values.
func jsonSkeleton(t testing.TB, body string) string {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(body))
	dec.UseNumber()
	var out strings.Builder
	if err := skeletonValue(dec, &out); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, body)
	}
	return out.String()
}

func skeletonValue(dec *json.Decoder, out *strings.Builder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	if d, ok := tok.(json.Delim); ok {
		return skeletonContainer(dec, out, d)
	}
	switch tok.(type) {
	case nil:
		out.WriteString("null")
	case string:
		out.WriteString("s")
	case json.Number:
		out.WriteString("n")
	case bool:
		out.WriteString("b")
	}
	return nil
}

func skeletonContainer(dec *json.Decoder, out *strings.Builder, open json.Delim) error {
	out.WriteString(open.String())
	for i := 0; dec.More(); i++ {
		if i > 0 {
			out.WriteString(",")
		}
		if open == '{' {
			key, _ := dec.Token()
			out.WriteString(strconv.Quote(key.(string)) + ":")
		}
		if err := skeletonValue(dec, out); err != nil {
			return err
		}
	}
	closing, err := dec.Token()
	out.WriteString(closing.(json.Delim).String())
	return err
}

// testClient never uses an environment proxy.
func testClient() *http.Client {
	return &http.Client{Transport: &http.Transport{Proxy: nil}, Timeout: 30 * time.Second}
}

func httpGet(t testing.TB, url string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	return doRequest(t, req, header...)
}

func httpPost(t testing.TB, url, body string, header ...string) (*http.Response, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	return doRequest(t, req, header...)
}

// doRequest sends req with header pairs and reads the whole body.
func doRequest(t testing.TB, req *http.Request, header ...string) (*http.Response, string) {
	t.Helper()
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := testClient().Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", req.Method, req.URL, err)
	}
	return resp, string(body)
}

// tryGet is a GET that may fail (a server restarting): ok is false then.
func tryGet(url string, header ...string) (body string, ok bool) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return "", false
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := testClient().Do(req)
	if err != nil {
		return "", false
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err == nil
}

// streamPost posts a streaming request and returns the open response.
func streamPost(t testing.TB, url, body string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := testClient().Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// isRefused reports whether a TCP connect to addr is refused right now.
func isRefused(addr string) bool {
	conn, err := net.DialTimeout("tcp", addr, 2*time.Second)
	if err == nil {
		conn.Close()
		return false
	}
	return errors.Is(err, syscall.ECONNREFUSED)
}

func hostPort(rawURL string) string {
	rest := rawURL[strings.Index(rawURL, "://")+3:]
	if i := strings.IndexByte(rest, '/'); i >= 0 {
		rest = rest[:i]
	}
	return rest
}

// vllmConfigYAML is a config.yml as the seed's template renders it (CRLF, as
// win_template writes it).
func vllmConfigYAML(model string, served []string, extra ...string) string {
	lines := []string{"# Ansible managed", "vllm:", "  enabled: true", `  model: "` + model + `"`}
	switch len(served) {
	case 0:
	case 1:
		lines = append(lines, `  served_model_name: "`+served[0]+`"`)
	default:
		lines = append(lines, "  served_model_name:")
		for _, s := range served {
			lines = append(lines, "    - "+s)
		}
	}
	lines = append(lines, "  port: 8000", "  max_model_len: 9000", "  gpu_memory_utilization: 0.88")
	for _, e := range extra {
		lines = append(lines, "  "+e)
	}
	return strings.Join(lines, "\r\n") + "\r\n"
}

const labAWQModel = "casperhansen/llama-3-8b-instruct-awq"

// startTestVLLM starts one vLLM host on a fresh loopback address.
func startTestVLLM(t testing.TB, config string, tweak ...func(*VLLMOptions)) *VLLMServer {
	t.Helper()
	fs := NewFS()
	fs.WriteFile(labWintermuteConfig, []byte(config))
	opts := VLLMOptions{Hostname: "wintermute", FS: fs, ConfigPath: labWintermuteConfig, IP: newLoopbackPool().take(),
		TokenRate: labTestTokenRate, LoadDelay: labTestLoadDelay}
	for _, f := range tweak {
		f(&opts)
	}
	s, err := NewVLLMServer(opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func waitState(t testing.TB, s *VLLMServer, want VLLMState) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.WaitState(ctx, want); err != nil {
		t.Fatal(err)
	}
}

// chatBody is a chat request for model ("" omits the field).
func chatBody(model string, stream, usage bool, extra ...string) string {
	fields := []string{`"messages":[{"role":"user","content":"Test"}]`}
	if model != "" {
		fields = append(fields, `"model":`+strconv.Quote(model))
	}
	if stream {
		fields = append(fields, `"stream":true`)
	}
	if usage {
		fields = append(fields, `"stream_options":{"include_usage":true}`)
	}
	fields = append(fields, extra...)
	return "{" + strings.Join(fields, ",") + "}"
}

// metricValue finds one sample's value in a /metrics body by its full name
// and label text.
func metricValue(t testing.TB, body, series string) float64 {
	t.Helper()
	for _, line := range strings.Split(body, "\n") {
		if v, ok := strings.CutPrefix(line, series+" "); ok {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				t.Fatalf("%s: %v", series, err)
			}
			return f
		}
	}
	t.Fatalf("no sample %s in:\n%s", series, body)
	return 0
}

// eventually polls cond until it holds or the deadline passes (no timing
// assertion: the deadline only bounds a hung test).
func eventually(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
