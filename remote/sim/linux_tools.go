package sim

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"strconv"
	"strings"
	"sync"
)

// toolServer answers the host's stand-in programs (nvidia-smi, docker,
// systemctl, journalctl, sudo's password check). A stand-in connects over
// loopback, sends its argv, and gets "EXIT <code>\n" and its output. Each
// program reads its own argv as the real one would; the shell command
// lines straylight sends are never looked at.
type toolServer struct {
	host *linuxHost
	ln   net.Listener
	wg   sync.WaitGroup
	mu   sync.Mutex
	open map[net.Conn]bool
}

func newToolServer(h *linuxHost) *toolServer {
	return &toolServer{host: h, open: map[net.Conn]bool{}}
}

func (t *toolServer) start(addr string) error {
	ln, err := listenLoopback(addr)
	if err != nil {
		return err
	}
	t.ln = ln
	t.wg.Add(1)
	go t.accept()
	return nil
}

func (t *toolServer) addr() string { return t.ln.Addr().String() }

func (t *toolServer) accept() {
	defer t.wg.Done()
	for {
		conn, err := t.ln.Accept()
		if err != nil {
			return
		}
		t.mu.Lock()
		t.open[conn] = true
		t.mu.Unlock()
		t.wg.Add(1)
		go t.serve(conn)
	}
}

func (t *toolServer) close() {
	t.ln.Close()
	t.mu.Lock()
	for conn := range t.open {
		conn.Close()
	}
	t.mu.Unlock()
	t.wg.Wait()
}

func (t *toolServer) serve(conn net.Conn) {
	defer t.wg.Done()
	defer func() {
		t.mu.Lock()
		delete(t.open, conn)
		t.mu.Unlock()
		conn.Close()
	}()
	args, err := readArgv(bufio.NewReader(conn))
	if err != nil || len(args) == 0 {
		fmt.Fprintf(conn, "EXIT 2\nstand-in protocol error: %v\n", err)
		return
	}
	gone := make(chan struct{})
	go func() { _, _ = io.Copy(io.Discard, conn); close(gone) }()
	t.run(args, conn, gone)
}

// readArgv reads "<count>\0<arg>\0..." as the stand-ins send it.
func readArgv(r *bufio.Reader) ([]string, error) {
	countText, err := r.ReadString(0)
	if err != nil {
		return nil, err
	}
	count, err := strconv.Atoi(strings.TrimSuffix(countText, "\x00"))
	if err != nil || count < 1 || count > 64 {
		return nil, fmt.Errorf("bad argument count %q", countText)
	}
	args := make([]string, count)
	for i := range args {
		arg, err := r.ReadString(0)
		if err != nil {
			return nil, err
		}
		args[i] = strings.TrimSuffix(arg, "\x00")
	}
	return args, nil
}

// toolResult is a finished stand-in: its exit code and output.
type toolResult struct {
	code   int
	output string
}

func ok(output string) toolResult { return toolResult{output: output} }

func fail(code int, format string, args ...any) toolResult {
	return toolResult{code: code, output: fmt.Sprintf(format, args...) + "\n"}
}

func (t *toolServer) run(args []string, w io.Writer, gone <-chan struct{}) {
	program, argv := args[0], args[1:]
	if program == "journalctl" || (program == "docker" && len(argv) > 0 && argv[0] == "logs") {
		t.logs(program, argv, w, gone)
		return
	}
	var result toolResult
	switch program {
	case "nvidia-smi":
		result = t.nvidiaSMI(argv)
	case "docker":
		result = t.docker(argv)
	case "systemctl":
		result = t.systemctl(argv)
	case "sudo-password":
		result = t.checkBecomePassword(argv)
	default:
		result = fail(127, "%s: not simulated on this lab host", program)
	}
	fmt.Fprintf(w, "EXIT %d\n%s", result.code, result.output)
}

func (t *toolServer) nvidiaSMI(argv []string) toolResult {
	for _, a := range argv {
		if strings.HasPrefix(a, "--query-gpu=") {
			return ok(strings.ReplaceAll(t.host.nvidiaSMI(), "\r\n", "\n"))
		}
	}
	return fail(1, "nvidia-smi (lab stand-in): only --query-gpu=... --format=csv,noheader,nounits is simulated")
}

func (t *toolServer) checkBecomePassword(argv []string) toolResult {
	want := t.host.spec.BecomePassword
	if want == "" || (len(argv) == 1 && argv[0] == want) {
		return ok("")
	}
	return fail(1, "Sorry, try again.")
}
