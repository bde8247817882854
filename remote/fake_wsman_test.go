package remote

import (
	"crypto/tls"
	"encoding/base64"
	"encoding/binary"
	"encoding/xml"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"
)

// fakeWSMan is a WS-Management endpoint on loopback, in the manner of
// lazygit's fake command runner: it answers as the fixtures in
// testdata/winrm say Windows does (Content-Type application/soap+xml
// even on errors, ShellId selector, CommandState Done with ExitCode, HTTP 500
// OperationTimeout faults while nothing is ready) and records every message
// so tests can assert exactly what went over the wire. Commands run as Go
// functions; straylight's own scripts are recognised by their marker line, as
// the simulated lab does, by code written here from docs/winrm-scripts.md.
type fakeWSMan struct {
	t        *testing.T
	srv      *httptest.Server
	user     string
	password string
	auth     string        // "basic" or "ntlm"
	caPEM    []byte        // the CA of the TLS certificate, when started over TLS
	pollWait time.Duration // how long a Receive waits for output; 0 means the request's OperationTimeout
	host     *fakeWindows
	// run answers commands that are not straylight's scripts; override, when
	// set, answers every command instead.
	run      func(c *fakeCommand) int
	override func(c *fakeCommand) int

	release chan struct{} // closing it ends waiting Receives with the timeout fault
	closing chan struct{}

	mu        sync.Mutex
	shells    map[string]map[string]*fakeCommand
	wire      []wireMessage
	ntlm      map[string]*ntlmConn
	basicSeen int
	nextID    int
	timeouts  int
	changed   chan struct{}
}

// wireMessage is one SOAP request as the fake understood it.
type wireMessage struct {
	Action           string // short name: Create, Command, Receive, Send, Signal, Delete
	MessageID        string
	ShellID          string
	CommandID        string
	OperationTimeout string
	MaxEnvelopeSize  string
	Options          map[string]string
	CommandLine      string
	Script           string // the -EncodedCommand script, decoded
	Stdin            []byte // a Send's data, decoded
	End              bool   // a Send's End="true"
	SignalCode       string
	Size             int // bytes of the envelope
}

type ntlmConn struct {
	challenge     [8]byte
	authenticated bool
}

func newFakeWSMan(t *testing.T, auth string) *fakeWSMan {
	f := &fakeWSMan{
		t: t, user: "mdt", password: "s3cret-Passw0rd", auth: auth,
		host:    newFakeWindows(),
		release: make(chan struct{}), closing: make(chan struct{}),
		shells: map[string]map[string]*fakeCommand{}, ntlm: map[string]*ntlmConn{},
		changed: make(chan struct{}),
	}
	f.srv = httptest.NewUnstartedServer(f)
	f.srv.Config.ErrorLog = log.New(io.Discard, "", 0) // TLS refusals are expected
	t.Cleanup(f.srv.Close)
	t.Cleanup(func() { close(f.closing) }) // runs first: frees waiting handlers
	return f
}

// start serves over HTTP, or for NTLM over HTTPS: straylight seals NTLM
// over plain HTTP, which this fake does not speak (the lab does; see
// winrm_lab_test.go).
func (f *fakeWSMan) start() *fakeWSMan {
	if f.auth != "ntlm" {
		f.srv.Start()
		return f
	}
	pki := newTestPKI(f.t)
	f.caPEM = pki.caPEM
	f.srv.TLS = &tls.Config{Certificates: []tls.Certificate{pki.leaf}}
	f.srv.StartTLS()
	return f
}

// host and port of the listener (always 127.0.0.1).
func (f *fakeWSMan) addr() (string, int) {
	addr := f.srv.Listener.Addr().String()
	host, port, _ := strings.Cut(addr, ":")
	var n int
	fmt.Sscan(port, &n)
	return host, n
}

func (f *fakeWSMan) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/soap+xml;charset=UTF-8")
	body, err := io.ReadAll(r.Body)
	if err != nil || !f.authenticate(w, r) {
		return
	}
	if len(body) == 0 { // the empty request that ends an NTLM handshake
		w.WriteHeader(http.StatusOK)
		return
	}
	var env soapRequest
	if err := xml.Unmarshal(body, &env); err != nil {
		f.t.Errorf("fake WinRM: unreadable envelope: %v", err)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	msg := f.record(env, len(body))
	f.answer(w, r, env, msg)
}

