package train

import (
	"math"
	"strings"

	"miaobi/corpus"
	"miaobi/poem"
)

// Counting the frame (poem.Frame) over the training split: seasons,
// line roles and the words poets keep inside one rhythmic unit.

// FrameCounter counts training poems for a poem.Frame.
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
			if poem.UnitBreak(n, j+1) {
				c.across[k]++
			} else {
				c.inside[k]++
			}
		}
	}
}

// poem.Frame computes the frame from the counts.
func (c *FrameCounter) Frame() *poem.Frame {
	f := &poem.Frame{Season: map[rune][4]float32{}, SeasonWords: map[rune]map[rune][4]float32{}, Role: map[rune][4]float32{}, Words: map[rune]map[rune]float32{}}
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
