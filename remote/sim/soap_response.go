package sim

import (
	"encoding/base64"
	"encoding/xml"
	"strconv"
	"strings"
)

// soapEnvelopeOpen mirrors the root element Windows' WinRM service sends.
const soapEnvelopeOpen = `<s:Envelope xml:lang="en-US"` +
	` xmlns:s="http://www.w3.org/2003/05/soap-envelope"` +
	` xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing"` +
	` xmlns:x="http://schemas.xmlsoap.org/ws/2004/09/transfer"` +
	` xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd"` +
	` xmlns:rsp="http://schemas.microsoft.com/wbem/wsman/1/windows/shell"` +
	` xmlns:p="http://schemas.microsoft.com/wbem/wsman/1/wsman.xsd">`

// WSManFault codes (HRESULTs as unsigned decimals, as Windows sends them).
const (
	wsmanCodeOperationTimeout = 2150858793 // ERROR_WSMAN_OPERATION_TIMEDOUT: clients poll again
	wsmanCodeShellNotFound    = 2150858843
	wsmanCodeInvalidArgument  = 2147942487 // E_INVALIDARG
)

// soapFaultSpec describes one SOAP 1.2 fault with its WSManFault detail.
type soapFaultSpec struct {
	code    string // s:Sender or s:Receiver
	subcode string // w:TimedOut, w:InvalidSelectors, …
	wsman   uint32
	message string
}

