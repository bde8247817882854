package apply_test

import (
	"context"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/straylight-fleet/straylight/fleet/apply"
)

// keepBusy sends chat requests to a vLLM server back to back until stop is
// closed, and returns when the last one ended.
func keepBusy(url, model string, stop <-chan struct{}) <-chan time.Time {
	done := make(chan time.Time, 1)
	go func() {
		body := `{"model":"` + model + `","messages":[{"role":"user","content":"hi"}],"max_tokens":16}`
		for {
			select {
			case <-stop:
				done <- time.Now()
				return
			default:
			}
			if resp, err := http.Post(url+"/v1/chat/completions", "application/json", strings.NewReader(body)); err == nil {
				resp.Body.Close()
			}
		}
	}()
	return done
}

// TestWhenIdleWaitsForTheHostToBeIdle: with --when-idle, a busy host is not
// restarted until no request ran and no token was generated for its
// idle_threshold_minutes (here 0.02 min, 1.2 s); the restart comes after the
// last request.
func TestWhenIdleWaitsForTheHostToBeIdle(t *testing.T) {
	d := startLab(t)
	editRepo(t, d.Dir, "host_vars/wintermute.yml", "idle_threshold_minutes: 5", "idle_threshold_minutes: 0.02")
	info, _ := d.Lab.Host("wintermute")
	stop := make(chan struct{})
	busyUntil := keepBusy(info.VLLMURL, oldServedName, stop)
	var waiting atomic.Bool
	rec := &recorder{hook: func(ev apply.Event) {
		if ev.Host == "wintermute" && ev.Step == apply.StepIdleWait && ev.Status == apply.StatusStart && !waiting.Swap(true) {
			time.AfterFunc(1500*time.Millisecond, func() { close(stop) })
		}
	}}
	run := applyDir(t, context.Background(), d.Dir, apply.Options{WhenIdle: true}, rec)
	lastRequest := <-busyUntil
	_, handlerAt := stepAt(t, run.evs, "wintermute", apply.StepHandler, apply.StatusStart)
	stepAt(t, run.evs, "wintermute", apply.StepIdleWait, apply.StatusOK)
	if !handlerAt.After(lastRequest) {
		t.Fatalf("restarted at %s while requests still ran until %s", handlerAt.Format(time.StampMilli), lastRequest.Format(time.StampMilli))
	}
	wantResult(t, run.evs, "wintermute", "ok")
}

// TestWhenIdleGivesUpOnAServerWithoutMetrics: a vLLM started with
// --disable-log-stats (the lab's no-metrics fault) has no vllm:* series, so
// whether it is idle cannot be known. --when-idle waits no longer than the
// idle threshold, says why, and restarts nothing.
func TestWhenIdleGivesUpOnAServerWithoutMetrics(t *testing.T) {
	d := startLab(t)
	editRepo(t, d.Dir, "host_vars/wintermute.yml", "idle_threshold_minutes: 5", "idle_threshold_minutes: 0.02")
	if err := d.Lab.SetFault("wintermute", "no-metrics"); err != nil {
		t.Fatal(err)
	}
	run := applyDir(t, context.Background(), d.Dir, apply.Options{WhenIdle: true}, &recorder{})
	i, _ := stepAt(t, run.evs, "wintermute", apply.StepIdleWait, apply.StatusFailed)
	if msg := run.evs[i].Message; !strings.Contains(msg, "no metrics") || !strings.Contains(msg, "--disable-log-stats") {
		t.Errorf("idle-wait failure does not say why: %q", msg)
	}
	if index(run.evs, isStep("wintermute", apply.StepHandler, apply.StatusStart)) >= 0 {
		t.Errorf("wintermute was restarted although its idleness is unknown")
	}
	wantResult(t, run.evs, "wintermute", "failed", "--when-idle")
}
