package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// ErrorKind says what went wrong in terms a fleet operator can act on.
type ErrorKind int

const (
	KindOther          ErrorKind = iota
	KindWrongModelName           // the upstream does not serve the model name asked for
	KindWrongPath                // {"detail":"Not Found"}: wrong URL path / LiteLLM api_base
	KindAuth                     // missing or wrong key (vLLM 401, LiteLLM 401, 400 "No connected db.")
	KindUnknownAlias             // LiteLLM has no model_list entry for the alias
	KindUpstreamDown             // LiteLLM could not reach vLLM
	KindCooldown                 // LiteLLM 429: every deployment of the alias is cooling down
	KindMidStream                // an error event inside a 200 stream
	KindTruncated                // the stream ended without [DONE]
)

var kindNames = [...]string{"other", "wrong-model-name", "wrong-path", "auth", "unknown-alias",
	"upstream-down", "cooldown", "mid-stream", "truncated"}

func (k ErrorKind) String() string {
	if k < 0 || int(k) >= len(kindNames) {
		return "kind(" + strconv.Itoa(int(k)) + ")"
	}
	return kindNames[k]
}

// APIError is an error answer from vLLM or LiteLLM, or a broken stream.
// Error() is the one-line Reason; no field ever holds a key passed in Hint.Secrets.
type APIError struct {
	Kind    ErrorKind
	Cause   ErrorKind // for KindMidStream: what the error event says; else equal to Kind
	Status  int       // HTTP status; 200 for an error inside a stream
	Code    string    // the body's "code" (an int in vLLM, a string in LiteLLM) as text
	Type    string    // the body's "type"; "" for null or Python's "None"
	Via     string    // "vLLM", "LiteLLM", or "" when the body does not tell
	Model   string    // upstream model name named by a "does not exist" error
	Alias   string    // LiteLLM model group (alias) named by the error
	Message string    // the server's message, secrets removed (may span lines)
	Reason  string    // one line for humans
}

func (e *APIError) Error() string { return e.Reason }

// Hint carries what the body cannot tell DecodeError.
type Hint struct {
	// Upstream names the vLLM host LiteLLM routes to, for messages
	// ("LiteLLM asked wintermute for ..."). Optional.
	Upstream string
	// Secrets are removed from every message (API keys sent with the request).
	Secrets []string
}

// KindOf returns the kind of an *APIError in err's chain, or KindOther.
func KindOf(err error) ErrorKind {
	var apiErr *APIError
	if errors.As(err, &apiErr) {
		return apiErr.Kind
	}
	return KindOther
}

// DecodeError turns an HTTP status and body from vLLM or LiteLLM into an
// *APIError. It accepts every shape in testdata/wire: nested
// {"error":{...}} with int or string code, vLLM's flat pre-0.10.1 body,
// {"error":"Unauthorized"}, FastAPI's {"detail":...}, a single SSE data payload,
// and whole SSE bodies (a mid-stream error event, or no [DONE] = truncated).
// With a 2xx status it returns nil when the body holds no error.
func DecodeError(status int, body []byte, hint Hint) error {
	body = bytes.TrimLeft(bytes.TrimPrefix(body, utf8BOM), " \t\r\n")
	if looksLikeSSE(body) {
		return decodeStreamBody(status, body, hint) // trailing blank lines end events
	}
	return decodePayload(status, body, hint)
}

// decodePayload decodes one JSON error body or SSE data payload.
func decodePayload(status int, body []byte, hint Hint) error {
	body = bytes.TrimSpace(body)
	w, ok := parseWireError(body)
	if !ok {
		return decodeOpaque(status, body, hint)
	}
	return classify(status, w, hint)
}

var utf8BOM = []byte("\xef\xbb\xbf")

func looksLikeSSE(body []byte) bool {
	for _, p := range []string{"data:", ":", "event:", "id:", "retry:"} {
		if bytes.HasPrefix(body, []byte(p)) {
			return true
		}
	}
	return false
}

// decodeStreamBody finds the first error event of an SSE body; a body with
// neither an error event nor [DONE] was truncated.
func decodeStreamBody(status int, body []byte, hint Hint) error {
	sse := NewSSEReader(bytes.NewReader(body))
	events := 0
	for {
		ev, err := sse.Next()
		if err != nil {
			return endOfStreamBody(status, events, hint)
		}
		if strings.TrimSpace(ev.Data) == doneSentinel {
			return statusOnly(status, hint)
		}
		if apiErr := decodePayload(status, []byte(ev.Data), hint); apiErr != nil {
			return apiErr
		}
		events++
	}
}

