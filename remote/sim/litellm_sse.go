package sim

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// sseReader reads Server-Sent Events with a bufio.Reader (no line length
// cap): events end at a blank line, CRLF is accepted, comments and fields
// other than data are skipped, multi-line data is joined with "\n".
type sseReader struct {
	br *bufio.Reader
}

func newSSEReader(r io.Reader) *sseReader { return &sseReader{br: bufio.NewReader(r)} }

// errSSEEOF is a clean end of the body between events.
var errSSEEOF = errors.New("sse: end of stream")

// next returns the data of the next event. A body that ends inside an event,
// or breaks off, returns the transport's error.
func (s *sseReader) next() ([]byte, error) {
	var data [][]byte
	for {
		line, err := s.br.ReadBytes('\n')
		if err != nil {
			return nil, endOfStream(err, len(line) > 0 || data != nil)
		}
		line = bytes.TrimRight(line, "\r\n")
		if len(line) == 0 {
			if data != nil {
				return bytes.Join(data, []byte("\n")), nil
			}
			continue
		}
		if value, ok := sseData(line); ok {
			data = append(data, value)
		}
	}
}

func endOfStream(err error, midEvent bool) error {
	if err == io.EOF && !midEvent {
		return errSSEEOF
	}
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}

// sseData extracts a data field's value ("data:x" and "data: x" alike).
func sseData(line []byte) ([]byte, bool) {
	value, ok := bytes.CutPrefix(line, []byte("data:"))
	if !ok {
		return nil, false
	}
	return bytes.TrimPrefix(value, []byte(" ")), true
}
