package remote

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"flag"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

var updateGolden = flag.Bool("update", false, "rewrite the golden files under testdata/")

// fixedClock names backups predictably.
func fixedClock() time.Time { return time.Date(2025, 3, 14, 9, 26, 53, 589e6, time.UTC) }

const fixedBackupSuffix = ".20250314T092653.589Z.straylight-bak"

// testContext bounds a test's remote call so a hang fails instead of blocking.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// client builds a WinRM transport aimed at the fake, with its credentials.
func (f *fakeWSMan) client(t *testing.T, adjust func(*WinRMConfig)) *WinRM {
	t.Helper()
	host, port := f.addr()
	cfg := WinRMConfig{Host: host, Port: port, Scheme: "http", Transport: f.auth,
		User: f.user, Password: f.password, Clock: fixedClock}
	if f.srv.TLS != nil {
		cfg.Scheme, cfg.CATrustPEM = "https", f.caPEM
	}
	if adjust != nil {
		adjust(&cfg)
	}
	w, err := NewWinRM(cfg)
	if err != nil {
		t.Fatalf("NewWinRM: %v", err)
	}
	t.Cleanup(func() { w.Close() })
	return w
}

// testPKI is a CA and a server certificate for 127.0.0.1 it signed.
type testPKI struct {
	caPEM []byte
	leaf  tls.Certificate
}

func newTestPKI(t *testing.T) testPKI {
	t.Helper()
	caKey := newKey(t)
	caTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "straylight test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	caDER := createCert(t, caTemplate, caTemplate, caKey, caKey)
	caCert, err := x509.ParseCertificate(caDER)
	if err != nil {
		t.Fatal(err)
	}
	leafKey := newKey(t)
	leafTemplate := &x509.Certificate{
		SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: "127.0.0.1"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	leafDER := createCert(t, leafTemplate, caCert, leafKey, caKey)
	return testPKI{
		caPEM: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER}),
		leaf:  tls.Certificate{Certificate: [][]byte{leafDER}, PrivateKey: leafKey},
	}
}

func newKey(t *testing.T) *ecdsa.PrivateKey {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func createCert(t *testing.T, template, parent *x509.Certificate, key, signer *ecdsa.PrivateKey) []byte {
	der, err := x509.CreateCertificate(rand.Reader, template, parent, &key.PublicKey, signer)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// writeFile puts content in a temp file and returns its path.
func writeTempFile(t *testing.T, name string, content []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, content, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// golden compares got with testdata/<name>, rewriting it under -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *updateGolden {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from what was sent (run with -update after checking the change):\n--- sent\n%s\n--- %s\n%s",
			name, got, path, want)
	}
}

// collapse merges runs of one action, since the number of Receive polls
// depends on scheduling.
func collapse(actions []string) []string {
	var out []string
	for _, a := range actions {
		if len(out) == 0 || out[len(out)-1] != a {
			out = append(out, a)
		}
	}
	return out
}
