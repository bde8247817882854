package ui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/fleet"
	"github.com/straylight-fleet/straylight/ui/secret"
)

// passphraseMsg is the session asking for an encrypted SSH key's
// passphrase (a connection needs the key and no agent offers it).
type passphraseMsg struct{ req fleet.PassphraseRequest }

// passphraseAsk is the question on screen and its masked input.
type passphraseAsk struct {
	req   fleet.PassphraseRequest
	input secret.Model
}

// awaitPassphrase waits for the session's next question.
func (m Model) awaitPassphrase() tea.Cmd {
	questions, ctx := m.rt.passphrases, m.rt.ctx
	if questions == nil {
		return nil
	}
	return func() tea.Msg {
		select {
		case req := <-questions:
			return passphraseMsg{req}
		case <-ctx.Done():
			return nil
		}
	}
}

// onPassphraseRequest shows the question (or queues it behind the one
// on screen) and listens for the next.
func (m Model) onPassphraseRequest(msg passphraseMsg) (Model, tea.Cmd) {
	m.askQueue = append(m.askQueue, msg.req)
	m = m.nextQuestion()
	return m, m.awaitPassphrase()
}

// nextQuestion puts the first queued question on screen when none is.
func (m Model) nextQuestion() Model {
	if m.asking != nil || len(m.askQueue) == 0 {
		return m
	}
	req := m.askQueue[0]
	m.askQueue = m.askQueue[1:]
	m.asking = &passphraseAsk{req: req, input: secret.New("Passphrase for SSH key " + req.KeyFile + " (esc: leave its hosts unconnected):")}
	m.layout()
	return m
}

// onPassphraseKey gives every key to the input: enter answers, esc refuses.
func (m Model) onPassphraseKey(k tea.KeyPressMsg) Model {
	ask := m.asking
	switch ask.input.Update(k) {
	case secret.Typing:
		return m
	case secret.Given:
		typed := ask.input.Take()
		ask.req.Answer(typed)
		clear(typed)
		m.notice = "passphrase given for " + ask.req.KeyFile + ": its hosts connect on their next probe"
	case secret.Declined:
		ask.req.Refuse()
		m.notice = "no passphrase for " + ask.req.KeyFile + ": its hosts stay unconnected this session"
	}
	m.asking = nil
	m = m.nextQuestion()
	m.layout()
	return m
}
