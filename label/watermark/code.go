package watermark

import (
	"crypto/sha256"
	"encoding/binary"
	"math"
)

// The channel code of the watermark: the 64-bit payload and a 32-bit keyed
// check are encoded with the rate-1/3, constraint-length-7 convolutional
// code (generators 133, 171, 165 octal, as in LTE) terminated by six zero
// tail bits, and decoded by a soft-decision Viterbi decoder.

const (
	checkBits = 32                        // keyed check appended to the payload
	infoBits  = 64 + checkBits            // bits entering the encoder
	tailBits  = 6                         // zero bits that return the encoder to state 0
	codedBits = (infoBits + tailBits) * 3 // 306 code bits in a tile
	states    = 1 << tailBits
)

var generators = [3]uint8{0o133, 0o171, 0o165}

// imageKey keys every pseudo-random choice of the watermark (chip signs, slot
// layout) and its check, so that a different key reads nothing.
const imageKey = "miaobi/label/watermark/v1"

// checkOf is the 32-bit keyed check of a payload.
func checkOf(p Payload) uint32 {
	h := sha256.New()
	h.Write([]byte(imageKey + "/check"))
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(p))
	h.Write(b[:])
	return binary.BigEndian.Uint32(h.Sum(nil))
}

// infoOf lays out the encoder input: payload bits (most significant
// first), then the check bits.
func infoOf(p Payload) [infoBits]uint8 {
	var bits [infoBits]uint8
	for i := 0; i < 64; i++ {
		bits[i] = uint8(uint64(p) >> (63 - i) & 1)
	}
	c := checkOf(p)
	for i := 0; i < checkBits; i++ {
		bits[64+i] = uint8(c >> (checkBits - 1 - i) & 1)
	}
	return bits
}

// parity is the parity of the set bits of x.
func parity(x uint8) uint8 {
	x ^= x >> 4
	x ^= x >> 2
	x ^= x >> 1
	return x & 1
}

// outputs gives the three code bits leaving state s on input b, and the
// next state.
func outputs(s int, b uint8) (out [3]uint8, next int) {
	reg := uint8(s<<1) | b // 7 bits: six past inputs and the new one
	for i, g := range generators {
		out[i] = parity(reg & g)
	}
	return out, int(reg) & (states - 1)
}

// encode gives the 306 code bits of a payload.
func encode(p Payload) [codedBits]uint8 {
	info := infoOf(p)
	return encodeInfo(&info)
}

// encodeInfo encodes the encoder input bits.
func encodeInfo(info *[infoBits]uint8) [codedBits]uint8 {
	var coded [codedBits]uint8
	s := 0
	for t := 0; t < infoBits+tailBits; t++ {
		var b uint8
		if t < infoBits {
			b = info[t]
		}
		out, next := outputs(s, b)
		copy(coded[3*t:], out[:])
		s = next
	}
	return coded
}

// trellis caches the branch outputs: [state][input] → (outputs, next).
var trellis = func() (tr [states][2]struct {
	sign [3]float64
	next int
}) {
	for s := 0; s < states; s++ {
		for b := uint8(0); b < 2; b++ {
			out, next := outputs(s, b)
			for i := range out {
				tr[s][b].sign[i] = 1 - 2*float64(out[i])
			}
			tr[s][b].next = next
		}
	}
	return tr
}()

// viterbi decodes soft code values (positive means bit 0) into the
// payload and whether its keyed check holds; it also gives the correlation
// of the soft values with the re-encoded code word and the number of code
// bits whose hard decision the decoder overruled.
func viterbi(soft *[codedBits]float64) (p Payload, ok bool, corr float64, flips int) {
	const steps = infoBits + tailBits
	var metric, nextMetric [states]float64
	for s := range metric {
		metric[s] = math.Inf(-1)
	}
	metric[0] = 0
	var from [steps][states]uint8 // predecessor state
	var input [steps][states]uint8
	for t := 0; t < steps; t++ {
		for s := range nextMetric {
			nextMetric[s] = math.Inf(-1)
		}
		y := soft[3*t : 3*t+3]
		maxIn := uint8(1)
		if t >= infoBits {
			maxIn = 0 // tail: zeros only
		}
		for s := 0; s < states; s++ {
			m := metric[s]
			if math.IsInf(m, -1) {
				continue
			}
			for b := uint8(0); b <= maxIn; b++ {
				br := &trellis[s][b]
				v := m + br.sign[0]*y[0] + br.sign[1]*y[1] + br.sign[2]*y[2]
				if v > nextMetric[br.next] {
					nextMetric[br.next] = v
					from[t][br.next] = uint8(s)
					input[t][br.next] = b
				}
			}
		}
		metric = nextMetric
	}
	var info [infoBits]uint8
	s := 0
	for t := steps - 1; t >= 0; t-- {
		if t < infoBits {
			info[t] = input[t][s]
		}
		s = int(from[t][s])
	}
	var v uint64
	for i := 0; i < 64; i++ {
		v = v<<1 | uint64(info[i])
	}
	p = Payload(v)
	var c uint32
	for i := 0; i < checkBits; i++ {
		c = c<<1 | uint32(info[64+i])
	}
	ok = c == checkOf(p)
	coded := encodeInfo(&info)
	var dot, norm float64
	for i, b := range coded {
		sign := 1 - 2*float64(b)
		dot += sign * soft[i]
		norm += soft[i] * soft[i]
		if sign*soft[i] < 0 {
			flips++
		}
	}
	if norm > 0 {
		corr = dot / math.Sqrt(norm*codedBits)
	}
	return p, ok, corr, flips
}
