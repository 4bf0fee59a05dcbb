package train

import (
	"math"
	"slices"
	"sort"
	"strings"

	"miaobi/corpus"
	"miaobi/poem"
	"miaobi/prosody"
)

// Counting the imagery map (poem.Imagery) over the training split.

// ImageryConfig bounds what training keeps.
type ImageryConfig struct {
	Chars    int // the most frequent characters considered (default 6000)
	Keep     int // links kept per character (default 24)
	MinCount int // fewest co-occurrences for a link (default 8)
}

func (c *ImageryConfig) defaults() {
	if c.Chars == 0 {
		c.Chars = 6000
	}
	if c.Keep == 0 {
		c.Keep = 24
	}
	if c.MinCount == 0 {
		c.MinCount = 8
	}
}

// Chars is how many characters the counter tracks.
func (c *ImageryCounter) Chars() int { return len(c.runes) }

// ImageryCounter accumulates co-occurrences from corpus poems.
type ImageryCounter struct {
	cfg   ImageryConfig
	index map[rune]int
	runes []rune
	// body: couplet co-occurrence (symmetric, upper triangle used);
	// title×body; pairs: facing characters in parallel couplets.
	body, title, pair []uint32
	bodyDF, titleDF   []uint32
	pairDF            []uint32
	couplets, titles  int
	pairN             int
	usage             map[rune]poem.Usage
	book              *prosody.Book
	groups            map[rune]map[int]uint32
}

// NewImageryCounter prepares counting over the given characters, most
// frequent first (only the first cfg.Chars are used).
func NewImageryCounter(chars []rune, cfg ImageryConfig) *ImageryCounter {
	cfg.defaults()
	if len(chars) > cfg.Chars {
		chars = chars[:cfg.Chars]
	}
	n := len(chars)
	c := &ImageryCounter{cfg: cfg, index: map[rune]int{}, runes: chars,
		body: make([]uint32, n*n), title: make([]uint32, n*n), pair: make([]uint32, n*n),
		bodyDF: make([]uint32, n), titleDF: make([]uint32, n), pairDF: make([]uint32, n), usage: map[rune]poem.Usage{}, groups: map[rune]map[int]uint32{}}
	c.book, _ = prosody.LoadBook("pingshui")
	for i, r := range chars {
		c.index[r] = i
	}
	return c
}

func (c *ImageryCounter) ids(dst []int, s string) []int {
	dst = dst[:0]
	for _, r := range s {
		if i, ok := c.index[r]; ok {
			dup := false
			for _, x := range dst {
				dup = dup || x == i
			}
			if !dup {
				dst = append(dst, i)
			}
		}
	}
	return dst
}

// Add counts one poem.
func (c *ImageryCounter) Add(p *corpus.Poem) {
	n := len(c.runes)
	c.addRhymes(p)
	for i, l := range p.Lines {
		rs := []rune(l)
		if i < len(p.Strains) {
			st := []rune(p.Strains[i])
			for j, r := range rs {
				if j < len(st) && (st[j] == '平' || st[j] == '仄') {
					u := c.usage[r]
					if st[j] == '平' {
						u.Ping++
					} else {
						u.Ze++
					}
					c.usage[r] = u
				}
			}
		}
		if i%2 == 1 && len(rs) > 0 && (p.Form == "五绝" || p.Form == "七绝" || p.Form == "五律" || p.Form == "七律") {
			u := c.usage[rs[len(rs)-1]]
			u.RhymeEnd++
			c.usage[rs[len(rs)-1]] = u
		}
	}
	var set, tset []int
	var body strings.Builder
	for i := 0; i+1 < len(p.Lines) || i == 0 && len(p.Lines) == 1; i += 2 {
		s := p.Lines[i]
		if i+1 < len(p.Lines) {
			s += p.Lines[i+1]
		}
		body.WriteString(s)
		set = c.ids(set, s)
		c.couplets++
		for x, a := range set {
			c.bodyDF[a]++
			for _, b := range set[x+1:] {
				c.body[a*n+b]++
				c.body[b*n+a]++
			}
		}
	}
	tset = c.ids(tset, p.Title)
	if len(tset) > 0 {
		c.titles++
		set = c.ids(set, body.String())
		for _, t := range tset {
			c.titleDF[t]++
			for _, b := range set {
				if b != t {
					c.title[t*n+b]++
				}
			}
		}
	}
	if p.Form == "五律" || p.Form == "七律" {
		for _, k := range []int{2, 4} {
			a, b := []rune(p.Lines[k]), []rune(p.Lines[k+1])
			for j := range a {
				x, ok1 := c.index[a[j]]
				y, ok2 := c.index[b[j]]
				if ok1 && ok2 && x != y {
					c.pair[x*n+y]++
					c.pair[y*n+x]++
					c.pairDF[x]++
					c.pairDF[y]++
					c.pairN += 2
				}
			}
		}
	}
}

