package api

import (
	"bufio"
	"errors"
	"io"
	"strings"
)

// MaxEventSize bounds one SSE event. bufio.Scanner's 64 KiB line cap breaks
// on tool-call and logprob chunks (pitfall 1); this cap only stops a runaway peer.
const MaxEventSize = 8 << 20

// doneSentinel is the data of the only event that ends a stream successfully.
const doneSentinel = "[DONE]"

// ErrEventTooLarge is returned by SSEReader.Next for an event over MaxEventSize.
var ErrEventTooLarge = errors.New("sse: event larger than MaxEventSize")

// Event is one server-sent event.
type Event struct {
	Name string // the "event:" field; "" for the default "message"
	ID   string // the "id:" field
	Data string // the "data:" lines joined with "\n"
}

// SSEReader splits a text/event-stream into events. It reads through a
// bufio.Reader (no line-length cap), ends an event at a blank line, accepts
// "\n", "\r\n" and "\r" line ends, ignores ":" comments and unknown fields,
// accepts "data:" with or without the space, and joins multi-line data.
// Network chunk boundaries may fall anywhere.
type SSEReader struct {
	r       *bufio.Reader
	pending []string // lines split off the last read (lone CRs end lines too)
	err     error    // the read error to report once pending is drained
	started bool     // a leading BOM has been dealt with
}

// NewSSEReader reads events from r.
func NewSSEReader(r io.Reader) *SSEReader {
	return &SSEReader{r: bufio.NewReaderSize(r, 16<<10)}
}

// eventBuilder accumulates the fields of the event being read.
type eventBuilder struct {
	ev        Event
	data      strings.Builder
	dataLines int
	size      int
	touched   bool // some field line was seen since the last dispatch
}

// Next returns the next event that carries data. At a clean end of input it
// returns io.EOF; when input ends inside an event it returns the partial
// event with io.ErrUnexpectedEOF. Read errors are returned as they are.
func (s *SSEReader) Next() (Event, error) {
	var b eventBuilder
	for {
		line, err := s.readLine()
		if err != nil {
			return b.atEnd(err)
		}
		if line == "" {
			if b.dataLines > 0 {
				return b.event(), nil
			}
			b = eventBuilder{}
			continue
		}
		if err := b.addLine(line); err != nil {
			return Event{}, err
		}
	}
}

func (b *eventBuilder) event() Event {
	b.ev.Data = b.data.String()
	return b.ev
}

// atEnd decides what a read error means for the event being built.
func (b *eventBuilder) atEnd(err error) (Event, error) {
	if !errors.Is(err, io.EOF) {
		return Event{}, err
	}
	if b.touched {
		return b.event(), io.ErrUnexpectedEOF
	}
	return Event{}, io.EOF
}

func (b *eventBuilder) addLine(line string) error {
	b.size += len(line) + 1
	if b.size > MaxEventSize {
		return ErrEventTooLarge
	}
	name, value := splitField(line)
	switch name {
	case "":
		return nil // a comment, e.g. ": ping" from a proxy
	case "data":
		b.addData(value)
	case "event":
		b.ev.Name = value
	case "id":
		b.ev.ID = value
	default:
		return nil // retry: and unknown fields are ignored
	}
	b.touched = true
	return nil
}

func (b *eventBuilder) addData(value string) {
	if b.dataLines > 0 {
		b.data.WriteByte('\n')
	}
	b.data.WriteString(value)
	b.dataLines++
}

// splitField splits "name: value"; one space after the colon is dropped.
func splitField(line string) (name, value string) {
	name, value, found := strings.Cut(line, ":")
	if !found {
		return line, ""
	}
	return name, strings.TrimPrefix(value, " ")
}

// readLine returns one line without its terminator. An unterminated last
// line is returned as a line; the read error comes on the following call.
func (s *SSEReader) readLine() (string, error) {
	if len(s.pending) == 0 {
		if err := s.fill(); err != nil {
			return "", err
		}
	}
	line := s.pending[0]
	s.pending = s.pending[1:]
	return line, nil
}

// fill reads the next "\n"-terminated piece and splits it at lone CRs.
func (s *SSEReader) fill() error {
	if s.err != nil {
		return s.err
	}
	raw, err := s.readRaw()
	if err != nil {
		s.err = err
		if len(raw) == 0 {
			return err
		}
	}
	text := s.stripBOM(string(raw))
	text = strings.TrimSuffix(strings.TrimSuffix(text, "\n"), "\r")
	s.pending = strings.Split(text, "\r") // a lone CR ends a line too
	return nil
}

// readRaw reads up to and including the next "\n" without a length cap
// beyond MaxEventSize.
func (s *SSEReader) readRaw() ([]byte, error) {
	var buf []byte
	for {
		part, err := s.r.ReadSlice('\n')
		if len(buf)+len(part) > MaxEventSize {
			return nil, ErrEventTooLarge
		}
		buf = append(buf, part...)
		if !errors.Is(err, bufio.ErrBufferFull) {
			return buf, err
		}
	}
}

func (s *SSEReader) stripBOM(text string) string {
	if s.started {
		return text
	}
	s.started = true
	return strings.TrimPrefix(text, "\ufeff")
}
