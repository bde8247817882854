package sim

import (
	"errors"
	"math/rand/v2"
	"net"
	"syscall"
)

// loopbackPool hands out consecutive loopback addresses from a random base
// 127.a.b.1 (a in 16–239, clear of the 127.0.0.x other tools use), so that
// each lab host gets its own address and keeps its real ports (8000, 5985,
// 5986), and two labs on one machine rarely meet.
type loopbackPool struct {
	next uint32
}

func newLoopbackPool() *loopbackPool {
	a, b := 16+rand.IntN(224), rand.IntN(256)
	return &loopbackPool{next: 127<<24 | uint32(a)<<16 | uint32(b)<<8 | 1}
}

// take returns the next address, skipping .0 and .255.
func (p *loopbackPool) take() string {
	for {
		ip := p.next
		p.next++
		if ip>>24 != 127 {
			p.next = 127<<24 | 16<<16 | 1
			continue
		}
		if last := ip & 0xff; last != 0 && last != 255 {
			return net.IPv4(byte(ip>>24), byte(ip>>16), byte(ip>>8), byte(ip)).String()
		}
	}
}

// isAddrInUse reports a bind failure worth retrying on another address.
func isAddrInUse(err error) bool {
	return errors.Is(err, syscall.EADDRINUSE) || errors.Is(err, syscall.EADDRNOTAVAIL)
}
