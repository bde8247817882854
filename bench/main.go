// Command bench times `straylight --check` as a whole process on generated
// repositories of N GPU hosts (and one proxy), and `ansible-playbook --check
// --diff` on the same repositories where Ansible is installed, then prints a
// table with the ratios (README.md, "Performance"). Run it through bench/run.sh, which
// builds straylight first.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/straylight-fleet/straylight/bench/benchrepo"
)

type config struct {
	straylight   string
	baseline     string // a second straylight to time side by side; "": none
	sizes        []int
	ansibleSizes []int
	ansibles     []string // ansible-playbook binaries, each timed once per size
	runs         int
	keep         bool
}

// measurement is one size's result.
type measurement struct {
	hosts       int
	median, min time.Duration
	cpu         time.Duration // median user+system time
	maxRSSKiB   int64
	base        *timing // the baseline binary's, when one is timed
	ansible     []ansibleRun
}

// ansibleRun is one ansible-playbook binary's run on one size.
type ansibleRun struct {
	wall time.Duration // 0: not run
	note string        // why there is no wall time
}

func main() {
	cfg, err := parseFlags(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(2)
	}
	before := loadAverage()
	results, err := runAll(cfg, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
	printTable(os.Stdout, cfg, results)
	fmt.Fprintf(os.Stdout, "\n%d CPUs; load average before %s, after %s\n", runtime.NumCPU(), before, loadAverage())
}

// loadAverage is /proc/loadavg's 1-minute figure: timings on a busy machine
// say little.
func loadAverage() string {
	data, err := os.ReadFile("/proc/loadavg")
	if fields := strings.Fields(string(data)); err == nil && len(fields) > 0 {
		return fields[0]
	}
	return "unknown"
}

func parseFlags(args []string) (config, error) {
	var cfg config
	var sizes, ansibleSizes string
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.StringVar(&cfg.straylight, "straylight", "", "the straylight binary to time (required)")
	fs.StringVar(&cfg.baseline, "baseline", "", "another straylight binary (an older build) to time on the same repositories, its runs interleaved with -straylight's")
	fs.StringVar(&sizes, "sizes", "10,50,1000", "GPU host counts to time straylight on")
	fs.StringVar(&ansibleSizes, "ansible-sizes", "10,50", "host counts to time ansible-playbook on (empty: none)")
	ansibles := fs.String("ansible", "ansible-playbook", "comma-separated ansible-playbook binaries to time, one column each (say, Debian's and a newer ansible-core's)")
	fs.IntVar(&cfg.runs, "runs", 7, "straylight runs per size (the median is reported)")
	fs.BoolVar(&cfg.keep, "keep", false, "keep the generated repositories")
	if err := fs.Parse(args); err != nil {
		return cfg, err
	}
	if cfg.straylight == "" || cfg.runs < 1 {
		return cfg, fmt.Errorf("need -straylight BIN and -runs >= 1")
	}
	cfg.ansibles = strings.FieldsFunc(*ansibles, func(r rune) bool { return r == ',' })
	var err error
	if cfg.sizes, err = parseSizes(sizes); err != nil {
		return cfg, err
	}
	cfg.ansibleSizes, err = parseSizes(ansibleSizes)
	return cfg, err
}

func parseSizes(s string) ([]int, error) {
	var out []int
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' }) {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 1 {
			return nil, fmt.Errorf("bad size %q", f)
		}
		out = append(out, n)
	}
	return out, nil
}

func runAll(cfg config, log io.Writer) ([]measurement, error) {
	base, err := os.MkdirTemp("", "straylight-bench-")
	if err != nil {
		return nil, err
	}
	if !cfg.keep {
		defer os.RemoveAll(base)
	}
	var results []measurement
	for _, n := range cfg.sizes {
		m, err := measureSize(cfg, filepath.Join(base, strconv.Itoa(n)), n, log)
		if err != nil {
			return nil, err
		}
		results = append(results, m)
	}
	return results, nil
}

