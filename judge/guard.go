package judge

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// Guard remembers every run of 4 and of 5 characters inside a corpus line,
// and every whole corpus line of at most 4 characters, in a Bloom filter.
// It never misses a run it was built with; it wrongly reports an unseen run
// with probability about FalsePositive, which only costs a generator one
// candidate. Generators ask it while decoding, so that no line they write
// shares a run of MinRun characters with a corpus line.
type Guard struct {
	bits          []byte
	m             uint64 // bits
	k             int    // probes
	items         uint64
	FalsePositive float64
}

// Run lengths the guard knows.
const (
	GuardShortRun = 4 // 五言 lines may not share 4 characters in a row
	GuardLongRun  = 5 // longer lines may not share 5
	GuardMaxLine  = 4 // whole lines this short are remembered as lines
)

// MinRun is the length of the shortest forbidden copied run for a line of n
// characters: 4 in five-character lines (and shorter), 5 in longer ones.
func MinRun(n int) int {
	if n <= 5 {
		return GuardShortRun
	}
	return GuardLongRun
}

func runHash(kind byte, rs []rune) uint64 {
	h := uint64(14695981039346656037) ^ uint64(kind)*0x9E3779B97F4A7C15
	for _, r := range rs {
		h ^= uint64(r)
		h *= 1099511628211
		h ^= h >> 29
	}
	h ^= uint64(len(rs)) << 56
	// splitmix64 finaliser
	h ^= h >> 30
	h *= 0xbf58476d1ce4e5b9
	h ^= h >> 27
	h *= 0x94d049bb133111eb
	h ^= h >> 31
	return h
}

// GuardBuilder collects the runs of corpus lines.
type GuardBuilder struct{ hashes []uint64 }

// AddLine adds one corpus line (Chinese characters only).
func (b *GuardBuilder) AddLine(line string) {
	rs := []rune(line)
	for _, n := range []int{GuardShortRun, GuardLongRun} {
		for i := 0; i+n <= len(rs); i++ {
			b.hashes = append(b.hashes, runHash('R', rs[i:i+n]))
		}
	}
	if len(rs) > 0 && len(rs) <= GuardMaxLine {
		b.hashes = append(b.hashes, runHash('L', rs))
	}
}

// Build sizes the filter for the distinct runs added and the wanted
// false-positive rate (0 < fpr < 1).
func (b *GuardBuilder) Build(fpr float64) (*Guard, error) {
	if !(fpr > 0 && fpr < 1) {
		return nil, fmt.Errorf("judge: guard false-positive rate %v: want a value between 0 and 1", fpr)
	}
	slices.Sort(b.hashes)
	hs := slices.Compact(b.hashes)
	n := float64(max(len(hs), 1))
	m := uint64(math.Ceil(-n*math.Log(fpr)/(math.Ln2*math.Ln2)/8)) * 8
	k := max(1, int(math.Round(float64(m)/n*math.Ln2)))
	g := &Guard{bits: make([]byte, m/8), m: m, k: k, items: uint64(len(hs))}
	for _, h := range hs {
		g.set(h)
	}
	g.FalsePositive = math.Pow(1-math.Exp(-float64(k)*n/float64(m)), float64(k))
	b.hashes = nil
	return g, nil
}

func (g *Guard) probes(h uint64, fn func(bit uint64) bool) bool {
	h1, h2 := h, (h>>32|h<<32)|1
	for i := 0; i < g.k; i++ {
		if !fn((h1 + uint64(i)*h2) % g.m) {
			return false
		}
	}
	return true
}

func (g *Guard) set(h uint64) {
	g.probes(h, func(bit uint64) bool { g.bits[bit>>3] |= 1 << (bit & 7); return true })
}

func (g *Guard) has(h uint64) bool {
	return g.probes(h, func(bit uint64) bool { return g.bits[bit>>3]&(1<<(bit&7)) != 0 })
}

// HasRun reports whether a run of 4 or 5 characters occurs in a corpus line
// (false for other lengths).
func (g *Guard) HasRun(rs []rune) bool {
	if len(rs) != GuardShortRun && len(rs) != GuardLongRun {
		return false
	}
	return g.has(runHash('R', rs))
}

// HasLine reports whether a line of at most 4 characters is a corpus line.
func (g *Guard) HasLine(rs []rune) bool {
	if len(rs) == 0 || len(rs) > GuardMaxLine {
		return false
	}
	return g.has(runHash('L', rs))
}

// EndsCopied reports whether the last characters of a partial line break the
// rule for a line of full length n: the run of MinRun(n) ending at the last
// character occurs in the corpus, or the line is complete, short and a
// corpus line. Checking each character as it is placed checks every run.
func (g *Guard) EndsCopied(partial []rune, n int) bool {
	k := MinRun(n)
	if len(partial) >= k && g.HasRun(partial[len(partial)-k:]) {
		return true
	}
	return len(partial) == n && n <= GuardMaxLine && g.HasLine(partial)
}

// Copied returns the first copied run in a whole line, or nil.
func (g *Guard) Copied(line []rune) []rune {
	for i := 1; i <= len(line); i++ {
		if g.EndsCopied(line[:i], len(line)) {
			k := min(MinRun(len(line)), i)
			return line[i-k : i]
		}
	}
	return nil
}

// Items is the number of distinct runs and lines the guard holds.
func (g *Guard) Items() uint64 { return g.items }

// Bytes is the size of the filter's bit array.
func (g *Guard) Bytes() int { return len(g.bits) }

const guardMagic = "miaobi-guard\x01"

// WriteTo writes the guard: header, sizes, then the bit array.
func (g *Guard) WriteTo(w io.Writer) (int64, error) {
	hdr := make([]byte, 0, 64)
	hdr = append(hdr, guardMagic...)
	hdr = binary.LittleEndian.AppendUint64(hdr, g.m)
	hdr = binary.LittleEndian.AppendUint64(hdr, uint64(g.k))
	hdr = binary.LittleEndian.AppendUint64(hdr, g.items)
	hdr = binary.LittleEndian.AppendUint64(hdr, math.Float64bits(g.FalsePositive))
	n, err := w.Write(hdr)
	if err != nil {
		return int64(n), err
	}
	n2, err := w.Write(g.bits)
	return int64(n + n2), err
}

// ParseGuard reads a guard written by WriteTo from memory without copying
// the bit array (data must stay unchanged while the guard is used).
func ParseGuard(data []byte) (*Guard, error) {
	if len(data) < len(guardMagic)+32 || string(data[:len(guardMagic)]) != guardMagic {
		return nil, errors.New("judge: not a Miaobi originality guard (bad header); rebuild it with 'miaobi train poem'")
	}
	p := data[len(guardMagic):]
	g := &Guard{
		m:             binary.LittleEndian.Uint64(p),
		items:         binary.LittleEndian.Uint64(p[16:]),
		FalsePositive: math.Float64frombits(binary.LittleEndian.Uint64(p[24:])),
	}
	k := binary.LittleEndian.Uint64(p[8:])
	g.bits = p[32:]
	if g.m == 0 || g.m%8 != 0 || g.m/8 != uint64(len(g.bits)) || k == 0 || k > 32 {
		return nil, fmt.Errorf("judge: originality guard is damaged (%d bits for %d bytes, %d probes); rebuild it with 'miaobi train poem'", g.m, len(g.bits), k)
	}
	g.k = int(k)
	return g, nil
}
