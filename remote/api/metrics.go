package api

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Metric family names read from vLLM's /metrics. V0 and early V1 label series
// with {model_name}; V1 from about 0.9 adds {engine}. The KV-cache gauge was
// renamed in 0.9 (both names emitted for a while); both are fractions 0–1.
const (
	metricRunning        = "vllm:num_requests_running"
	metricWaiting        = "vllm:num_requests_waiting"
	metricKVCache        = "vllm:kv_cache_usage_perc"
	metricKVCacheOld     = "vllm:gpu_cache_usage_perc"
	metricPromptTokens   = "vllm:prompt_tokens_total"
	metricGenerationToks = "vllm:generation_tokens_total"
	labelModelName       = "model_name"
	labelEngine          = "engine"
)

// Found records which values a /metrics body held.
type Found uint8

const (
	FoundRunning Found = 1 << iota
	FoundWaiting
	FoundKVCache
	FoundPromptTokens
	FoundGenerationTokens
)

// Metrics is what straylight reads from vLLM's Prometheus endpoint. Values of
// several engines (data parallel) are summed; KVCacheUsage is the fullest engine's.
type Metrics struct {
	ModelName        string  // model_name label: vLLM's first served name
	Running          float64 // requests in the running batch
	Waiting          float64 // requests queued
	KVCacheUsage     float64 // fraction 0–1 of the KV cache in use
	PromptTokens     float64 // counter: prompt tokens since the server started
	GenerationTokens float64 // counter: generated tokens since the server started
	Engines          int     // distinct "engine" label values; 0 when the label is absent
	Found            Found   // which of the values above were present
}

// Has reports whether every value in f was present.
func (m Metrics) Has(f Found) bool { return m.Found&f == f }

// ErrNoVLLMMetrics is returned when a body parsed but held none of vLLM's metrics.
var ErrNoVLLMMetrics = errors.New("no vllm:* request, cache or token metrics in the response")

// wantedFamilies are the only families ParseMetrics hands to expfmt.
var wantedFamilies = []string{metricRunning, metricWaiting, metricKVCache, metricKVCacheOld,
	metricPromptTokens, metricGenerationToks}

// ParseMetrics parses a Prometheus text-format body (plain or gzip) with
// expfmt. Only the lines of the families it reads are parsed: a real /metrics
// body is mostly histograms, _created families, python_* and process_*.
func ParseMetrics(r io.Reader) (Metrics, error) {
	r, err := maybeGunzip(r)
	if err != nil {
		return Metrics{}, err
	}
	body, err := io.ReadAll(r)
	if err != nil {
		return Metrics{}, fmt.Errorf("read metrics: %w", err)
	}
	families, err := parseFamilies(wantedLines(body))
	if err != nil {
		return Metrics{}, err
	}
	m := metricsFrom(families)
	if m.Found == 0 {
		return m, ErrNoVLLMMetrics
	}
	return m, nil
}

func parseFamilies(text []byte) (map[string]*dto.MetricFamily, error) {
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(bytes.NewReader(text))
	if err != nil {
		return nil, fmt.Errorf("parse metrics: %w", err)
	}
	return families, nil
}

// wantedLines keeps every line that could belong to one of wantedFamilies
// and drops the rest, so that expfmt parses only what ParseMetrics reads. It
// must never change what expfmt makes of the wanted families: a line is
// dropped only when the name expfmt would read from it is certainly another
// family's. Names are read as the text format defines them (expfmt's
// text_parse.go): blanks may lead a line; a sample's name ends at the first
// byte that cannot continue a name, so "name+0" is the sample name with value
// +0 (tokens need a blank between them only where they would merge); a
// comment is "#", blanks, then HELP or TYPE and the name. Lines whose name is
// quoted or braced (the UTF-8 syntax) are kept for expfmt to judge.
func wantedLines(body []byte) []byte {
	out := make([]byte, 0, 2048)
	for len(body) > 0 {
		line, rest, _ := bytes.Cut(body, []byte("\n"))
		body = rest
		if isWantedLine(line) {
			out = append(append(out, line...), '\n')
		}
	}
	return out
}

// isWantedLine reports whether line may belong to a wanted family.
func isWantedLine(line []byte) bool {
	line = trimBlanks(line)
	if len(line) > 0 && line[0] == '#' {
		return isWantedComment(line[1:])
	}
	return isWantedName(line)
}

