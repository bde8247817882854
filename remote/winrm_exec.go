package remote

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"

	"github.com/masterzen/winrm"
)

// execResult is a finished remote command's raw output.
type execResult struct {
	stdout, stderr string
	exitCode       int
}

type execOutcome struct {
	result execResult
	err    error
}

// execute runs one command line in a fresh shell. stdin, when not nil, is
// sent and then closed (EOF).
//
// The library checks cancellation only between Receive polls, and not at all
// while it creates the shell, so the call runs in a goroutine and execute
// returns as soon as ctx ends. The goroutine then finishes on its own: the
// library notices the cancel at its next poll (at most OperationTimeout, 5 s,
// later), signals the command to terminate and deletes the shell; Close cuts
// it short.
func (w *WinRM) execute(ctx context.Context, op, commandLine string, stdin []byte) (execResult, error) {
	if err := ctx.Err(); err != nil {
		return execResult{}, w.expired(op, err, false)
	}
	var answered atomic.Bool
	done := make(chan execOutcome, 1)
	go func() { done <- w.executeBlocking(ctx, commandLine, stdin, &answered) }()
	select {
	case out := <-done:
		return out.result, w.failure(op, out.err)
	case <-ctx.Done():
		return execResult{}, w.expired(op, ctx.Err(), answered.Load())
	}
}

func (w *WinRM) executeBlocking(ctx context.Context, commandLine string, stdin []byte, answered *atomic.Bool) execOutcome {
	shell, err := w.client.CreateShell()
	if err != nil {
		return execOutcome{err: err}
	}
	answered.Store(true)
	defer shell.Close()
	if err := ctx.Err(); err != nil {
		return execOutcome{err: err}
	}
	cmd, err := shell.ExecuteWithContext(ctx, commandLine)
	if err != nil {
		return execOutcome{err: err}
	}
	return w.collect(ctx, cmd, stdin)
}

// collect feeds stdin while the library polls for output, then waits for the
// command to end. The library keeps a command's error to itself; it closes
// the output pipes with it, so copying them yields it.
func (w *WinRM) collect(ctx context.Context, cmd *winrm.Command, stdin []byte) execOutcome {
	var stdout, stderr bytes.Buffer
	var copyOut, copyErr error
	var copies sync.WaitGroup
	copies.Go(func() { _, copyOut = io.Copy(&stdout, cmd.Stdout) })
	copies.Go(func() { _, copyErr = io.Copy(&stderr, cmd.Stderr) })
	stdinErr := w.feedStdin(ctx, cmd, stdin)
	if stdinErr != nil {
		_ = cmd.Close() // a command waiting for the rest of its input would never end
	}
	cmd.Wait()
	copies.Wait()
	_ = cmd.Close() // terminate signal, as the library and pywinrm send after each command
	err := firstError(ctx.Err(), copyOut, copyErr, stdinErr)
	result := execResult{stdout: stdout.String(), stderr: stderr.String(), exitCode: cmd.ExitCode()}
	return execOutcome{result: result, err: err}
}

// feedStdin sends data in chunks of whole lines, one Send each, checking ctx
// between chunks, then signals EOF.
func (w *WinRM) feedStdin(ctx context.Context, cmd *winrm.Command, data []byte) error {
	if data == nil {
		return nil
	}
	for len(data) > 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
		n := min(len(data), w.stdinChunk)
		if _, err := cmd.Stdin.Write(data[:n]); err != nil {
			return fmt.Errorf("sending stdin: %w", err)
		}
		data = data[n:]
	}
	return cmd.Stdin.Close()
}

func firstError(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
