package judge

import (
	"bufio"
	"bytes"
	"cmp"
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

// Refs is an in-memory index over the corpus for the studio: reference poems
// for a plan (ForKeywords) and an originality report for a written poem
// (Closest). The text lives in one arena of 16-bit character codes; poems are
// found through inverted lists of the poems holding each character and each
// pair of adjacent Han characters inside a line. A Refs is read-only once
// built, so any number of goroutines may query it at once.
type Refs struct {
	// The alphabet: rune ↔ code. Code 0 is "not in the corpus", code 1 stands
	// for U+FFFD (bad text, or runes past a full alphabet).
	codeBMP    []uint16 // rune < 0x10000 → code
	codeAstral map[rune]uint16
	runes      []rune // code → rune
	han        []bool // code → a Han character

	text      []uint16 // every corpus line's codes, line after line
	lineStart []uint32 // line i is text[lineStart[i]:lineStart[i+1]]
	punct     []uint16 // the code of the mark closing line i, 0 for none
	poemLine  []uint32 // poem p is lines poemLine[p] to poemLine[p+1]

	meta    string   // per poem its ID then its title
	metaOff []uint32 // poem p: ID meta[metaOff[2p]:metaOff[2p+1]], title up to metaOff[2p+2]
	author  []uint32 // poem → names
	dynasty []uint32
	form    []uint32
	names   []string
	regular []bool // per name: one of RegulatedForms

	uniOff   []uint32 // code c: the poems holding it are uniPost[uniOff[c]:uniOff[c+1]]
	uniPost  []uint32
	biFirst  []uint32 // first code a: its pairs are biSecond[biFirst[a]:biFirst[a+1]]
	biSecond []uint16 // second code of each pair, ascending within a first code
	biOff    []uint32 // pair i: the poems holding it are biPost[biOff[i]:biOff[i+1]]
	biPost   []uint32

	pool sync.Pool // *refScratch
}

// RefPoem is one corpus poem as the studio shows it.
type RefPoem struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Author  string   `json:"author"`
	Dynasty string   `json:"dynasty"`
	Form    string   `json:"form"`
	Lines   []string `json:"lines"`
	Puncts  string   `json:"puncts,omitempty"` // the mark closing each line, as in corpus.Poem
	// Matched holds the keywords (as given) found written out inside one line;
	// CharMatched those whose characters all occur in the poem, though not
	// together. Only ForKeywords fills them.
	Matched     []string `json:"matched,omitempty"`
	CharMatched []string `json:"char_matched,omitempty"`
}

// Span is a maximal run of two or more Han characters that a query shares
// with a corpus poem. Offsets count runes (code points), not bytes.
type Span struct {
	Text    string `json:"text"`
	Len     int    `json:"len"`      // characters
	Line    int    `json:"line"`     // line of the query
	At      int    `json:"at"`       // where the run starts in that query line
	RefLine int    `json:"ref_line"` // line of the corpus poem
	RefAt   int    `json:"ref_at"`   // where the run starts in that line
}

// Match is a corpus poem close to a query.
type Match struct {
	Poem RefPoem `json:"poem"`
	// Spans are the shared runs in query order. A run the query shares several
	// times with the poem is listed once, at its first place in the poem, and
	// a run lying inside a longer listed one of the query is left out.
	Spans []Span `json:"spans"`
	// Share is the part of the query's Han characters that the spans cover.
	Share float64 `json:"share"`
	// Score ranks the matches: every adjacent pair of query characters inside
	// a span adds the square of the longest such span's length less one, so a
	// copied run of n characters weighs (n−1)³ and outweighs scattered pairs.
	Score int `json:"score"`
}

// MaxRefs caps k in ForKeywords and Closest.
const MaxRefs = 1000

const (
	maxKeywords     = 64   // ForKeywords reads this many distinct keywords
	maxQueryBigrams = 4096 // Closest reads this many character pairs of a query
	minEval         = 2000 // Closest scores at most max(minEval, 4k) candidates exactly
	maxPoems        = 1 << 27
	maxText         = 1<<32 - 1
	codeBad         = 1 // the code of U+FFFD
)

