package api

import (
	"errors"
	"net/http"
	"strings"
	"testing"
)

// Shapes not in the fixtures but produced by the same code paths.
func TestDecodeErrorOtherShapes(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		kind   ErrorKind
		reason string
	}{
		{"litellm upstream 401", 401, `{"error":{"message":"litellm.AuthenticationError: AuthenticationError: ` +
			`OpenAIException - Error code: 401 - {'error': 'Unauthorized'}. Received Model Group=local/reasoner\n` +
			`Available Model Group Fallbacks=None","type":null,"param":null,"code":"401"}}`, KindAuth,
			"wintermute refused the api_key LiteLLM sent (401)"},
		{"litellm 404 with flat pre-0.10.1 upstream body", 404, `{"error":{"message":"litellm.NotFoundError: ` +
			`NotFoundError: OpenAIException - Error code: 404 - {'object': 'error', 'message': 'The model ` +
			"`llama31-8b-wintermute`" + ` does not exist.', 'type': 'NotFoundError', 'param': None, 'code': 404}",` +
			`"type":null,"param":null,"code":"404"}}`, KindWrongModelName, "LiteLLM asked wintermute for"},
		{"vllm 400 validation", 400, `{"error":{"message":"max_tokens must be at least 1","type":"Bad Request",` +
			`"param":"max_tokens","code":400}}`, KindOther, "vLLM answered 400: Bad Request: max_tokens must be at least 1"},
		{"readiness 503", 503, `{"detail":"Service Unhealthy (db)"}`, KindOther,
			"the server answered 503: Service Unhealthy (db)"},
		{"html from a proxy", 502, "<html>\n<body>Bad Gateway</body>\n</html>", KindOther,
			"the server answered 502 Bad Gateway: <html> <body>Bad Gateway</body> </html>"},
		{"empty body", 500, "", KindOther, "the server answered 500 Internal Server Error"},
		{"error null then detail", 404, `{"error":null,"detail":"Not Found"}`, KindWrongPath, "no such route"},
		{"code as float", 200, `{"error":{"message":"boom","code":500.0}}`, KindMidStream, "broke off the stream"},
		{"first event error sets status", 500, `data: {"error": {"message": "litellm.APIConnectionError: ` +
			`Connection error.", "code": "500"}}` + "\n\n", KindUpstreamDown, "could not reach wintermute (500)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			e := asAPIError(t, DecodeError(tc.status, []byte(tc.body), Hint{Upstream: "wintermute"}))
			if e.Kind != tc.kind || !strings.Contains(e.Reason, tc.reason) {
				t.Errorf("kind %v reason %q, want %v containing %q", e.Kind, e.Reason, tc.kind, tc.reason)
			}
			assertOneLine(t, e.Reason)
		})
	}
}

func TestDecodeErrorSuccessIsNil(t *testing.T) {
	for _, body := range []string{"", `{"object":"list","data":[]}`, "data: {\"choices\":[]}\n\ndata: [DONE]\n\n"} {
		if err := DecodeError(http.StatusOK, []byte(body), Hint{}); err != nil {
			t.Errorf("%q: %v", body, err)
		}
	}
}

func TestDecodeErrorRedactsSecrets(t *testing.T) {
	body := `{"error":{"message":"Invalid key sk-live-abcdef123456 / my-private-token / Bearer xyz.123",` +
		`"type":"auth_error","code":"401"}}`
	e := asAPIError(t, DecodeError(401, []byte(body), Hint{Secrets: []string{"my-private-token", ""}}))
	for _, secret := range []string{"abcdef123456", "my-private-token", "xyz.123"} {
		if strings.Contains(e.Reason, secret) || strings.Contains(e.Message, secret) {
			t.Errorf("%q leaked: %q / %q", secret, e.Reason, e.Message)
		}
	}
}

func TestKindOf(t *testing.T) {
	if KindOf(nil) != KindOther || KindOf(&APIError{Kind: KindCooldown}) != KindCooldown {
		t.Error("KindOf")
	}
}

// A reason is one line even when what it quotes from the body is not: the
// error's type (found by FuzzSSE: testdata/fuzz/FuzzSSE/0230876126e17366)
// or a model name.
func TestReasonsStayOnOneLine(t *testing.T) {
	for _, body := range []string{
		`{"error":{"message":"0","type":"\n"}}`,
		`{"object":"error","message":"The model ` + "`a\\nb`" + ` does not exist.","type":"NotFoundError","code":404}`,
		`{"error":{"message":"Invalid model name passed in model=x","type":"bad\r\nrequest"}}`,
	} {
		for _, status := range []int{200, 400, 404} {
			var apiErr *APIError
			if !errors.As(DecodeError(status, []byte(body), Hint{}), &apiErr) || strings.ContainsAny(apiErr.Reason, "\r\n") {
				t.Errorf("%d %s: reason %q", status, body, apiErr.Reason)
			}
		}
	}
}
