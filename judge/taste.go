package judge

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"unicode"
)

// Candidate is what the taste ranker sees of a generated poem.
type Candidate struct {
	Lines []string `json:"lines"`
	Form  string   `json:"form"` // 五绝, 七绝, 五律, 七律, 词:TUNE …
	// The engine's scores (poem.Scores): Score ranks candidates (per
	// character, higher is better), Perplexity is per character, Imagery is
	// the share of planned images the poem holds.
	Score      float64 `json:"score"`
	Perplexity float64 `json:"perplexity"`
	Imagery    float64 `json:"imagery"`
}

// Rating is one person's verdict on one candidate.
//
// Score is 1..10. A Favourite counts as 10 whatever its Score. Score 0
// without Favourite means "not rated" and the rating is ignored; other
// scores outside 1..10 are clamped into it (-3 counts as 1, 12 as 10).
type Rating struct {
	Candidate
	Score     int  `json:"score"`
	Favourite bool `json:"favourite"`
}

// label returns the rating's effective score and whether it counts.
func (r Rating) label() (int, bool) {
	if r.Favourite {
		return 10, true
	}
	if r.Score == 0 {
		return 0, false
	}
	return max(1, min(r.Score, 10)), true
}

// Feature layout. The first tasteEngine entries are the engine's scores:
// Score, ln Perplexity and Imagery (a Taste standardises them with the
// statistics of the ratings it was fitted on). Then the form (one-hot), the
// image/season/colour/emotion word groups, the hashed characters of the
// poem, and the hashed line-final characters.
const (
	tasteVersion = 1

	fScore      = 0
	fPerplexity = 1
	fImagery    = 2
	tasteEngine = 3

	fForm       = tasteEngine
	tasteForms  = 6 // 五绝 七绝 五律 七律 词 other
	fGroup      = fForm + tasteForms
	fChar       = fGroup + len(tasteGroups)
	tasteChars  = 1024 // hashed buckets for the characters of the poem
	fFinal      = fChar + tasteChars
	tasteFinals = 128 // hashed buckets for line-final characters

	// TasteDim is the length of a feature vector.
	TasteDim = fFinal + tasteFinals

	// TasteMinRatings is the fewest usable ratings FitTaste learns from;
	// below it (or when all ratings are equal) the taste keeps the engine's
	// order.
	TasteMinRatings = 3

	tasteMaxPairs = 10000 // pairs beyond this are subsampled (seeded)
	tasteMaxIter  = 100
	tasteLambda   = 0.02  // L2 strength (towards the prior) on most weights
	tasteLambdaE  = 0.002 // … and on the three engine scores' weights
	tastePrior    = 0.3   // prior weight on the standardised engine Score
	tasteClampZ   = 5     // standardised engine scores are clamped to ±5
)

var formNames = [tasteForms - 1]string{"五绝", "七绝", "五律", "七律", "词"}

// tasteGroups are word groups whose presence the model can weigh as a whole
// ("likes autumn imagery", "dislikes sorrow"): the value of a group is the
// number of its characters the poem holds, capped at 2, over 2.
var tasteGroups = [...]struct{ Name, Chars string }{
	{"spring", "春花柳燕莺桃杏"},
	{"summer", "夏荷蝉莲暑"},
	{"autumn", "秋菊枫雁霜"},
	{"winter", "冬雪寒梅冰"},
	{"moon", "月蟾桂婵"},
	{"water", "江河水波流湖溪潮浪泉"},
	{"mountain", "山峰岭岩峦"},
	{"weather", "云风雨烟雾"},
	{"night", "夜星灯宵"},
	{"colour", "红绿青白黄紫碧翠金丹苍素朱黛"},
	{"sorrow", "愁悲泪恨哀怨伤苦孤寂"},
	{"joy", "喜欢笑乐醉歌"},
	{"longing", "思念忆归梦乡客"},
	{"wine", "酒杯觞"},
}

// groupOf maps a character to the groups that hold it.
var groupOf = func() map[rune][]int {
	m := map[rune][]int{}
	for g, gr := range tasteGroups {
		for _, r := range gr.Chars {
			m[r] = append(m[r], g)
		}
	}
	return m
}()

