package ui

import (
	"strings"
	"testing"
	"time"

	fleetapply "github.com/straylight-fleet/straylight/fleet/apply"
	"github.com/straylight-fleet/straylight/ui/apply"
)

// TestSettleCancelsAndReportsAFailedRollback: at exit a running deploy is
// cancelled and waited for; its failed rollback makes Run's error (a
// non-zero exit).
func TestSettleCancelsAndReportsAFailedRollback(t *testing.T) {
	e := newEngineTasks()
	ctx, et := e.start(1, apply.KindDeploy, "wintermute")
	go func() {
		<-ctx.Done() // the engine sees the cancellation and rolls back
		et.watch(fleetapply.Event{Kind: fleetapply.EvStep, Host: "wintermute", Step: fleetapply.StepRollback,
			Status: fleetapply.StatusFailed, Message: "restore config.yml: connection refused"})
		e.end(1)
	}()
	var said []string
	err := e.settle(time.Minute, func(s string) { said = append(said, s) })
	if err == nil || !strings.Contains(err.Error(), "the rollback of wintermute failed: restore config.yml") {
		t.Fatalf("settle: %v", err)
	}
	if len(said) != 1 || !strings.Contains(said[0], "deploy of wintermute still running: rolling it back") {
		t.Errorf("said: %q", said)
	}
}

// TestSettleCleanWhenTheRollbackWorked: a cancelled deploy rolled back is
// no error; nor is a deploy that ended on its own.
func TestSettleCleanWhenTheRollbackWorked(t *testing.T) {
	e := newEngineTasks()
	_, _ = e.start(1, apply.KindDeploy, "armitage")
	e.end(1)
	ctx, _ := e.start(2, apply.KindDeploy, "wintermute")
	go func() { <-ctx.Done(); e.end(2) }()
	if err := e.settle(time.Minute, func(string) {}); err != nil {
		t.Fatalf("settle: %v", err)
	}
}

// TestSettleGivesUpAtItsLimit: a task that does not end by the limit is
// reported (the process exits non-zero rather than hang).
func TestSettleGivesUpAtItsLimit(t *testing.T) {
	e := newEngineTasks()
	_, _ = e.start(1, apply.KindRestart, "wintermute")
	err := e.settle(time.Millisecond, func(string) {})
	if err == nil || !strings.Contains(err.Error(), "restart of wintermute did not finish rolling back") {
		t.Fatalf("settle: %v", err)
	}
}

// TestTaskStartingWhileExitingIsCancelled: a deploy whose command starts
// after Run began to exit runs under a cancelled context.
func TestTaskStartingWhileExitingIsCancelled(t *testing.T) {
	e := newEngineTasks()
	if err := e.settle(time.Second, func(string) {}); err != nil {
		t.Fatal(err)
	}
	ctx, _ := e.start(1, apply.KindDeploy, "wintermute")
	if ctx.Err() == nil {
		t.Fatal("a task started during exit is not cancelled")
	}
}
