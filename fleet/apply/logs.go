package apply

import (
	"context"
	"fmt"
	"time"

	"github.com/straylight-fleet/straylight/fleet/discover"
	"github.com/straylight-fleet/straylight/fleet/plan"
	"github.com/straylight-fleet/straylight/remote"
)

const (
	// failureLogLines is how much of a backend's log a failed health gate shows.
	failureLogLines = 20
	logsTimeout     = 10 * time.Second
)

// reportLogs emits the last lines of the backend's log (its systemd unit's
// journal, else its container's log) when the transport can read logs: why
// a host never became healthy, in the deploy output and the JSON events.
func (h *hostApply) reportLogs(ctx context.Context, g *discover.GPUHost) {
	lr, ok := h.tr.(remote.LogReader)
	if h.tr == nil || !ok {
		return
	}
	target, name := h.logTarget(g)
	ctx, cancel := context.WithTimeout(ctx, logsTimeout)
	defer cancel()
	var lines []string
	err := lr.Logs(ctx, remote.LogRequest{Target: target, Lines: failureLogLines}, func(l string) {
		lines = append(lines, plan.MaskSecrets(l, h.a.secrets()))
	})
	msg := fmt.Sprintf("last %d log line(s) of %s", len(lines), name)
	if err != nil {
		msg += plan.MaskSecrets("; reading the log failed: "+err.Error(), h.a.secrets())
	}
	h.emit(Event{Kind: EvLogs, Message: msg, Logs: lines})
}

// logTarget is plan.BackendLog with its name for the report.
func (h *hostApply) logTarget(g *discover.GPUHost) (remote.LogTarget, string) {
	t := plan.BackendLog(connection(h.hp, h.a.fleet), g)
	if t.Unit != "" {
		return t, "unit " + t.Unit
	}
	return t, "container " + t.Container
}
