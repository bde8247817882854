package detail

// valueText is a value as it evaluates, with its expression when asked
// ("9000  ← {{ vllm.max_model_len | default(8192) }}"), or why it could
// not be templated.
func (r *renderer) valueText(v Value, showRaw bool) string {
	switch {
	case v.EvalErr != "":
		return r.th.Err.S("cannot evaluate: "+v.EvalErr) + "  " + r.th.Dim.S("← "+v.Raw)
	case v.Raw != "" && showRaw:
		return v.Text + "  " + r.th.Dim.S("← "+v.Raw)
	}
	return v.Text
}

func hasRaw(values []Value) bool {
	for _, v := range values {
		if v.Raw != "" {
			return true
		}
	}
	return false
}
