package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	dto "github.com/prometheus/client_model/go"
)

// Server kinds, as Load.Kind names them.
const (
	KindSGLang    = "sglang"
	KindLlamaCpp  = "llama.cpp"
	KindOllama    = "ollama"
	KindTGI       = "tgi"
	KindLlamaSwap = "llama-swap"
)

// Load is what a live probe of a serving stack other than vLLM reads, in one
// small shape shared by every kind. Counters are totals since the server
// started (feed them to TokenRate for a rate).
type Load struct {
	Kind             string
	Models           []string // ids the server answers to (/v1/models, /info, /api/tags)
	Loaded           []string // models in memory now, where the server tells (Ollama, llama-swap, llama.cpp)
	Running          float64  // requests being processed
	Waiting          float64  // requests queued
	CacheUsage       float64  // fraction 0–1 of the KV cache or token pool in use
	PromptTokens     float64  // counter
	GenerationTokens float64  // counter
	Found            Found    // which of Running … GenerationTokens were read
	// Missing has one line per secondary endpoint that gave nothing ("/metrics:
	// 404 Not Found — start SGLang with --enable-metrics"); the probe still
	// succeeds without them.
	Missing []string
}

// Has reports whether every value in f was read.
func (l Load) Has(f Found) bool { return l.Found&f == f }

// ErrNoServerMetrics is returned when a /metrics body parsed but held none of
// the families a kind's probe reads.
var ErrNoServerMetrics = errors.New("no request, cache or token metrics in the response")

// families names the Prometheus families that feed each Load value; the
// first family present wins for each value.
type families struct {
	running, waiting, cache, prompt, generation []string
}

func (f families) all() []string {
	var out []string
	for _, names := range [][]string{f.running, f.waiting, f.cache, f.prompt, f.generation} {
		out = append(out, names...)
	}
	return out
}

// server holds what every client here shares: the endpoints, the key
// (sent as a bearer token) and the HTTP client.
type server struct {
	ep  endpoints
	key string
	hc  *http.Client
}

func newServer(baseURL, apiKey string, hc *http.Client) server {
	return server{ep: newEndpoints(baseURL), key: apiKey, hc: clientOrDefault(hc)}
}

// models reads the ids of GET /v1/models.
func (s server) models(ctx context.Context) ([]string, error) {
	body, err := fetch(ctx, s.hc, s.ep.apiPath("/models"), s.key, maxJSONBody)
	if err != nil {
		return nil, err
	}
	return parseModelList(body)
}

// getJSON GETs a path under the server root and decodes the 200 body into v.
func (s server) getJSON(ctx context.Context, path string, v any) error {
	body, err := fetch(ctx, s.hc, s.ep.rootPath(path), s.key, maxJSONBody)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("read %s: %w", path, err)
	}
	return nil
}

// metrics scrapes GET /metrics and reads the given families.
func (s server) metrics(ctx context.Context, kind string, f families) (Load, error) {
	ctx, cancel := withDefaultTimeout(ctx)
	defer cancel()
	resp, err := get(ctx, s.hc, s.ep.rootPath("/metrics"), s.key, "text/plain;version=0.0.4")
	if err != nil {
		return Load{Kind: kind}, err
	}
	defer resp.Body.Close()
	body, err := okBody(resp, maxMetricsBody, Hint{Secrets: []string{s.key}})
	if err != nil {
		return Load{Kind: kind}, err
	}
	load, err := parseLoadMetrics(bytes.NewReader(body), f)
	load.Kind = kind
	return load, err
}

// parseLoadMetrics reads the families f names from a Prometheus text body
// (plain or gzip). Gauges and counters are summed over their series (data
// parallel ranks, models); histograms and summaries give their sum (TGI
// counts tokens that way); the cache gauge is the fullest series.
func parseLoadMetrics(r io.Reader, f families) (Load, error) {
	r, err := maybeGunzip(r)
	if err != nil {
		return Load{}, err
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return Load{}, fmt.Errorf("read metrics: %w", err)
	}
	parsed, err := parseFamilies(linesOfFamilies(body, f.all()))
	if err != nil {
		return Load{}, err
	}
	load := loadFrom(parsed, f)
	if load.Found == 0 {
		return load, ErrNoServerMetrics
	}
	return load, nil
}

