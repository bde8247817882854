package sim

import (
	"encoding/base64"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// FuzzNTLMHandshake feeds arbitrary NEGOTIATE, AUTHENTICATE and sealed
// bodies to the lab's WinRM authentication: it must answer (401 or a SOAP
// fault), never panic, and never serve a request it could not verify.
func FuzzNTLMHandshake(f *testing.F) {
	negotiate := append(append([]byte("NTLMSSP\x00"), 1, 0, 0, 0), 0x35, 0x82, 0x88, 0xe2)
	f.Add(negotiate, append([]byte("NTLMSSP\x00"), 3, 0, 0, 0), []byte(winrmBoundary+"\r\n"))
	f.Add([]byte("NTLMSSP\x00"), []byte{}, []byte{})
	f.Fuzz(func(t *testing.T, first, second, sealed []byte) {
		srv := NewWinRMServer(WinRMOptions{User: "mdt", Password: "pw", DenyUnencrypted: true})
		defer srv.Close()
		for _, token := range [][]byte{first, second} {
			req := httptest.NewRequest(http.MethodPost, "/wsman", strings.NewReader(""))
			req.RemoteAddr = "127.0.0.1:5000"
			req.Header.Set("Authorization", "Negotiate "+base64.StdEncoding.EncodeToString(token))
			srv.ServeHTTP(httptest.NewRecorder(), req)
		}
		req := httptest.NewRequest(http.MethodPost, "/wsman", strings.NewReader(string(sealed)))
		req.RemoteAddr = "127.0.0.1:5000"
		req.Header.Set("Content-Type", winrmEncContentType)
		rec := httptest.NewRecorder()
		srv.ServeHTTP(rec, req)
		if rec.Code == http.StatusOK {
			t.Fatalf("served a request no valid NTLM session sealed")
		}
	})
}
