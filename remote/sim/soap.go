package sim

import (
	"bytes"
	"encoding/xml"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

// WS-Management actions and URIs (MS-WSMV) that the simulated WinRM endpoint
// understands or sends.
const (
	soapActionCreate   = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Create"
	soapActionDelete   = "http://schemas.xmlsoap.org/ws/2004/09/transfer/Delete"
	soapActionCommand  = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Command"
	soapActionSend     = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Send"
	soapActionReceive  = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Receive"
	soapActionSignal   = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/Signal"
	soapActionFault    = "http://schemas.dmtf.org/wbem/wsman/1/wsman/fault"
	soapShellCmdURI    = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
	soapStateDone      = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Done"
	soapStateRunning   = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/CommandState/Running"
	soapAnonymousReply = "http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous"
)

// Defaults Windows applies when a request leaves a header out.
const (
	soapDefaultOperationTimeout = 60 * time.Second
	soapMaxOperationTimeout     = 10 * time.Minute
	soapDefaultMaxEnvelopeSize  = 153600
	soapMinMaxEnvelopeSize      = 8192
)

// soapEnvelope is a WS-Management request. Elements are matched by local name
// only, so any prefix or namespace spelling a client picks is accepted, and
// unknown elements are ignored.
type soapEnvelope struct {
	XMLName xml.Name   `xml:"Envelope"`
	Header  soapHeader `xml:"Header"`
	Body    soapBody   `xml:"Body"`
}

type soapHeader struct {
	Action           string         `xml:"Action"`
	MessageID        string         `xml:"MessageID"`
	ResourceURI      string         `xml:"ResourceURI"`
	OperationTimeout string         `xml:"OperationTimeout"`
	MaxEnvelopeSize  string         `xml:"MaxEnvelopeSize"`
	Selectors        []soapSelector `xml:"SelectorSet>Selector"`
}

type soapSelector struct {
	Name  string `xml:"Name,attr"`
	Value string `xml:",chardata"`
}

type soapBody struct {
	CommandLine *soapCommandLine `xml:"CommandLine"`
	Send        *soapSend        `xml:"Send"`
	Receive     *soapReceive     `xml:"Receive"`
	Signal      *soapSignal      `xml:"Signal"`
}

type soapCommandLine struct {
	Command   string   `xml:"Command"`
	Arguments []string `xml:"Arguments"`
}

type soapSend struct {
	Streams []soapStream `xml:"Stream"`
}

type soapStream struct {
	Name      string `xml:"Name,attr"`
	CommandID string `xml:"CommandId,attr"`
	End       string `xml:"End,attr"`
	Data      string `xml:",chardata"`
}

type soapReceive struct {
	DesiredStream soapDesiredStream `xml:"DesiredStream"`
}

type soapDesiredStream struct {
	CommandID string `xml:"CommandId,attr"`
	Streams   string `xml:",chardata"`
}

type soapSignal struct {
	CommandID string `xml:"CommandId,attr"`
	Code      string `xml:"Code"`
}

var errSoapNotEnvelope = errors.New("not a SOAP envelope")

// parseSOAPEnvelope decodes a request body. It never panics on any input.
func parseSOAPEnvelope(data []byte) (*soapEnvelope, error) {
	var env soapEnvelope
	dec := xml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&env); err != nil {
		return nil, err
	}
	if env.XMLName.Local != "Envelope" {
		return nil, errSoapNotEnvelope
	}
	return &env, nil
}

// selector returns the value of the named selector (ShellId), trimmed.
func (h *soapHeader) selector(name string) string {
	for _, s := range h.Selectors {
		if strings.EqualFold(s.Name, name) {
			return strings.TrimSpace(s.Value)
		}
	}
	return ""
}

func (h *soapHeader) action() string { return strings.TrimSpace(h.Action) }

func (h *soapHeader) messageID() string { return strings.TrimSpace(h.MessageID) }

// operationTimeout is how long a Receive may wait for output before the
// "poll again" fault; missing or malformed values get Windows' default.
func (h *soapHeader) operationTimeout() time.Duration {
	d, ok := parseXSDuration(strings.TrimSpace(h.OperationTimeout))
	if !ok {
		return soapDefaultOperationTimeout
	}
	return d
}

// maxEnvelopeSize bounds the size of a Receive response.
func (h *soapHeader) maxEnvelopeSize() int {
	n, err := strconv.Atoi(strings.TrimSpace(h.MaxEnvelopeSize))
	if err != nil || n <= 0 {
		return soapDefaultMaxEnvelopeSize
	}
	return max(n, soapMinMaxEnvelopeSize)
}

// fullCommandLine joins rsp:Command and its rsp:Arguments as cmd.exe sees them.
func (c *soapCommandLine) fullCommandLine() string {
	parts := []string{strings.TrimSpace(c.Command)}
	for _, a := range c.Arguments {
		parts = append(parts, strings.TrimSpace(a))
	}
	return strings.TrimSpace(strings.Join(parts, " "))
}

// isEnd reports whether a stdin chunk closes the stream (End="true").
func (s *soapStream) isEnd() bool {
	v := strings.TrimSpace(s.End)
	return strings.EqualFold(v, "true") || v == "1"
}

var xsDurationPattern = lazyre.New(
	`^P(?:(\d{1,6})D)?(?:T(?:(\d{1,6})H)?(?:(\d{1,6})M)?(?:(\d{1,9}(?:\.\d{1,9})?)S)?)?$`)

// parseXSDuration reads the xs:duration forms WinRM clients send ("PT5S",
// "PT0.5S", "PT60.000S", "P0DT0H1M0S").
func parseXSDuration(s string) (time.Duration, bool) {
	m := xsDurationPattern().FindStringSubmatch(s)
	if m == nil || s == "P" || s == "PT" {
		return 0, false
	}
	var total float64
	for i, unit := range []float64{86400, 3600, 60, 1} {
		if m[i+1] == "" {
			continue
		}
		v, err := strconv.ParseFloat(m[i+1], 64)
		if err != nil {
			return 0, false
		}
		total += v * unit
	}
	// Clamp before converting: a huge day count would overflow a Duration.
	total = min(total, soapMaxOperationTimeout.Seconds())
	return time.Duration(total * float64(time.Second)), true
}
