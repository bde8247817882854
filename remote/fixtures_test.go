package remote

import (
	"encoding/xml"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/straylight-fleet/straylight/internal/testfixture"
)

var fixtureBlock = regexp.MustCompile(`(?s)<!-- (\S+) -->\s*(<\?xml.*?</env:Envelope>)`)

// capturedRequests reads a fixture file into the fake's view of each request.
func capturedRequests(t *testing.T, name string) map[string]wireMessage {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join(testfixture.Dir(t, "winrm"), name))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]wireMessage{}
	fake := &fakeWSMan{t: t, changed: make(chan struct{})}
	for _, m := range fixtureBlock.FindAllStringSubmatch(string(raw), -1) {
		var env soapRequest
		if err := xml.Unmarshal([]byte(m[2]), &env); err != nil {
			t.Fatalf("%s %s: %v", name, m[1], err)
		}
		msg := fake.record(env, len(m[2]))
		out[msg.Action] = msg
	}
	return out
}

// The fake reads the requests two real clients sent (so its view of the wire
// is the real one), and straylight's requests carry the same headers and
// options as masterzen's captured ones.
func TestWireMatchesTheCapturedExchanges(t *testing.T) {
	for _, file := range []string{"messages-masterzen.xml", "messages-pywinrm.xml"} {
		captured := capturedRequests(t, file)
		for _, action := range []string{"Create", "Command", "Receive", "Signal", "Delete"} {
			m, ok := captured[action]
			if !ok || m.MessageID == "" || (action != "Create" && m.ShellID == "") {
				t.Errorf("%s: %s not read (%+v)", file, action, m)
			}
		}
	}
	masterzen := capturedRequests(t, "messages-masterzen.xml")
	f := newFakeWSMan(t, "basic").start()
	if _, err := f.client(t, nil).WriteFile(testContext(t), configPath, []byte("x: 1\n")); err != nil {
		t.Fatal(err)
	}
	for _, sent := range f.messages() {
		want, ok := masterzen[sent.Action]
		if !ok {
			continue // the captured Send is cut short in the fixture file
		}
		if sent.OperationTimeout != want.OperationTimeout || sent.MaxEnvelopeSize != want.MaxEnvelopeSize ||
			!sameKeys(sent.Options, want.Options) {
			t.Errorf("%s: sent %s/%s/%v, captured %s/%s/%v", sent.Action, sent.OperationTimeout, sent.MaxEnvelopeSize,
				sent.Options, want.OperationTimeout, want.MaxEnvelopeSize, want.Options)
		}
	}
	if code := masterzen["Signal"].SignalCode; !strings.HasSuffix(code, "/signal/terminate") {
		t.Errorf("captured Signal code %q not understood", code)
	}
}

func sameKeys(a, b map[string]string) bool {
	var ka, kb []string
	for k, v := range a {
		ka = append(ka, k+"="+v)
	}
	for k, v := range b {
		kb = append(kb, k+"="+v)
	}
	slices.Sort(ka)
	slices.Sort(kb)
	return slices.Equal(ka, kb)
}
