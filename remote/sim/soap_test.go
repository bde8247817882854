package sim

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestSOAPParsesFixtureMessages(t *testing.T) {
	for _, name := range []string{"messages-masterzen.xml", "messages-pywinrm.xml"} {
		for action, body := range winrmFixtureMessages(t, name) {
			env, err := parseSOAPEnvelope(body)
			if bytes.HasSuffix(body, []byte("[truncated]")) {
				// The capture cut this message short: it must fail cleanly.
				if err == nil {
					t.Errorf("%s %s: truncated message parsed", name, action)
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s %s: %v", name, action, err)
			}
			if env.Header.action() != action || !strings.HasPrefix(env.Header.messageID(), "uuid:") {
				t.Errorf("%s: action %q message id %q", name, env.Header.action(), env.Header.messageID())
			}
			checkFixtureBody(t, name, action, env)
		}
	}
}

func checkFixtureBody(t *testing.T, name, action string, env *soapEnvelope) {
	t.Helper()
	b := env.Body
	switch action {
	case soapActionCreate:
		if env.Header.operationTimeout() != map[string]time.Duration{
			"messages-masterzen.xml": 5 * time.Second, "messages-pywinrm.xml": 20 * time.Second}[name] {
			t.Errorf("%s: operation timeout %v", name, env.Header.operationTimeout())
		}
	case soapActionCommand:
		if b.CommandLine == nil || b.CommandLine.fullCommandLine() != "hostname" || env.Header.selector("ShellId") == "" {
			t.Errorf("%s: command %+v", name, b.CommandLine)
		}
	case soapActionReceive:
		if b.Receive == nil || b.Receive.DesiredStream.CommandID == "" {
			t.Errorf("%s: receive %+v", name, b.Receive)
		}
	case soapActionSignal:
		if b.Signal == nil || !strings.HasSuffix(b.Signal.Code, "signal/terminate") {
			t.Errorf("%s: signal %+v", name, b.Signal)
		}
	case soapActionSend:
		if b.Send == nil || len(b.Send.Streams) != 1 || b.Send.Streams[0].Name != "stdin" || b.Send.Streams[0].isEnd() {
			t.Errorf("%s: send %+v", name, b.Send)
		}
	}
}

func TestParseXSDuration(t *testing.T) {
	tests := map[string]time.Duration{
		"PT5S": 5 * time.Second, "PT0.5S": 500 * time.Millisecond, "PT60.000S": time.Minute,
		"P0DT0H1M0S": time.Minute, "PT1H": soapMaxOperationTimeout, "P99999D": soapMaxOperationTimeout,
	}
	for in, want := range tests {
		if got, ok := parseXSDuration(in); !ok || min(got, soapMaxOperationTimeout) != want {
			t.Errorf("%s: %v %v, want %v", in, got, ok, want)
		}
	}
	for _, bad := range []string{"", "P", "PT", "5S", "PTS", "PT-1S"} {
		if _, ok := parseXSDuration(bad); ok {
			t.Errorf("%q parsed", bad)
		}
	}
}

// TestSOAPResponsesAreWellFormed checks every response kind parses as XML
// and answers the request's MessageID.
func TestSOAPResponsesAreWellFormed(t *testing.T) {
	const rel = "uuid:1234"
	responses := map[string][]byte{
		"create":  soapCreateResponse(rel, soapShellInfo{"http://127.0.0.1/wsman", "ID", "u<&>", "127.0.0.1"}),
		"command": soapCommandResponse(rel, "CID"),
		"receive": soapReceiveResponse(rel, "CID", wsOutputChunk{stdout: []byte("x"), done: true, exitCode: -1}),
		"send":    soapSendResponse(rel), "signal": soapSignalResponse(rel), "delete": soapDeleteResponse(rel),
		"fault": soapFault(rel, "host", soapTimeoutFault()),
	}
	for name, body := range responses {
		var env struct {
			RelatesTo string `xml:"Header>RelatesTo"`
		}
		if err := xml.Unmarshal(body, &env); err != nil || env.RelatesTo != rel {
			t.Errorf("%s: %v, RelatesTo %q", name, err, env.RelatesTo)
		}
	}
}

func TestWinRMRejectsBadRequests(t *testing.T) {
	srv := NewWinRMServer(WinRMOptions{User: "u", Password: "p"})
	tests := []struct {
		name, method, path, body string
		auth                     bool
		status                   int
	}{
		{"wrong path", "POST", "/other", "", true, http.StatusNotFound},
		{"wrong method", "GET", "/wsman", "", true, http.StatusMethodNotAllowed},
		{"no credentials", "POST", "/wsman", "", false, http.StatusUnauthorized},
		{"not XML", "POST", "/wsman", "hello", true, http.StatusBadRequest},
		{"unknown action", "POST", "/wsman", soapTestEnvelope("urn:nothing", ""), true, http.StatusInternalServerError},
		{"unknown shell", "POST", "/wsman", soapTestEnvelope(soapActionDelete, "NOPE"), true, http.StatusInternalServerError},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(tt.body))
		if tt.auth {
			req.SetBasicAuth("u", "p")
		}
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, rec.Code, tt.status)
		}
		if got := rec.Header().Values("WWW-Authenticate"); tt.status == http.StatusUnauthorized &&
			strings.Join(got, ", ") != `Negotiate, Basic realm="WSMAN"` {
			t.Errorf("%s: challenges %q", tt.name, got)
		}
		if tt.status != http.StatusUnauthorized && rec.Header().Get("Content-Type") != soapContentType {
			t.Errorf("%s: content type %q", tt.name, rec.Header().Get("Content-Type"))
		}
	}
}

func soapTestEnvelope(action, shellID string) string {
	return `<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"` +
		` xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"><env:Header><a:Action>` + action +
		`</a:Action><a:MessageID>uuid:1</a:MessageID><w:SelectorSet><w:Selector Name="ShellId">` + shellID +
		`</w:Selector></w:SelectorSet></env:Header><env:Body/></env:Envelope>`
}

// FuzzSOAPEnvelope feeds arbitrary request bodies to the parser and the whole
// handler: neither may panic, and every answer must be a well-formed reply.
func FuzzSOAPEnvelope(f *testing.F) {
	for _, name := range []string{"messages-masterzen.xml", "messages-pywinrm.xml"} {
		for _, body := range winrmFixtureMessages(f, name) {
			f.Add(body)
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		_, _ = parseSOAPEnvelope(body)
		srv := NewWinRMServer(WinRMOptions{User: "u", Password: "p", Runtime: &winrmFakeRuntime{}})
		defer srv.Close()
		// The shells the seeds name exist, so Command, Signal and Delete run.
		for _, id := range []string{"B36B750F-0AD1-2068-C729-A8956C582FA1", "8487B289-E12E-3702-5613-DC03C9D21229",
			"536AF411-5190-B782-6128-744FA53100CF"} {
			srv.shells.shells[id] = &wsShell{commands: map[string]*wsCommand{}}
		}
		req := httptest.NewRequest(http.MethodPost, "/wsman", bytes.NewReader(body))
		req.SetBasicAuth("u", "p")
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Header().Get("Content-Type") != soapContentType {
			t.Fatalf("status %d without the SOAP content type", rec.Code)
		}
	})
}
