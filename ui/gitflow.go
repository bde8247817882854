package ui

import (
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/straylight-fleet/straylight/fleet"
)

// historyLimit is how many commits the history view lists.
const historyLimit = 200

type (
	historyMsg struct {
		host    string
		sources []string
		commits []fleet.GitCommit
		err     error
	}
	commitDiffMsg struct {
		hash, text string
		err        error
	}
	revertMsg struct {
		host, subject, newHash string
		err                    error
	}
	// revertCheckMsg: the host's files were checked for uncommitted
	// changes before asking to revert.
	revertCheckMsg struct {
		host   string
		commit fleet.GitCommit
		dirty  []string
		err    error
	}
)

// openHistory shows host's git history and reads it.
func (m Model) openHistory(host string) (Model, tea.Cmd) {
	if _, ok := m.gpuHost(host); !ok {
		m.errText = host + " is not a GPU host of this repository"
		return m, nil
	}
	m.gitlog.Open(host)
	repo, ctx := m.repo, m.rt.ctx
	return m.push(viewGit), safely(func() tea.Msg {
		sources, commits, err := repo.HostCommits(ctx, host, historyLimit)
		return historyMsg{host: host, sources: sources, commits: commits, err: err}
	})
}

func (m Model) onHistory(msg historyMsg) (Model, tea.Cmd) {
	if msg.host != m.gitlog.Host() {
		return m, nil
	}
	m.gitlog.SetHistory(msg.sources, msg.commits, msg.err)
	return m, m.loadCommitDiff()
}

// loadCommitDiff reads the selected commit's diff unless it is known.
func (m Model) loadCommitDiff() tea.Cmd {
	hash, need := m.gitlog.NeedsDiff()
	if !need {
		return nil
	}
	repo, ctx := m.repo, m.rt.ctx
	return safely(func() tea.Msg {
		text, err := repo.CommitDiff(ctx, hash)
		return commitDiffMsg{hash: hash, text: text, err: err}
	})
}

func (m Model) onCommitDiff(msg commitDiffMsg) (Model, tea.Cmd) {
	text := msg.text
	if msg.err != nil {
		text = "git show failed: " + msg.err.Error()
	}
	m.gitlog.SetDiff(msg.hash, text)
	return m, nil
}

// onGitKey: R checks the host's files for uncommitted changes, then asks;
// other keys move and scroll (reading the newly selected diff).
func (m Model) onGitKey(k tea.KeyPressMsg) (Model, tea.Cmd) {
	if k.String() != "R" {
		m.gitlog = m.gitlog.HandleKey(k)
		return m, m.loadCommitDiff()
	}
	c, ok := m.gitlog.Selected()
	if !ok {
		m.notice = "no commit selected"
		return m, nil
	}
	host, sources, repo, ctx := m.gitlog.Host(), m.gitlog.Sources(), m.repo, m.rt.ctx
	return m, safely(func() tea.Msg {
		dirty, err := repo.Uncommitted(ctx, sources)
		return revertCheckMsg{host: host, commit: c, dirty: dirty, err: err}
	})
}

// onRevertCheck refuses a revert over uncommitted changes, else asks.
func (m Model) onRevertCheck(msg revertCheckMsg) (Model, tea.Cmd) {
	switch {
	case msg.err != nil:
		m.errText = msg.err.Error()
		return m, nil
	case len(msg.dirty) > 0:
		m.errText = fmt.Sprintf("revert refused: %s has uncommitted changes to %s — commit or discard them first",
			msg.host, strings.Join(msg.dirty, ", "))
		return m, nil
	}
	c := msg.commit
	m.confirm = &confirmation{
		prompt: fmt.Sprintf("Revert %s %q with a new commit? y/N · then the plan for %s shows, a deploys", c.Short, c.Subject, msg.host),
		run:    func(m Model) (Model, tea.Cmd) { return m.startRevert(msg.host, c) },
	}
	return m, nil
}

func (m Model) startRevert(host string, c fleet.GitCommit) (Model, tea.Cmd) {
	repo, ctx := m.repo, m.rt.ctx
	m.notice = "reverting " + c.Short + "…"
	return m, safely(func() tea.Msg {
		newHash, err := repo.Revert(ctx, c.Hash)
		return revertMsg{host: host, subject: c.Subject, newHash: newHash, err: err}
	})
}

// onRevert: the revert is a new commit; the plan is made again from the
// reverted files and shown as the host's diff, where a deploys.
func (m Model) onRevert(msg revertMsg) (Model, tea.Cmd) {
	if msg.err != nil {
		m.notice, m.errText = "", msg.err.Error()
		return m, nil
	}
	m.notice, m.untilPlan = fmt.Sprintf("reverted %q in commit %s: planning — a deploys what the diff shows", msg.subject, shortHash(msg.newHash)), true
	m.diff.Show(m.diffInput(msg.host))
	m = m.replaceTop(viewDiff)
	m, plan := m.requestPlan()
	return m, tea.Batch(plan, m.readGit())
}

func shortHash(h string) string { return h[:min(len(h), 12)] }
