package poem

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"miaobi/lm"
)

// Frame is what the corpus teaches about a poem as a whole, beyond the
// next character:
//
//   - Season: how strongly each character belongs to spring, summer,
//     autumn or winter (log-ratio of its document frequency in poems whose
//     title names one season against all such poems), so a poem keeps the
//     season of its keywords and 「春色」 does not stray into an autumn poem;
//   - Role: how each character leans towards the 起, 承, 转 or 合 line of a
//     绝句 (or couplet of a 律诗), so the lines develop rather than repeat:
//     scenes open, questions and turns (何处, 不知) come third, feeling closes;
//   - Words: two-character words that poets keep inside one rhythmic unit
//     (五言 2+3, 七言 2+2+3) and almost never split across the caesura
//     (夕阳, 明月, 故乡), with the log-ratio of the two placements.
type Frame struct {
	Season map[rune][4]float32
	// SeasonWords holds the season log-ratios of two-character words that
	// belong to a season more than their characters say (寒食 is spring,
	// though neither 寒 nor 食 is), by first character then second.
	SeasonWords map[rune]map[rune][4]float32
	Role        map[rune][4]float32
	// Words maps a word's first character to its second and how strongly it
	// resists being split: ln((inside+1)/(across+1)).
	Words map[rune]map[rune]float32
}

// Seasons names the seasons in Frame.Season order.
var Seasons = []string{"春", "夏", "秋", "冬"}

// UnitBreak reports whether a rhythmic unit starts at character j of a line
// of n characters: 五言 2+3, 七言 2+2+3.
func UnitBreak(n, j int) bool {
	if n == 5 {
		return j == 2
	}
	return j == 2 || j == 4
}

// WriteTo writes the frame as gzip-compressed text: "S 月 a b c d" season
// log-ratios, "R 月 a b c d" role log-ratios, "W 夕阳 v" words, "B 寒食 a b
// c d" seasonal words, values in hundredths, keys in code-point order.
func (f *Frame) WriteTo(w io.Writer) (int64, error) {
	zw, _ := gzip.NewWriterLevel(w, gzip.BestCompression)
	bw := bufio.NewWriter(zw)
	bw.WriteString("# miaobi frame 1\n")
	for _, sec := range []struct {
		tag string
		m   map[rune][4]float32
	}{{"S", f.Season}, {"R", f.Role}} {
		for _, r := range slices.Sorted(maps.Keys(sec.m)) {
			a := sec.m[r]
			fmt.Fprintf(bw, "%s %c %d %d %d %d\n", sec.tag, r, hundredths(a[0]), hundredths(a[1]), hundredths(a[2]), hundredths(a[3]))
		}
	}
	for _, a := range slices.Sorted(maps.Keys(f.Words)) {
		for _, b := range slices.Sorted(maps.Keys(f.Words[a])) {
			fmt.Fprintf(bw, "W %c%c %d\n", a, b, hundredths(f.Words[a][b]))
		}
	}
	for _, a := range slices.Sorted(maps.Keys(f.SeasonWords)) {
		for _, b := range slices.Sorted(maps.Keys(f.SeasonWords[a])) {
			v := f.SeasonWords[a][b]
			fmt.Fprintf(bw, "B %c%c %d %d %d %d\n", a, b, hundredths(v[0]), hundredths(v[1]), hundredths(v[2]), hundredths(v[3]))
		}
	}
	if err := bw.Flush(); err != nil {
		return 0, err
	}
	return 0, zw.Close()
}

func hundredths(v float32) int { return int(math.Round(float64(v) * 100)) }

