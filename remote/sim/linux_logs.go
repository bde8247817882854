package sim

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// logs is `journalctl -u UNIT -n N [-f]` and `docker logs --tail N [-f]
// NAME`, from the host's journal.
func (t *toolServer) logs(program string, argv []string, w io.Writer, gone <-chan struct{}) {
	n, follow, target, err := parseLogArgs(program, argv)
	if err == nil && !t.ownsLog(program, target) {
		err = fmt.Errorf("no entries for %s", target)
	}
	if err != nil {
		fmt.Fprintf(w, "EXIT 1\n%s: %v\n", program, err)
		return
	}
	fmt.Fprint(w, "EXIT 0\n")
	entries, seen, grew := t.host.journal.tail(n)
	for {
		if writeEntries(w, program, t.host.spec.Name, entries) != nil || !follow {
			return
		}
		select {
		case <-grew:
		case <-gone:
			return
		case <-t.host.stop:
			return
		}
		entries, seen, grew = t.host.journal.after(seen)
	}
}

func (t *toolServer) ownsLog(program, target string) bool {
	if program == "journalctl" {
		return t.isUnit(target)
	}
	return t.host.spec.Runtime == RuntimeDocker && target == t.host.vllm.containerName()
}

// parseLogArgs reads -n/--tail N, -f/--follow and -u UNIT (journalctl) or
// the container name (docker logs).
func parseLogArgs(program string, argv []string) (n int, follow bool, target string, err error) {
	n = 10
	if program == "docker" {
		argv, n = argv[1:], -1
	}
	for i := 0; i < len(argv); i++ {
		a := argv[i]
		switch {
		case a == "-f" || a == "--follow":
			follow = true
		case a == "-n" || a == "--tail" || a == "-u" || a == "-o":
			if i+1 >= len(argv) {
				return 0, false, "", fmt.Errorf("option %s needs a value", a)
			}
			i++
			n, target, err = logOption(a, argv[i], n, target)
		case strings.HasPrefix(a, "-"):
		default:
			target = a
		}
		if err != nil {
			return 0, false, "", err
		}
	}
	return n, follow, target, nil
}

func logOption(flag, value string, n int, target string) (int, string, error) {
	switch flag {
	case "-u":
		return n, value, nil
	case "-o":
		return n, target, nil
	}
	lines, err := strconv.Atoi(value)
	if err != nil {
		return 0, "", fmt.Errorf("%s %q is not a number", flag, value)
	}
	return lines, target, nil
}

// writeEntries prints entries as journalctl -o short-iso does (docker logs
// prints the bare lines).
func writeEntries(w io.Writer, program, host string, entries []journalEntry) error {
	var b strings.Builder
	for _, e := range entries {
		if program == "journalctl" {
			fmt.Fprintf(&b, "%s %s vllm[4242]: ", e.at.UTC().Format("2006-01-02T15:04:05-0700"), host)
		}
		b.WriteString(e.text + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