func endOfStreamBody(status, events int, hint Hint) error {
	if !isSuccess(status) {
		return statusOnly(status, hint)
	}
	return truncatedError(events)
}

func truncatedError(events int) *APIError {
	return &APIError{Kind: KindTruncated, Cause: KindTruncated, Status: http.StatusOK,
		Reason: fmt.Sprintf("the stream ended after %d events without [DONE]: "+
			"the connection dropped or the server gave up", events)}
}

// statusOnly reports a non-2xx status whose body said nothing useful; nil for 2xx.
func statusOnly(status int, hint Hint) error {
	if isSuccess(status) {
		return nil
	}
	return decodeOpaque(status, nil, hint)
}

func isSuccess(status int) bool { return status >= 200 && status < 300 }

// decodeOpaque handles a body that is not one of the known JSON shapes
// (an HTML page from a reverse proxy, plain text, nothing at all).
func decodeOpaque(status int, body []byte, hint Hint) error {
	if isSuccess(status) {
		return nil
	}
	text := oneLine(redact(string(body), hint.Secrets), 160)
	reason := fmt.Sprintf("the server answered %d %s", status, http.StatusText(status))
	if text != "" {
		reason += ": " + text
	}
	return &APIError{Kind: KindOther, Cause: KindOther, Status: status, Message: text, Reason: reason}
}

// wireError is the union of every error shape, decoded leniently.
type wireError struct {
	via        string
	message    string
	typ        string
	code       string
	detail     string
	errIsText  bool // {"error":"Unauthorized"}
	fromDetail bool // FastAPI {"detail": ...}
}

type errorBody struct {
	Error   json.RawMessage `json:"error"`
	Object  string          `json:"object"`
	Message json.RawMessage `json:"message"`
	Type    json.RawMessage `json:"type"`
	Code    json.RawMessage `json:"code"`
	Detail  json.RawMessage `json:"detail"`
}

// parseWireError reports ok=false when body is not a JSON error of any known shape.
func parseWireError(body []byte) (wireError, bool) {
	var top errorBody
	if json.Unmarshal(body, &top) != nil {
		return wireError{}, false
	}
	switch {
	case len(top.Error) > 0 && string(top.Error) != "null":
		return parseErrorField(top.Error)
	case top.Object == "error" || len(top.Message) > 0:
		return fromBody(top, "vLLM"), true // flat pre-0.10.1 vLLM body
	case len(top.Detail) > 0:
		return wireError{detail: looseString(top.Detail), fromDetail: true}, true
	}
	return wireError{}, false
}

func parseErrorField(raw json.RawMessage) (wireError, bool) {
	if raw[0] == '"' {
		return wireError{via: "vLLM", message: looseString(raw), errIsText: true}, true
	}
	var inner errorBody
	if json.Unmarshal(raw, &inner) != nil {
		return wireError{message: string(raw)}, true
	}
	return fromBody(inner, ""), true
}

func fromBody(b errorBody, via string) wireError {
	w := wireError{message: looseString(b.Message), typ: pythonNone(looseString(b.Type)),
		code: looseString(b.Code), detail: looseString(b.Detail)}
	w.via = via
	if w.via == "" {
		w.via = guessVia(b.Code, w.message)
	}
	return w
}

// guessVia: LiteLLM writes code as a string and prefixes "litellm."; vLLM writes an int.
func guessVia(code json.RawMessage, message string) string {
	switch {
	case strings.HasPrefix(message, "litellm.") || strings.Contains(message, "Received Model Group="):
		return "LiteLLM"
	case len(code) > 0 && code[0] == '"':
		return "LiteLLM"
	case len(code) > 0 && code[0] >= '0' && code[0] <= '9':
		return "vLLM"
	}
	return ""
}

