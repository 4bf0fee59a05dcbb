package poem

import (
	"fmt"
	"strings"
	"unicode"

	"miaobi/hanzi"
	"miaobi/lm"
	"miaobi/prosody"
)

// Keyword is one keyword and the classical images it maps to.
type Keyword struct {
	Text   string   `json:"keyword"`
	Images []string `json:"images"`
	// Source says where the images came from: lexicon, corpus (the keyword
	// itself is a classical word) or chars (its characters, one by one).
	Source string `json:"source"`
}

// PlanLine is what the plan asks of one line.
type PlanLine struct {
	Line    int    `json:"line"` // 1-based
	Role    string `json:"role"` // 起 承 转 合
	Keyword string `json:"keyword,omitempty"`
	Image   string `json:"image,omitempty"` // the image the line must hold
	// Placed is false when the decoder could not fit the image's tones.
	Placed bool `json:"placed"`
}

// ErrBadKeyword wraps every keyword that cannot be used.
var ErrBadKeyword = fmt.Errorf("bad keyword")

// Themes stand in when no keyword is given: each is a small classical set.
var Themes = [][]string{
	{"春", "花"}, {"秋", "月"}, {"山", "水"}, {"送别", "柳"}, {"边塞", "雁"},
	{"月夜", "思乡"}, {"江", "舟"}, {"梅", "雪"}, {"登高", "云"}, {"田园", "归"},
	{"竹", "风"}, {"夏", "荷"},
}

// mapKeyword finds the images of one keyword.
func (e *Engine) mapKeyword(k string) (Keyword, error) {
	raw := k
	k = strings.TrimSpace(k)
	if k == "" {
		return Keyword{}, fmt.Errorf("%w: an empty keyword (check for doubled commas)", ErrBadKeyword)
	}
	han, other := 0, 0
	for _, r := range k {
		if hanzi.IsHan(r) {
			han++
		} else if !unicode.IsSpace(r) {
			other++
		}
	}
	if han == 0 {
		return Keyword{}, fmt.Errorf("%w %q: keywords must be Chinese words, such as 月 or 跳舞", ErrBadKeyword, raw)
	}
	if other > 0 {
		return Keyword{}, fmt.Errorf("%w %q: mixes Chinese with other characters; give Chinese words only", ErrBadKeyword, raw)
	}
	if han > 8 {
		return Keyword{}, fmt.Errorf("%w %q: %d characters is too long for a keyword; use words of 1–4 characters", ErrBadKeyword, raw, han)
	}
	s := hanzi.ToSimplified(k)
	kw := Keyword{Text: s}
	usable := func(w string) bool {
		rs := []rune(w)
		if len(rs) == 0 || len(rs) > 3 {
			return false
		}
		for _, r := range rs {
			t := e.vocab.Token(r)
			if t == lm.Unk || !e.writable[t] {
				return false
			}
		}
		return true
	}
	for _, img := range e.Lexicon.Images(s) {
		if usable(img) {
			kw.Images = append(kw.Images, img)
		}
	}
	if len(kw.Images) > 0 {
		kw.Source = "lexicon"
		return kw, nil
	}
	if len([]rune(s)) <= 2 && usable(s) {
		kw.Images, kw.Source = []string{s}, "corpus"
		for _, rel := range e.Imagery.Related[[]rune(s)[0]] {
			if len(kw.Images) >= 4 {
				break
			}
			if usable(string(rel.R)) && !strings.ContainsRune(s, rel.R) {
				kw.Images = append(kw.Images, string(rel.R))
			}
		}
		return kw, nil
	}
	for _, r := range s {
		if usable(string(r)) {
			kw.Images = append(kw.Images, string(r))
		}
	}
	if len(kw.Images) == 0 {
		return Keyword{}, fmt.Errorf("%w %q: no classical image is known for it (not in the lexicon, and its characters are not used in the poetry corpus); try a related classical word", ErrBadKeyword, raw)
	}
	kw.Source = "chars"
	return kw, nil
}

// roles names each line's part in the 起承转合 movement.
func roles(lines int) []string {
	out := make([]string, lines)
	names := []string{"起", "承", "转", "合"}
	for i := range out {
		out[i] = names[min(i*4/lines, 3)]
	}
	return out
}

// assignLines spreads k keywords over a poem of n lines: the first opens
// the poem, the rest fall on the developing and turning lines, so the
// images arrive one after another instead of as a list in the first line.
func assignLines(k, n int) []int {
	if k == 0 {
		return nil
	}
	if k >= n {
		out := make([]int, n)
		for i := range out {
			out[i] = i
		}
		return out
	}
	var four = [][]int{nil, {0}, {0, 2}, {0, 1, 2}}
	var eight = [][]int{nil, {0}, {0, 4}, {0, 2, 5}, {0, 2, 4, 6}, {0, 2, 3, 4, 6}, {0, 2, 3, 4, 5, 6}, {0, 1, 2, 3, 4, 5, 6}}
	switch {
	case n == 4 && k < 4:
		return four[k]
	case n == 8 && k < 8:
		return eight[k]
	}
	out := make([]int, k)
	for i := range out {
		out[i] = i * n / k
	}
	return out
}

// Suggestion is what the plan step offers for one keyword: the classical
// images it maps to and characters the corpus often sets beside them.
type Suggestion struct {
	Keyword
	Related []string `json:"related"`
}

// Suggest maps a keyword to images (as generation would) and adds up to
// k characters the corpus links with them, strongest first.
func (e *Engine) Suggest(keyword string, k int) (Suggestion, error) {
	kw, err := e.mapKeyword(keyword)
	if err != nil {
		return Suggestion{}, err
	}
	s := Suggestion{Keyword: kw}
	seen := map[rune]bool{}
	for _, img := range kw.Images {
		for _, r := range img {
			seen[r] = true
		}
	}
	for _, img := range kw.Images {
		for _, rel := range e.Imagery.Related[[]rune(img)[0]] {
			if len(s.Related) >= k {
				return s, nil
			}
			t := e.vocab.Token(rel.R)
			if seen[rel.R] || t == lm.Unk || !e.writable[t] {
				continue
			}
			seen[rel.R] = true
			s.Related = append(s.Related, string(rel.R))
		}
	}
	return s, nil
}

// Check runs the prosody checker on lines in form (empty: detected from
// the shape) with rhyme book rhyme (empty: pingshui).
func (e *Engine) Check(rhyme, form string, lines []string) (prosody.Result, error) {
	if rhyme == "" {
		rhyme = "pingshui"
	}
	return e.check(rhyme, form, lines)
}

// Originality runs the copy guard over lines, as generation does for its
// own poems: it reports runs shared with corpus lines.
func (e *Engine) Originality(lines []string) Originality { return e.originality(lines) }