func measureSize(cfg config, dir string, n int, log io.Writer) (measurement, error) {
	root := filepath.Join(dir, "repo")
	if err := benchrepo.Write(root, benchrepo.Options{Hosts: n, OutDir: filepath.Join(dir, "out")}); err != nil {
		return measurement{}, err
	}
	m := measurement{hosts: n}
	if err := timeStraylight(cfg, root, &m, log); err != nil {
		return m, err
	}
	for _, bin := range cfg.ansibles {
		if contains(cfg.ansibleSizes, n) {
			m.ansible = append(m.ansible, timeAnsible(bin, dir, root, n, log))
		} else {
			m.ansible = append(m.ansible, ansibleRun{})
		}
	}
	return m, nil
}

// timing is one binary's runs on one repository.
type timing struct {
	walls, cpus []time.Duration
	maxRSSKiB   int64
}

func (t *timing) add(r processRun) {
	t.walls = append(t.walls, r.wall)
	t.cpus = append(t.cpus, r.cpu)
	t.maxRSSKiB = max(t.maxRSSKiB, r.maxRSSKiB)
}

// medianCPU is the runs' median user+system time. On a machine whose
// scheduler delays a short process's second thread (README.md,
// "Performance"), it moves less from run to run than the wall time does.
func (t *timing) medianCPU() time.Duration { return median(t.cpus) }

// medianMin is the walls' median and minimum.
func (t *timing) medianMin() (time.Duration, time.Duration) {
	return median(t.walls), slices.Min(t.walls)
}

// median is the middle of ds in sorted order (the upper one of an even
// count), 0 for none; ds keeps its order.
func median(ds []time.Duration) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	return slices.Sorted(slices.Values(ds))[len(ds)/2]
}

// timeStraylight runs the whole `straylight --check` process cfg.runs times,
// alternating with the baseline binary when there is one, so that both see
// the same machine. The dests are absent, so every run plans a create per
// file: exit 2.
func timeStraylight(cfg config, root string, m *measurement, log io.Writer) error {
	var own timing
	if cfg.baseline != "" {
		m.base = &timing{}
	}
	for i := 0; i < cfg.runs; i++ {
		if err := timeCheck(cfg.straylight, root, m.hosts, &own); err != nil {
			return err
		}
		if m.base != nil {
			if err := timeCheck(cfg.baseline, root, m.hosts, m.base); err != nil {
				return err
			}
		}
	}
	m.median, m.min = own.medianMin()
	m.cpu, m.maxRSSKiB = own.medianCPU(), own.maxRSSKiB
	fmt.Fprintf(log, "straylight --check, %d hosts: median %v of %d runs, CPU %v, max RSS %d MiB\n", m.hosts, m.median, cfg.runs, m.cpu, m.maxRSSKiB/1024)
	return nil
}

func timeCheck(bin, root string, hosts int, t *timing) error {
	r, err := timeProcess(bin, root, nil, "-C", root, "--check")
	if err != nil || r.code != 2 {
		return fmt.Errorf("%s --check on %d hosts: exit %d, %v", bin, hosts, r.code, err)
	}
	t.add(r)
	return nil
}

// timeAnsible runs `ansible-playbook --check --diff` once on the same repository.
func timeAnsible(bin, dir, root string, hosts int, log io.Writer) ansibleRun {
	if _, err := exec.LookPath(bin); err != nil {
		return ansibleRun{note: bin + " not installed"}
	}
	args := append([]string{"--check", "--diff"}, benchrepo.Playbooks...)
	r, err := timeProcess(bin, root, ansibleEnv(dir), args...)
	if err != nil || r.code != 0 {
		return ansibleRun{note: fmt.Sprintf("%s failed: exit %d %v", bin, r.code, err)}
	}
	fmt.Fprintf(log, "%s --check --diff, %d hosts: %v\n", bin, hosts, r.wall)
	return ansibleRun{wall: r.wall}
}

// ansibleVersion is the first line of `bin --version` ("ansible-playbook
// [core 2.19.4]"), or bin itself when that fails.
func ansibleVersion(bin string) string {
	out, err := exec.Command(bin, "--version").Output()
	if err != nil {
		return bin
	}
	first, _, _ := strings.Cut(string(out), "\n")
	return strings.TrimSpace(first)
}

