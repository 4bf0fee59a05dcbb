package glyph

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// A GlyphSet holds the outlines of a chosen set of characters taken from a
// font, in a compact file of Miaobi's own: the fallback brush font is a
// GlyphSet of LXGW WenKai covering GB 2312 and the traditional forms of its
// characters, a tenth the size of the whole font.
//
// The file is gzip-compressed; inside, after the magic "MBGLYPH1":
//
//	units per em, ascent, descent, grid  4 × uint16 (ascent, descent ≥ 0)
//	count                                 uint32
//	index                                 count × (rune uint32, offset uint32), runes ascending
//	glyphs                                each: advance, segment count (uvarint);
//	                                      ops, 2 bits each (move, line, quad, cube), packed 4 to a byte;
//	                                      points as zigzag-varint deltas (x then y, y down) in grid units
//
// Coordinates are quantised to grid font units (2 for 1000 units per em:
// a 500th of a character, invisible at inscription sizes).
type GlyphSet struct {
	upem, ascent, descent, grid int
	runes                       []rune
	offsets                     []uint32
	data                        []byte
}

const glyphMagic = "MBGLYPH1"

// Limits on a glyph file, so a damaged one cannot ask for huge buffers.
const (
	maxGlyphFile     = 64 << 20
	maxGlyphSegments = 1 << 16
)

// BuildGlyphSet extracts the outlines of runes from an sfnt font (TrueType
// or OpenType, e.g. from DecodeWOFF), quantised to grid font units. Runes
// the font lacks are skipped and returned as missing.
func BuildGlyphSet(font []byte, runes []rune, grid int) (file []byte, missing []rune, err error) {
	f, err := sfnt.Parse(font)
	if err != nil {
		return nil, nil, fmt.Errorf("glyph: glyph set: %w", err)
	}
	if grid < 1 || grid > 64 {
		return nil, nil, fmt.Errorf("glyph: glyph set: grid %d outside 1..64", grid)
	}
	var buf sfnt.Buffer
	upem := int(f.UnitsPerEm())
	ppem := fixed.I(upem)
	m, err := f.Metrics(&buf, ppem, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("glyph: glyph set: metrics: %w", err)
	}
	runes = slices.Clone(runes)
	slices.Sort(runes)
	runes = slices.Compact(runes)
	q := func(v fixed.Int26_6) int64 { return int64(math.Round(float64(v) / 64 / float64(grid))) }
	var kept []rune
	var offsets []uint32
	var data []byte
	for _, r := range runes {
		gi, err := f.GlyphIndex(&buf, r)
		if err != nil || gi == 0 {
			missing = append(missing, r)
			continue
		}
		segs, err := f.LoadGlyph(&buf, gi, ppem, nil)
		if err != nil {
			missing = append(missing, r)
			continue
		}
		adv, err := f.GlyphAdvance(&buf, gi, ppem, 0)
		if err != nil {
			missing = append(missing, r)
			continue
		}
		kept = append(kept, r)
		offsets = append(offsets, uint32(len(data)))
		data = binary.AppendUvarint(data, uint64(max(0, q(adv))))
		data = binary.AppendUvarint(data, uint64(len(segs)))
		ops := make([]byte, (len(segs)+3)/4)
		for i, s := range segs {
			ops[i/4] |= byte(s.Op&3) << (2 * (i % 4))
		}
		data = append(data, ops...)
		var px, py int64
		for _, s := range segs {
			for _, a := range s.Args[:segArgs(s.Op)] {
				x, y := q(a.X), q(a.Y)
				data = binary.AppendVarint(data, x-px)
				data = binary.AppendVarint(data, y-py)
				px, py = x, y
			}
		}
	}
	var out bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&out, gzip.BestCompression)
	hdr := []byte(glyphMagic)
	for _, v := range []int{upem, int(m.Ascent / 64), int(m.Descent / 64), grid} {
		hdr = binary.BigEndian.AppendUint16(hdr, uint16(v))
	}
	hdr = binary.BigEndian.AppendUint32(hdr, uint32(len(kept)))
	for i, r := range kept {
		hdr = binary.BigEndian.AppendUint32(hdr, uint32(r))
		hdr = binary.BigEndian.AppendUint32(hdr, offsets[i])
	}
	zw.Write(hdr)
	zw.Write(data)
	if err := zw.Close(); err != nil {
		return nil, nil, err
	}
	return out.Bytes(), missing, nil
}

