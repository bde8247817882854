package sim

import (
	"fmt"
	"strings"
)

// psCLIXML renders error records the way powershell.exe writes its error
// stream when stderr is redirected (as under WinRM): a "#< CLIXML" line, then
// one <Objs> document with one <S S="Error"> string per line.
func psCLIXML(messages []string) string {
	var b strings.Builder
	b.WriteString("#< CLIXML\r\n")
	b.WriteString(`<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">`)
	for _, m := range messages {
		for _, line := range strings.Split(strings.ReplaceAll(m, "\r\n", "\n"), "\n") {
			b.WriteString(`<S S="Error">` + psCLIXMLEscape(line) + "_x000D__x000A_</S>")
		}
	}
	b.WriteString("</Objs>")
	return b.String()
}

// psCLIXMLEscape encodes a string as PowerShell's serializer does: control
// characters become _xHHHH_, a literal "_x" becomes "_x005F_x" so it cannot
// be mistaken for an escape, and XML specials are escaped.
func psCLIXMLEscape(s string) string {
	s = strings.ReplaceAll(s, "_x", "_x005F_x")
	var b strings.Builder
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			fmt.Fprintf(&b, "_x%04X_", r)
			continue
		}
		b.WriteRune(r)
	}
	return soapEscape(b.String())
}
