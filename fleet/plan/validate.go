package plan

import (
	"maps"
	"slices"

	"fmt"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/fleet/ansible"
	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// knownQuantizations are vLLM's --quantization choices (v0.10/v0.11).
var knownQuantizations = map[string]bool{
	"aqlm": true, "awq": true, "deepspeedfp": true, "tpu_int8": true, "fp8": true,
	"ptpc_fp8": true, "fbgemm_fp8": true, "modelopt": true, "modelopt_fp4": true,
	"marlin": true, "bitblas": true, "gguf": true, "gptq_marlin_24": true,
	"gptq_marlin": true, "gptq_bitblas": true, "awq_marlin": true, "gptq": true,
	"compressed-tensors": true, "bitsandbytes": true, "qqq": true, "hqq": true,
	"experts_int8": true, "neuron_quant": true, "ipex": true, "quark": true,
	"moe_wna16": true, "torchao": true, "auto-round": true, "rtn": true, "inc": true,
	"mxfp4": true,
}

var containerNameRE = lazyre.New(`^[a-zA-Z0-9][a-zA-Z0-9_.-]*$`)

// vllmRule checks one key of a host's vllm mapping; it returns "" when valid.
type vllmRule func(v any) string

// vllmRules are the checks applied to a GPU host's vllm values (NOTES.md §6:
// the flags vLLM accepts and the ranges it enforces at start-up). The UI's
// edit form validates with the same rules (ValidateVLLMValue, VLLMKeys).
// A read-only table.
var vllmRules = map[string]vllmRule{
	"enabled":                ruleBool,
	"model":                  ruleNonEmptyString,
	"served_model_name":      ruleServedNames,
	"port":                   ruleIntRange(1, 65535),
	"container_name":         ruleContainerName,
	"image":                  ruleNonEmptyString,
	"max_model_len":          ruleModelLen,
	"gpu_memory_utilization": ruleFraction,
	"quantization":           ruleQuantization,
	"tensor_parallel_size":   ruleIntRange(1, 1024),
	"max_num_seqs":           ruleOptional(ruleIntRange(1, 1<<20)),
	"auto_switch":            ruleBool,
	"check_interval_minutes": ruleIntRange(1, 1440),
	"idle_threshold_minutes": rulePositiveMinutes,
}

// VLLMKeys are the vllm keys straylight validates, sorted.
func VLLMKeys() []string { return slices.Sorted(maps.Keys(vllmRules)) }

// ValidateVLLMValue checks one vllm key's value; unknown keys pass.
func ValidateVLLMValue(key string, v any) string {
	if rule, ok := vllmRules[key]; ok {
		return rule(v)
	}
	return ""
}

// ruleBool accepts what Ansible's bool filter reads as a boolean: true and
// false, yes/no/on/off/true/false/1/0 as strings in any case (quoted or
// not), and the numbers 1 and 0.
func ruleBool(v any) string {
	if _, ok := AnsibleBool(v); ok {
		return ""
	}
	return fmt.Sprintf("expected true or false (or yes, no, on, off, 1, 0 as the bool filter reads them), got %s", describe(v))
}

// AnsibleBool reads a boolean as Ansible's bool filter does: a boolean, the
// numbers 1 and 0, or yes/no/on/off/true/false/1/0 in any case.
func AnsibleBool(v any) (bool, bool) {
	switch t := v.(type) {
	case bool:
		return t, true
	case int:
		return t == 1, t == 0 || t == 1
	case string:
		b, ok := boolWords[strings.ToLower(strings.TrimSpace(t))]
		return b, ok
	}
	return false, false
}

// boolWords are the words the bool filter (and YAML 1.1) reads as booleans.
var boolWords = map[string]bool{
	"yes": true, "no": false, "on": true, "off": false,
	"true": true, "false": false, "1": true, "0": false,
}

// strictInt reads an integer as a template renders it: an int, or a string
// holding one. A float is not one, even 8001.0: the template would write
// "8001.0" into the config and vLLM refuses it.
func strictInt(v any) (int, string) {
	switch t := v.(type) {
	case float64:
		return 0, fmt.Sprintf("expected an integer, got %s (a float: the config would say %s)", floatText(t), floatText(t))
	case string, int, int64:
		if n, ok := ansible.AsInt(t); ok {
			return n, ""
		}
	}
	return 0, fmt.Sprintf("expected an integer, got %s", describe(v))
}

// floatText prints a float as YAML and Jinja do: 8001.0, 0.5.
func floatText(f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".eE") {
		s += ".0"
	}
	return s
}

