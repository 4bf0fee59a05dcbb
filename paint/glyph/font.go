package glyph

import (
	"bytes"
	"compress/zlib"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

// The brush font: Ma Shan Zheng (OFL-1.1), the simplified-Chinese WOFF of
// npm @fontsource/ma-shan-zheng 5.3.1; licence in fonts/OFL-Ma-Shan-Zheng.txt.
//
//go:embed fonts/ma-shan-zheng.woff
var brushWOFF []byte

// The fallback: a glyph set (see GlyphSet) of LXGW WenKai Medium (OFL-1.1,
// npm @fontsource/lxgw-wenkai 5.3.0; licence in fonts/OFL-LXGW-WenKai.txt)
// covering all of GB 2312, the traditional forms of its hanzi and ASCII.
// `make fonts` rebuilds it.
//
//go:embed fonts/wenkai.glyphs
var fallbackGlyphs []byte

var brushFont = sync.OnceValues(func() (*sfnt.Font, error) {
	ttf, err := DecodeWOFF(brushWOFF)
	if err != nil {
		return nil, fmt.Errorf("glyph: brush font: %w", err)
	}
	return sfnt.Parse(ttf)
})

var fallbackFont = sync.OnceValues(func() (*GlyphSet, error) {
	g, err := ParseGlyphSet(fallbackGlyphs)
	if err != nil {
		return nil, fmt.Errorf("glyph: fallback font: %w", err)
	}
	return g, nil
})

// A writer draws characters from the brush font and, for those it lacks,
// from the fallback glyph set.
type Writer struct {
	brush    *sfnt.Font
	fallback *GlyphSet
	buf      sfnt.Buffer
	// Plain prefers the fallback's regular hand (LXGW WenKai), for labels
	// that must read clearly rather than as calligraphy.
	Plain bool
}

func NewWriter() (*Writer, error) {
	b, err := brushFont()
	if err != nil {
		return nil, err
	}
	f, err := fallbackFont()
	if err != nil {
		return nil, err
	}
	return &Writer{brush: b, fallback: f}, nil
}

// has reports whether either font can write r.
func (w *Writer) Has(r rune) bool {
	if g, err := w.brush.GlyphIndex(&w.buf, r); err == nil && g != 0 {
		return true
	}
	return w.fallback.Has(r)
}

// outline returns r's outline at size pixels per em (26.6 units, y down
// from the baseline) and the baseline's depth below the em box's top as a
// fraction of size.
func (w *Writer) outline(r rune, size int) (sfnt.Segments, float64, bool) {
	segs, asc, _, ok := w.OutlineFrom(r, size)
	return segs, asc, ok
}

// outlineFrom is outline, also saying whether the fallback supplied it.
func (w *Writer) OutlineFrom(r rune, size int) (segs sfnt.Segments, asc float64, fallback, ok bool) {
	if w.Plain && w.fallback.Has(r) {
		segs, asc, ok = w.fallback.segments(r, size)
		return segs, asc, true, ok
	}
	if gi, err := w.brush.GlyphIndex(&w.buf, r); err == nil && gi != 0 {
		ppem := fixed.I(size)
		segs, err := w.brush.LoadGlyph(&w.buf, gi, ppem, nil)
		if err != nil {
			return nil, 0, false, false
		}
		m, err := w.brush.Metrics(&w.buf, ppem, 0)
		if err != nil || m.Ascent+m.Descent <= 0 {
			return nil, 0, false, false
		}
		return segs, float64(m.Ascent) / float64(m.Ascent+m.Descent), false, true
	}
	segs, asc, ok = w.fallback.segments(r, size)
	return segs, asc, true, ok
}

// Limits on a WOFF file, so a damaged one cannot ask for huge buffers.
const (
	maxWOFFTables = 64
	maxWOFFTable  = 64 << 20
)

// DecodeWOFF turns a WOFF 1.0 font (W3C, 2012) back into the sfnt
// (TrueType or OpenType) file it wraps: each table is inflated with zlib
// when stored compressed, and the tables are laid out again after a fresh
// offset table, 4-byte aligned.
func DecodeWOFF(b []byte) ([]byte, error) {
	if len(b) < 44 || string(b[:4]) != "wOFF" {
		return nil, errors.New("not a WOFF 1.0 font")
	}
	flavor := binary.BigEndian.Uint32(b[4:])
	n := int(binary.BigEndian.Uint16(b[12:]))
	if n == 0 || n > maxWOFFTables || 44+20*n > len(b) {
		return nil, fmt.Errorf("WOFF with %d tables does not fit in %d bytes", n, len(b))
	}
	type table struct {
		tag              uint32
		data             []byte
		checksum, offset uint32
	}
	tables := make([]table, n)
	for i := range tables {
		e := b[44+20*i:]
		tag, off, clen, olen, sum := binary.BigEndian.Uint32(e), binary.BigEndian.Uint32(e[4:]), binary.BigEndian.Uint32(e[8:]), binary.BigEndian.Uint32(e[12:]), binary.BigEndian.Uint32(e[16:])
		if uint64(off)+uint64(clen) > uint64(len(b)) || olen > maxWOFFTable || clen > olen {
			return nil, fmt.Errorf("WOFF table %d lies outside the file or is too large", i)
		}
		raw := b[off : off+clen]
		data := raw
		if clen < olen {
			zr, err := zlib.NewReader(bytes.NewReader(raw))
			if err != nil {
				return nil, fmt.Errorf("WOFF table %d: %w", i, err)
			}
			data = make([]byte, olen)
			if _, err := io.ReadFull(zr, data); err != nil {
				return nil, fmt.Errorf("WOFF table %d: %w", i, err)
			}
		}
		tables[i] = table{tag: tag, data: data, checksum: sum}
	}
	sort.Slice(tables, func(i, j int) bool { return tables[i].tag < tables[j].tag })
	var out bytes.Buffer
	hdr := make([]byte, 12+16*n)
	binary.BigEndian.PutUint32(hdr, flavor)
	binary.BigEndian.PutUint16(hdr[4:], uint16(n))
	es, sr := 0, 1
	for sr*2 <= n {
		sr *= 2
		es++
	}
	binary.BigEndian.PutUint16(hdr[6:], uint16(sr*16))
	binary.BigEndian.PutUint16(hdr[8:], uint16(es))
	binary.BigEndian.PutUint16(hdr[10:], uint16(n*16-sr*16))
	off := uint32(len(hdr))
	for i, t := range tables {
		r := hdr[12+16*i:]
		binary.BigEndian.PutUint32(r, t.tag)
		binary.BigEndian.PutUint32(r[4:], t.checksum)
		binary.BigEndian.PutUint32(r[8:], off)
		binary.BigEndian.PutUint32(r[12:], uint32(len(t.data)))
		off += (uint32(len(t.data)) + 3) &^ 3
	}
	out.Write(hdr)
	for _, t := range tables {
		out.Write(t.data)
		out.Write(make([]byte, (4-len(t.data)%4)%4))
	}
	return out.Bytes(), nil
}
