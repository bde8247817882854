package api

import (
	"bytes"
	"errors"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/iotest"
)

// readAll collects every event and the error that ended the stream.
func readAll(r io.Reader) ([]Event, error) {
	sse := NewSSEReader(r)
	var events []Event
	for {
		ev, err := sse.Next()
		if err != nil {
			if errors.Is(err, io.ErrUnexpectedEOF) {
				events = append(events, ev)
			}
			return events, err
		}
		events = append(events, ev)
	}
}

func dataOf(events []Event) []string {
	out := make([]string, len(events))
	for i, ev := range events {
		out[i] = ev.Data
	}
	return out
}

func TestSSEFraming(t *testing.T) {
	cases := []struct {
		name  string
		input string
		want  []string
		end   error
	}{
		{"lf", "data: a\n\ndata: b\n\n", []string{"a", "b"}, io.EOF},
		{"crlf", "data: a\r\n\r\ndata: b\r\n\r\n", []string{"a", "b"}, io.EOF},
		{"lone cr", "data: a\r\rdata: b\r\r", []string{"a", "b"}, io.EOF},
		{"no space after colon", "data:a\n\ndata:  b\n\n", []string{"a", " b"}, io.EOF},
		{"comments ignored", ": ping\n\n: ping\ndata: a\n: mid\n\n", []string{"a"}, io.EOF},
		{"multi-line data joined", "data: {\"a\":\ndata: 1}\n\n", []string{"{\"a\":\n1}"}, io.EOF},
		{"other fields ignored", "event: x\nid: 7\nretry: 10\nfoo: bar\ndata: a\n\n", []string{"a"}, io.EOF},
		{"blank lines without data", "\n\n\nevent: x\n\ndata: a\n\n", []string{"a"}, io.EOF},
		{"empty data line dispatches", "data:\n\n", []string{""}, io.EOF},
		{"field without colon", "data\n\n", []string{""}, io.EOF},
		{"bom", "\ufeffdata: a\n\n", []string{"a"}, io.EOF},
		{"unterminated event", "data: a\n\ndata: b\n", []string{"a", "b"}, io.ErrUnexpectedEOF},
		{"unterminated line", "data: a\n\ndata: [DO", []string{"a", "[DO"}, io.ErrUnexpectedEOF},
		{"trailing comment is a clean end", "data: a\n\n: bye", []string{"a"}, io.EOF},
		{"empty", "", nil, io.EOF},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			for _, r := range []io.Reader{strings.NewReader(tc.input),
				iotest.OneByteReader(strings.NewReader(tc.input))} {
				events, err := readAll(r)
				if !errors.Is(err, tc.end) || !slices.Equal(dataOf(events), tc.want) {
					t.Errorf("got %q, %v; want %q, %v", dataOf(events), err, tc.want, tc.end)
				}
			}
		})
	}
}

func TestSSEKeepsEventNameAndID(t *testing.T) {
	events, _ := readAll(strings.NewReader("event: error\nid: 42\ndata: x\n\n"))
	if len(events) != 1 || events[0] != (Event{Name: "error", ID: "42", Data: "x"}) {
		t.Errorf("events %+v", events)
	}
}

// A 1 MiB data line (a long tool-call or logprobs chunk) is far over
// bufio.Scanner's 64 KiB cap and must come through whole.
func TestSSELongLine(t *testing.T) {
	long := strings.Repeat("x", 1<<20)
	events, err := readAll(strings.NewReader("data: " + long + "\n\ndata: [DONE]\n\n"))
	if !errors.Is(err, io.EOF) || len(events) != 2 || events[0].Data != long {
		t.Fatalf("got %d events, %v", len(events), err)
	}
}

func TestSSEEventTooLarge(t *testing.T) {
	line := "data: " + strings.Repeat("y", MaxEventSize/4) + "\n"
	_, err := readAll(strings.NewReader(strings.Repeat(line, 5) + "\n"))
	if !errors.Is(err, ErrEventTooLarge) {
		t.Fatalf("want ErrEventTooLarge, got %v", err)
	}
}

func TestSSEPassesReadErrors(t *testing.T) {
	boom := errors.New("connection reset")
	r := io.MultiReader(strings.NewReader("data: a\n\ndata: b"), iotest.ErrReader(boom))
	events, err := readAll(r)
	if !errors.Is(err, boom) || !slices.Equal(dataOf(events), []string{"a"}) {
		t.Fatalf("got %q, %v", dataOf(events), err)
	}
}

// Every fixture stream gives the same events whole, byte by byte, with CRLF
// line ends and without the space after "data:".
func TestSSEFixtureStreamsAnyFraming(t *testing.T) {
	names, _ := filepath.Glob(filepath.Join(wireDir(t), "*.sse"))
	if len(names) == 0 {
		t.Fatal("no .sse fixtures")
	}
	for _, path := range names {
		body := fixture(t, filepath.Base(path))
		want, wantErr := readAll(bytes.NewReader(body))
		for _, variant := range sseVariants(body) {
			got, err := readAll(iotest.OneByteReader(bytes.NewReader(variant)))
			if !errors.Is(err, wantErr) || !slices.Equal(dataOf(got), dataOf(want)) {
				t.Errorf("%s: variant differs: %v vs %v", filepath.Base(path), err, wantErr)
			}
		}
	}
}

func sseVariants(body []byte) [][]byte {
	crlf := bytes.ReplaceAll(body, []byte("\n"), []byte("\r\n"))
	noSpace := bytes.ReplaceAll(body, []byte("data: "), []byte("data:"))
	comments := bytes.ReplaceAll(body, []byte("\n\n"), []byte("\n\n: ping\n\n"))
	return [][]byte{body, crlf, noSpace, comments}
}
