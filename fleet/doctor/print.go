package doctor

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// WriteTable prints the reports as a table, one row per step, with the
// cause and the fix of each failure under its row, and a last line saying
// how many hosts passed.
func WriteTable(w io.Writer, reports []Report) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "HOST\tSTEP\tRESULT\tTIME\tDETAIL")
	for _, r := range reports {
		for _, s := range r.Steps {
			writeRow(tw, r.Host, s)
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	_, err := fmt.Fprintln(w, summary(reports))
	return err
}

func writeRow(w io.Writer, host string, s Step) {
	fmt.Fprintf(w, "%s\t%s\t%s\t%s\t%s\n", host, s.Name, strings.ToUpper(string(s.Status)), formatDuration(s), oneLine(s.Detail))
	if s.Status != Fail {
		return
	}
	fmt.Fprintf(w, "\t  cause:\t\t\t%s\n", oneLine(s.Cause))
	if s.Fix != "" {
		fmt.Fprintf(w, "\t  fix:\t\t\t%s\n", oneLine(s.Fix))
	}
}

func formatDuration(s Step) string {
	if s.Status == Skip && s.Duration == 0 {
		return "-"
	}
	return s.Duration.Round(time.Millisecond).String()
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func summary(reports []Report) string {
	ok := 0
	for _, r := range reports {
		if r.OK() {
			ok++
		}
	}
	if ok == len(reports) {
		return fmt.Sprintf("doctor: all %d host(s) passed", len(reports))
	}
	return fmt.Sprintf("doctor: %d of %d host(s) failed a step", len(reports)-ok, len(reports))
}

// jsonReport is the --json form: the reports and whether all passed.
type jsonReport struct {
	OK    bool     `json:"ok"`
	Hosts []Report `json:"hosts"`
}

// WriteJSON prints the reports as one JSON document.
func WriteJSON(w io.Writer, reports []Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(jsonReport{OK: AllOK(reports), Hosts: reports})
}

// Print writes the reports as a table or as JSON and returns the CLI's exit
// code: 0 when every step of every host passed (or was skipped), else 1.
func Print(w io.Writer, reports []Report, asJSON bool) (int, error) {
	write := WriteTable
	if asJSON {
		write = WriteJSON
	}
	if err := write(w, reports); err != nil {
		return 1, err
	}
	if AllOK(reports) {
		return 0, nil
	}
	return 1, nil
}