// authenticate enforces Basic or NTLM; it writes the 401 when it fails.
func (f *fakeWSMan) authenticate(w http.ResponseWriter, r *http.Request) bool {
	header := r.Header.Get("Authorization")
	if strings.HasPrefix(header, "Basic ") {
		f.mu.Lock()
		f.basicSeen++
		f.mu.Unlock()
	}
	if f.auth == "ntlm" {
		return f.authenticateNTLM(w, r, header)
	}
	if user, pass, ok := r.BasicAuth(); ok && user == f.user && pass == f.password {
		return true
	}
	w.Header().Set("WWW-Authenticate", `Basic realm="WSMAN"`)
	w.WriteHeader(http.StatusUnauthorized)
	return false
}

// authenticateNTLM runs the Negotiate/NTLM handshake once per connection,
// as Windows does.
func (f *fakeWSMan) authenticateNTLM(w http.ResponseWriter, r *http.Request, header string) bool {
	f.mu.Lock()
	conn := f.ntlm[r.RemoteAddr]
	if conn == nil {
		conn = &ntlmConn{}
		f.ntlm[r.RemoteAddr] = conn
	}
	f.mu.Unlock()
	token, isNegotiate := strings.CutPrefix(header, "Negotiate ")
	raw, _ := base64.StdEncoding.DecodeString(token)
	switch {
	case conn.authenticated && header == "":
		return true
	case isNegotiate && len(raw) > 8 && raw[8] == 1:
		challenge, serverChallenge := ntlmChallenge()
		conn.challenge = serverChallenge
		w.Header().Set("WWW-Authenticate", "Negotiate "+base64.StdEncoding.EncodeToString(challenge))
	case isNegotiate && len(raw) > 8 && raw[8] == 3:
		if err := ntlmVerify(raw, conn.challenge, f.user, f.password); err == nil {
			conn.authenticated = true
			return true
		}
	default:
		w.Header().Set("WWW-Authenticate", "Negotiate")
	}
	w.WriteHeader(http.StatusUnauthorized)
	return false
}

// soapRequest is the part of a WS-Management request the fake reads.
type soapRequest struct {
	Header struct {
		Action           string        `xml:"Action"`
		MessageID        string        `xml:"MessageID"`
		OperationTimeout string        `xml:"OperationTimeout"`
		MaxEnvelopeSize  string        `xml:"MaxEnvelopeSize"`
		Selectors        []namedString `xml:"SelectorSet>Selector"`
		Options          []namedString `xml:"OptionSet>Option"`
	} `xml:"Header"`
	Body struct {
		Command string `xml:"CommandLine>Command"`
		Receive struct {
			CommandID string `xml:"CommandId,attr"`
		} `xml:"Receive>DesiredStream"`
		Send struct {
			CommandID string `xml:"CommandId,attr"`
			End       string `xml:"End,attr"`
			Data      string `xml:",chardata"`
		} `xml:"Send>Stream"`
		Signal struct {
			CommandID string `xml:"CommandId,attr"`
			Code      string `xml:"Code"`
		} `xml:"Signal"`
	} `xml:"Body"`
}

type namedString struct {
	Name  string `xml:"Name,attr"`
	Value string `xml:",chardata"`
}

