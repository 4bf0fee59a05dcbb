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

	"miaobi/corpus"
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

// FrameCounter counts training poems for a Frame.
type FrameCounter struct {
	seasonDF [4]map[rune]uint32
	wordDF   [4]map[[2]rune]uint32
	allWords map[[2]rune]uint32
	seasonN  [4]uint32
	allDF    map[rune]uint32
	allN     uint32
	role     map[rune][4]uint32
	roleN    [4]uint32
	inside   map[[2]rune]uint32
	across   map[[2]rune]uint32
}

// NewFrameCounter returns an empty counter.
func NewFrameCounter() *FrameCounter {
	c := &FrameCounter{allDF: map[rune]uint32{}, allWords: map[[2]rune]uint32{}, role: map[rune][4]uint32{}, inside: map[[2]rune]uint32{}, across: map[[2]rune]uint32{}}
	for i := range c.seasonDF {
		c.seasonDF[i] = map[rune]uint32{}
		c.wordDF[i] = map[[2]rune]uint32{}
	}
	return c
}

// seasonMarks are the words that put a title in a season: the season's
// name, and its festivals (寒食 and 清明 are spring, 重阳 autumn).
var seasonMarks = [4][]string{
	{"春", "寒食", "清明", "上巳", "元宵", "元夕", "人日", "花朝"},
	{"夏", "端午", "端阳"},
	{"秋", "七夕", "重阳", "重九"},
	{"冬", "除夕", "守岁", "腊日"},
}

// seasonOf names the one season a title speaks of (春日, 秋夜, 寒食), or -1
// for none or several.
func seasonOf(title string) int {
	s := -1
	for i, marks := range seasonMarks {
		for _, m := range marks {
			if strings.Contains(title, m) {
				if s >= 0 && s != i {
					return -1
				}
				s = i
			}
		}
	}
	return s
}

// Add counts one poem of 5- or 7-character lines.
func (c *FrameCounter) Add(p *corpus.Poem) {
	if len(p.Lines) == 0 {
		return
	}
	n := len([]rune(p.Lines[0]))
	if n != 5 && n != 7 {
		return
	}
	chars := map[rune]bool{}
	for _, l := range p.Lines {
		for _, r := range l {
			chars[r] = true
		}
	}
	s := seasonOf(p.Title)
	if s >= 0 {
		c.seasonN[s]++
		c.allN++
		for r := range chars {
			c.seasonDF[s][r]++
			c.allDF[r]++
		}
		words := map[[2]rune]bool{}
		for _, l := range p.Lines {
			rs := []rune(l)
			for j := 0; j+1 < len(rs); j++ {
				words[[2]rune{rs[j], rs[j+1]}] = true
			}
		}
		for w := range words {
			c.wordDF[s][w]++
			c.allWords[w]++
		}
	}
	// Roles: the four lines of a 绝句, the four couplets of a 律诗.
	if (p.Form == "五绝" || p.Form == "七绝") && len(p.Lines) == 4 || (p.Form == "五律" || p.Form == "七律") && len(p.Lines) == 8 {
		per := len(p.Lines) / 4
		for i, l := range p.Lines {
			role := i / per
			c.roleN[role]++
			seen := map[rune]bool{}
			for _, r := range l {
				if !seen[r] {
					seen[r] = true
					x := c.role[r]
					x[role]++
					c.role[r] = x
				}
			}
		}
	}
	// Words inside a unit and across the caesura.
	for _, l := range p.Lines {
		rs := []rune(l)
		if len(rs) != n {
			continue
		}
		for j := 0; j+1 < n; j++ {
			k := [2]rune{rs[j], rs[j+1]}
			if unitBreak(n, j+1) {
				c.across[k]++
			} else {
				c.inside[k]++
			}
		}
	}
}

// unitBreak reports whether a rhythmic unit starts at character j of a line
// of n characters: 五言 2+3, 七言 2+2+3.
func unitBreak(n, j int) bool {
	if n == 5 {
		return j == 2
	}
	return j == 2 || j == 4
}

// Frame computes the frame from the counts.
func (c *FrameCounter) Frame() *Frame {
	f := &Frame{Season: map[rune][4]float32{}, SeasonWords: map[rune]map[rune][4]float32{}, Role: map[rune][4]float32{}, Words: map[rune]map[rune]float32{}}
	for r, df := range c.allDF {
		if df < 20 {
			continue
		}
		var a [4]float32
		base := float64(df) / float64(c.allN)
		for s := range a {
			p := (float64(c.seasonDF[s][r]) + 0.5) / (float64(c.seasonN[s]) + 1)
			a[s] = float32(math.Log(p / base))
		}
		f.Season[r] = a
	}
	// Words whose season says more than their characters': the word's
	// log-ratio for some season is at least 0.5 and exceeds the mean of its
	// characters' by at least 0.5 (寒食: 0.8 for spring, its characters
	// -0.1 and 0.4). A season's log-ratio cannot pass ln(all titled poems ÷
	// that season's), about 0.9 for spring, so the bars are low.
	for w, df := range c.allWords {
		if df < 20 {
			continue
		}
		var a [4]float32
		base := float64(df) / float64(c.allN)
		more := false
		for s := range a {
			p := (float64(c.wordDF[s][w]) + 0.5) / (float64(c.seasonN[s]) + 1)
			a[s] = float32(math.Log(p / base))
			if a[s] >= 0.5 && a[s]-(f.Season[w[0]][s]+f.Season[w[1]][s])/2 >= 0.5 {
				more = true
			}
		}
		if more {
			m := f.SeasonWords[w[0]]
			if m == nil {
				m = map[rune][4]float32{}
				f.SeasonWords[w[0]] = m
			}
			m[w[1]] = a
		}
	}
	var total uint32
	for _, n := range c.roleN {
		total += n
	}
	for r, x := range c.role {
		var sum uint32
		for _, v := range x {
			sum += v
		}
		if sum < 30 {
			continue
		}
		var a [4]float32
		for k := range a {
			p := (float64(x[k]) + 1) / (float64(sum) + 4)
			q := float64(c.roleN[k]) / float64(total)
			a[k] = float32(math.Log(p / q))
		}
		f.Role[r] = a
	}
	for k, in := range c.inside {
		ac := c.across[k]
		if in < 30 {
			continue
		}
		v := math.Log((float64(in) + 1) / (float64(ac) + 1))
		if v < math.Log(8) {
			continue
		}
		m := f.Words[k[0]]
		if m == nil {
			m = map[rune]float32{}
			f.Words[k[0]] = m
		}
		m[k[1]] = float32(v)
	}
	return f
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
	roleWeight   = 0.5
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
	for _, r := range chars {
		for i, name := range Seasons {
			if string(r) == name {
				return i
			}
		}
	}
	var sum [4]float64
	for _, r := range chars {
		a := e.Frame.Season[r]
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
	return rng.Intn(4)
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
			s.caesura[li][j] = unitBreak(n, j)
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
