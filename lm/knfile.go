package lm

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
)

const knMagic = "miaobi-kn\x01"

// WriteTo writes the model: vocabulary, dense unigram and one-token backoff
// arrays, then each order's keys as varint deltas and its log-probabilities
// and backoffs quantised to 8 bits with a 256-entry codebook per column
// (the loss this costs is measured in the manifest's perplexity).
func (m *KN) WriteTo(w io.Writer) (int64, error) {
	cw := &countWriter{w: bufio.NewWriterSize(w, 1<<20)}
	cw.Write([]byte(knMagic))
	cw.uvarint(uint64(m.order))
	m.vocab.WriteTo(cw)
	for _, d := range m.Discounts {
		for _, x := range d {
			cw.f32(float32(x))
		}
	}
	for _, x := range m.uni {
		cw.f32(x)
	}
	for _, x := range m.ctx1 {
		cw.f32(x)
	}
	for _, t := range m.tables {
		cw.uvarint(uint64(len(t.keys)))
		var prev uint64
		for _, k := range t.keys {
			cw.uvarint(k - prev)
			prev = k
		}
		cw.quantized(t.logp)
		if t.bow != nil {
			cw.quantized(t.bow)
		}
	}
	if cw.err == nil {
		cw.err = cw.w.(*bufio.Writer).Flush()
	}
	return cw.n, cw.err
}

// ReadKN reads a model written by WriteTo.
func ReadKN(r io.Reader) (*KN, error) {
	br := bufio.NewReaderSize(r, 1<<20)
	magic := make([]byte, len(knMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != knMagic {
		return nil, errors.New("lm: not a Miaobi Kneser–Ney model (bad header); retrain it with 'miaobi train poem'")
	}
	fail := func(what string, err error) (*KN, error) {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("lm: model file: %s: %w", what, err)
	}
	order, err := binary.ReadUvarint(br)
	if err != nil || order < 2 || order > 4 {
		return fail("order", errors.Join(err, errors.New("out of range")))
	}
	v, err := ReadVocab(br)
	if err != nil {
		return nil, err
	}
	m := &KN{vocab: v, order: int(order), Discounts: make([][3]float64, order)}
	for i := range m.Discounts {
		for j := range m.Discounts[i] {
			x, err := readF32(br)
			if err != nil {
				return fail("discounts", err)
			}
			m.Discounts[i][j] = float64(x)
		}
	}
	V := v.Size()
	if m.uni, err = readF32s(br, V); err != nil {
		return fail("unigrams", err)
	}
	if m.ctx1, err = readF32s(br, V); err != nil {
		return fail("backoffs", err)
	}
	m.tables = make([]knTable, order-1)
	for n := 2; n <= int(order); n++ {
		cnt, err := binary.ReadUvarint(br)
		if err != nil || cnt > 1<<28 {
			return fail(fmt.Sprintf("order %d size", n), errors.Join(err, errors.New("too large")))
		}
		t := knTable{keys: make([]uint64, cnt)}
		var prev uint64
		for i := range t.keys {
			d, err := binary.ReadUvarint(br)
			if err != nil {
				return fail(fmt.Sprintf("order %d keys", n), err)
			}
			prev += d
			if (i > 0 && d == 0) || prev>>(tokBits*n) != 0 || int(prev&lowMask(1)) >= V {
				return fail(fmt.Sprintf("order %d keys", n), errors.New("not sorted or out of range"))
			}
			t.keys[i] = prev
		}
		if t.logp, err = readQuantized(br, int(cnt)); err != nil {
			return fail(fmt.Sprintf("order %d probabilities", n), err)
		}
		if n < int(order) {
			if t.bow, err = readQuantized(br, int(cnt)); err != nil {
				return fail(fmt.Sprintf("order %d backoffs", n), err)
			}
		}
		m.tables[n-2] = t
	}
	return m, nil
}

type countWriter struct {
	w   io.Writer
	n   int64
	err error
}

func (c *countWriter) Write(p []byte) (int, error) {
	if c.err != nil {
		return 0, c.err
	}
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.err = err
	return n, err
}

func (c *countWriter) uvarint(x uint64) {
	var b [binary.MaxVarintLen64]byte
	c.Write(b[:binary.PutUvarint(b[:], x)])
}

func (c *countWriter) f32(x float32) {
	var b [4]byte
	binary.LittleEndian.PutUint32(b[:], math.Float32bits(x))
	c.Write(b[:])
}

// quantized writes a 256-entry codebook (the means of 256 equal-count
// slices of the sorted values) and one code byte per value.
func (c *countWriter) quantized(xs []float32) {
	book := codebook(xs)
	for _, x := range book {
		c.f32(x)
	}
	codes := make([]byte, len(xs))
	for i, x := range xs {
		codes[i] = nearest(book, x)
	}
	c.Write(codes)
}

func codebook(xs []float32) []float32 {
	s := slices.Clone(xs)
	slices.Sort(s)
	book := make([]float32, 256)
	if len(s) == 0 {
		return book
	}
	for i := range book {
		lo, hi := i*len(s)/256, (i+1)*len(s)/256
		if hi <= lo {
			book[i] = s[min(lo, len(s)-1)]
			continue
		}
		var sum float64
		for _, x := range s[lo:hi] {
			sum += float64(x)
		}
		book[i] = float32(sum / float64(hi-lo))
	}
	return book
}

func nearest(book []float32, x float32) byte {
	i := sort.Search(len(book), func(i int) bool { return book[i] >= x })
	switch {
	case i == 0:
		return 0
	case i == len(book):
		return byte(len(book) - 1)
	case x-book[i-1] <= book[i]-x:
		return byte(i - 1)
	}
	return byte(i)
}

func readF32(r io.Reader) (float32, error) {
	var b [4]byte
	if _, err := io.ReadFull(r, b[:]); err != nil {
		return 0, err
	}
	x := math.Float32frombits(binary.LittleEndian.Uint32(b[:]))
	if math.IsNaN(float64(x)) {
		return 0, errors.New("NaN")
	}
	return x, nil
}

func readF32s(r io.Reader, n int) ([]float32, error) {
	out := make([]float32, n)
	for i := range out {
		x, err := readF32(r)
		if err != nil {
			return nil, err
		}
		out[i] = x
	}
	return out, nil
}

func readQuantized(r io.Reader, n int) ([]float32, error) {
	book, err := readF32s(r, 256)
	if err != nil {
		return nil, err
	}
	codes := make([]byte, n)
	if _, err := io.ReadFull(r, codes); err != nil {
		return nil, err
	}
	out := make([]float32, n)
	for i, c := range codes {
		out[i] = book[c]
	}
	return out, nil
}
