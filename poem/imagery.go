package poem

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// Imagery is what the corpus teaches about characters as images: for each
// character, the characters that keep it company (normalised PMI of sharing
// a couplet, or of a title character and a body character), and the
// characters set against it in parallel couplets (对仗 partners, PMI of
// facing positions in the middle couplets of 律诗).
type Imagery struct {
	Related map[rune][]Rel
	Pairs   map[rune][]Rel
	// Usage counts how the corpus uses each character: as 平 or 仄 in the
	// source's own 平仄 annotations (which reading of a 多音字 poets meant),
	// and how often it closes a rhyming line of regulated verse.
	Usage map[rune]Usage
	// RhymeGroups counts, for characters with readings in more than one
	// 平水韵 level-tone group, in which group the corpus rhymes them (the
	// group of the poem's unambiguous rhyme words), by group ID.
	RhymeGroups map[rune]map[int]uint32
}

// Usage is one character's counts.
type Usage struct {
	Ping, Ze, RhymeEnd uint32
}

// Rel is a character and the strength of its link, higher is stronger.
type Rel struct {
	R     rune
	Score float32
}

// WriteTo writes the imagery as gzip-compressed text, one character per
// line: "R 月 光:612 霜:530 …" for related characters, "P" for 对仗
// partners, scores in thousandths.
func (im *Imagery) WriteTo(w io.Writer) (int64, error) {
	zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	bw.WriteString("# miaobi imagery 1\n")
	for _, sec := range []struct {
		tag string
		m   map[rune][]Rel
	}{{"R", im.Related}, {"P", im.Pairs}} {
		keys := make([]rune, 0, len(sec.m))
		for r := range sec.m {
			keys = append(keys, r)
		}
		sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
		for _, r := range keys {
			fmt.Fprintf(bw, "%s %c", sec.tag, r)
			for _, x := range sec.m[r] {
				fmt.Fprintf(bw, " %c:%d", x.R, int(math.Round(float64(x.Score)*1000)))
			}
			bw.WriteByte('\n')
		}
	}
	keys := make([]rune, 0, len(im.Usage))
	for r := range im.Usage {
		keys = append(keys, r)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, r := range keys {
		u := im.Usage[r]
		fmt.Fprintf(bw, "U %c %d %d %d\n", r, u.Ping, u.Ze, u.RhymeEnd)
	}
	keys = keys[:0]
	for r := range im.RhymeGroups {
		keys = append(keys, r)
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i] < keys[j] })
	for _, r := range keys {
		fmt.Fprintf(bw, "G %c", r)
		gs := make([]int, 0, len(im.RhymeGroups[r]))
		for g := range im.RhymeGroups[r] {
			gs = append(gs, g)
		}
		sort.Ints(gs)
		for _, g := range gs {
			fmt.Fprintf(bw, " %d:%d", g, im.RhymeGroups[r][g])
		}
		bw.WriteByte('\n')
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	return 0, zw.Close()
}

// ReadImagery reads imagery written by WriteTo.
func ReadImagery(r io.Reader) (*Imagery, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("poem: imagery: %w", err)
	}
	im := &Imagery{Related: map[rune][]Rel{}, Pairs: map[rune][]Rel{}, Usage: map[rune]Usage{}, RhymeGroups: map[rune]map[int]uint32{}}
	sc := bufio.NewScanner(zr)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for ln := 1; sc.Scan(); ln++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		f := strings.Fields(line)
		if len(f) == 5 && f[0] == "U" && len([]rune(f[1])) == 1 {
			var u [3]uint32
			for i := range u {
				v, err := strconv.ParseUint(f[2+i], 10, 32)
				if err != nil {
					return nil, fmt.Errorf("poem: imagery line %d: bad count %q", ln, f[2+i])
				}
				u[i] = uint32(v)
			}
			im.Usage[[]rune(f[1])[0]] = Usage{u[0], u[1], u[2]}
			continue
		}
		if len(f) >= 2 && f[0] == "G" && len([]rune(f[1])) == 1 {
			m := map[int]uint32{}
			for _, x := range f[2:] {
				g, n, ok := strings.Cut(x, ":")
				gi, err1 := strconv.Atoi(g)
				ni, err2 := strconv.ParseUint(n, 10, 32)
				if !ok || err1 != nil || err2 != nil || gi < 0 {
					return nil, fmt.Errorf("poem: imagery line %d: bad group count %q", ln, x)
				}
				m[gi] = uint32(ni)
			}
			im.RhymeGroups[[]rune(f[1])[0]] = m
			continue
		}
		if len(f) < 2 || (f[0] != "R" && f[0] != "P") || len([]rune(f[1])) != 1 {
			return nil, fmt.Errorf("poem: imagery line %d: want 'R|P CHAR CHAR:SCORE…'", ln)
		}
		key := []rune(f[1])[0]
		var rels []Rel
		for _, x := range f[2:] {
			c, s, ok := strings.Cut(x, ":")
			v, err := strconv.Atoi(s)
			if !ok || err != nil || len([]rune(c)) != 1 {
				return nil, fmt.Errorf("poem: imagery line %d: bad link %q", ln, x)
			}
			rels = append(rels, Rel{[]rune(c)[0], float32(v) / 1000})
		}
		if f[0] == "R" {
			im.Related[key] = rels
		} else {
			im.Pairs[key] = rels
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("poem: imagery: %w", err)
	}
	return im, nil
}