// ReadFrame reads what WriteTo wrote.
func ReadFrame(r io.Reader) (*Frame, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("poem: %s: %w", FrameFile, err)
	}
	f := &Frame{Season: map[rune][4]float32{}, SeasonWords: map[rune]map[rune][4]float32{}, Role: map[rune][4]float32{}, Words: map[rune]map[rune]float32{}}
	sc := bufio.NewScanner(zr)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		fs := strings.Fields(line)
		if len(fs) == 0 {
			continue
		}
		bad := fmt.Errorf("poem: %s line %d: malformed", FrameFile, n)
		nums := func(ss []string) ([]float32, error) {
			out := make([]float32, len(ss))
			for i, s := range ss {
				v, err := strconv.Atoi(s)
				if err != nil {
					return nil, bad
				}
				out[i] = float32(v) / 100
			}
			return out, nil
		}
		switch {
		case (fs[0] == "S" || fs[0] == "R") && len(fs) == 6 && len([]rune(fs[1])) == 1:
			v, err := nums(fs[2:])
			if err != nil {
				return nil, err
			}
			a := [4]float32{v[0], v[1], v[2], v[3]}
			if fs[0] == "S" {
				f.Season[[]rune(fs[1])[0]] = a
			} else {
				f.Role[[]rune(fs[1])[0]] = a
			}
		case fs[0] == "B" && len(fs) == 6 && len([]rune(fs[1])) == 2:
			v, err := nums(fs[2:])
			if err != nil {
				return nil, err
			}
			w := []rune(fs[1])
			m := f.SeasonWords[w[0]]
			if m == nil {
				m = map[rune][4]float32{}
				f.SeasonWords[w[0]] = m
			}
			m[w[1]] = [4]float32{v[0], v[1], v[2], v[3]}
		case fs[0] == "W" && len(fs) == 3 && len([]rune(fs[1])) == 2:
			v, err := nums(fs[2:])
			if err != nil {
				return nil, err
			}
			w := []rune(fs[1])
			m := f.Words[w[0]]
			if m == nil {
				m = map[rune]float32{}
				f.Words[w[0]] = m
			}
			m[w[1]] = v[0]
		default:
			return nil, bad
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("poem: %s: %w", FrameFile, err)
	}
	return f, nil
}

// Weights of the frame's steers in the decoder's score (nats).
const (
	seasonWeight = 0.8
	// otherSeasonName is the cost of naming another season than the
	// poem's.
	otherSeasonName = 5
	roleWeight      = 0.5
)

// seasonFor picks the season a poem keeps: one its keywords or fixed text
// name (秋风 → 秋); else the season their characters lean to clearly (落叶
// → 秋); else one drawn with the seed, so that even a poem of 高铁 and 故乡
// stays in one season.
func (e *Engine) seasonFor(keywords []Keyword, fixed [][]rune, rng interface{ Intn(int) int }) int {
	var chars []rune
	for _, k := range keywords {
		chars = append(chars, []rune(k.Text)...)
		for i, img := range k.Images {
			if i < 3 {
				chars = append(chars, []rune(img)...)
			}
		}
	}
	for _, l := range fixed {
		for _, r := range l {
			if r != 0 {
				chars = append(chars, r)
			}
		}
	}
	if season := e.Frame.SeasonOf(chars); season >= 0 {
		return season
	}
	return rng.Intn(4)
}

// SeasonOf is the season (an index into Seasons) that chars speak of: one
// named outright (春, 秋 …), else the one whose log-ratios they sum to
// clearly ahead of the next (by 0.8); −1 when none is.
func (f *Frame) SeasonOf(chars []rune) int {
	for _, r := range chars {
		for i, name := range Seasons {
			if string(r) == name {
				return i
			}
		}
	}
	if f == nil {
		return -1
	}
	var sum [4]float64
	for _, r := range chars {
		a := f.Season[r]
		for i := range sum {
			sum[i] += float64(a[i])
		}
	}
	best, second := 0, -1
	for i := 1; i < 4; i++ {
		if sum[i] > sum[best] {
			best = i
		}
	}
	for i := range sum {
		if i != best && (second < 0 || sum[i] > sum[second]) {
			second = i
		}
	}
	if sum[best]-sum[second] >= 0.8 {
		return best
	}
	return -1
}