func loadFrom(parsed map[string]*dto.MetricFamily, f families) Load {
	var l Load
	read := func(names []string, flag Found) (sum, max float64) {
		for _, name := range names {
			if sum, max, ok := foldFamily(parsed[name]); ok {
				l.Found |= flag
				return sum, max
			}
		}
		return 0, 0
	}
	l.Running, _ = read(f.running, FoundRunning)
	l.Waiting, _ = read(f.waiting, FoundWaiting)
	_, l.CacheUsage = read(f.cache, FoundKVCache)
	l.PromptTokens, _ = read(f.prompt, FoundPromptTokens)
	l.GenerationTokens, _ = read(f.generation, FoundGenerationTokens)
	return l
}

// foldFamily sums a family's series and keeps the largest.
func foldFamily(family *dto.MetricFamily) (sum, max float64, ok bool) {
	for _, m := range family.GetMetric() {
		v, valid := loadSample(m)
		if !valid {
			continue
		}
		if !ok || v > max {
			max = v
		}
		sum += v
		ok = true
	}
	return sum, max, ok
}

// loadSample reads a gauge, counter or untyped value, or a histogram's or
// summary's sum.
func loadSample(m *dto.Metric) (float64, bool) {
	switch {
	case m.GetHistogram() != nil:
		return m.GetHistogram().GetSampleSum(), true
	case m.GetSummary() != nil:
		return m.GetSummary().GetSampleSum(), true
	}
	return sampleValue(m)
}

// linesOfFamilies keeps the HELP, TYPE and sample lines of the named
// families, histogram and summary series (_sum, _count, _bucket) included.
func linesOfFamilies(body []byte, names []string) []byte {
	wanted := map[string]bool{}
	for _, n := range names {
		for _, suffix := range []string{"", "_sum", "_count", "_bucket"} {
			wanted[n+suffix] = true
		}
	}
	out := make([]byte, 0, 2048)
	for len(body) > 0 {
		line, rest, _ := bytes.Cut(body, []byte("\n"))
		body = rest
		if wanted[lineFamily(line)] {
			out = append(append(out, line...), '\n')
		}
	}
	return out
}

// lineFamily is the metric name a line is about ("" for other comments).
func lineFamily(line []byte) string {
	if bytes.HasPrefix(line, []byte("#")) {
		fields := bytes.Fields(line)
		if len(fields) < 3 || !(string(fields[1]) == "HELP" || string(fields[1]) == "TYPE") {
			return ""
		}
		return string(fields[2])
	}
	if end := bytes.IndexAny(line, "{ \t"); end >= 0 {
		return string(line[:end])
	}
	return string(line)
}

// missing words a failed secondary endpoint in one line, with a hint when it
// answered 404 (an endpoint the server was not started with).
func missing(path string, err error, hintOn404 string) string {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		line := path + ": " + apiErr.Reason
		if apiErr.Status == http.StatusNotFound && hintOn404 != "" {
			line += " — " + hintOn404
		}
		return line
	}
	if errors.Is(err, ErrNoServerMetrics) {
		return path + ": " + err.Error()
	}
	return path + ": " + describeTransportError(err)
}

func (l *Load) noteMissing(path string, err error, hintOn404 string) {
	if err != nil {
		l.Missing = append(l.Missing, missing(path, err, hintOn404))
	}
}

// mergeMetrics copies what a /metrics scrape read into l.
func (l *Load) mergeMetrics(m Load) {
	l.Running, l.Waiting, l.CacheUsage = m.Running, m.Waiting, m.CacheUsage
	l.PromptTokens, l.GenerationTokens = m.PromptTokens, m.GenerationTokens
	l.Found |= m.Found
}