func (f *fakeWSMan) record(env soapRequest, size int) wireMessage {
	msg := wireMessage{
		Action: path.Base(env.Header.Action), MessageID: env.Header.MessageID,
		OperationTimeout: env.Header.OperationTimeout, MaxEnvelopeSize: env.Header.MaxEnvelopeSize,
		Options: map[string]string{}, CommandLine: env.Body.Command, Size: size,
		End: env.Body.Send.End == "true", SignalCode: env.Body.Signal.Code,
	}
	for _, s := range env.Header.Selectors {
		if s.Name == "ShellId" {
			msg.ShellID = s.Value
		}
	}
	for _, o := range env.Header.Options {
		msg.Options[o.Name] = o.Value
	}
	msg.CommandID = firstNonEmpty(env.Body.Receive.CommandID, env.Body.Send.CommandID, env.Body.Signal.CommandID)
	msg.Script = decodeEncodedCommand(f.t, msg.CommandLine)
	if msg.Action == "Send" {
		msg.Stdin, _ = base64.StdEncoding.DecodeString(strings.TrimSpace(env.Body.Send.Data))
	}
	f.mu.Lock()
	f.wire = append(f.wire, msg)
	f.notifyLocked()
	f.mu.Unlock()
	return msg
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// decodeEncodedCommand returns the script of a powershell -EncodedCommand
// line ("" for other lines).
func decodeEncodedCommand(t *testing.T, line string) string {
	_, encoded, found := strings.Cut(line, "-EncodedCommand ")
	if !found {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(encoded))
	if err != nil || len(raw)%2 != 0 {
		t.Errorf("fake WinRM: -EncodedCommand is not base64 of UTF-16LE: %v", err)
		return ""
	}
	units := make([]uint16, len(raw)/2)
	for i := range units {
		units[i] = binary.LittleEndian.Uint16(raw[2*i:])
	}
	return string(utf16.Decode(units))
}

func (f *fakeWSMan) answer(w http.ResponseWriter, r *http.Request, env soapRequest, msg wireMessage) {
	switch msg.Action {
	case "Create":
		f.createShell(w, msg)
	case "Command":
		f.startCommand(w, msg)
	case "Send":
		f.command(msg).feed(msg.Stdin, msg.End)
		reply(w, msg, "SendResponse", "<rsp:SendResponse/>")
	case "Receive":
		f.receive(w, r, msg)
	case "Signal":
		f.command(msg).terminate()
		reply(w, msg, "SignalResponse", "<rsp:SignalResponse/>")
	case "Delete":
		f.deleteShell(msg.ShellID)
		replyAction(w, msg, "http://schemas.xmlsoap.org/ws/2004/09/transfer/DeleteResponse", "")
	default:
		f.t.Errorf("fake WinRM: unexpected action %q", env.Header.Action)
		w.WriteHeader(http.StatusBadRequest)
	}
}

func (f *fakeWSMan) newID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.nextID++
	return fmt.Sprintf("0000%04d-0000-0000-0000-%012d", f.nextID, f.nextID)
}

func (f *fakeWSMan) createShell(w http.ResponseWriter, msg wireMessage) {
	id := f.newID()
	f.mu.Lock()
	f.shells[id] = map[string]*fakeCommand{}
	f.mu.Unlock()
	replyAction(w, msg, "http://schemas.xmlsoap.org/ws/2004/09/transfer/CreateResponse", fmt.Sprintf(
		`<x:ResourceCreated><a:Address>http://127.0.0.1/wsman</a:Address><a:ReferenceParameters>`+
			`<w:ResourceURI>http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd</w:ResourceURI>`+
			`<w:SelectorSet><w:Selector Name="ShellId">%s</w:Selector></w:SelectorSet></a:ReferenceParameters></x:ResourceCreated>`+
			`<rsp:Shell><rsp:ShellId>%s</rsp:ShellId><rsp:InputStreams>stdin</rsp:InputStreams>`+
			`<rsp:OutputStreams>stdout stderr</rsp:OutputStreams></rsp:Shell>`, id, id))
}

func (f *fakeWSMan) startCommand(w http.ResponseWriter, msg wireMessage) {
	cmd := newFakeCommand(f.newID(), msg.CommandLine, msg.Script)
	f.mu.Lock()
	commands, ok := f.shells[msg.ShellID]
	if ok {
		commands[cmd.id] = cmd
	}
	f.mu.Unlock()
	if !ok {
		f.t.Errorf("fake WinRM: Command for unknown shell %q", msg.ShellID)
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	go func() { cmd.finish(f.dispatch(cmd)) }()
	reply(w, msg, "CommandResponse", fmt.Sprintf(`<rsp:CommandResponse><rsp:CommandId>%s</rsp:CommandId></rsp:CommandResponse>`, cmd.id))
}

func (f *fakeWSMan) dispatch(c *fakeCommand) int {
	if f.override != nil {
		return f.override(c)
	}
	if op, params, ok := parseMarkedScript(c.Script); ok {
		return f.host.runScript(op, params, c)
	}
	if f.run != nil {
		return f.run(c)
	}
	c.writeStderr("not simulated: " + c.CommandLine)
	return 1
}

// command finds the command a message names; an unknown one is a stub that
// absorbs the message (Windows would fault, the tests flag it).
func (f *fakeWSMan) command(msg wireMessage) *fakeCommand {
	f.mu.Lock()
	defer f.mu.Unlock()
	if cmd := f.shells[msg.ShellID][msg.CommandID]; cmd != nil {
		return cmd
	}
	f.t.Errorf("fake WinRM: %s for unknown command %q in shell %q", msg.Action, msg.CommandID, msg.ShellID)
	return newFakeCommand("unknown", "", "")
}

func (f *fakeWSMan) deleteShell(id string) {
	f.mu.Lock()
	commands := f.shells[id]
	delete(f.shells, id)
	f.mu.Unlock()
	for _, c := range commands {
		c.terminate()
	}
}

// receive answers with whatever output is ready, or after the wait with the
// OperationTimeout fault that tells the client to poll again.
func (f *fakeWSMan) receive(w http.ResponseWriter, r *http.Request, msg wireMessage) {
	cmd := f.command(msg)
	out, ok := cmd.takeOutput(f.waitFor(msg), f.release, f.closing, r.Context().Done())
	if !ok {
		f.mu.Lock()
		f.timeouts++
		f.notifyLocked()
		f.mu.Unlock()
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, operationTimeoutFault(msg.MessageID))
		return
	}
	reply(w, msg, "ReceiveResponse", "<rsp:ReceiveResponse>"+out.streams(cmd.id)+out.state(cmd.id)+"</rsp:ReceiveResponse>")
}