// pingGroups lists the level-tone groups of r.
func (c *ImageryCounter) pingGroups(r rune) []int {
	var gs []int
	for _, x := range c.book.Readings(r) {
		if x.Tone == prosody.Ping && !slices.Contains(gs, x.Group) {
			gs = append(gs, x.Group)
		}
	}
	return gs
}

// addRhymes credits the rhyme group of a regulated poem, read from its
// unambiguous rhyme words, to its ambiguous ones.
func (c *ImageryCounter) addRhymes(p *corpus.Poem) {
	if c.book == nil || !poem.HeldOutForms[p.Form] {
		return
	}
	votes := map[int]int{}
	var ends []rune
	for i := 1; i < len(p.Lines); i += 2 {
		rs := []rune(p.Lines[i])
		if len(rs) == 0 {
			return
		}
		r := rs[len(rs)-1]
		ends = append(ends, r)
		if gs := c.pingGroups(r); len(gs) == 1 {
			votes[gs[0]]++
		}
	}
	best, bestN := -1, 0
	for g, n := range votes {
		if n > bestN || n == bestN && g < best {
			best, bestN = g, n
		}
	}
	if bestN < 2 {
		return
	}
	for _, r := range ends {
		if gs := c.pingGroups(r); len(gs) > 1 && slices.Contains(gs, best) {
			if c.groups[r] == nil {
				c.groups[r] = map[int]uint32{}
			}
			c.groups[r][best]++
		}
	}
}

// poem.Imagery turns the counts into the kept links.
func (c *ImageryCounter) Imagery() *poem.Imagery {
	n := len(c.runes)
	im := &poem.Imagery{Related: map[rune][]poem.Rel{}, Pairs: map[rune][]poem.Rel{}, Usage: c.usage, RhymeGroups: c.groups}
	minC := uint32(c.cfg.MinCount)
	npmi := func(cab, ca, cb uint32, total int) float32 {
		N := float64(total)
		pab := float64(cab) / N
		v := math.Log(pab/(float64(ca)/N*float64(cb)/N)) / -math.Log(pab)
		return float32(v)
	}
	var rels []poem.Rel
	for a := 0; a < n; a++ {
		rels = rels[:0]
		best := map[int]float32{}
		for b := 0; b < n; b++ {
			if x := c.body[a*n+b]; x >= minC && c.bodyDF[a] > 0 {
				if v := npmi(x, c.bodyDF[a], c.bodyDF[b], c.couplets); v > 0.05 {
					best[b] = v
				}
			}
			if x := c.title[a*n+b]; x >= minC && c.titleDF[a] > 0 {
				if v := npmi(x, c.titleDF[a], c.bodyDF[b], c.titles); v > 0.05 && v > best[b] {
					best[b] = v
				}
			}
		}
		for b, v := range best {
			rels = append(rels, poem.Rel{R: c.runes[b], Score: v})
		}
		if len(rels) > 0 {
			im.Related[c.runes[a]] = topRels(rels, c.cfg.Keep)
		}
		rels = rels[:0]
		for b := 0; b < n; b++ {
			if x := c.pair[a*n+b]; x >= 3 {
				pmi := math.Log(float64(x) * float64(c.pairN) / (float64(c.pairDF[a]) * float64(c.pairDF[b])))
				if pmi > 0 {
					rels = append(rels, poem.Rel{R: c.runes[b], Score: float32(pmi)})
				}
			}
		}
		if len(rels) > 0 {
			im.Pairs[c.runes[a]] = topRels(rels, c.cfg.Keep)
		}
	}
	return im
}

func topRels(rels []poem.Rel, k int) []poem.Rel {
	sort.Slice(rels, func(i, j int) bool {
		if rels[i].Score != rels[j].Score {
			return rels[i].Score > rels[j].Score
		}
		return rels[i].R < rels[j].R
	})
	if len(rels) > k {
		rels = rels[:k]
	}
	return append([]poem.Rel(nil), rels...)
}