// tasteHash is FNV-1a over a kind byte and the rune's four bytes; it must
// never change, since stored tastes depend on it.
func tasteHash(kind byte, r rune) uint32 {
	h := uint32(2166136261)
	for _, b := range [5]byte{kind, byte(r), byte(r >> 8), byte(r >> 16), byte(r >> 24)} {
		h ^= uint32(b)
		h *= 16777619
	}
	return h
}

// sparse is a feature vector's non-zero entries, indices increasing.
type sparse struct {
	idx []int32
	val []float64
}

// rawFeatures computes a candidate's features; engine entries are raw (NaN
// where unusable, ±Inf kept: standardising clamps them).
func rawFeatures(c Candidate) (eng [tasteEngine]float64, rest sparse) {
	eng[fScore] = c.Score
	eng[fPerplexity] = math.NaN()
	if c.Perplexity > 0 {
		eng[fPerplexity] = math.Log(max(c.Perplexity, 1))
	}
	eng[fImagery] = c.Imagery

	form := tasteForms - 1
	for i, f := range formNames {
		if c.Form == f || i == len(formNames)-1 && strings.HasPrefix(c.Form, f) {
			form = i
		}
	}

	var runes []rune
	var hashed []int32
	for _, l := range c.Lines {
		var last rune = -1
		for _, r := range l {
			if unicode.IsLetter(r) || unicode.IsNumber(r) {
				runes = append(runes, r)
				last = r
			}
		}
		if last >= 0 {
			hashed = append(hashed, int32(fFinal+int(tasteHash('f', last)%tasteFinals)))
		}
	}
	slices.Sort(runes)
	runes = slices.Compact(runes)
	var groups [len(tasteGroups)]int
	for _, r := range runes {
		hashed = append(hashed, int32(fChar+int(tasteHash('c', r)%tasteChars)))
		for _, g := range groupOf[r] {
			groups[g]++
		}
	}
	slices.Sort(hashed)
	hashed = slices.Compact(hashed)

	// Indices increase: form, groups, characters, finals.
	n := 1 + len(hashed)
	rest.idx = make([]int32, 0, n+len(groups))
	rest.val = make([]float64, 0, n+len(groups))
	rest.idx = append(rest.idx, int32(fForm+form))
	rest.val = append(rest.val, 1)
	for g, k := range groups {
		if k > 0 {
			rest.idx = append(rest.idx, int32(fGroup+g))
			rest.val = append(rest.val, float64(min(k, 2))/2)
		}
	}
	for _, i := range hashed {
		rest.idx = append(rest.idx, i)
		rest.val = append(rest.val, 1)
	}
	return
}

func finiteOr(x, or float64) float64 {
	if math.IsNaN(x) || math.IsInf(x, 0) {
		return or
	}
	return x
}

// Features returns a candidate's feature vector (length TasteDim) before
// standardisation: the engine's Score, ln Perplexity and Imagery (0 where
// not finite or, for Perplexity, not positive), the form one-hot, the word
// group values, hashed character presence and hashed line-final presence.
func Features(c Candidate) []float64 {
	eng, rest := rawFeatures(c)
	v := make([]float64, TasteDim)
	for i, x := range eng {
		v[i] = finiteOr(x, 0)
	}
	for k, i := range rest.idx {
		v[i] = rest.val[k]
	}
	return v
}

// Taste is one person's learned taste: a linear utility over standardised
// features. Its fields are exported so that it serialises as JSON; a zero
// or nil Taste keeps the engine's order.
type Taste struct {
	Version int `json:"version"`
	// Ratings and Pairs are how many usable ratings and preference pairs it
	// was fitted on; Pairs is 0 for a taste that keeps the engine's order.
	Ratings int `json:"ratings"`
	Pairs   int `json:"pairs"`
	// Mean and Std standardise the engine entries of the features.
	Mean [tasteEngine]float64 `json:"mean"`
	Std  [tasteEngine]float64 `json:"std"`
	// Weights has TasteDim entries, or none: then only the prior weight on
	// the engine Score counts (the engine's order).
	Weights []float64 `json:"weights,omitempty"`
}

