//go:build !linux

package loop

import "errors"

// NewReal reports that the real clock needs Linux's epoll.
//
// A kqueue poller for the BSDs and macOS would plug in here, in a real_bsd.go with the same
// shape as real_linux.go: Poll waits in kevent with the timeout from the timer heap, workers wake
// it with an EVFILT_USER event instead of an eventfd, and sockets register EVFILT_READ and
// EVFILT_WRITE filters. Nothing else in the loop would change.
func NewReal(RealConfig) (Backend, error) {
	return nil, errors.New("the real clock needs Linux (epoll); use the virtual clock on this system")
}
