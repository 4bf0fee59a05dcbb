package lm

import (
	"bufio"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand"
	"sort"

	"gonum.org/v1/gonum/mat"
)

// Topic places characters in a small space where characters that share
// poems lie close: latent semantic analysis (Deerwester et al. 1990; used to
// measure the coherence of texts by Foltz, Kintsch & Landauer 1998) of the
// positive PMI of two characters sharing a poem, with the context
// distribution smoothed (α = 0.75, Levy, Goldberg & Dagan 2015), factored by
// a randomised truncated SVD (Halko, Martinsson & Tropp 2011). A line's
// vector is the sum of its characters' vectors; a poem holds together when
// each line lies near the rest of the poem.
type Topic struct {
	Dim   int
	index map[rune]int
	vecs  []float32 // len(index) × Dim, each row of unit length
}

// TopicConfig bounds the training.
type TopicConfig struct {
	Chars int   // most frequent characters embedded (default 6000)
	Dim   int   // dimensions (default 48)
	Seed  int64 // the random projection's seed
}

// TopicCounter counts poems for a Topic.
type TopicCounter struct {
	cfg   TopicConfig
	index map[rune]int
	runes []rune
	co    []float32 // Chars × Chars co-occurrence counts
	df    []float64
	poems float64
}

// NewTopicCounter counts co-occurrences of the given characters (most
// frequent first; the first cfg.Chars are kept).
func NewTopicCounter(chars []rune, cfg TopicConfig) *TopicCounter {
	if cfg.Chars == 0 {
		cfg.Chars = 6000
	}
	if cfg.Dim == 0 {
		cfg.Dim = 48
	}
	if len(chars) > cfg.Chars {
		chars = chars[:cfg.Chars]
	}
	cfg.Chars = len(chars)
	c := &TopicCounter{cfg: cfg, index: map[rune]int{}, runes: chars, co: make([]float32, len(chars)*len(chars)), df: make([]float64, len(chars))}
	for i, r := range chars {
		c.index[r] = i
	}
	return c
}

// Add counts one poem: every pair of distinct characters in it.
func (c *TopicCounter) Add(lines []string) {
	if len(lines) > 12 {
		return // long poems wander; their pairs say little of one topic
	}
	seen := map[int]bool{}
	var ids []int
	for _, l := range lines {
		for _, r := range l {
			if i, ok := c.index[r]; ok && !seen[i] {
				seen[i] = true
				ids = append(ids, i)
			}
		}
	}
	n := c.cfg.Chars
	for x, a := range ids {
		c.df[a]++
		for _, b := range ids[x+1:] {
			c.co[a*n+b]++
			c.co[b*n+a]++
		}
	}
	c.poems++
}

// Topic factors the counts.
func (c *TopicCounter) Topic() (*Topic, error) {
	// A small corpus (a test fixture) gets fewer dimensions: at most half
	// as many as it has characters.
	n, k := c.cfg.Chars, min(c.cfg.Dim, c.cfg.Chars/2)
	if k < 1 {
		return nil, fmt.Errorf("lm: topic space: %d characters is too few for a topic space", n)
	}
	// Positive PMI with smoothed context probabilities, in place.
	var total, totalS float64
	pa := make([]float64, n)
	ps := make([]float64, n)
	for i := 0; i < n; i++ {
		var row float64
		for j := 0; j < n; j++ {
			row += float64(c.co[i*n+j])
		}
		pa[i] = row
		total += row
		ps[i] = math.Pow(row, 0.75)
		totalS += ps[i]
	}
	if total == 0 {
		return nil, errors.New("lm: topic space: no co-occurrences counted")
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			v := float64(c.co[i*n+j])
			if v == 0 || pa[i] == 0 || ps[j] == 0 {
				c.co[i*n+j] = 0
				continue
			}
			pmi := math.Log(v / total / (pa[i] / total * ps[j] / totalS))
			c.co[i*n+j] = float32(max(pmi, 0))
		}
	}
	u, s := randomizedSVD(c.co, n, k, 16, 2, c.cfg.Seed)
	t := &Topic{Dim: k, index: c.index, vecs: make([]float32, n*k)}
	for i := 0; i < n; i++ {
		row := t.vecs[i*k : (i+1)*k]
		var norm float64
		for d := 0; d < k; d++ {
			v := u[i*k+d] * math.Sqrt(s[d])
			row[d] = float32(v)
			norm += v * v
		}
		if norm > 0 {
			inv := float32(1 / math.Sqrt(norm))
			for d := range row {
				row[d] *= inv
			}
		}
	}
	return t, nil
}

// randomizedSVD returns the top k singular vectors (n × k, row-major) and
// singular values of the symmetric n × n matrix a: a random projection
// refined by power iterations, then an exact SVD of the small projected
// matrix (Halko, Martinsson & Tropp 2011, algorithms 4.4 and 5.1), with
// gonum's matrix products, QR and SVD.
func randomizedSVD(a []float32, n, k, over, iters int, seed int64) ([]float64, []float64) {
	l := min(k+over, n)
	data := make([]float64, len(a))
	for i, v := range a {
		data[i] = float64(v)
	}
	A := mat.NewDense(n, n, data)
	rng := rand.New(rand.NewSource(seed))
	omega := mat.NewDense(n, l, nil)
	for i := 0; i < n; i++ {
		for j := 0; j < l; j++ {
			omega.Set(i, j, rng.NormFloat64())
		}
	}
	var y mat.Dense
	y.Mul(A, omega)
	q := orthonormal(&y)
	for it := 0; it < iters; it++ {
		y.Mul(A, q) // A is symmetric: A Aᵀ Q = A A Q
		q = orthonormal(&y)
	}
	var b mat.Dense // B = Qᵀ A, l × n
	b.Mul(q.T(), A)
	var svd mat.SVD
	if !svd.Factorize(&b, mat.SVDThin) {
		return make([]float64, n*k), make([]float64, k)
	}
	var ub, u mat.Dense
	svd.UTo(&ub)
	u.Mul(q, &ub) // U = Q Ũ, n × l
	vals := svd.Values(nil)
	out := make([]float64, n*k)
	for i := 0; i < n; i++ {
		for d := 0; d < k; d++ {
			out[i*k+d] = u.At(i, d)
		}
	}
	return out, vals[:k]
}