// segArgs is the number of points a segment op carries.
func segArgs(op sfnt.SegmentOp) int {
	switch op {
	case sfnt.SegmentOpQuadTo:
		return 2
	case sfnt.SegmentOpCubeTo:
		return 3
	}
	return 1
}

// ParseGlyphSet reads a file written by BuildGlyphSet. The index is
// checked whole; each glyph's outline is checked when it is drawn.
func ParseGlyphSet(file []byte) (*GlyphSet, error) {
	zr, err := gzip.NewReader(bytes.NewReader(file))
	if err != nil {
		return nil, fmt.Errorf("glyph: glyph set: %w", err)
	}
	b, err := io.ReadAll(io.LimitReader(zr, maxGlyphFile+1))
	if err != nil {
		return nil, fmt.Errorf("glyph: glyph set: %w", err)
	}
	if len(b) > maxGlyphFile {
		return nil, errors.New("glyph: glyph set: larger than 64 MiB")
	}
	const head = len(glyphMagic) + 12
	if len(b) < head || string(b[:len(glyphMagic)]) != glyphMagic {
		return nil, errors.New("glyph: glyph set: not a Miaobi glyph file")
	}
	u16 := func(i int) int { return int(binary.BigEndian.Uint16(b[len(glyphMagic)+2*i:])) }
	g := &GlyphSet{upem: u16(0), ascent: u16(1), descent: u16(2), grid: u16(3)}
	n := int(binary.BigEndian.Uint32(b[len(glyphMagic)+8:]))
	if g.upem == 0 || g.grid == 0 || g.ascent+g.descent == 0 {
		return nil, errors.New("glyph: glyph set: zero metrics")
	}
	if n > (len(b)-head)/8 {
		return nil, fmt.Errorf("glyph: glyph set: index of %d glyphs does not fit", n)
	}
	g.runes = make([]rune, n)
	g.offsets = make([]uint32, n)
	g.data = b[head+8*n:]
	for i := range n {
		e := b[head+8*i:]
		g.runes[i] = rune(binary.BigEndian.Uint32(e))
		g.offsets[i] = binary.BigEndian.Uint32(e[4:])
		if i > 0 && (g.runes[i] <= g.runes[i-1] || g.offsets[i] < g.offsets[i-1]) {
			return nil, errors.New("glyph: glyph set: index out of order")
		}
		if int(g.offsets[i]) > len(g.data) {
			return nil, errors.New("glyph: glyph set: glyph offset past the end")
		}
	}
	return g, nil
}

// Len is the number of characters in the set.
func (g *GlyphSet) Len() int { return len(g.runes) }

// Has reports whether the set holds r.
func (g *GlyphSet) Has(r rune) bool {
	_, ok := slices.BinarySearch(g.runes, r)
	return ok
}

// segments returns r's outline scaled to size pixels per em, in 26.6
// units with y down from the baseline, and the baseline's distance below
// the em box's top as a fraction of size.
func (g *GlyphSet) segments(r rune, size int) (sfnt.Segments, float64, bool) {
	i := sort.Search(len(g.runes), func(i int) bool { return g.runes[i] >= r })
	if i == len(g.runes) || g.runes[i] != r {
		return nil, 0, false
	}
	d := g.data[g.offsets[i]:]
	next := func() (int64, bool) {
		v, n := binary.Varint(d)
		if n <= 0 {
			return 0, false
		}
		d = d[n:]
		return v, true
	}
	if _, n := binary.Uvarint(d); n <= 0 { // advance: unused when drawing
		return nil, 0, false
	} else {
		d = d[n:]
	}
	count, n := binary.Uvarint(d)
	if n <= 0 || count > maxGlyphSegments || uint64(len(d)-n) < (count+3)/4 {
		return nil, 0, false
	}
	d = d[n:]
	ops := d[:(count+3)/4]
	d = d[(count+3)/4:]
	scale := float64(size) / float64(g.upem) * float64(g.grid) * 64
	segs := make(sfnt.Segments, count)
	var x, y int64
	for i := range segs {
		op := sfnt.SegmentOp(ops[i/4] >> (2 * (i % 4)) & 3)
		segs[i].Op = op
		for k := range segArgs(op) {
			dx, ok1 := next()
			dy, ok2 := next()
			if !ok1 || !ok2 {
				return nil, 0, false
			}
			x, y = x+dx, y+dy
			segs[i].Args[k] = fixed.Point26_6{X: fixed.Int26_6(float64(x) * scale), Y: fixed.Int26_6(float64(y) * scale)}
		}
	}
	return segs, float64(g.ascent) / float64(g.ascent+g.descent), true
}
