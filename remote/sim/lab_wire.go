package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file holds the byte-level writers the simulated servers share: compact
// JSON as Starlette's JSONResponse writes it, Python's default json.dumps
// style, Python's repr of decoded JSON (LiteLLM embeds it in error messages)
// and Python's float repr (prometheus_client prints floats with it).

// compactJSON marshals v the way Starlette's JSONResponse does: no spaces, no
// HTML escaping, raw UTF-8, no trailing newline. Field order is the struct's.
func compactJSON(v any) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(fmt.Sprintf("sim: unmarshalable wire value %T: %v", v, err))
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// spacedJSON turns compact JSON into Python's json.dumps default layout:
// ", " and ": " separators and ensure_ascii escapes.
func spacedJSON(compact []byte) []byte {
	var out bytes.Buffer
	inString, escaped := false, false
	for _, r := range string(compact) {
		switch {
		case inString:
			writeASCIIStringRune(&out, r)
			inString, escaped = stringStateAfter(r, escaped)
		case r == '"':
			out.WriteRune(r)
			inString = true
		case r == ',' || r == ':':
			out.WriteRune(r)
			out.WriteByte(' ')
		default:
			out.WriteRune(r)
		}
	}
	return out.Bytes()
}

// stringStateAfter reports whether a JSON string is still open after r.
func stringStateAfter(r rune, escaped bool) (inString, nowEscaped bool) {
	if escaped {
		return true, false
	}
	if r == '\\' {
		return true, true
	}
	return r != '"', false
}

// writeASCIIStringRune writes r as json.dumps(ensure_ascii=True) would.
func writeASCIIStringRune(out *bytes.Buffer, r rune) {
	if r < utf8.RuneSelf {
		out.WriteRune(r)
		return
	}
	if r > 0xFFFF {
		r -= 0x10000
		fmt.Fprintf(out, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		return
	}
	fmt.Fprintf(out, `\u%04x`, r)
}

// pyReprJSON renders JSON text as Python's repr of json.loads(text): dicts in
// source order, single-quoted strings, None/True/False. ok is false when text
// is not JSON (the caller then embeds the raw text, as the openai client does).
func pyReprJSON(text []byte) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(text))
	dec.UseNumber()
	var out strings.Builder
	if err := reprValue(dec, &out); err != nil {
		return "", false
	}
	if _, err := dec.Token(); err == nil {
		return "", false // trailing data
	}
	return out.String(), true
}

func reprValue(dec *json.Decoder, out *strings.Builder) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch t := tok.(type) {
	case json.Delim:
		return reprContainer(dec, out, t)
	default:
		out.WriteString(reprScalar(t))
		return nil
	}
}

func reprContainer(dec *json.Decoder, out *strings.Builder, open json.Delim) error {
	isObject := open == '{'
	out.WriteString(open.String())
	for i := 0; dec.More(); i++ {
		if i > 0 {
			out.WriteString(", ")
		}
		if err := reprElement(dec, out, isObject); err != nil {
			return err
		}
	}
	closing, err := dec.Token()
	if err != nil {
		return err
	}
	out.WriteString(closing.(json.Delim).String())
	return nil
}

func reprElement(dec *json.Decoder, out *strings.Builder, isObject bool) error {
	if isObject {
		key, err := dec.Token()
		if err != nil {
			return err
		}
		out.WriteString(pyStrRepr(key.(string)))
		out.WriteString(": ")
	}
	return reprValue(dec, out)
}

func reprScalar(tok json.Token) string {
	switch t := tok.(type) {
	case nil:
		return "None"
	case bool:
		if t {
			return "True"
		}
		return "False"
	case string:
		return pyStrRepr(t)
	case json.Number:
		return reprNumber(t)
	}
	return fmt.Sprint(tok)
}

// reprNumber: json.loads gives an int for integer literals, a float otherwise.
func reprNumber(n json.Number) string {
	if !strings.ContainsAny(n.String(), ".eE") {
		return n.String()
	}
	f, err := n.Float64()
	if err != nil {
		return n.String()
	}
	return pyFloatRepr(f)
}