// orthonormal returns an orthonormal basis of y's columns (the Q of its QR
// factorisation).
func orthonormal(y *mat.Dense) *mat.Dense {
	var qr mat.QR
	qr.Factorize(y)
	var q mat.Dense
	qr.QTo(&q)
	_, c := y.Dims()
	return mat.DenseCopyOf(q.Slice(0, q.RawMatrix().Rows, 0, c))
}

// Vec returns r's unit vector, or nil for a character not embedded.
func (t *Topic) Vec(r rune) []float32 {
	i, ok := t.index[r]
	if !ok {
		return nil
	}
	return t.vecs[i*t.Dim : (i+1)*t.Dim]
}

// Sum adds the vectors of the characters of s into dst (len Dim).
func (t *Topic) Sum(dst []float32, s []rune) {
	for _, r := range s {
		if v := t.Vec(r); v != nil {
			for d := range dst {
				dst[d] += v[d]
			}
		}
	}
}

// Cos is the cosine of two vectors (0 when either is zero).
func Cos(a, b []float32) float64 {
	var dot, na, nb float64
	for i := range a {
		dot += float64(a[i]) * float64(b[i])
		na += float64(a[i]) * float64(a[i])
		nb += float64(b[i]) * float64(b[i])
	}
	if na == 0 || nb == 0 {
		return 0
	}
	return dot / math.Sqrt(na*nb)
}

// Coherence is the mean, over lines, of the cosine between a line's vector
// and the vector of the rest of the poem: near 1 when every line speaks of
// what the others do.
func (t *Topic) Coherence(lines [][]rune) float64 {
	if len(lines) < 2 {
		return 0
	}
	total := make([]float32, t.Dim)
	vecs := make([][]float32, len(lines))
	for i, l := range lines {
		vecs[i] = make([]float32, t.Dim)
		t.Sum(vecs[i], l)
		for d := range total {
			total[d] += vecs[i][d]
		}
	}
	rest := make([]float32, t.Dim)
	var sum float64
	for _, v := range vecs {
		for d := range rest {
			rest[d] = total[d] - v[d]
		}
		sum += Cos(v, rest)
	}
	return sum / float64(len(lines))
}

// WriteTo writes the topic space gzip-compressed: a header line, then per
// character its rune and Dim components quantised to int8 (×127).
func (t *Topic) WriteTo(w io.Writer) (int64, error) {
	zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	fmt.Fprintf(bw, "miaobi topic 1 %d %d\n", len(t.index), t.Dim)
	runes := make([]rune, len(t.index))
	for r, i := range t.index {
		runes[i] = r
	}
	buf := make([]byte, 4+t.Dim)
	for i, r := range runes {
		binary.LittleEndian.PutUint32(buf, uint32(r))
		for d := 0; d < t.Dim; d++ {
			buf[4+d] = byte(int8(math.Round(float64(t.vecs[i*t.Dim+d]) * 127)))
		}
		bw.Write(buf)
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	return 0, zw.Close()
}

// ReadTopic reads what WriteTo wrote.
func ReadTopic(r io.Reader) (*Topic, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("lm: topic space: %w", err)
	}
	br := bufio.NewReader(zr)
	var n, dim int
	if _, err := fmt.Fscanf(br, "miaobi topic 1 %d %d\n", &n, &dim); err != nil {
		return nil, fmt.Errorf("lm: topic space: bad header: %w", err)
	}
	if n <= 0 || n > 1<<20 || dim <= 0 || dim > 1024 {
		return nil, fmt.Errorf("lm: topic space: implausible size %d × %d", n, dim)
	}
	t := &Topic{Dim: dim, index: make(map[rune]int, n), vecs: make([]float32, n*dim)}
	buf := make([]byte, 4+dim)
	for i := 0; i < n; i++ {
		if _, err := io.ReadFull(br, buf); err != nil {
			return nil, fmt.Errorf("lm: topic space: truncated at character %d: %w", i, err)
		}
		t.index[rune(binary.LittleEndian.Uint32(buf))] = i
		for d := 0; d < dim; d++ {
			t.vecs[i*dim+d] = float32(int8(buf[4+d])) / 127
		}
	}
	return t, nil
}

// Nearest returns up to k embedded characters closest to r, closest first.
func (t *Topic) Nearest(r rune, k int) []rune {
	v := t.Vec(r)
	if v == nil {
		return nil
	}
	type sc struct {
		r rune
		s float64
	}
	var best []sc
	for x, i := range t.index {
		if x == r {
			continue
		}
		s := Cos(v, t.vecs[i*t.Dim:(i+1)*t.Dim])
		best = append(best, sc{x, s})
	}
	sort.Slice(best, func(a, b int) bool { return best[a].s > best[b].s || best[a].s == best[b].s && best[a].r < best[b].r })
	var out []rune
	for i := 0; i < k && i < len(best); i++ {
		out = append(out, best[i].r)
	}
	return out
}

// Chars is how many characters have a vector.
func (t *Topic) Chars() int { return len(t.index) }
