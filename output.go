package main

import "bufio"

// bufferOutput buffers the app's stdout and stderr until the returned
// function flushes them and puts the plain writers back: a 1,000-host plan
// is some 13,000 lines, one write each unbuffered. Writing to one flushes
// the other first, so where both reach one terminal their lines keep their
// order. Nothing that prompts may run while they are buffered.
func (a *app) bufferOutput() (restore func()) {
	stdout, stderr := a.stdout, a.stderr
	out, diag := bufio.NewWriterSize(stdout, 64<<10), bufio.NewWriterSize(stderr, 16<<10)
	a.stdout, a.stderr = orderedWriter{self: out, other: diag}, orderedWriter{self: diag, other: out}
	return func() {
		out.Flush()
		diag.Flush()
		a.stdout, a.stderr = stdout, stderr
	}
}

// orderedWriter writes to self once other's buffered bytes are out.
type orderedWriter struct{ self, other *bufio.Writer }

func (w orderedWriter) Write(p []byte) (int, error) {
	if w.other.Buffered() > 0 {
		if err := w.other.Flush(); err != nil {
			return 0, err
		}
	}
	return w.self.Write(p)
}
