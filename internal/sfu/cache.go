package sfu

import "sync"

// cacheSlotSize holds any packet that fits a UDP datagram on Ethernet.
const cacheSlotSize = 1500

// packetCache keeps the last packets of one source stream, by sequence
// number, so NACKs from any subscriber are answered from one copy: the
// cost of loss recovery grows with publishers, not with subscribers.
type packetCache struct {
	mu    sync.Mutex
	slots []cacheSlot
	data  []byte // len(slots) * cacheSlotSize, one allocation
}

type cacheSlot struct {
	seq   uint16
	n     int // 0: empty
	valid bool
}

// newPacketCache holds size packets; size must be a power of two.
func newPacketCache(size int) *packetCache {
	return &packetCache{slots: make([]cacheSlot, size), data: make([]byte, size*cacheSlotSize)}
}

// add stores a copy of packet (a whole RTP packet) under seq.
func (c *packetCache) add(seq uint16, packet []byte) {
	if len(packet) > cacheSlotSize {
		return
	}
	i := int(seq) & (len(c.slots) - 1)
	c.mu.Lock()
	copy(c.data[i*cacheSlotSize:], packet)
	c.slots[i] = cacheSlot{seq: seq, n: len(packet), valid: true}
	c.mu.Unlock()
}

// get copies the packet stored under seq into buf and returns its length,
// or 0 when it is no longer (or never was) cached.
func (c *packetCache) get(seq uint16, buf []byte) int {
	i := int(seq) & (len(c.slots) - 1)
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.slots[i]
	if !s.valid || s.seq != seq || len(buf) < s.n {
		return 0
	}
	return copy(buf, c.data[i*cacheSlotSize:i*cacheSlotSize+s.n])
}

// holds reports whether the n packets from seq on are all cached.
func (c *packetCache) holds(seq uint16, n int) bool {
	if n > len(c.slots) {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range n {
		s := seq + uint16(i)
		if sl := c.slots[int(s)&(len(c.slots)-1)]; !sl.valid || sl.seq != s {
			return false
		}
	}
	return true
}