// isWantedComment keeps the HELP and TYPE lines of the wanted families;
// other comments are ignored by expfmt.
func isWantedComment(rest []byte) bool {
	rest = trimBlanks(rest)
	end := bytes.IndexAny(rest, " \t")
	if end < 0 {
		return false // a keyword alone ends the comment
	}
	keyword := string(rest[:end])
	if keyword != "HELP" && keyword != "TYPE" {
		return false
	}
	return isWantedName(trimBlanks(rest[end:]))
}

// isWantedName reads the unquoted name at the start of text and reports
// whether it may name a wanted family (or its _sum, _count or _bucket
// series, which expfmt files under the family when it is a summary or a
// histogram). Text that does not start with a plain name is kept.
func isWantedName(text []byte) bool {
	n := 0
	for n < len(text) && isNameByte(text[n]) {
		n++
	}
	if n == 0 || n < len(text) && (text[n] == '"' || text[n] == '\\') {
		return true // empty, braced or quoted: expfmt decides
	}
	return isWantedFamily(string(text[:n]))
}

func isWantedFamily(name string) bool {
	for _, family := range wantedFamilies {
		if name == family || strings.HasPrefix(name, family) && isSeriesSuffix(name[len(family):]) {
			return true
		}
	}
	return false
}

func isSeriesSuffix(s string) bool { return s == "_sum" || s == "_count" || s == "_bucket" }

// isNameByte is a byte of an unquoted metric name: [a-zA-Z0-9_:].
func isNameByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b == ':'
}

func trimBlanks(b []byte) []byte { return bytes.TrimLeft(b, " \t") }

// maybeGunzip unwraps a gzip body, recognised by its magic bytes, so that a
// server that compresses unasked is read as well as one that was asked.
func maybeGunzip(r io.Reader) (io.Reader, error) {
	br := bufio.NewReader(r)
	magic, _ := br.Peek(2)
	if !bytes.Equal(magic, []byte{0x1f, 0x8b}) {
		return br, nil
	}
	zr, err := gzip.NewReader(br)
	if err != nil {
		return nil, fmt.Errorf("gzip metrics body: %w", err)
	}
	return zr, nil
}

// seriesSummary folds all series of one family.
type seriesSummary struct {
	sum, max  float64
	found     bool
	modelName string
}

func metricsFrom(families map[string]*dto.MetricFamily) Metrics {
	var m Metrics
	engines := map[string]bool{}
	read := func(name string, flag Found) seriesSummary {
		s := summarize(families[name], engines)
		if s.found {
			m.Found |= flag
			m.ModelName = firstNonEmpty(m.ModelName, s.modelName)
		}
		return s
	}
	m.Running = read(metricRunning, FoundRunning).sum
	m.Waiting = read(metricWaiting, FoundWaiting).sum
	m.KVCacheUsage = readKVCache(read)
	m.PromptTokens = read(metricPromptTokens, FoundPromptTokens).sum
	m.GenerationTokens = read(metricGenerationToks, FoundGenerationTokens).sum
	m.Engines = len(engines)
	return m
}

// readKVCache prefers the current name and falls back to the pre-0.9 one.
func readKVCache(read func(string, Found) seriesSummary) float64 {
	if s := read(metricKVCache, FoundKVCache); s.found {
		return s.max
	}
	return read(metricKVCacheOld, FoundKVCache).max
}

func summarize(family *dto.MetricFamily, engines map[string]bool) seriesSummary {
	var s seriesSummary
	for _, metric := range family.GetMetric() {
		v, ok := sampleValue(metric)
		if !ok {
			continue
		}
		s.add(v)
		s.modelName = firstNonEmpty(s.modelName, labelValue(metric, labelModelName))
		if engine := labelValue(metric, labelEngine); engine != "" {
			engines[engine] = true
		}
	}
	return s
}

func (s *seriesSummary) add(v float64) {
	if !s.found || v > s.max {
		s.max = v
	}
	s.sum += v
	s.found = true
}

// sampleValue reads a gauge, counter or untyped sample; NaN and ±Inf are skipped.
func sampleValue(metric *dto.Metric) (float64, bool) {
	var v float64
	switch {
	case metric.GetGauge() != nil:
		v = metric.GetGauge().GetValue()
	case metric.GetCounter() != nil:
		v = metric.GetCounter().GetValue()
	case metric.GetUntyped() != nil:
		v = metric.GetUntyped().GetValue()
	default:
		return 0, false
	}
	return v, !math.IsNaN(v) && !math.IsInf(v, 0)
}

func labelValue(metric *dto.Metric, name string) string {
	for _, pair := range metric.GetLabel() {
		if pair.GetName() == name {
			return pair.GetValue()
		}
	}
	return ""
}

func firstNonEmpty(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
