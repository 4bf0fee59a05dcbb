package judge

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"iter"
	"os"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"miaobi/corpus"
)

// Building the index: reading the corpus records and laying out the
// arena, the per-poem line tables and the inverted lists.

// LoadRefs reads the corpus at path (see corpus.Read) into an index. A
// missing file gives an error wrapping corpus.ErrNoCorpus.
func LoadRefs(path string) (*Refs, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("judge: %s: %w", path, corpus.ErrNoCorpus)
	}
	if err != nil {
		return nil, fmt.Errorf("judge: %w", err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(bufio.NewReaderSize(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("judge: %s: not a corpus file (%w); rebuild it with 'miaobi corpus fetch'", path, err)
	}
	b := newRefsBuilder()
	var rec rawPoem
	n := 0
	err = eachLine(zr, func(line []byte) error {
		if len(bytes.TrimSpace(line)) == 0 {
			return nil
		}
		n++
		if parseRecord(line, &rec) == nil {
			b.add(&rec)
			return nil
		}
		// Whatever the fast parser leaves, encoding/json decides, as in corpus.Read.
		dec := json.NewDecoder(bytes.NewReader(line))
		for {
			var p corpus.Poem
			if err := dec.Decode(&p); err == io.EOF {
				return nil
			} else if err != nil {
				return &recordError{fmt.Errorf("judge: %s: record %d: %w; rebuild it with 'miaobi corpus fetch'", path, n, err)}
			}
			b.addPoem(&p)
		}
	})
	if err != nil {
		if !errors.As(err, new(*recordError)) {
			err = fmt.Errorf("judge: %s: %w; rebuild it with 'miaobi corpus fetch'", path, err)
		}
		return nil, err
	}
	return b.finish(), nil
}

// recordError is a record that does not decode.
type recordError struct{ error }

func (e *recordError) Unwrap() error { return e.error }

// NewRefs indexes the poems seq yields (nil ones are skipped), in order.
func NewRefs(seq iter.Seq[*corpus.Poem]) *Refs {
	b := newRefsBuilder()
	if seq != nil {
		for p := range seq {
			if p != nil {
				b.addPoem(p)
			}
		}
	}
	return b.finish()
}

// eachLine calls fn with each line of r (without its newline). A second
// goroutine decompresses ahead; fn must not keep the slice.
func eachLine(r io.Reader, fn func([]byte) error) error {
	const chunkSize = 1 << 20
	type chunk struct {
		buf []byte
		err error
	}
	chunks := make(chan chunk, 4)
	free := make(chan []byte, 8)
	done := make(chan struct{})
	go func() {
		defer close(chunks)
		send := func(c chunk) bool {
			select {
			case chunks <- c:
				return true
			case <-done:
				return false
			}
		}
		buf := make([]byte, chunkSize)
		n := 0
		for {
			var err error
			for n < len(buf) && err == nil {
				var m int
				m, err = r.Read(buf[n:])
				n += m
			}
			eof := err == io.EOF
			if err != nil && !eof {
				send(chunk{err: err})
				return
			}
			if eof {
				if n > 0 {
					send(chunk{buf: buf[:n]})
				}
				return
			}
			cut := bytes.LastIndexByte(buf[:n], '\n') + 1
			if cut == 0 { // one line fills the buffer: make room
				buf = slices.Grow(buf[:n], len(buf))
				buf = buf[:cap(buf)]
				continue
			}
			var next []byte
			select {
			case next = <-free:
			default:
			}
			rest := n - cut
			if cap(next) < max(chunkSize, 2*rest) {
				next = make([]byte, max(chunkSize, 2*rest))
			}
			next = next[:cap(next)]
			copy(next, buf[cut:n])
			if !send(chunk{buf: buf[:cut]}) {
				return
			}
			buf, n = next, rest
		}
	}()
	stop := func(err error) error {
		close(done)
		for range chunks { // let the reader finish before the caller closes its file
		}
		return err
	}
	for c := range chunks {
		if c.err != nil {
			return stop(c.err)
		}
		data := c.buf
		for len(data) > 0 {
			line := data
			if i := bytes.IndexByte(data, '\n'); i >= 0 {
				line, data = data[:i], data[i+1:]
			} else {
				data = nil
			}
			if err := fn(line); err != nil {
				return stop(err)
			}
		}
		select {
		case free <- c.buf[:cap(c.buf)]:
		default:
		}
	}
	return nil
}

// ---- building ----

// rawPoem is the part of a corpus record the index keeps, as UTF-8 bytes.
type rawPoem struct {
	id, dynasty, title, author, form, puncts []byte
	lines                                    [][]byte
}

type refsBuilder struct {
	r     *Refs
	meta  strings.Builder
	names map[string]uint32
	full  bool
}

func newRefsBuilder() *refsBuilder {
	r := &Refs{
		codeBMP:    make([]uint16, 0x10000),
		codeAstral: map[rune]uint16{},
		runes:      []rune{0, utf8.RuneError},
		han:        []bool{false, false},
		lineStart:  []uint32{0},
		poemLine:   []uint32{0},
		metaOff:    []uint32{0},
	}
	r.codeBMP[utf8.RuneError] = codeBad
	return &refsBuilder{r: r, names: map[string]uint32{}}
}

// code returns the code of c, adding it to the alphabet.
func (b *refsBuilder) code(c rune) uint16 {
	r := b.r
	if c >= 0 && c < 0x10000 {
		if k := r.codeBMP[c]; k != 0 {
			return k
		}
	} else if k, ok := r.codeAstral[c]; ok {
		return k
	}
	if len(r.runes) > 0xFFFF || c < 0 || c > unicode.MaxRune {
		return codeBad
	}
	k := uint16(len(r.runes))
	r.runes = append(r.runes, c)
	r.han = append(r.han, unicode.Is(unicode.Han, c))
	if c < 0x10000 {
		r.codeBMP[c] = k
	} else {
		r.codeAstral[c] = k
	}
	return k
}

func (b *refsBuilder) name(s []byte) uint32 {
	if i, ok := b.names[string(s)]; ok {
		return i
	}
	i := uint32(len(b.r.names))
	n := string(s)
	b.names[n] = i
	b.r.names = append(b.r.names, n)
	b.r.regular = append(b.r.regular, isRegulated(n))
	return i
}

func (b *refsBuilder) addPoem(p *corpus.Poem) {
	rp := rawPoem{id: []byte(p.ID), dynasty: []byte(p.Dynasty), title: []byte(p.Title),
		author: []byte(p.Author), form: []byte(p.Form), puncts: []byte(p.Puncts)}
	for _, l := range p.Lines {
		rp.lines = append(rp.lines, []byte(l))
	}
	b.add(&rp)
}

func (b *refsBuilder) add(p *rawPoem) {
	r := b.r
	size := 0
	for _, l := range p.lines {
		size += len(l)
	}
	if b.full || r.Len() >= maxPoems || uint64(len(r.text))+uint64(size) > maxText ||
		uint64(b.meta.Len())+uint64(len(p.id))+uint64(len(p.title)) > maxText {
		b.full = true // no room left: the index keeps the poems before
		return
	}
	pu := p.puncts
	for _, l := range p.lines {
		for len(l) > 0 {
			c, n := utf8.DecodeRune(l)
			l = l[n:]
			r.text = append(r.text, b.code(c))
		}
		r.lineStart = append(r.lineStart, uint32(len(r.text)))
		var k uint16
		if len(pu) > 0 {
			c, n := utf8.DecodeRune(pu)
			pu = pu[n:]
			k = b.code(c)
		}
		r.punct = append(r.punct, k)
	}
	r.poemLine = append(r.poemLine, uint32(len(r.lineStart)-1))
	b.meta.Write(p.id)
	r.metaOff = append(r.metaOff, uint32(b.meta.Len()))
	b.meta.Write(p.title)
	r.metaOff = append(r.metaOff, uint32(b.meta.Len()))
	r.author = append(r.author, b.name(p.author))
	r.dynasty = append(r.dynasty, b.name(p.dynasty))
	r.form = append(r.form, b.name(p.form))
}

func (b *refsBuilder) finish() *Refs {
	r := b.r
	r.meta = b.meta.String()
	r.text = slices.Clone(r.text)
	r.lineStart = slices.Clone(r.lineStart)
	r.punct = slices.Clone(r.punct)
	r.author, r.dynasty, r.form = slices.Clone(r.author), slices.Clone(r.dynasty), slices.Clone(r.form)
	b.names = nil
	var wg sync.WaitGroup
	wg.Go(r.buildUnigrams)
	r.buildBigrams()
	wg.Wait()
	return r
}

// lines returns the range of corpus lines of poem p.
func (r *Refs) lines(p uint32) (uint32, uint32) { return r.poemLine[p], r.poemLine[p+1] }

func (r *Refs) line(i uint32) []uint16 { return r.text[r.lineStart[i]:r.lineStart[i+1]] }

// chars is the number of characters of poem p.
func (r *Refs) chars(p uint32) uint32 {
	l0, l1 := r.lines(p)
	return r.lineStart[l1] - r.lineStart[l0]
}

func (r *Refs) buildUnigrams() {
	nc, np := len(r.runes), r.Len()
	off := make([]uint32, nc+1)
	last := make([]uint32, nc) // poem+1 that last counted the code
	for p := range np {
		l0, l1 := r.lines(uint32(p))
		for _, c := range r.text[r.lineStart[l0]:r.lineStart[l1]] {
			if r.han[c] && last[c] != uint32(p+1) {
				last[c] = uint32(p + 1)
				off[c+1]++
			}
		}
	}
	for c := 1; c <= nc; c++ {
		off[c] += off[c-1]
	}
	post := make([]uint32, off[nc])
	pos := slices.Clone(off[:nc])
	clear(last)
	for p := range np {
		l0, l1 := r.lines(uint32(p))
		for _, c := range r.text[r.lineStart[l0]:r.lineStart[l1]] {
			if r.han[c] && last[c] != uint32(p+1) {
				last[c] = uint32(p + 1)
				post[pos[c]] = uint32(p)
				pos[c]++
			}
		}
	}
	r.uniOff, r.uniPost = off, post
}

// eachPair calls fn for each pair of adjacent Han characters inside a line.
func (r *Refs) eachPair(fn func(a, b uint16, p uint32)) {
	for p := range uint32(r.Len()) {
		l0, l1 := r.lines(p)
		for li := l0; li < l1; li++ {
			l := r.line(li)
			for i := 0; i+1 < len(l); i++ {
				if a, b := l[i], l[i+1]; r.han[a] && r.han[b] {
					fn(a, b, p)
				}
			}
		}
	}
}

func (r *Refs) buildBigrams() {
	nc := len(r.runes)
	bucket := make([]uint32, nc+1) // by first code
	r.eachPair(func(a, _ uint16, _ uint32) { bucket[a+1]++ })
	for c := 1; c <= nc; c++ {
		bucket[c] += bucket[c-1]
	}
	pairs := make([]uint64, bucket[nc]) // second<<32 | poem
	pos := slices.Clone(bucket[:nc])
	r.eachPair(func(a, b uint16, p uint32) {
		pairs[pos[a]] = uint64(b)<<32 | uint64(p)
		pos[a]++
	})
	pos = nil
	first := make([]uint32, nc+1)
	var second []uint16
	var off []uint32
	post := make([]uint32, 0, len(pairs))
	for c := range nc {
		first[c] = uint32(len(second))
		bk := pairs[bucket[c]:bucket[c+1]]
		slices.Sort(bk)
		for i, v := range bk {
			if i > 0 && v == bk[i-1] {
				continue
			}
			if s := uint16(v >> 32); i == 0 || s != uint16(bk[i-1]>>32) {
				second = append(second, s)
				off = append(off, uint32(len(post)))
			}
			post = append(post, uint32(v))
		}
	}
	first[nc] = uint32(len(second))
	off = append(off, uint32(len(post)))
	r.biFirst, r.biSecond, r.biOff, r.biPost = first, slices.Clone(second), slices.Clone(off), slices.Clone(post)
}

// ---- looking up ----