func ruleNonEmptyString(v any) string {
	if s, ok := v.(string); ok && strings.TrimSpace(s) != "" {
		return ""
	}
	return fmt.Sprintf("expected a non-empty string, got %s", describe(v))
}

func ruleServedNames(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return ruleNonEmptyString(t)
	case []any:
		return servedNameList(t)
	}
	return fmt.Sprintf("expected a name or a list of names, got %s", describe(v))
}

func servedNameList(list []any) string {
	if len(list) == 0 {
		return "expected at least one name"
	}
	seen := map[string]bool{}
	for _, e := range list {
		s, ok := e.(string)
		if !ok || strings.TrimSpace(s) == "" {
			return fmt.Sprintf("every name must be a non-empty string, got %s", describe(e))
		}
		if seen[s] {
			return fmt.Sprintf("name %q is listed twice", s)
		}
		seen[s] = true
	}
	return ""
}

func ruleIntRange(lo, hi int) vllmRule {
	return func(v any) string {
		n, msg := strictInt(v)
		if msg != "" {
			return msg
		}
		if n < lo || n > hi {
			return fmt.Sprintf("%d is out of range (%d–%d)", n, lo, hi)
		}
		return ""
	}
}

func ruleOptional(r vllmRule) vllmRule {
	return func(v any) string {
		if v == nil {
			return ""
		}
		return r(v)
	}
}

// ruleModelLen accepts an integer ≥ 1, or vLLM's k/K/m/M suffixed form.
func ruleModelLen(v any) string {
	if s, ok := v.(string); ok {
		if n, ok := parseSuffixedInt(s); ok {
			v = n
		}
	}
	return ruleIntRange(1, 1<<30)(v)
}

func parseSuffixedInt(s string) (int, bool) {
	mult := map[byte]int{'k': 1000, 'K': 1024, 'm': 1000000, 'M': 1 << 20}
	if len(s) > 1 {
		if m, ok := mult[s[len(s)-1]]; ok {
			n, err := strconv.Atoi(s[:len(s)-1])
			return n * m, err == nil
		}
	}
	return 0, false
}

func ruleFraction(v any) string {
	f, ok := ansible.AsFloat(v)
	if !ok {
		return fmt.Sprintf("expected a number, got %s", describe(v))
	}
	if f <= 0 || f > 1 {
		return fmt.Sprintf("%v is out of range: must be in (0, 1]", f)
	}
	return ""
}

func ruleQuantization(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok && knownQuantizations[s] {
		return ""
	}
	return fmt.Sprintf("unknown quantization %s (vLLM knows awq, awq_marlin, gptq, gptq_marlin, fp8, bitsandbytes, gguf, compressed-tensors, …)", describe(v))
}

func ruleContainerName(v any) string {
	if s, ok := v.(string); ok && containerNameRE().MatchString(s) {
		return ""
	}
	return fmt.Sprintf("not a valid container name: %s", describe(v))
}

// asInt accepts ints and strings holding ints (a quoted "8000" renders the same).
func describe(v any) string {
	switch t := v.(type) {
	case nil:
		return "null"
	case string:
		return strconv.Quote(t)
	case bool, int, int64, float64:
		return fmt.Sprintf("%v (%T)", t, t)
	}
	return fmt.Sprintf("a %T", v)
}

// rulePositiveMinutes accepts a number of minutes above 0 and up to a day;
// fractions are allowed (0.5 is thirty seconds).
func rulePositiveMinutes(v any) string {
	f, ok := ansible.AsFloat(v)
	if !ok {
		return fmt.Sprintf("expected a number of minutes, got %s", describe(v))
	}
	if f <= 0 || f > 1440 {
		return fmt.Sprintf("%v is out of range: must be above 0 and at most 1440", f)
	}
	return ""
}