// processRun is what timeProcess measured of one run: its wall time, its
// user+system time, its maximum resident set size (KiB, from rusage: what
// /usr/bin/time -v prints as "Maximum resident set size") and its exit code.
type processRun struct {
	wall, cpu time.Duration
	maxRSSKiB int64
	code      int
}

// timeProcess runs a command to completion, output discarded.
func timeProcess(bin, dir string, env []string, args ...string) (processRun, error) {
	cmd := exec.Command(bin, args...)
	cmd.Dir, cmd.Env = dir, env
	start := time.Now()
	err := cmd.Run()
	r := processRun{wall: time.Since(start), code: -1}
	if cmd.ProcessState == nil {
		return r, err
	}
	r.code, r.cpu = cmd.ProcessState.ExitCode(), cmd.ProcessState.UserTime()+cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		r.maxRSSKiB = ru.Maxrss
	}
	return r, nil
}

// ansibleEnv keeps Ansible's temporary and home directories inside dir.
func ansibleEnv(dir string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ANSIBLE_") && !strings.HasPrefix(kv, "HOME=") {
			env = append(env, kv)
		}
	}
	return append(env, "HOME="+filepath.Join(dir, "home"), "ANSIBLE_NOCOLOR=1",
		"ANSIBLE_LOCAL_TEMP="+filepath.Join(dir, "ansible-local"),
		"ANSIBLE_REMOTE_TEMP="+filepath.Join(dir, "ansible-remote"),
		"ANSIBLE_PYTHON_INTERPRETER=/usr/bin/python3", "ANSIBLE_RETRY_FILES_ENABLED=False")
}

func printTable(w io.Writer, cfg config, results []measurement) {
	fmt.Fprintln(w, tableHead(cfg))
	fmt.Fprintln(w, tableRule(cfg))
	for _, m := range results {
		fmt.Fprintln(w, tableRow(cfg, m))
	}
}

func tableHead(cfg config) string {
	head := fmt.Sprintf("| GPU hosts (+1 proxy) | straylight --check, median of %d (min) | CPU, median | max RSS |", cfg.runs)
	for _, bin := range cfg.ansibles {
		head += fmt.Sprintf(" %s --check --diff (1 run) | speed-up |", ansibleVersion(bin))
	}
	if cfg.baseline != "" {
		head += " baseline, median (min) | baseline CPU | baseline max RSS |"
		for range cfg.ansibles {
			head += " baseline speed-up |"
		}
	}
	return head
}

func tableRule(cfg config) string {
	columns := 4 + 2*len(cfg.ansibles)
	if cfg.baseline != "" {
		columns += 3 + len(cfg.ansibles)
	}
	return "|" + strings.Repeat("---:|", columns)
}

func tableRow(cfg config, m measurement) string {
	row := fmt.Sprintf("| %d | %s (%s) | %s | %s |", m.hosts, ms(m.median), ms(m.min), ms(m.cpu), mib(m.maxRSSKiB))
	for _, a := range m.ansible {
		row += fmt.Sprintf(" %s | %s |", ansibleCell(a), ratioCell(a.wall, m.median))
	}
	if m.base != nil {
		median, low := m.base.medianMin()
		row += fmt.Sprintf(" %s (%s) | %s | %s |", ms(median), ms(low), ms(m.base.medianCPU()), mib(m.base.maxRSSKiB))
		for _, a := range m.ansible {
			row += fmt.Sprintf(" %s |", ratioCell(a.wall, median))
		}
	}
	return row
}

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }

func ms(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond)) }

func ansibleCell(a ansibleRun) string {
	switch {
	case a.wall > 0:
		return fmt.Sprintf("%.1f s", a.wall.Seconds())
	case a.note != "":
		return a.note
	}
	return "—"
}

func ratioCell(ansible, straylight time.Duration) string {
	if ansible == 0 || straylight == 0 {
		return "—"
	}
	return fmt.Sprintf("%.0f×", float64(ansible)/float64(straylight))
}

func contains(list []int, n int) bool {
	for _, e := range list {
		if e == n {
			return true
		}
	}
	return false
}