func (f *fakeWSMan) waitFor(msg wireMessage) time.Duration {
	if f.pollWait > 0 {
		return f.pollWait
	}
	var seconds float64
	if _, err := fmt.Sscanf(msg.OperationTimeout, "PT%gS", &seconds); err != nil {
		f.t.Errorf("fake WinRM: OperationTimeout %q", msg.OperationTimeout)
	}
	return time.Duration(seconds * float64(time.Second))
}

// notifyLocked wakes waitUntil callers; f.mu must be held.
func (f *fakeWSMan) notifyLocked() {
	close(f.changed)
	f.changed = make(chan struct{})
}

// waitUntil blocks until cond (checked under f.mu) holds, failing the test
// after a generous limit. It is for ordering, never for timing assertions.
func (f *fakeWSMan) waitUntil(what string, cond func() bool) {
	f.t.Helper()
	limit := time.After(20 * time.Second)
	for {
		f.mu.Lock()
		ok, changed := cond(), f.changed
		f.mu.Unlock()
		if ok {
			return
		}
		select {
		case <-changed:
		case <-limit:
			f.t.Fatalf("fake WinRM: still waiting for %s", what)
		}
	}
}

// messages returns a copy of what was recorded.
func (f *fakeWSMan) messages() []wireMessage {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]wireMessage(nil), f.wire...)
}

func (f *fakeWSMan) actions() []string {
	var out []string
	for _, m := range f.messages() {
		out = append(out, m.Action)
	}
	return out
}

const (
	soapEnvelopeStart = `<s:Envelope xml:lang="en-US" xmlns:s="http://www.w3.org/2003/05/soap-envelope" ` +
		`xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer" ` +
		`xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell" ` +
		`xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd">`
	shellActionBase = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/"
	commandDone     = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"
	commandRunning  = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"
)

func reply(w http.ResponseWriter, msg wireMessage, action, body string) {
	replyAction(w, msg, shellActionBase+action, body)
}

func replyAction(w http.ResponseWriter, msg wireMessage, action, body string) {
	fmt.Fprintf(w, `%s<s:Header><a:Action>%s</a:Action><a:MessageID>uuid:%s</a:MessageID>`+
		`<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To><a:RelatesTo>%s</a:RelatesTo>`+
		`</s:Header><s:Body>%s</s:Body></s:Envelope>`, soapEnvelopeStart, action, "5E3A2C47-0000-0000-0000-000000000000", msg.MessageID, body)
}

func operationTimeoutFault(relatesTo string) string {
	return soapEnvelopeStart + `<s:Header><a:Action>http://schemas.dmtf.org/wbem/wsman/1/wsman/fault</a:Action>` +
		`<a:MessageID>uuid:D6232298-AF04-4853-AFC5-FEEB5732B81D</a:MessageID>` +
		`<a:To>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:To><a:RelatesTo>` + relatesTo + `</a:RelatesTo>` +
		`</s:Header><s:Body><s:Fault><s:Code><s:Value>s:Receiver</s:Value><s:Subcode><s:Value>w:TimedOut</s:Value></s:Subcode></s:Code>` +
		`<s:Reason><s:Text xml:lang="en-US">The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  </s:Text></s:Reason>` +
		`<s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault" Code="2150858793" Machine="127.0.0.1">` +
		`<f:Message>The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  </f:Message>` +
		`</f:WSManFault></s:Detail></s:Fault></s:Body></s:Envelope>`
}