func soapEscape(s string) string {
	var b strings.Builder
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// soapReply wraps body in an envelope whose header answers the request
// identified by relatesTo (pywinrm asserts RelatesTo == its MessageID).
func soapReply(action, relatesTo, body string) []byte {
	var b strings.Builder
	b.WriteString(soapEnvelopeOpen)
	b.WriteString("<s:Header><a:Action>" + soapEscape(action) + "</a:Action>")
	b.WriteString("<a:MessageID>" + newWinRMID("uuid:") + "</a:MessageID>")
	b.WriteString("<a:To>" + soapAnonymousReply + "</a:To>")
	if relatesTo != "" {
		b.WriteString("<a:RelatesTo>" + soapEscape(relatesTo) + "</a:RelatesTo>")
	}
	b.WriteString("</s:Header><s:Body>" + body + "</s:Body></s:Envelope>")
	return []byte(b.String())
}

// soapShellInfo is what a Create response says about the new shell.
type soapShellInfo struct {
	address, shellID, owner, clientIP string
}

func soapCreateResponse(relatesTo string, info soapShellInfo) []byte {
	id := soapEscape(info.shellID)
	body := "<x:ResourceCreated><a:Address>" + soapEscape(info.address) + "</a:Address>" +
		"<a:ReferenceParameters><w:ResourceURI>" + soapShellCmdURI + "</w:ResourceURI>" +
		`<w:SelectorSet><w:Selector Name="ShellId">` + id + "</w:Selector></w:SelectorSet>" +
		"</a:ReferenceParameters></x:ResourceCreated>" +
		"<rsp:Shell><rsp:ShellId>" + id + "</rsp:ShellId>" +
		"<rsp:ResourceUri>" + soapShellCmdURI + "</rsp:ResourceUri>" +
		"<rsp:Owner>" + soapEscape(info.owner) + "</rsp:Owner>" +
		"<rsp:ClientIP>" + soapEscape(info.clientIP) + "</rsp:ClientIP>" +
		"<rsp:IdleTimeOut>PT7200.000S</rsp:IdleTimeOut>" +
		"<rsp:InputStreams>stdin</rsp:InputStreams>" +
		"<rsp:OutputStreams>stdout stderr</rsp:OutputStreams>" +
		"<rsp:ShellRunTime>P0DT0H0M0S</rsp:ShellRunTime>" +
		"<rsp:ShellInactivity>P0DT0H0M0S</rsp:ShellInactivity></rsp:Shell>"
	return soapReply(soapActionCreate+"Response", relatesTo, body)
}

func soapCommandResponse(relatesTo, commandID string) []byte {
	body := "<rsp:CommandResponse><rsp:CommandId>" + soapEscape(commandID) +
		"</rsp:CommandId></rsp:CommandResponse>"
	return soapReply(soapActionCommand+"Response", relatesTo, body)
}

func soapSendResponse(relatesTo string) []byte {
	return soapReply(soapActionSend+"Response", relatesTo, "<rsp:SendResponse/>")
}

func soapSignalResponse(relatesTo string) []byte {
	return soapReply(soapActionSignal+"Response", relatesTo, "<rsp:SignalResponse/>")
}

func soapDeleteResponse(relatesTo string) []byte {
	return soapReply(soapActionDelete+"Response", relatesTo, "")
}

// soapReceiveResponse carries one chunk of a command's output; the
// CommandState is Done (with the exit code) only on the final chunk.
func soapReceiveResponse(relatesTo, commandID string, c wsOutputChunk) []byte {
	id := soapEscape(commandID)
	var b strings.Builder
	b.WriteString("<rsp:ReceiveResponse>")
	writeSOAPStream(&b, "stdout", id, c.stdout, c.done)
	writeSOAPStream(&b, "stderr", id, c.stderr, c.done)
	if c.done {
		b.WriteString(`<rsp:CommandState CommandId="` + id + `" State="` + soapStateDone + `">`)
		b.WriteString("<rsp:ExitCode>" + strconv.Itoa(c.exitCode) + "</rsp:ExitCode></rsp:CommandState>")
	} else {
		b.WriteString(`<rsp:CommandState CommandId="` + id + `" State="` + soapStateRunning + `"/>`)
	}
	b.WriteString("</rsp:ReceiveResponse>")
	return soapReply(soapActionReceive+"Response", relatesTo, b.String())
}

// writeSOAPStream writes a stream element when there is data, and the empty
// End="true" marker Windows sends when the stream closes.
func writeSOAPStream(b *strings.Builder, name, id string, data []byte, end bool) {
	if len(data) > 0 {
		b.WriteString(`<rsp:Stream Name="` + name + `" CommandId="` + id + `">`)
		b.WriteString(base64.StdEncoding.EncodeToString(data))
		b.WriteString("</rsp:Stream>")
	}
	if end {
		b.WriteString(`<rsp:Stream Name="` + name + `" CommandId="` + id + `" End="true"></rsp:Stream>`)
	}
}

// soapFault renders a fault the way Windows does: SOAP 1.2 code, subcode and
// reason, and a WSManFault detail in the wsmanfault namespace (where pywinrm
// looks for Code="2150858793").
func soapFault(relatesTo, machine string, f soapFaultSpec) []byte {
	msg := soapEscape(f.message)
	body := "<s:Fault><s:Code><s:Value>" + f.code + "</s:Value><s:Subcode><s:Value>" +
		f.subcode + "</s:Value></s:Subcode></s:Code>" +
		`<s:Reason><s:Text xml:lang="en-US">` + msg + "</s:Text></s:Reason>" +
		`<s:Detail><f:WSManFault xmlns:f="http://schemas.microsoft.com/wbem/wsman/1/wsmanfault"` +
		` Code="` + strconv.FormatUint(uint64(f.wsman), 10) + `" Machine="` + soapEscape(machine) + `">` +
		"<f:Message>" + msg + "</f:Message></f:WSManFault></s:Detail></s:Fault>"
	return soapReply(soapActionFault, relatesTo, body)
}

func soapTimeoutFault() soapFaultSpec {
	return soapFaultSpec{"s:Receiver", "w:TimedOut", wsmanCodeOperationTimeout,
		"The WS-Management service cannot complete the operation within the time specified in OperationTimeout.  "}
}

func soapShellNotFoundFault(shellID string) soapFaultSpec {
	return soapFaultSpec{"s:Sender", "w:InvalidSelectors", wsmanCodeShellNotFound,
		"The request for the Windows Remote Shell with ShellId " + shellID +
			" failed because the shell was not found on the server. Possible causes are: the specified ShellId" +
			" is incorrect or the shell no longer exists on the server. Provide the correct ShellId or create" +
			" a new shell and retry the operation. "}
}

func soapCommandNotFoundFault(commandID string) soapFaultSpec {
	return soapFaultSpec{"s:Sender", "w:InvalidParameter", wsmanCodeInvalidArgument,
		"The request for the Windows Remote Shell failed because the command with CommandId " +
			commandID + " was not found in the shell. "}
}

func soapActionNotSupportedFault(action string) soapFaultSpec {
	return soapFaultSpec{"s:Sender", "a:ActionNotSupported", wsmanCodeInvalidArgument,
		"The action is not supported by the simulated WinRM service: " + action}
}

func soapInvalidMessageFault(reason string) soapFaultSpec {
	return soapFaultSpec{"s:Sender", "w:SchemaValidationError", wsmanCodeInvalidArgument,
		"The WS-Management service cannot process the request because the XML is invalid: " + reason}
}

func soapNoSuchEndpointFault(path string) soapFaultSpec {
	return soapFaultSpec{"s:Sender", "a:DestinationUnreachable", wsmanCodeInvalidArgument,
		"The WS-Management service listens on /wsman, not " + path}
}
