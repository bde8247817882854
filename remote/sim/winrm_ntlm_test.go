package sim

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// masterzen/winrm's ClientNTLM (Azure/go-ntlmssp) authenticates but never
// seals: with Windows' default AllowUnencrypted=false the lab refuses its
// messages with 401, and serves them once unencrypted messages are allowed.
// (Sealing is tested with pywinrm, winrm_pywinrm_ntlm_test.go, and with
// straylight's client in remote/winrm_lab_test.go.)
func TestLabRefusesUnsealedNTLMOverHTTPByDefaultSetting(t *testing.T) {
	lab := startWinRMLab(t, &winrmFakeRuntime{}, false)
	lab.srv.SetDenyUnencrypted(true)
	client := lab.masterzen(t, masterzenOptions{auth: "ntlm"})
	_, _, _, err := client.RunWithContextWithString(winrmTestContext(t), "hostname", "")
	if err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("unsealed NTLM over HTTP: %v, want a 401", err)
	}
	lab.srv.SetDenyUnencrypted(false)
	stdout, _, code, err := client.RunWithContextWithString(winrmTestContext(t), "hostname", "")
	if err != nil || code != 0 || strings.TrimSpace(stdout) != winrmTestHost {
		t.Fatalf("with AllowUnencrypted: %v %d %q", err, code, stdout)
	}
}

func TestLabNTLMRejectsAWrongPassword(t *testing.T) {
	lab := startWinRMLab(t, &winrmFakeRuntime{}, false)
	for _, auth := range []string{"ntlm", "ntlm-sealed"} {
		client := lab.masterzen(t, masterzenOptions{auth: auth, password: "wrong"})
		if _, _, _, err := client.RunWithContextWithString(winrmTestContext(t), "hostname", ""); err == nil {
			t.Errorf("%s: a wrong password was accepted", auth)
		}
	}
}

// A sealed message whose bytes were changed on the way fails its
// signature check and is refused.
func TestLabRefusesATamperedSealedMessage(t *testing.T) {
	exported := make([]byte, 16)
	client, _ := newNTLMSession(ntlmRequired|ntlmSign|ntlmSeal, exported)
	server, _ := newNTLMSession(ntlmRequired|ntlmSign|ntlmSeal, exported)
	client.in, client.out = client.out, client.in // the client's view: its outgoing stream is the server's incoming
	client.inSign, client.outSign = client.outSign, client.inSign
	sealed, sig := client.seal([]byte("<env:Envelope/>"))
	sealed[0] ^= 1
	if _, ok := server.unseal(sealed, sig); ok {
		t.Fatal("a tampered message unsealed")
	}
}

func TestLabAnswersAnonymousRequestsWithBothSchemes(t *testing.T) {
	lab := startWinRMLab(t, &winrmFakeRuntime{}, false)
	resp, err := http.Post(lab.http.URL+"/wsman", soapContentType, strings.NewReader(""))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got := strings.Join(resp.Header.Values("WWW-Authenticate"), ", "); resp.StatusCode != 401 || got != `Negotiate, Basic realm="WSMAN"` {
		t.Errorf("%d %q", resp.StatusCode, got)
	}
}