// looseString renders a JSON string, number, bool or null as text.
func looseString(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

func pythonNone(s string) string {
	if s == "None" {
		return ""
	}
	return s
}

// codeNumber reads the body's code ("404", 404 or 404.0); 0 when it is not a number.
func (w wireError) codeNumber() int {
	f, err := strconv.ParseFloat(strings.TrimSpace(w.code), 64)
	if err != nil || f < 100 || f > 999 {
		return 0
	}
	return int(f)
}

// effectiveStatus is the HTTP status, or the body's code for errors inside a 200 stream.
func effectiveStatus(status int, w wireError) int {
	if isSuccess(status) && w.codeNumber() != 0 {
		return w.codeNumber()
	}
	return status
}

func classify(status int, w wireError, hint Hint) error {
	w.message = redact(w.message, hint.Secrets)
	w.detail = redact(w.detail, hint.Secrets)
	e := &APIError{Status: status, Code: w.code, Type: w.typ, Via: w.via, Message: w.message}
	e.Model = findModelNotExist(w.message)
	e.Alias = findAlias(w.message)
	e.Kind = kindOf(effectiveStatus(status, w), w)
	e.Cause = e.Kind
	e.Reason = reasonFor(e, effectiveStatus(status, w), w, hint)
	if isSuccess(status) {
		markMidStream(e)
	}
	e.Reason = lineBreaksRE().ReplaceAllString(e.Reason, " ") // a model name or alias quoted from the body may hold one
	return e
}

// markMidStream turns a classified error event of a 200 stream into
// KindMidStream, keeping what the event said in Cause.
func markMidStream(e *APIError) {
	e.Kind = KindMidStream
	if e.Cause == KindOther {
		e.Reason = who(e) + " broke off the stream with " + strings.TrimPrefix(e.Reason, who(e)+" answered ")
		return
	}
	e.Reason = who(e) + " broke off the stream: " + e.Reason
}

func kindOf(status int, w wireError) ErrorKind {
	msg := w.message
	switch {
	case isAuth(status, w):
		return KindAuth
	case strings.Contains(msg, "Invalid model name passed in model="):
		return KindUnknownAlias
	case findModelNotExist(msg) != "":
		return KindWrongModelName
	case w.detail == "Not Found" || strings.Contains(msg, "'detail': 'Not Found'"):
		return KindWrongPath
	case status == http.StatusTooManyRequests || strings.Contains(msg, "No deployments available"):
		return KindCooldown
	case isUpstreamDown(status, w):
		return KindUpstreamDown
	}
	return KindOther
}

func isAuth(status int, w wireError) bool {
	return status == http.StatusUnauthorized || status == http.StatusForbidden ||
		w.typ == "auth_error" || w.typ == "no_db_connection" ||
		strings.HasPrefix(w.message, "Authentication Error") ||
		w.message == "No connected db."
}

var upstreamDownMarkers = []string{"APIConnectionError", "Connection error", "APITimeoutError",
	"litellm.Timeout", "ServiceUnavailableError"}

func isUpstreamDown(status int, w wireError) bool {
	if w.via == "LiteLLM" && (status == http.StatusBadGateway ||
		status == http.StatusServiceUnavailable || status == http.StatusGatewayTimeout) {
		return true
	}
	for _, m := range upstreamDownMarkers {
		if strings.Contains(w.message, m) {
			return true
		}
	}
	return false
}

var (
	modelNotExistRE = lazyre.New("The model `([^`]*)` does not exist")
	// "Received Model Group=X" until 1.8x; "LiteLLM: model group 'X' failed
	// with the error above" in 1.108 (testdata/wire, capture__litellm_1.108.7__*).
	modelGroupRE    = lazyre.New(`(?:Received Model Group|Passed model|passed in model)=(\S+)|model group '([^']+)'`)
	cooldownCauseRE = lazyre.New(`'Exception Received': '((?:[^'\\]|\\.)*)'`)
	bearerRE        = lazyre.New(`(?i)(bearer\s+)\S+`)
	litellmKeyRE    = lazyre.New(`sk-[A-Za-z0-9_\-]{4,}`)
	lineBreaksRE    = lazyre.New(`[\r\n]+`)
	litellmTailRE   = lazyre.New(`\.?\s*(?:Received Model Group=|LiteLLM: model group ')[\s\S]*$`)
)

func findModelNotExist(msg string) string {
	if m := modelNotExistRE().FindStringSubmatch(msg); m != nil {
		return m[1]
	}
	return ""
}

func findAlias(msg string) string {
	if m := modelGroupRE().FindStringSubmatch(msg); m != nil {
		return strings.TrimRight(m[1]+m[2], ".,'\"")
	}
	return ""
}

// redact removes the given secrets and anything shaped like a LiteLLM key or
// a bearer token from s.
func redact(s string, secrets []string) string {
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "***")
		}
	}
	s = bearerRE().ReplaceAllString(s, "${1}***")
	return litellmKeyRE().ReplaceAllString(s, "sk-***")
}

// oneLine folds s onto one line and cuts it to at most limit bytes.
func oneLine(s string, limit int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !isRuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

func isRuneStart(b byte) bool { return b&0xC0 != 0x80 }