// Len is the number of poems in the index.
func (r *Refs) Len() int {
	if r == nil || len(r.poemLine) == 0 {
		return 0
	}
	return len(r.poemLine) - 1
}

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

func (r *Refs) codeOf(c rune) uint16 {
	if c >= 0 && c < 0x10000 {
		return r.codeBMP[c]
	}
	return r.codeAstral[c]
}

// hanCode is the code of a Han character of the corpus, else 0.
func (r *Refs) hanCode(c rune) uint16 {
	if k := r.codeOf(c); r.han[k] {
		return k
	}
	return 0
}

func (r *Refs) unigram(c uint16) []uint32 {
	if int(c)+1 >= len(r.uniOff) {
		return nil
	}
	return r.uniPost[r.uniOff[c]:r.uniOff[c+1]]
}

func (r *Refs) bigram(a, b uint16) []uint32 {
	if int(a)+1 >= len(r.biFirst) {
		return nil
	}
	lo, hi := r.biFirst[a], r.biFirst[a+1]
	i, ok := slices.BinarySearch(r.biSecond[lo:hi], b)
	if !ok {
		return nil
	}
	k := int(lo) + i
	return r.biPost[r.biOff[k]:r.biOff[k+1]]
}

func (r *Refs) str(cs []uint16) string {
	var sb strings.Builder
	sb.Grow(3 * len(cs))
	for _, c := range cs {
		sb.WriteRune(r.runes[c])
	}
	return sb.String()
}

// poem renders poem p.
func (r *Refs) poem(p uint32) RefPoem {
	l0, l1 := r.lines(p)
	rp := RefPoem{
		ID:      r.meta[r.metaOff[2*p]:r.metaOff[2*p+1]],
		Title:   r.meta[r.metaOff[2*p+1]:r.metaOff[2*p+2]],
		Author:  r.names[r.author[p]],
		Dynasty: r.names[r.dynasty[p]],
		Form:    r.names[r.form[p]],
		Lines:   make([]string, 0, l1-l0),
	}
	var pu []rune
	for li := l0; li < l1; li++ {
		rp.Lines = append(rp.Lines, r.str(r.line(li)))
		if c := r.punct[li]; c != 0 {
			pu = append(pu, r.runes[c])
		}
	}
	rp.Puncts = string(pu)
	return rp
}

// refScratch is per-query state over all poems; between queries every entry
// of a, b and c is zero.
type refScratch struct {
	a, b    []uint32
	c       []uint64
	touched []uint32
}

func (r *Refs) scratch() *refScratch {
	if s, ok := r.pool.Get().(*refScratch); ok {
		return s
	}
	n := r.Len()
	return &refScratch{a: make([]uint32, n), b: make([]uint32, n), c: make([]uint64, n)}
}

func (r *Refs) release(s *refScratch) {
	for _, p := range s.touched {
		s.a[p], s.b[p], s.c[p] = 0, 0, 0
	}
	s.touched = s.touched[:0]
	r.pool.Put(s)
}

// refIntersect returns the poems in both sorted lists, into dst.
func refIntersect(dst, a, b []uint32) []uint32 {
	dst = dst[:0]
	if len(a) > len(b) {
		a, b = b, a
	}
	if len(a)*16 < len(b) {
		for _, x := range a {
			i, ok := slices.BinarySearch(b, x)
			if ok {
				dst = append(dst, x)
			}
			b = b[i:]
		}
		return dst
	}
	i, j := 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] < b[j]:
			i++
		case a[i] > b[j]:
			j++
		default:
			dst = append(dst, a[i])
			i++
			j++
		}
	}
	return dst
}

// ---- reference poems ----

type refKeyword struct {
	word  string
	segs  [][]uint16 // its runs of Han characters
	chars []uint16   // its distinct characters
}

func (r *Refs) keywords(words []string) []refKeyword {
	var kws []refKeyword
	seen := map[string]bool{}
	for _, w := range words {
		if len(kws) == maxKeywords {
			break
		}
		var kw refKeyword
		var cur []uint16
		known := true
		for _, c := range w {
			if !unicode.Is(unicode.Han, c) {
				if len(cur) > 0 {
					kw.segs = append(kw.segs, cur)
					cur = nil
				}
				continue
			}
			k := r.hanCode(c)
			if k == 0 {
				known = false
				break
			}
			cur = append(cur, k)
			if !slices.Contains(kw.chars, k) {
				kw.chars = append(kw.chars, k)
			}
		}
		if len(cur) > 0 {
			kw.segs = append(kw.segs, cur)
		}
		if !known || len(kw.segs) == 0 {
			continue
		}
		norm := fmt.Sprint(kw.segs)
		if seen[norm] {
			continue
		}
		seen[norm] = true
		kw.word = w
		kws = append(kws, kw)
	}
	return kws
}

