package remote

import (
	"encoding/xml"
	"errors"
	"io"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/straylight-fleet/straylight/internal/lazyre"
)

const clixmlMarker = "#< CLIXML"

// clixmlEscape is how CLIXML writes a UTF-16 code unit it cannot put in XML
// text: _x000D_ for a carriage return, _x005F_ for an underscore.
var clixmlEscape = lazyre.New(`_x([0-9A-Fa-f]{4})_`)

// DecodeCLIXML turns PowerShell's serialized stderr ("#< CLIXML" followed by
// <Objs> documents) into text a person can read: the text of each string
// record, progress records dropped, _xHHHH_ escapes decoded, CRLF as LF. Text
// before and after the CLIXML is kept. Input that is not CLIXML, or not
// well-formed, comes back unchanged (with CRLF as LF).
func DecodeCLIXML(stderr string) string {
	start := strings.Index(stderr, clixmlMarker)
	if start < 0 {
		return toLF(stderr)
	}
	decoded, ok := decodeObjsSequence(strings.ToValidUTF8(stderr[start:], "\uFFFD"))
	if !ok {
		return toLF(stderr)
	}
	return toLF(stderr[:start] + decoded)
}

// decodeObjsSequence decodes consecutive <Objs> documents (each optionally
// preceded by its own marker) and keeps whatever text follows the last one.
func decodeObjsSequence(text string) (string, bool) {
	var blocks []string
	for {
		text = skipMarkers(text)
		if !strings.HasPrefix(text, "<Objs") {
			break
		}
		block, consumed, err := decodeObjs(text)
		if err != nil {
			return "", false
		}
		blocks = append(blocks, block)
		text = text[consumed:]
	}
	if len(blocks) == 0 {
		return "", false
	}
	return joinBlocks(blocks) + text, true
}

func skipMarkers(text string) string {
	for {
		trimmed := strings.TrimLeft(text, " \t\r\n")
		if !strings.HasPrefix(trimmed, clixmlMarker) {
			return trimmed
		}
		text = trimmed[len(clixmlMarker):]
	}
}

// joinBlocks puts each document's text on its own line, as Ansible does.
func joinBlocks(blocks []string) string {
	var b strings.Builder
	for i, block := range blocks {
		if i > 0 && !strings.HasSuffix(b.String(), "\n") && b.Len() > 0 {
			b.WriteString("\r\n")
		}
		b.WriteString(block)
	}
	return b.String()
}

// decodeObjs reads one <Objs> element from the start of text and returns
// its records' text and how many bytes it spanned.
func decodeObjs(text string) (string, int, error) {
	decoder := xml.NewDecoder(strings.NewReader(text))
	var out strings.Builder
	if _, err := decoder.Token(); err != nil { // <Objs>
		return "", 0, err
	}
	for {
		token, err := decoder.Token()
		if err != nil {
			return "", 0, unexpectedEOF(err)
		}
		switch t := token.(type) {
		case xml.StartElement:
			if err := readRecord(decoder, t, &out); err != nil {
				return "", 0, err
			}
		case xml.EndElement:
			return out.String(), int(decoder.InputOffset()), nil
		}
	}
}

// readRecord handles one child of <Objs>: a string record (<S S="Error">)
// adds its text; an object record other than progress adds its ToString.
func readRecord(decoder *xml.Decoder, start xml.StartElement, out *strings.Builder) error {
	switch {
	case start.Name.Local == "S":
		return appendText(decoder, &start, out)
	case start.Name.Local == "Obj" && streamOf(start) != "" && streamOf(start) != "progress":
		return appendToString(decoder, &start, out)
	}
	return decoder.Skip()
}

func streamOf(start xml.StartElement) string {
	for _, attr := range start.Attr {
		if attr.Name.Local == "S" {
			return attr.Value
		}
	}
	return ""
}

func appendText(decoder *xml.Decoder, start *xml.StartElement, out *strings.Builder) error {
	var text string
	if err := decoder.DecodeElement(&text, start); err != nil {
		return err
	}
	out.WriteString(unescapeCLIXML(text))
	return nil
}

func appendToString(decoder *xml.Decoder, start *xml.StartElement, out *strings.Builder) error {
	var obj struct {
		ToString string `xml:"ToString"`
	}
	if err := decoder.DecodeElement(&obj, start); err != nil {
		return err
	}
	out.WriteString(unescapeCLIXML(obj.ToString))
	if obj.ToString != "" && !strings.HasSuffix(obj.ToString, "\n") {
		out.WriteString("\n")
	}
	return nil
}

// unescapeCLIXML decodes _xHHHH_ escapes, pairing surrogates; a lone
// surrogate becomes U+FFFD.
func unescapeCLIXML(text string) string {
	var out strings.Builder
	var units []uint16
	last := 0
	for _, m := range clixmlEscape().FindAllStringSubmatchIndex(text, -1) {
		if m[0] > last {
			out.WriteString(string(utf16.Decode(units)))
			units = units[:0]
			out.WriteString(text[last:m[0]])
		}
		unit, _ := strconv.ParseUint(text[m[2]:m[3]], 16, 16)
		units = append(units, uint16(unit))
		last = m[1]
	}
	out.WriteString(string(utf16.Decode(units)))
	out.WriteString(text[last:])
	return strings.ToValidUTF8(out.String(), string(utf8.RuneError))
}

func unexpectedEOF(err error) error {
	if errors.Is(err, io.EOF) {
		return io.ErrUnexpectedEOF
	}
	return err
}

func toLF(text string) string {
	return strings.ReplaceAll(text, "\r\n", "\n")
}
