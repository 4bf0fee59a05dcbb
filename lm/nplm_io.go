package lm

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
)

// Reading and writing an NPLM: the binary format WriteTo writes and
// ReadNPLM checks, field by field, against the limits of NPLMConfig.

const nplmMagic = "miaobi-nplm\x01"

// WriteTo writes the model: a header, the shape (context, embedding,
// hidden and class sizes as varints), the vocabulary, each token's class
// plus one (0 for BOS) as varints, then the weights as little-endian
// float32: embeddings, hidden weights and biases, class weights and biases,
// word weights and biases (words in output-row order: class by class,
// tokens in order within a class).
func (m *NPLM) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriterSize(w, 1<<16)
	var n int64
	var err error
	put := func(p []byte) {
		if err == nil {
			var k int
			k, err = bw.Write(p)
			n += int64(k)
		}
	}
	var tmp []byte
	put([]byte(nplmMagic))
	for _, x := range []int{m.ctx, m.dim, m.hid, m.nclass} {
		tmp = binary.AppendUvarint(tmp[:0], uint64(x))
		put(tmp)
	}
	if err == nil {
		var k int64
		k, err = m.vocab.WriteTo(bw)
		n += k
	}
	tmp = tmp[:0]
	for _, c := range m.class {
		tmp = binary.AppendUvarint(tmp, uint64(c+1))
	}
	put(tmp)
	for _, xs := range [][]float32{m.emb, m.w, m.b, m.cw, m.cb, m.ow, m.ob} {
		for len(xs) > 0 {
			k := min(len(xs), 1<<12)
			tmp = tmp[:0]
			for _, x := range xs[:k] {
				tmp = binary.LittleEndian.AppendUint32(tmp, math.Float32bits(x))
			}
			put(tmp)
			xs = xs[k:]
		}
	}
	if err == nil {
		err = bw.Flush()
	}
	if err != nil {
		return n, fmt.Errorf("lm: writing a neural model: %w", err)
	}
	return n, nil
}

// ReadNPLM reads a model written by WriteTo. It checks the shape, the
// classes and that every weight is finite; it may read past the model's
// end (it buffers its input).
func ReadNPLM(r io.Reader) (*NPLM, error) {
	br := bufio.NewReader(r)
	fail := func(what string, err error) (*NPLM, error) {
		if errors.Is(err, io.EOF) {
			err = io.ErrUnexpectedEOF
		}
		return nil, fmt.Errorf("lm: neural model file: %s: %w", what, err)
	}
	magic := make([]byte, len(nplmMagic))
	if _, err := io.ReadFull(br, magic); err != nil || string(magic) != nplmMagic {
		return nil, errors.New("lm: not a Miaobi neural model (bad header)")
	}
	var shape [4]int
	limits := [4]int{nplmMaxContext, nplmMaxEmbed, nplmMaxHidden, MaxVocab}
	names := [4]string{"context size", "embedding size", "hidden size", "class count"}
	for i := range shape {
		x, err := binary.ReadUvarint(br)
		if err != nil {
			return fail(names[i], err)
		}
		if x < 1 || x > uint64(limits[i]) {
			return fail(names[i], fmt.Errorf("%d is outside 1..%d", x, limits[i]))
		}
		shape[i] = int(x)
	}
	v, err := ReadVocab(br)
	if errors.Is(err, io.EOF) {
		return fail("vocabulary", io.ErrUnexpectedEOF)
	}
	if err != nil {
		return nil, err // ReadVocab's errors say what failed
	}
	V, C := v.Size(), shape[3]
	if C > V-1 {
		return fail("class count", fmt.Errorf("%d classes for %d predictable tokens", C, V-1))
	}
	class := make([]int32, V)
	sizes := make([]int, C)
	for t := range class {
		x, err := binary.ReadUvarint(br)
		if err != nil {
			return fail("classes", err)
		}
		switch {
		case Token(t) == BOS && x != 0:
			return fail("classes", errors.New("BOS has a class"))
		case Token(t) != BOS && (x == 0 || x > uint64(C)):
			return fail("classes", fmt.Errorf("token %d has class %d of 1..%d", t, x, C))
		}
		class[t] = int32(x) - 1
		if x > 0 {
			sizes[x-1]++
		}
	}
	if i := slices.Index(sizes, 0); i >= 0 {
		return fail("classes", fmt.Errorf("class %d is empty", i+1))
	}
	K, d, H := shape[0], shape[1], shape[2]
	m := &NPLM{vocab: v, ctx: K, dim: d, hid: H, nclass: C, class: class}
	m.layout()
	for _, a := range []struct {
		what string
		dst  *[]float32
		n    int
	}{
		{"embeddings", &m.emb, V * d},
		{"hidden weights", &m.w, H * K * d},
		{"hidden biases", &m.b, H},
		{"class weights", &m.cw, C * H},
		{"class biases", &m.cb, C},
		{"word weights", &m.ow, (V - 1) * H},
		{"word biases", &m.ob, V - 1},
	} {
		if *a.dst, err = readFinite(br, a.n); err != nil {
			return fail(a.what, err)
		}
	}
	return m, nil
}

// readFinite reads n little-endian float32 values, rejecting NaN and
// infinities. It allocates as the data arrives, so a corrupted size cannot
// make it reserve much more memory than the input holds.
func readFinite(r io.Reader, n int) ([]float32, error) {
	out := make([]float32, 0, min(n, 1<<16))
	var buf [1 << 12]byte
	for len(out) < n {
		k := min(n-len(out), len(buf)/4)
		if _, err := io.ReadFull(r, buf[:4*k]); err != nil {
			return nil, err
		}
		for i := range k {
			x := math.Float32frombits(binary.LittleEndian.Uint32(buf[4*i:]))
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, fmt.Errorf("value %d is %v", len(out), x)
			}
			out = append(out, x)
		}
	}
	return out, nil
}