// holds reports whether poem p holds every character of kw (full false) or
// every run of kw inside a line (full true).
func (r *Refs) holds(p uint32, kw *refKeyword, full bool) bool {
	l0, l1 := r.lines(p)
	text := r.text[r.lineStart[l0]:r.lineStart[l1]]
	if !full {
		for _, c := range kw.chars {
			if !slices.Contains(text, c) {
				return false
			}
		}
		return true
	}
next:
	for _, s := range kw.segs {
		for li := l0; li < l1; li++ {
			if indexCodes(r.line(li), s) >= 0 {
				continue next
			}
		}
		return false
	}
	return true
}

func indexCodes(l, s []uint16) int {
	for i := 0; i+len(s) <= len(l); i++ {
		if slices.Equal(l[i:i+len(s)], s) {
			return i
		}
	}
	return -1
}

// postings returns the sorted poems holding every list of ls (shortest first).
func refPostings(ls [][]uint32) []uint32 {
	if len(ls) == 0 {
		return nil
	}
	slices.SortFunc(ls, func(a, b []uint32) int { return cmp.Compare(len(a), len(b)) })
	out := ls[0]
	for _, l := range ls[1:] {
		if len(out) == 0 {
			break
		}
		out = refIntersect(nil, out, l)
	}
	return out
}

// ForKeywords returns up to k corpus poems holding the keywords, best first:
// more keywords written out inside a line, then more keywords whose
// characters all occur, then the regulated forms (五绝, 七绝, 五律, 七律), then
// shorter poems, then corpus order. Only the Han characters of a keyword
// count; one with a character the corpus lacks matches nothing. Poems that
// match no keyword are never returned. The slice is never nil.
func (r *Refs) ForKeywords(words []string, k int) []RefPoem {
	out := []RefPoem{}
	if r.Len() == 0 || k <= 0 {
		return out
	}
	k = min(k, MaxRefs)
	kws := r.keywords(words)
	if len(kws) == 0 {
		return out
	}
	s := r.scratch()
	defer r.release(s)
	for i := range kws {
		kw := &kws[i]
		var ls [][]uint32
		for _, c := range kw.chars {
			ls = append(ls, r.unigram(c))
		}
		chars := refPostings(ls)
		if len(chars) == 0 {
			continue
		}
		ls = [][]uint32{chars}
		verify := false
		for _, sg := range kw.segs {
			for j := 0; j+1 < len(sg); j++ {
				ls = append(ls, r.bigram(sg[j], sg[j+1]))
			}
			verify = verify || len(sg) > 2
		}
		full := chars
		if len(ls) > 1 {
			full = refPostings(ls)
		}
		if verify {
			kept := full[:0:0]
			for _, p := range full {
				if r.holds(p, kw, true) {
					kept = append(kept, p)
				}
			}
			full = kept
		}
		fi := 0
		for _, p := range chars {
			for fi < len(full) && full[fi] < p {
				fi++
			}
			if s.a[p] == 0 && s.b[p] == 0 {
				s.touched = append(s.touched, p)
			}
			if fi < len(full) && full[fi] == p {
				s.a[p]++
			} else {
				s.b[p]++
			}
		}
	}
	type cand struct {
		key uint64
		p   uint32
	}
	cands := make([]cand, 0, len(s.touched))
	for _, p := range s.touched {
		irregular := uint64(1)
		if r.regular[r.form[p]] {
			irregular = 0
		}
		key := uint64(0xFFFF-s.a[p])<<48 | uint64(0xFFFF-s.b[p])<<32 | irregular<<31 | uint64(min(r.chars(p), 1<<31-1))
		cands = append(cands, cand{key, p})
	}
	best := refTopK(cands, k, func(x, y cand) bool { return x.key < y.key || x.key == y.key && x.p < y.p })
	for _, c := range best {
		rp := r.poem(c.p)
		for i := range kws {
			switch {
			case r.holds(c.p, &kws[i], true):
				rp.Matched = append(rp.Matched, kws[i].word)
			case r.holds(c.p, &kws[i], false):
				rp.CharMatched = append(rp.CharMatched, kws[i].word)
			}
		}
		out = append(out, rp)
	}
	return out
}

