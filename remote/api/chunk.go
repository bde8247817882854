package api

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"sync"
	"time"
)

// chunkWire is a chat.completion.chunk decoded leniently (pitfall 4): choices
// may be empty, delta may be {}, stop_reason is int|string|null, reasoning
// arrives as reasoning_content or reasoning, and unknown fields are ignored.
type chunkWire struct {
	Model   string          `json:"model"`
	Object  string          `json:"object"`
	Choices []choiceWire    `json:"choices"`
	Usage   *Usage          `json:"usage"`
	Error   json.RawMessage `json:"error"`
}

type choiceWire struct {
	Index        int             `json:"index"`
	Delta        deltaWire       `json:"delta"`
	FinishReason json.RawMessage `json:"finish_reason"`
	StopReason   json.RawMessage `json:"stop_reason"`
}

type deltaWire struct {
	Content          string `json:"content"`
	ReasoningContent string `json:"reasoning_content"`
	Reasoning        string `json:"reasoning"`
}

func (d deltaWire) reasoningText() string {
	if d.ReasoningContent != "" {
		return d.ReasoningContent
	}
	return d.Reasoning
}

func (c chunkWire) isError() bool {
	return (len(c.Error) > 0 && string(c.Error) != "null") || c.Object == "error"
}

// handle applies one data payload of the stream.
func (s *streamState) handle(data string) error {
	if data == "" {
		return nil
	}
	var c chunkWire
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return &APIError{Kind: KindOther, Cause: KindOther, Status: s.res.Status,
			Reason: "unreadable event in the stream: " + oneLine(err.Error(), 160)}
	}
	if c.isError() {
		return decodePayload(http.StatusOK, []byte(data), s.req.hint())
	}
	s.apply(c)
	return nil
}

func (s *streamState) apply(c chunkWire) {
	if s.res.Model == "" {
		s.res.Model = c.Model
	}
	if c.Usage != nil {
		s.res.Usage = c.Usage
	}
	for _, choice := range c.Choices {
		if choice.Index == 0 { // the route test asks for one choice
			s.applyChoice(choice)
		}
	}
}

func (s *streamState) applyChoice(c choiceWire) {
	if text, reasoning := c.Delta.Content, c.Delta.reasoningText(); text != "" || reasoning != "" {
		s.emit(text, reasoning)
	}
	if reason := looseString(c.FinishReason); reason != "" {
		s.res.FinishReason = reason
	}
	if reason := looseString(c.StopReason); reason != "" {
		s.res.StopReason = reason
	}
}

// emit records a delta and hands it to onChunk at once. The idle watch is
// paused meanwhile: a slow consumer is not a silent server.
func (s *streamState) emit(text, reasoning string) {
	elapsed := time.Since(s.start)
	if s.res.Chunks == 0 {
		s.res.TimeToFirstToken = elapsed
	}
	s.text.WriteString(text)
	s.reasoning.WriteString(reasoning)
	chunk := Chunk{Content: text, Reasoning: reasoning, Index: s.res.Chunks, Elapsed: elapsed}
	s.res.Chunks++
	if s.onChunk != nil {
		s.watch.pause()
		s.onChunk(chunk)
		s.watch.touch()
	}
}

// idleWatch cancels a context when touch has not been called for d.
type idleWatch struct {
	mu     sync.Mutex
	timer  *time.Timer
	d      time.Duration
	cancel context.CancelCauseFunc
}

func startIdleWatch(parent context.Context, d time.Duration) (context.Context, *idleWatch) {
	ctx, cancel := context.WithCancelCause(parent)
	w := &idleWatch{d: d, cancel: cancel}
	w.timer = time.AfterFunc(d, func() { cancel(ErrIdleTimeout) })
	return ctx, w
}

func (w *idleWatch) touch() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.timer.Reset(w.d)
}

func (w *idleWatch) pause() {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.timer.Stop()
}

func (w *idleWatch) stop() {
	w.pause()
	w.cancel(context.Canceled)
}

// touchReader reports every successful read to touch.
type touchReader struct {
	r     io.Reader
	touch func()
}

func (t touchReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	if n > 0 {
		t.touch()
	}
	return n, err
}