// prior is the weight vector the fit starts from and shrinks towards: a
// small positive weight on the engine's Score, so that with little evidence
// the ranker stays near the engine's order.
func prior() []float64 {
	w := make([]float64, TasteDim)
	w[fScore] = tastePrior
	return w
}

func untrained(n int) *Taste {
	return &Taste{Version: tasteVersion, Ratings: n, Std: [tasteEngine]float64{1, 1, 1}}
}

// standardise turns raw engine entries into clamped z-scores (0 for NaN).
func (t *Taste) standardise(eng [tasteEngine]float64) (z [tasteEngine]float64) {
	for i, x := range eng {
		switch {
		case math.IsNaN(x):
			continue
		case math.IsInf(x, 0):
			z[i] = math.Copysign(tasteClampZ, x)
			continue
		}
		s := t.Std[i]
		if !(s > 1e-12) || math.IsInf(s, 0) {
			s = 1
		}
		v := (x - finiteOr(t.Mean[i], 0)) / s
		z[i] = max(-tasteClampZ, min(v, tasteClampZ))
	}
	return
}

// row is a standardised sparse feature vector.
func (t *Taste) row(c Candidate) sparse {
	eng, rest := rawFeatures(c)
	z := t.standardise(eng)
	r := sparse{idx: make([]int32, 0, tasteEngine+len(rest.idx)), val: make([]float64, 0, tasteEngine+len(rest.idx))}
	for i, v := range z {
		r.idx = append(r.idx, int32(i))
		r.val = append(r.val, v)
	}
	r.idx = append(r.idx, rest.idx...)
	r.val = append(r.val, rest.val...)
	return r
}

func dot(w []float64, r sparse) float64 {
	s := 0.0
	for k, i := range r.idx {
		if int(i) < len(w) {
			s += w[i] * r.val[k]
		}
	}
	return s
}

// Predict returns the taste's utility for a candidate: higher is better.
// Only differences between candidates mean anything.
func (t *Taste) Predict(c Candidate) float64 {
	if t == nil {
		t = untrained(0)
	}
	w := t.Weights
	if len(w) != TasteDim {
		w = prior()
	}
	return finiteOr(dot(w, t.row(c)), 0)
}

// Rank returns the candidates' indices, best first: by Predict, ties broken
// by the engine's Score (higher first, non-finite last), then by index.
func (t *Taste) Rank(cands []Candidate) []int {
	pred := make([]float64, len(cands))
	key := make([]float64, len(cands))
	idx := make([]int, len(cands))
	for i, c := range cands {
		pred[i] = t.Predict(c)
		key[i] = c.Score
		if math.IsNaN(key[i]) {
			key[i] = math.Inf(-1)
		}
		idx[i] = i
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		switch {
		case pred[a] > pred[b]:
			return -1
		case pred[a] < pred[b]:
			return 1
		case key[a] > key[b]:
			return -1
		case key[a] < key[b]:
			return 1
		}
		return a - b
	})
	return idx
}

// Fitted reports whether the taste learned anything beyond the engine order.
func (t *Taste) Fitted() bool { return t != nil && len(t.Weights) == TasteDim && t.Pairs > 0 }

// UnmarshalJSON reads a taste, refusing one written by another feature
// layout or holding non-finite numbers.
func (t *Taste) UnmarshalJSON(data []byte) error {
	type plain Taste
	var p plain
	if err := json.Unmarshal(data, &p); err != nil {
		return err
	}
	if p.Version != tasteVersion {
		return fmt.Errorf("judge: taste version %d, want %d", p.Version, tasteVersion)
	}
	if len(p.Weights) != 0 && len(p.Weights) != TasteDim {
		return fmt.Errorf("judge: taste has %d weights, want %d", len(p.Weights), TasteDim)
	}
	for _, x := range slices.Concat(p.Mean[:], p.Std[:], p.Weights) {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return errors.New("judge: taste holds a non-finite number")
		}
	}
	if p.Ratings < 0 || p.Pairs < 0 {
		return errors.New("judge: taste has negative counts")
	}
	*t = Taste(p)
	return nil
}