// frameVectors returns, per token, the season steer for each season and the
// role steer for each of the four roles, computed once per engine.
func (e *Engine) frameVectors() (season, role [4][]float32) {
	e.frameOnce.Do(func() {
		V := e.vocab.Size()
		for k := 0; k < 4; k++ {
			e.seasonVec[k] = make([]float32, V)
			e.roleVec[k] = make([]float32, V)
		}
		for t := 0; t < V; t++ {
			r := e.vocab.Rune(lm.Token(t))
			if a, ok := e.Frame.Season[r]; ok {
				for k := 0; k < 4; k++ {
					other := float32(math.Inf(-1))
					for x := 0; x < 4; x++ {
						if x != k && a[x] > other {
							other = a[x]
						}
					}
					e.seasonVec[k][t] = seasonWeight * clamp(a[k]-other, -3, 0.6)
				}
			}
			if a, ok := e.Frame.Role[r]; ok {
				for k := 0; k < 4; k++ {
					e.roleVec[k][t] = roleWeight * clamp(a[k], -1, 1)
				}
			}
		}
		// Another season named outright (春 in an autumn poem) is what
		// readers take for a poem that lost its season: it costs
		// otherSeasonName, more than any lean.
		for k := range Seasons {
			for x, name := range Seasons {
				if t := e.vocab.Token([]rune(name)[0]); x != k && t != lm.Unk {
					e.seasonVec[k][t] = min(e.seasonVec[k][t], -otherSeasonName)
				}
			}
		}
	})
	return e.seasonVec, e.roleVec
}

func clamp(v, lo, hi float32) float32 { return max(lo, min(hi, v)) }

// wordSeason is the steer against a two-character word a+b of another
// season than the poem's (寒食 in an autumn poem): 0, or a penalty as the
// season steer gives a character.
func wordSeason(a [4]float32, season int) float32 {
	other := float32(math.Inf(-1))
	for x := 0; x < 4; x++ {
		if x != season && a[x] > other {
			other = a[x]
		}
	}
	return seasonWeight * clamp(a[season]-other, -3, 0)
}

// setupFrame marks the rhythmic units of five- and seven-character lines
// and picks the season the poem keeps; applyFrame turns them into steers.
func (e *Engine) setupFrame(s *spec, keywords []Keyword, rng interface{ Intn(int) int }) {
	if e.Frame == nil {
		return
	}
	L := len(s.tpl.Lines)
	s.caesura = make([][]bool, L)
	for li, row := range s.tpl.Lines {
		n := len(row)
		if s.tpl.Ci || (n != 5 && n != 7) {
			continue
		}
		s.caesura[li] = make([]bool, n)
		for j := range row {
			s.caesura[li][j] = UnitBreak(n, j)
		}
	}
	s.season = e.seasonFor(keywords, s.fixed, rng)
}

// splitsUnit reports whether a two-character word placed at j of line li
// would straddle the start of a rhythmic unit.
func (s *spec) splitsUnit(li, j, n int) bool {
	if n != 2 || s.caesura == nil || s.caesura[li] == nil || j+1 >= len(s.caesura[li]) {
		return false
	}
	return s.caesura[li][j+1]
}

// applyFrame adds the frame's steers to the spec: every line keeps the
// season, and each line of a 绝句 or couplet of a 律诗 leans to its role.
func (e *Engine) applyFrame(s *spec) {
	if e.Frame == nil {
		return
	}
	L := len(s.tpl.Lines)
	seasonVec, roleVec := e.frameVectors()
	V := e.vocab.Size()
	s.ensureBonus(V)
	for li := range s.bonus {
		b := s.bonus[li]
		for t := range b {
			b[t] += seasonVec[s.season][t]
		}
		if !s.tpl.Ci && (L == 4 || L == 8) {
			rv := roleVec[li*4/L]
			for t := range b {
				b[t] += rv[t]
			}
		}
	}
}