// pyStrRepr is Python's repr() of a str.
func pyStrRepr(s string) string {
	quote := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var out strings.Builder
	out.WriteRune(quote)
	for _, r := range s {
		out.WriteString(pyEscapeRune(r, quote))
	}
	out.WriteRune(quote)
	return out.String()
}

func pyEscapeRune(r, quote rune) string {
	switch {
	case r == quote || r == '\\':
		return `\` + string(r)
	case r == '\n':
		return `\n`
	case r == '\r':
		return `\r`
	case r == '\t':
		return `\t`
	case r < 0x100 && !unicode.IsPrint(r) && r != ' ':
		return fmt.Sprintf(`\x%02x`, r)
	case !unicode.IsPrint(r) && r != ' ':
		return pyWideEscape(r)
	}
	return string(r)
}

func pyWideEscape(r rune) string {
	if r > 0xFFFF {
		return fmt.Sprintf(`\U%08x`, r)
	}
	return fmt.Sprintf(`\u%04x`, r)
}

// pyFloatRepr is Python's repr() of a float: shortest round-trip digits,
// fixed notation for exponents in [-4, 16), always a fractional part.
func pyFloatRepr(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	case math.IsNaN(f):
		return "nan"
	}
	exp := decimalExponent(f)
	if exp < -4 || exp >= 16 {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.Contains(s, ".") {
		s += ".0"
	}
	return s
}

func decimalExponent(f float64) int {
	if f == 0 {
		return 0
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	exp, _ := strconv.Atoi(s[strings.IndexByte(s, 'e')+1:])
	return exp
}

// promFloat is prometheus_client's floatToGoString: Python's repr, except that
// large positive values switch to Go-style exponents sooner.
func promFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	s := pyFloatRepr(f)
	dot := strings.IndexByte(s, '.')
	if f <= 0 || dot <= 6 {
		return s
	}
	mantissa := strings.TrimRight(s[:1]+"."+s[1:dot]+s[dot+1:], "0.")
	return fmt.Sprintf("%se+0%d", mantissa, dot-1)
}

// writeJSONBody writes a complete JSON response.
func writeJSONBody(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeJSON marshals v compactly and writes it.
func writeJSON(w http.ResponseWriter, status int, v any) {
	writeJSONBody(w, status, compactJSON(v))
}

// fastAPIDetail is FastAPI's default body for routing errors.
type fastAPIDetail struct {
	Detail string `json:"detail"`
}

func writeNotFound(w http.ResponseWriter) {
	writeJSON(w, http.StatusNotFound, fastAPIDetail{Detail: "Not Found"})
}

func writeMethodNotAllowed(w http.ResponseWriter) {
	writeJSON(w, http.StatusMethodNotAllowed, fastAPIDetail{Detail: "Method Not Allowed"})
}

// sseWriter writes Server-Sent Events and flushes after each one, so a client
// sees every chunk as it is produced.
type sseWriter struct {
	w       http.ResponseWriter
	flusher http.Flusher
}

func startSSE(w http.ResponseWriter, status int) *sseWriter {
	w.Header().Set("Content-Type", "text/event-stream; charset=utf-8")
	w.WriteHeader(status)
	f, _ := w.(http.Flusher)
	s := &sseWriter{w: w, flusher: f}
	s.flush()
	return s
}

// event writes one `data: <payload>\n\n` event.
func (s *sseWriter) event(payload []byte) error {
	buf := make([]byte, 0, len(payload)+8)
	buf = append(buf, "data: "...)
	buf = append(buf, payload...)
	buf = append(buf, "\n\n"...)
	if _, err := s.w.Write(buf); err != nil {
		return err
	}
	s.flush()
	return nil
}

func (s *sseWriter) done() error { return s.event([]byte("[DONE]")) }

func (s *sseWriter) flush() {
	if s.flusher != nil {
		s.flusher.Flush()
	}
}