// fakeCommand is one running command: stdin fed by Sends, output taken by
// Receives.
type fakeCommand struct {
	id, CommandLine, Script string

	mu         sync.Mutex
	stdin      []byte
	stdinEOF   bool
	stdout     []byte
	stderr     []byte
	done       bool
	exitCode   int
	changed    chan struct{}
	terminated chan struct{}
}

func newFakeCommand(id, line, script string) *fakeCommand {
	return &fakeCommand{id: id, CommandLine: line, Script: script,
		changed: make(chan struct{}), terminated: make(chan struct{})}
}

// notifyLocked wakes whoever waits on the command; c.mu must be held.
func (c *fakeCommand) notifyLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

func (c *fakeCommand) feed(data []byte, eof bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stdin = append(c.stdin, data...)
	c.stdinEOF = c.stdinEOF || eof
	c.notifyLocked()
}

// readAllStdin blocks until the client's EOF (or a terminate).
func (c *fakeCommand) readAllStdin() []byte {
	for {
		c.mu.Lock()
		if c.stdinEOF {
			defer c.mu.Unlock()
			return append([]byte(nil), c.stdin...)
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-c.terminated:
			return nil
		}
	}
}

func (c *fakeCommand) writeStdout(s string) { c.write(&c.stdout, s) }
func (c *fakeCommand) writeStderr(s string) { c.write(&c.stderr, s) }

func (c *fakeCommand) write(stream *[]byte, s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	*stream = append(*stream, s...)
	c.notifyLocked()
}

func (c *fakeCommand) finish(exitCode int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.done {
		c.done, c.exitCode = true, exitCode
		c.notifyLocked()
	}
}

// terminate is the Signal: the process ends (Windows reports 0xC000013A,
// STATUS_CONTROL_C_EXIT, as its exit code).
func (c *fakeCommand) terminate() {
	c.mu.Lock()
	select {
	case <-c.terminated:
	default:
		close(c.terminated)
	}
	c.mu.Unlock()
	c.finish(-1073741510)
}

// receiveChunk limits one Receive's output, so big outputs take several.
const receiveChunk = 64 << 10

type takenOutput struct {
	stdout, stderr []byte
	done           bool
	exitCode       int
}

// takeOutput returns what is ready, waiting up to wait for something;
// ok=false means nothing came (the OperationTimeout case). release, closing
// and gone (the request's context) end the wait early.
func (c *fakeCommand) takeOutput(wait time.Duration, release, closing, gone <-chan struct{}) (takenOutput, bool) {
	timer := time.NewTimer(wait)
	defer timer.Stop()
	for {
		c.mu.Lock()
		if len(c.stdout) > 0 || len(c.stderr) > 0 || c.done {
			defer c.mu.Unlock()
			return c.takeLocked(), true
		}
		changed := c.changed
		c.mu.Unlock()
		select {
		case <-changed:
		case <-timer.C:
			return takenOutput{}, false
		case <-release:
			return takenOutput{}, false
		case <-closing:
			return takenOutput{}, false
		case <-gone:
			return takenOutput{}, false
		}
	}
}

func (c *fakeCommand) takeLocked() takenOutput {
	n, m := min(len(c.stdout), receiveChunk), min(len(c.stderr), receiveChunk)
	out := takenOutput{stdout: c.stdout[:n], stderr: c.stderr[:m]}
	c.stdout, c.stderr = c.stdout[n:], c.stderr[m:]
	out.done = c.done && len(c.stdout) == 0 && len(c.stderr) == 0
	out.exitCode = c.exitCode
	return out
}

func (o takenOutput) streams(id string) string {
	var b strings.Builder
	for _, s := range []struct {
		name string
		data []byte
	}{{"stdout", o.stdout}, {"stderr", o.stderr}} {
		if len(s.data) > 0 {
			fmt.Fprintf(&b, `<rsp:Stream Name="%s" CommandId="%s">%s</rsp:Stream>`, s.name, id, base64.StdEncoding.EncodeToString(s.data))
		}
	}
	return b.String()
}

func (o takenOutput) state(id string) string {
	if !o.done {
		return fmt.Sprintf(`<rsp:CommandState CommandId="%s" State="%s"/>`, id, commandRunning)
	}
	return fmt.Sprintf(`<rsp:CommandState CommandId="%s" State="%s"><rsp:ExitCode>%d</rsp:ExitCode></rsp:CommandState>`, id, commandDone, o.exitCode)
}
