package plan

import (
	"time"

	"github.com/straylight-fleet/straylight/fleet/state"
)

// PendingRestart is a notified handler not yet run: written before a host's
// files change, cleared after its handlers ran (ansible#10498: Ansible loses
// handlers when a run dies in between). fleet/state keeps it.
type PendingRestart struct {
	Host     string       `json:"host"`
	Handlers []HandlerRun `json:"handlers"`
	Since    time.Time    `json:"since"`
}

// ReadPending reads the restart an earlier apply left owed on host; nil when
// none is.
func ReadPending(st *state.Store, host string) (*PendingRestart, error) {
	var p PendingRestart
	found, err := st.GetPending(host, &p)
	if !found || err != nil {
		return nil, err
	}
	return &p, nil
}

// RecordPending records the restart host is owed, before its files change.
func RecordPending(st *state.Store, p PendingRestart) error {
	return st.PutPending(p.Host, p)
}
