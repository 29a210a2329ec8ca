//go:build linux

package delay

import (
	"fmt"
	"net/netip"
	"syscall"
)

// closedPort is a TCP socket bound to a port on 127.0.0.1 that never listens: the kernel refuses
// every connection to it, and no other program can take the port while it is held.
type closedPort struct {
	fd   int
	addr string
}

func reserveClosedPort() (closedPort, error) {
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM|syscall.SOCK_CLOEXEC, 0)
	if err != nil {
		return closedPort{}, fmt.Errorf("socket: %w", err)
	}
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		syscall.Close(fd)
		return closedPort{}, fmt.Errorf("bind: %w", err)
	}
	sa, err := syscall.Getsockname(fd)
	in4, ok := sa.(*syscall.SockaddrInet4)
	if err != nil || !ok {
		syscall.Close(fd)
		return closedPort{}, fmt.Errorf("getsockname: %v", err)
	}
	addr := netip.AddrPortFrom(netip.AddrFrom4(in4.Addr), uint16(in4.Port))
	return closedPort{fd: fd, addr: addr.String()}, nil
}

// Close releases the port.
func (p closedPort) Close() error {
	if err := syscall.Close(p.fd); err != nil {
		return fmt.Errorf("closing the reserved closed port: %w", err)
	}
	return nil
}