// refTopK returns the k least of xs by less, sorted.
func refTopK[T any](xs []T, k int, less func(a, b T) bool) []T {
	cmpf := func(a, b T) int {
		if less(a, b) {
			return -1
		}
		if less(b, a) {
			return 1
		}
		return 0
	}
	if k <= 0 {
		return xs[:0]
	}
	if k >= len(xs) || k*8 >= len(xs) {
		slices.SortFunc(xs, cmpf)
		return xs[:min(k, len(xs))]
	}
	// A max-heap of the k least so far.
	h := slices.Clone(xs[:k])
	for i := len(h)/2 - 1; i >= 0; i-- {
		siftDown(h, i, less)
	}
	for _, x := range xs[k:] {
		if less(x, h[0]) {
			h[0] = x
			siftDown(h, 0, less)
		}
	}
	slices.SortFunc(h, cmpf)
	return h
}

// The heaps here keep their greatest element by less first: no element is
// less than one of its children. Equal elements are never swapped. A heap
// of n elements is built by calling siftDown for i from n/2−1 down to 0.

// siftDown moves h[i] down until it is not less than its children, given
// that its subtrees are heaps.
func siftDown[T any](h []T, i int, less func(a, b T) bool) {
	for {
		m, l, rt := i, 2*i+1, 2*i+2
		if l < len(h) && less(h[m], h[l]) {
			m = l
		}
		if rt < len(h) && less(h[m], h[rt]) {
			m = rt
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// siftDownOrdered is siftDown with less being <, for Closest's bound heap,
// the one hot heap. siftDown, too big to inline, calls less through the func
// value (a method on a type parameter is no better: it is called through the
// generics dictionary), which took 10% more instructions in Closest under
// callgrind than comparing in place.
func siftDownOrdered[T cmp.Ordered](h []T, i int) {
	for {
		m, l, rt := i, 2*i+1, 2*i+2
		if l < len(h) && h[l] > h[m] {
			m = l
		}
		if rt < len(h) && h[rt] > h[m] {
			m = rt
		}
		if m == i {
			return
		}
		h[i], h[m] = h[m], h[i]
		i = m
	}
}

// siftUp moves h[i] up until its parent is not less than it, given that h
// is a heap but for h[i].
func siftUp[T any](h []T, i int, less func(a, b T) bool) {
	for i > 0 {
		pa := (i - 1) / 2
		if !less(h[pa], h[i]) {
			return
		}
		h[pa], h[i] = h[i], h[pa]
		i = pa
	}
}

// ---- originality ----

// refQuery is a poem prepared for Closest: its pairs of adjacent Han characters
// the corpus knows, in reading order.
type refQuery struct {
	chars int      // Han characters of the query
	key   []uint32 // pair j: first<<16 | second
	adj   []bool   // pair j−1 starts one character before pair j, in the same line
	next  []uint16 // the code after pair j when pair j+1 follows it, else 0
	line  []int32  // the query line of pair j
	at    []int32  // its first character's rune offset in the line
	gpos  []int32  // its first character's position over all lines
	// An open-addressing table from a pair to its positions: the slot h
	// holding it in tkey lists ent[tlo[h]:thi[h]], ascending.
	first []uint64 // a bit per code that starts a pair
	tkey  []uint32
	tlo   []int32
	thi   []int32
	ent   []int32
}

func (r *Refs) prepare(lines []string) *refQuery {
	q := &refQuery{}
	g := int32(0)
	for li, l := range lines {
		prev, prevAt := uint16(0), int32(-1)
		at := int32(0)
		for _, c := range l {
			k := uint16(0)
			if unicode.Is(unicode.Han, c) {
				q.chars++
				k = r.hanCode(c)
			}
			if k != 0 && prev != 0 && len(q.key) < maxQueryBigrams {
				n := len(q.key)
				q.key = append(q.key, uint32(prev)<<16|uint32(k))
				q.adj = append(q.adj, n > 0 && q.line[n-1] == int32(li) && q.at[n-1] == prevAt-1)
				q.next = append(q.next, 0)
				q.line = append(q.line, int32(li))
				q.at = append(q.at, prevAt)
				q.gpos = append(q.gpos, g+prevAt)
				if q.adj[n] {
					q.next[n-1] = k
				}
			}
			prev, prevAt = k, at
			at++
		}
		g += at + 1
	}
	if len(q.key) == 0 {
		return q
	}
	q.first = make([]uint64, 1024)
	order := make([]int32, len(q.key))
	for j := range order {
		order[j] = int32(j)
	}
	slices.SortStableFunc(order, func(a, b int32) int { return cmp.Compare(q.key[a], q.key[b]) })
	size := 16
	for size < 4*len(q.key) {
		size *= 2
	}
	q.tkey, q.tlo, q.thi = make([]uint32, size), make([]int32, size), make([]int32, size)
	q.ent = order
	for i := 0; i < len(order); {
		key := q.key[order[i]]
		e := i
		for e < len(order) && q.key[order[e]] == key {
			e++
		}
		h := refHash(key) & uint32(size-1)
		for q.tkey[h] != 0 {
			h = (h + 1) & uint32(size-1)
		}
		q.tkey[h], q.tlo[h], q.thi[h] = key, int32(i), int32(e)
		a := key >> 16
		q.first[a>>6] |= 1 << (a & 63)
		i = e
	}
	return q
}

func refHash(k uint32) uint32 { return (k * 0x9E3779B1) >> 7 }

func (q *refQuery) lookup(key uint32) (int32, int32) {
	mask := uint32(len(q.tkey) - 1)
	for h := refHash(key) & mask; ; h = (h + 1) & mask {
		switch q.tkey[h] {
		case key:
			return q.tlo[h], q.thi[h]
		case 0:
			return 0, 0
		}
	}
}

// refRunState follows runs along the diagonals while one poem is scanned.
type refRunState struct {
	run, st []uint32 // per pair: the run length in pairs ending there, and the step it was set
	t       uint32
}

// scan finds every maximal run of the query's pairs in poem p and calls emit
// with the query pair j that ends it, its length in pairs, the poem line and
// the position of its last pair in that line.
func (r *Refs) scan(q *refQuery, p uint32, w *refRunState, emit func(j, n int, rl uint32, b int)) {
	l0, l1 := r.lines(p)
	for li := l0; li < l1; li++ {
		line := r.line(li)
		w.t += 2
		for b := 0; b+1 < len(line); b++ {
			w.t++
			a := line[b]
			if q.first[a>>6]&(1<<(a&63)) == 0 {
				continue
			}
			lo, hi := q.lookup(uint32(a)<<16 | uint32(line[b+1]))
			for e := hi - 1; e >= lo; e-- { // later pairs first: each reads the one before
				j := q.ent[e]
				n := uint32(1)
				if q.adj[j] && w.st[j-1] == w.t-1 {
					n = w.run[j-1] + 1
				}
				w.run[j], w.st[j] = n, w.t
				if nx := q.next[j]; nx != 0 && b+2 < len(line) && line[b+2] == nx {
					continue // the run goes on
				}
				emit(int(j), int(n), li-l0, b)
			}
		}
	}
}

type refCloseness struct {
	p       uint32
	score   uint64
	covered int
	longest int // in pairs
	chars   uint32
}

func (a refCloseness) better(b refCloseness) bool {
	switch {
	case a.score != b.score:
		return a.score > b.score
	case a.covered != b.covered:
		return a.covered > b.covered
	case a.longest != b.longest:
		return a.longest > b.longest
	case a.chars != b.chars:
		return a.chars < b.chars
	}
	return a.p < b.p
}

// Closest returns the k corpus poems sharing the most text with the poem
// given as lines, best first (by Match.Score, then Share, then the longest
// span, then shorter poems, then corpus order). Only runs of two or more Han
// characters inside a line count; anything else in a line breaks a run.
// Poems sharing no such run are never returned; the slice is never nil.
//
// Each poem holding one of the query's pairs gets an upper bound on its
// score from the pairs it holds, and poems are scored exactly in falling
// order of their bounds until no bound can beat the k-th score. The answer is
// therefore exact unless more than max(2000, 4k) poems need scoring, when it
// is the best of those. Only the first 4096 pairs of a query are read.
func (r *Refs) Closest(lines []string, k int) []Match {
	out := []Match{}
	if r.Len() == 0 || k <= 0 {
		return out
	}
	k = min(k, MaxRefs)
	q := r.prepare(lines)
	nq := len(q.key)
	if nq == 0 {
		return out
	}
	s := r.scratch()
	defer r.release(s)
	// Bounds: a run of c pairs in a row of the query that the poem holds
	// (anywhere) can add at most c³ to its score.
	for j := range nq {
		post := r.bigram(uint16(q.key[j]>>16), uint16(q.key[j]))
		for _, p := range post {
			last := s.a[p]
			if last == 0 {
				s.touched = append(s.touched, p)
			}
			c := uint64(1)
			if q.adj[j] && last == uint32(j) {
				c = uint64(s.b[p]) + 1
			}
			s.b[p] = uint32(c)
			s.c[p] += c*c*c - (c-1)*(c-1)*(c-1)
			s.a[p] = uint32(j + 1)
		}
	}
	// A max-heap of bound<<27 | (maxPoems-1-p): higher bounds, then earlier poems.
	h := make([]uint64, len(s.touched))
	for i, p := range s.touched {
		h[i] = s.c[p]<<27 | uint64(maxPoems-1-p)
	}
	for i := len(h)/2 - 1; i >= 0; i-- {
		siftDownOrdered(h, i)
	}

	w := &refRunState{run: make([]uint32, nq), st: make([]uint32, nq), t: 2}
	ell := make([]uint32, nq)   // per pair: the longest run over it, in pairs
	stamp := make([]uint32, nq) // which candidate set ell
	var evaluated []refCloseness
	kth := make([]uint64, 0, k) // a min-heap of the k best scores
	descending := func(a, b uint64) bool { return a > b }
	budget := max(minEval, 4*k)
	cand := uint32(0)
	for len(h) > 0 && len(evaluated) < budget {
		top := h[0]
		bound := top >> 27
		if len(kth) == k && bound < kth[0] {
			break
		}
		h[0] = h[len(h)-1]
		h = h[:len(h)-1]
		siftDownOrdered(h, 0)
		p := uint32(maxPoems - 1 - top&(maxPoems-1))
		cand++
		r.scan(q, p, w, func(j, n int, _ uint32, _ int) {
			for x := j - n + 1; x <= j; x++ {
				if stamp[x] != cand {
					stamp[x], ell[x] = cand, 0
				}
				ell[x] = max(ell[x], uint32(n))
			}
		})
		c := refCloseness{p: p, chars: r.chars(p)}
		lastEnd := int32(-2)
		for j := range nq {
			if stamp[j] != cand {
				continue
			}
			c.score += uint64(ell[j]) * uint64(ell[j])
			c.longest = max(c.longest, int(ell[j]))
			if g := q.gpos[j]; g > lastEnd {
				c.covered += 2
			} else {
				c.covered++
			}
			lastEnd = q.gpos[j] + 1
		}
		evaluated = append(evaluated, c)
		if len(kth) < k {
			kth = append(kth, c.score)
			siftUp(kth, len(kth)-1, descending)
		} else if c.score > kth[0] {
			kth[0] = c.score
			siftDown(kth, 0, descending)
		}
	}
	best := refTopK(evaluated, k, refCloseness.better)
	for _, c := range best {
		m := Match{Poem: r.poem(c.p), Share: float64(c.covered) / float64(q.chars), Score: int(c.score)}
		m.Spans = r.spans(q, c.p, w)
		out = append(out, m)
	}
	return out
}

// spans lists the runs poem p shares with q as Closest reports them.
func (r *Refs) spans(q *refQuery, p uint32, w *refRunState) []Span {
	type raw struct {
		line, at, n int32
		rl          uint32
		rat         int32
	}
	var rs []raw
	r.scan(q, p, w, func(j, n int, rl uint32, b int) {
		j0 := j - n + 1
		rs = append(rs, raw{q.line[j0], q.at[j0], int32(n + 1), rl, int32(b - n + 1)})
	})
	slices.SortStableFunc(rs, func(a, b raw) int {
		return cmp.Or(cmp.Compare(a.line, b.line), cmp.Compare(a.at, b.at), cmp.Compare(b.n, a.n))
	})
	l0, _ := r.lines(p)
	out := []Span{}
	line, end := int32(-1), int32(-1)
	for _, s := range rs {
		if s.line == line && s.at+s.n <= end {
			continue // the same run again, or inside a longer one
		}
		if s.line != line {
			line, end = s.line, -1
		}
		end = max(end, s.at+s.n)
		text := r.line(l0 + s.rl)[s.rat : s.rat+s.n]
		out = append(out, Span{Text: r.str(text), Len: int(s.n), Line: int(s.line), At: int(s.at), RefLine: int(s.rl), RefAt: int(s.rat)})
	}
	return out
}

// ---- the record parser ----

var errSlowPath = errors.New("judge: the record needs encoding/json")

// Keys of a corpus record: those the index keeps, then the others.
var (
	recordStrings = []string{"id", "dynasty", "title", "author", "form", "puncts", "collection", "title_t", "author_t", "tune"}
	recordArrays  = []string{"lines", "lines_t", "strains"}
)

// parseRecord reads one corpus record (a JSON object) into rec. It takes
// only the plain shape the corpus writer produces and returns errSlowPath
// for anything else (nulls, keys that differ from a known one only in case,
// escapes in keys, bad UTF-8, …); whatever it accepts, encoding/json decodes
// into a corpus.Poem with the same values.
func parseRecord(data []byte, rec *rawPoem) error {
	*rec = rawPoem{lines: rec.lines[:0]}
	i := jsonSpace(data, 0)
	if i >= len(data) || data[i] != '{' {
		return errSlowPath
	}
	i = jsonSpace(data, i+1)
	if i < len(data) && data[i] == '}' {
		i++
	} else {
		for {
			key, ni, ok := jsonString(data, i)
			if !ok || bytes.IndexByte(data[i:ni], '\\') >= 0 {
				return errSlowPath
			}
			i = jsonSpace(data, ni)
			if i >= len(data) || data[i] != ':' {
				return errSlowPath
			}
			i = jsonSpace(data, i+1)
			if f := fieldOf(rec, key); f != nil {
				v, ni, ok := jsonString(data, i)
				if !ok {
					return errSlowPath
				}
				*f, i = v, ni
			} else if slices.Contains(recordArrays, string(key)) {
				keep := string(key) == "lines"
				if keep {
					rec.lines = rec.lines[:0]
				}
				if i >= len(data) || data[i] != '[' {
					return errSlowPath
				}
				i = jsonSpace(data, i+1)
				if i < len(data) && data[i] == ']' {
					i++
				} else {
					for {
						v, ni, ok := jsonString(data, i)
						if !ok {
							return errSlowPath
						}
						if keep {
							rec.lines = append(rec.lines, v)
						}
						i = jsonSpace(data, ni)
						if i < len(data) && data[i] == ',' {
							i = jsonSpace(data, i+1)
							continue
						}
						if i < len(data) && data[i] == ']' {
							i++
							break
						}
						return errSlowPath
					}
				}
			} else {
				for _, k := range recordStrings {
					if bytes.EqualFold(key, []byte(k)) {
						return errSlowPath
					}
				}
				for _, k := range recordArrays {
					if bytes.EqualFold(key, []byte(k)) {
						return errSlowPath
					}
				}
				end, ok := jsonSkip(data, i)
				if !ok || !json.Valid(data[i:end]) {
					return errSlowPath
				}
				i = end
			}
			i = jsonSpace(data, i)
			if i < len(data) && data[i] == ',' {
				i = jsonSpace(data, i+1)
				continue
			}
			if i < len(data) && data[i] == '}' {
				i++
				break
			}
			return errSlowPath
		}
	}
	if jsonSpace(data, i) != len(data) {
		return errSlowPath
	}
	return nil
}

func fieldOf(rec *rawPoem, key []byte) *[]byte {
	switch string(key) {
	case "id":
		return &rec.id
	case "dynasty":
		return &rec.dynasty
	case "title":
		return &rec.title
	case "author":
		return &rec.author
	case "form":
		return &rec.form
	case "puncts":
		return &rec.puncts
	case "collection", "title_t", "author_t", "tune":
		return new([]byte)
	}
	return nil
}

func jsonSpace(data []byte, i int) int {
	for i < len(data) {
		switch data[i] {
		case ' ', '\t', '\n', '\r':
			i++
		default:
			return i
		}
	}
	return i
}

// jsonString reads the JSON string at data[i]: its value and the index after
// it. It refuses bad UTF-8 and lone surrogates, which encoding/json would
// replace, rather than decide them itself.
func jsonString(data []byte, i int) ([]byte, int, bool) {
	if i >= len(data) || data[i] != '"' {
		return nil, 0, false
	}
	start := i + 1
	esc := false
	j := start
	for ; j < len(data); j++ {
		c := data[j]
		if c == '"' {
			break
		}
		if c < 0x20 {
			return nil, 0, false
		}
		if c == '\\' {
			esc = true
			j++
		}
	}
	if j >= len(data) {
		return nil, 0, false
	}
	raw := data[start:j]
	if !esc {
		if !utf8.Valid(raw) {
			return nil, 0, false
		}
		return raw, j + 1, true
	}
	out := make([]byte, 0, len(raw))
	for k := 0; k < len(raw); {
		c := raw[k]
		if c != '\\' {
			out = append(out, c)
			k++
			continue
		}
		if k+1 >= len(raw) {
			return nil, 0, false
		}
		switch raw[k+1] {
		case '"', '\\', '/':
			out = append(out, raw[k+1])
		case 'b':
			out = append(out, '\b')
		case 'f':
			out = append(out, '\f')
		case 'n':
			out = append(out, '\n')
		case 'r':
			out = append(out, '\r')
		case 't':
			out = append(out, '\t')
		case 'u':
			c1, ok := jsonHex4(raw, k+2)
			if !ok {
				return nil, 0, false
			}
			k += 6
			if c1 >= 0xD800 && c1 < 0xDC00 {
				if k+1 >= len(raw) || raw[k] != '\\' || raw[k+1] != 'u' {
					return nil, 0, false
				}
				c2, ok := jsonHex4(raw, k+2)
				if !ok || c2 < 0xDC00 || c2 >= 0xE000 {
					return nil, 0, false
				}
				k += 6
				c1 = 0x10000 + (c1-0xD800)<<10 + (c2 - 0xDC00)
			} else if c1 >= 0xDC00 && c1 < 0xE000 {
				return nil, 0, false
			}
			out = utf8.AppendRune(out, c1)
			continue
		default:
			return nil, 0, false
		}
		k += 2
	}
	if !utf8.Valid(out) {
		return nil, 0, false
	}
	return out, j + 1, true
}

func jsonHex4(b []byte, i int) (rune, bool) {
	if i+4 > len(b) {
		return 0, false
	}
	var v rune
	for _, c := range b[i : i+4] {
		switch {
		case c >= '0' && c <= '9':
			v = v<<4 | rune(c-'0')
		case c >= 'a' && c <= 'f':
			v = v<<4 | rune(c-'a'+10)
		case c >= 'A' && c <= 'F':
			v = v<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return v, true
}

// jsonSkip finds the end of the JSON value at data[i], not checking it.
func jsonSkip(data []byte, i int) (int, bool) {
	if i >= len(data) {
		return 0, false
	}
	switch data[i] {
	case '"':
		_, end, ok := jsonString(data, i)
		return end, ok
	case '{', '[':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '"':
				_, end, ok := jsonString(data, j)
				if !ok {
					return 0, false
				}
				j = end - 1
			case '{', '[':
				depth++
			case '}', ']':
				depth--
				if depth == 0 {
					return j + 1, true
				}
			}
		}
		return 0, false
	}
	j := i
	for j < len(data) {
		switch data[j] {
		case ',', '}', ']', ' ', '\t', '\n', '\r':
			return j, j > i
		}
		j++
	}
	return j, j > i
}
