package cli

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/looptest/looptest/internal/delay"
)

// runServe runs the delay server in this process until it is interrupted or terminated, or,
// when its standard input is a pipe or a socket, until that closes. Its address comes first on
// stdout, alone on its line, so that a parent process can read it and hand it on (as
// LOOPTEST_DELAY_ADDR to a program from 'looptest node'); the second line is an address where
// nothing listens, for `fault: refuse` (LOOPTEST_REFUSE_ADDR).
func runServe(c *cli, args []string) int {
	fs := c.flags("serve")
	if st := c.parse(fs, args); st >= 0 {
		return st
	}
	if fs.NArg() != 0 {
		fmt.Fprintln(c.stderr, "usage: looptest serve")
		return exitInvalid
	}
	srv, err := delay.Start()
	if err != nil {
		fmt.Fprintf(c.stderr, "looptest serve: %v\n", err)
		return exitFailed
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if watchable(os.Stdin) {
		go func() {
			io.Copy(io.Discard, os.Stdin) // returns when the writing end closes
			stop()
		}()
	}
	if _, err := fmt.Fprintf(c.stdout, "%s\n%s\n", srv.Addr(), srv.ClosedAddr()); err != nil {
		srv.Close()
		fmt.Fprintf(c.stderr, "looptest serve: writing the address: %v\n", err)
		return exitFailed
	}
	<-ctx.Done()
	if err := srv.Close(); err != nil {
		fmt.Fprintf(c.stderr, "looptest serve: %v\n", err)
		return exitFailed
	}
	return exitOK
}

// watchable reports whether f is a pipe or a socket: an input whose end means that the process
// that started the server is gone. A terminal, /dev/null (the input of a background job) or a
// regular file says nothing of the kind, and is not watched.
func watchable(f *os.File) bool {
	info, err := f.Stat()
	if err != nil {
		return false
	}
	return info.Mode()&(os.ModeNamedPipe|os.ModeSocket) != 0
}
