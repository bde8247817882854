package sim

import (
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"gopkg.in/yaml.v3"
)

// vllmConfig is what the seed's Start-VLLM.ps1 reads from the deployed
// config.yml (a `vllm:` mapping) and turns into `docker run … vllm/vllm-openai`
// flags (testdata/wire/vllm_docker_run__wintermute.sh).
type vllmConfig struct {
	Enabled              bool
	Model                string
	ServedNames          []string // --served-model-name; empty: the model path
	Port                 int
	MaxModelLen          int
	GPUMemoryUtilization float64
	TensorParallelSize   int
	MaxNumSeqs           int
	Image                string
	ContainerName        string
}

// Defaults of vLLM's CLI (and of the seed's role, where it sets one).
const (
	defaultVLLMPort       = 8000
	defaultMaxModelLen    = 8192
	defaultGPUMemUtil     = 0.9
	defaultMaxNumSeqs     = 256
	defaultVLLMImage      = "vllm/vllm-openai:latest"
	defaultStopTokenID    = 128009 // Llama 3's <|eot_id|>, as in the v0.10.2 fixture
	vllmReportedVersion   = "0.10.2"
	vllmKVTokensPerSeqLen = 4 // KV cache capacity, in multiples of max_model_len
)

// parseVLLMConfig reads config.yml. A YAML error is an error (the start script
// fails before touching the container); values vLLM would refuse are kept and
// reported by validate (the container starts and crashes).
func parseVLLMConfig(raw []byte) (vllmConfig, error) {
	var doc struct {
		VLLM map[string]any `yaml:"vllm"`
	}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return vllmConfig{}, fmt.Errorf("config.yml: %w", err)
	}
	if doc.VLLM == nil {
		return vllmConfig{}, errors.New("config.yml: no vllm: mapping")
	}
	return configFromMap(doc.VLLM)
}

func configFromMap(m map[string]any) (vllmConfig, error) {
	g := yamlGetter{m: m}
	c := vllmConfig{
		Enabled:              g.boolean("enabled", true),
		Model:                g.str("model", ""),
		ServedNames:          g.strList("served_model_name"),
		Port:                 g.integer("port", defaultVLLMPort),
		MaxModelLen:          g.integer("max_model_len", defaultMaxModelLen),
		GPUMemoryUtilization: g.float("gpu_memory_utilization", defaultGPUMemUtil),
		TensorParallelSize:   g.integer("tensor_parallel_size", 1),
		MaxNumSeqs:           g.integer("max_num_seqs", defaultMaxNumSeqs),
		Image:                g.str("image", defaultVLLMImage),
		ContainerName:        g.str("container_name", ""),
	}
	return c, g.err
}

// validate reports what would make vLLM exit at start-up.
func (c vllmConfig) validate() error {
	switch {
	case c.Model == "":
		return errors.New("vllm.model is empty")
	case c.MaxModelLen < 1:
		return fmt.Errorf("max_model_len %d < 1", c.MaxModelLen)
	case c.GPUMemoryUtilization <= 0 || c.GPUMemoryUtilization > 1:
		return fmt.Errorf("gpu_memory_utilization %v not in (0, 1]", c.GPUMemoryUtilization)
	case c.TensorParallelSize < 1 || c.MaxNumSeqs < 1:
		return errors.New("tensor_parallel_size and max_num_seqs must be >= 1")
	case c.Port < 1 || c.Port > 65535:
		return fmt.Errorf("port %d out of range", c.Port)
	}
	return nil
}

// servedIDs are the ids /v1/models lists: --served-model-name values, else
// the --model string verbatim.
func (c vllmConfig) servedIDs() []string {
	if len(c.ServedNames) > 0 {
		return c.ServedNames
	}
	return []string{c.Model}
}

// sameConfigText compares two config.yml files ignoring line endings and
// trailing blanks (win_template writes CRLF, a hand copy may not).
func sameConfigText(a, b []byte) bool {
	return bytes.Equal(normalizeConfigText(a), normalizeConfigText(b))
}

func normalizeConfigText(b []byte) []byte {
	b = bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n"))
	return bytes.TrimSpace(b)
}

// yamlGetter reads loosely typed scalars (Jinja2 may render a number as a
// quoted string); the first conversion error is kept.
type yamlGetter struct {
	m   map[string]any
	err error
}

func (g *yamlGetter) fail(key string, v any) {
	if g.err == nil {
		g.err = fmt.Errorf("config.yml: vllm.%s: unusable value %v", key, v)
	}
}

func (g *yamlGetter) str(key, def string) string {
	v, ok := g.m[key]
	if !ok || v == nil {
		return def
	}
	return strings.TrimSpace(fmt.Sprint(v))
}

func (g *yamlGetter) integer(key string, def int) int {
	f := g.float(key, float64(def))
	if f != float64(int(f)) {
		g.fail(key, f)
	}
	return int(f)
}

func (g *yamlGetter) float(key string, def float64) float64 {
	v, ok := g.m[key]
	if !ok || v == nil {
		return def
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(fmt.Sprint(v)), 64)
	if err != nil {
		g.fail(key, v)
		return def
	}
	return f
}

func (g *yamlGetter) boolean(key string, def bool) bool {
	v, ok := g.m[key]
	if !ok || v == nil {
		return def
	}
	if b, isBool := v.(bool); isBool {
		return b
	}
	b, err := strconv.ParseBool(strings.ToLower(fmt.Sprint(v)))
	if err != nil {
		g.fail(key, v)
		return def
	}
	return b
}

// strList accepts a string or a list of strings; null, "" and "None" (a
// Jinja2 rendering of Python's None) mean absent.
func (g *yamlGetter) strList(key string) []string {
	switch v := g.m[key].(type) {
	case nil:
		return nil
	case []any:
		return nonEmptyStrings(v)
	default:
		return nonEmptyStrings([]any{v})
	}
}

func nonEmptyStrings(vs []any) []string {
	var out []string
	for _, v := range vs {
		s := strings.TrimSpace(fmt.Sprint(v))
		if v != nil && s != "" && s != "None" {
			out = append(out, s)
		}
	}
	return out
}
