package sim

import (
	"encoding/pem"
	"strings"
	"testing"
)

// caPEM is the PEM form of the certificate that signs an httptest TLS
// server (self-signed, for 127.0.0.1): what the lab hands clients as its CA.
func (l *winrmLab) caPEM() []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: l.http.Certificate().Raw})
}

// TestWinRMMasterzenTLS serves the handler over TLS, as the lab assembler
// does: masterzen accepts it given the CA and refuses it without.
func TestWinRMMasterzenTLS(t *testing.T) {
	lab := startWinRMLab(t, &winrmFakeRuntime{}, true)
	ctx := winrmTestContext(t)
	trusted := lab.masterzen(t, masterzenOptions{https: true, caPEM: lab.caPEM()})
	if out, _, code, err := trusted.RunCmdWithContext(ctx, "hostname"); err != nil || code != 0 || out != "wintermute\r\n" {
		t.Errorf("with the CA: %q %d %v", out, code, err)
	}
	untrusted := lab.masterzen(t, masterzenOptions{https: true})
	_, _, _, err := untrusted.RunCmdWithContext(ctx, "hostname")
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without the CA: %v", err)
	}
}
