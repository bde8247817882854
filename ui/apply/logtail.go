package apply

import "strings"

// LogTailLines is how many of a host's last log lines a failed health gate
// shows.
const LogTailLines = 20

// SetLogTail attaches the last lines of a host's backend log (read when its
// health gate failed), or why they could not be read.
func (p *Progress) SetLogTail(host string, lines []string, err error) {
	h := p.host(host)
	h.LogTail, h.LogErr = lines, ""
	if err != nil {
		h.LogErr = err.Error()
	}
}

// logTail draws a host's log lines under its steps.
func (r *renderer) logTail(h *HostProgress) {
	switch {
	case h.LogErr != "":
		r.add(r.th.Err.S("    the log could not be read: " + h.LogErr))
	case len(h.LogTail) > 0:
		r.add(r.th.Dim.S("    last lines of " + h.Host + "'s vLLM log (l shows it live):"))
		for _, l := range h.LogTail {
			r.add(r.paintLogLine("    │ " + strings.ReplaceAll(l, "\t", "    ")))
		}
	}
}

func (r *renderer) paintLogLine(l string) string {
	if strings.Contains(l, "ERROR") || strings.Contains(l, "Error:") {
		return r.th.Err.S(l)
	}
	return r.th.Dim.S(l)
}
