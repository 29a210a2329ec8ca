//go:build !linux

package delay

import "net"

// closedPort is a port on 127.0.0.1 where nothing listens. Without a way to hold a bound socket
// that never listens, it is a port that was free a moment ago: another program could take it
// before a client connects.
type closedPort struct {
	addr string
}

func reserveClosedPort() (closedPort, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return closedPort{}, err
	}
	addr := ln.Addr().String()
	return closedPort{addr: addr}, ln.Close()
}

// Close does nothing: the port is not held.
func (closedPort) Close() error { return nil }
