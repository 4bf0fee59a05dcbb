package judge

// A per-person taste ranker. People rate generated poems 1–10 and mark
// favourites; FitTaste learns a linear utility over features of a poem from
// one person's ratings with a pairwise (RankNet-style) logistic loss, and
// Taste.Rank reorders new candidates by it.
//
// The package must not import package poem (poem imports judge), so a
// candidate is described by Candidate, which the caller fills from a
// poem.Poem.

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
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

type tastePair struct{ hi, lo int32 }

// FitTaste learns a taste from one person's ratings.
//
// Every two usable ratings with different effective scores make a
// preference pair; the model minimises the mean logistic loss
// log(1+exp(-(u(hi)-u(lo)))) over pairs plus λ/2·‖w−w₀‖² (λ = 0.02, and
// 0.002 on the three engine scores, which are dense and few), where w₀ puts
// a small weight (0.3) on the standardised engine Score, so that a person
// with few ratings keeps roughly the engine's order. All pairs count the
// same, whatever the gap between their scores. It is deterministic: pairs
// are taken in order, and when there are more than 10000 they are
// subsampled with a fixed seed; L-BFGS runs from w₀ (at most 100
// iterations). 500 ratings fit in about 25 ms. Favourites count as 10; see Rating for
// scores out of range. With fewer than TasteMinRatings usable ratings, or
// none that differ, it returns a taste that keeps the engine's order.
func FitTaste(ratings []Rating) *Taste {
	var cands []Candidate
	var ys []int
	for _, r := range ratings {
		if y, ok := r.label(); ok {
			cands = append(cands, r.Candidate)
			ys = append(ys, y)
		}
	}
	t := untrained(len(cands))
	if len(cands) < TasteMinRatings {
		return t
	}

	var pairs []tastePair
	total := 0
	for i := range ys {
		for j := i + 1; j < len(ys); j++ {
			if ys[i] != ys[j] {
				total++
			}
		}
	}
	if total == 0 {
		return t
	}
	keep := 1.0
	var rng *rand.Rand
	if total > tasteMaxPairs {
		keep = float64(tasteMaxPairs) / float64(total)
		rng = rand.New(rand.NewPCG(0x6d69616f, 0x74617374))
	}
	for i := range ys {
		for j := i + 1; j < len(ys); j++ {
			if ys[i] == ys[j] || rng != nil && rng.Float64() >= keep {
				continue
			}
			if ys[i] > ys[j] {
				pairs = append(pairs, tastePair{int32(i), int32(j)})
			} else {
				pairs = append(pairs, tastePair{int32(j), int32(i)})
			}
		}
	}
	if len(pairs) == 0 {
		return t
	}

	// Standardise the engine entries over the rated candidates.
	raws := make([][tasteEngine]float64, len(cands))
	rests := make([]sparse, len(cands))
	for i, c := range cands {
		raws[i], rests[i] = rawFeatures(c)
	}
	for f := range tasteEngine {
		n, sum, sq := 0.0, 0.0, 0.0
		for _, e := range raws {
			if !math.IsNaN(e[f]) && !math.IsInf(e[f], 0) {
				n++
				sum += e[f]
			}
		}
		if n == 0 {
			continue
		}
		mean := sum / n
		for _, e := range raws {
			if !math.IsNaN(e[f]) && !math.IsInf(e[f], 0) {
				sq += (e[f] - mean) * (e[f] - mean)
			}
		}
		t.Mean[f] = mean
		if sd := math.Sqrt(sq / n); sd > 1e-9 && !math.IsInf(sd, 0) {
			t.Std[f] = sd
		}
	}
	rows := make([]sparse, len(cands))
	for i := range cands {
		z := t.standardise(raws[i])
		r := sparse{idx: make([]int32, 0, tasteEngine+len(rests[i].idx)), val: make([]float64, 0, tasteEngine+len(rests[i].idx))}
		for f, v := range z {
			r.idx = append(r.idx, int32(f))
			r.val = append(r.val, v)
		}
		r.idx = append(r.idx, rests[i].idx...)
		r.val = append(r.val, rests[i].val...)
		rows[i] = r
	}

	w0 := prior()
	s := make([]float64, len(rows))
	gs := make([]float64, len(rows))
	invP := 1 / float64(len(pairs))
	obj := func(w, g []float64) float64 {
		for i, r := range rows {
			s[i] = dot(w, r)
			gs[i] = 0
		}
		// Σ log(1+exp(-d)) and its derivative -σ(-d), computed stably: for
		// d > 0 as log(1+e), e = exp(-d); else as -d + log(1+e), e = exp(d).
		// The factors 1+e lie in (1, 2], so up to 1000 of them are
		// multiplied before one logarithm is taken (logarithms dominated
		// the fit's time otherwise).
		loss, prod, k := 0.0, 1.0, 0
		for _, p := range pairs {
			d := s[p.hi] - s[p.lo]
			var q float64
			if d > 0 {
				e := math.Exp(-d)
				prod *= 1 + e
				q = e / (1 + e)
			} else {
				e := math.Exp(d)
				loss -= d
				prod *= 1 + e
				q = 1 / (1 + e)
			}
			if k++; k == 1000 {
				loss += math.Log(prod)
				prod, k = 1, 0
			}
			gs[p.hi] -= q
			gs[p.lo] += q
		}
		loss += math.Log(prod)
		loss *= invP
		for k := range g {
			dw := w[k] - w0[k]
			lam := tasteLambda
			if k < tasteEngine {
				lam = tasteLambdaE
			}
			g[k] = lam * dw
			loss += 0.5 * lam * dw * dw
		}
		for i, r := range rows {
			if gs[i] == 0 {
				continue
			}
			c := gs[i] * invP
			for k, f := range r.idx {
				g[f] += c * r.val[k]
			}
		}
		return loss
	}
	w := slices.Clone(w0)
	lbfgs(obj, w, tasteMaxIter)
	for _, x := range w {
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return t
		}
	}
	t.Weights = w
	t.Pairs = len(pairs)
	return t
}

// lbfgs minimises f from w in place (limited-memory BFGS, 7 pairs, with
// backtracking Armijo line search).
func lbfgs(f func(w, g []float64) float64, w []float64, maxIter int) {
	const m = 7
	n := len(w)
	g := make([]float64, n)
	fx := f(w, g)
	var ss, ys [][]float64
	var rhos []float64
	d := make([]float64, n)
	wn := make([]float64, n)
	gn := make([]float64, n)
	alpha := make([]float64, m)
	for range maxIter {
		if normInf(g) < 1e-6 {
			return
		}
		// Two-loop recursion: d = -H g.
		copy(d, g)
		for k := len(ss) - 1; k >= 0; k-- {
			alpha[k] = rhos[k] * vdot(ss[k], d)
			axpy(-alpha[k], ys[k], d)
		}
		gamma := 1.0
		if k := len(ss) - 1; k >= 0 {
			gamma = vdot(ss[k], ys[k]) / vdot(ys[k], ys[k])
		} else {
			gamma = 1 / max(math.Sqrt(vdot(g, g)), 1e-12)
		}
		for i := range d {
			d[i] *= gamma
		}
		for k := range ss {
			b := rhos[k] * vdot(ys[k], d)
			axpy(alpha[k]-b, ss[k], d)
		}
		for i := range d {
			d[i] = -d[i]
		}
		slope := vdot(g, d)
		if !(slope < 0) {
			// Not a descent direction: restart from steepest descent.
			ss, ys, rhos = ss[:0], ys[:0], rhos[:0]
			for i := range d {
				d[i] = -g[i]
			}
			slope = vdot(g, d)
			if !(slope < 0) {
				return
			}
		}
		step, fn := 1.0, 0.0
		ok := false
		for range 30 {
			for i := range w {
				wn[i] = w[i] + step*d[i]
			}
			fn = f(wn, gn)
			if fn <= fx+1e-4*step*slope {
				ok = true
				break
			}
			step /= 2
		}
		if !ok {
			return
		}
		sv := make([]float64, n)
		yv := make([]float64, n)
		for i := range w {
			sv[i] = wn[i] - w[i]
			yv[i] = gn[i] - g[i]
		}
		copy(w, wn)
		copy(g, gn)
		done := fx-fn <= 1e-10*max(1, math.Abs(fx))
		fx = fn
		if sy := vdot(sv, yv); sy > 1e-12 {
			if len(ss) == m {
				ss, ys, rhos = ss[1:], ys[1:], rhos[1:]
			}
			ss = append(ss, sv)
			ys = append(ys, yv)
			rhos = append(rhos, 1/sy)
		}
		if done {
			return
		}
	}
}

func vdot(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

func axpy(a float64, x, y []float64) {
	for i := range x {
		y[i] += a * x[i]
	}
}

func normInf(v []float64) float64 {
	m := 0.0
	for _, x := range v {
		m = max(m, math.Abs(x))
	}
	return m
}

// TasteEvalOptions configures EvaluateTaste; zero fields take defaults.
type TasteEvalOptions struct {
	Raters  int     // simulated raters (default 20)
	Ratings int     // ratings per rater (default 100, at most the candidates)
	HeldOut float64 // share of each rater's ratings held out (default 0.2)
	Noise   float64 // σ of the Gaussian noise on the hidden utility (default 0.5; negative: none)
	Seed    int64   // seeds everything; the same seed gives the same report
}

// TasteRaterResult is one simulated rater's held-out pairwise accuracy.
type TasteRaterResult struct {
	Pairs  int     `json:"pairs"`
	Model  float64 `json:"model"`
	Engine float64 `json:"engine"`
	Oracle float64 `json:"oracle"`
	Beta   float64 `json:"beta"` // the rater's hidden weight on the engine Score
	Likes  string  `json:"likes"`
}

// TasteReport is EvaluateTaste's result. Accuracies are the share of
// held-out pairs (two held-out ratings with different effective scores)
// that a ranker orders like the rater, a tie counting half, pooled over
// raters.
type TasteReport struct {
	Candidates int `json:"candidates"`
	Raters     int `json:"raters"`
	Ratings    int `json:"ratings_per_rater"`
	Train      int `json:"train_per_rater"`
	Pairs      int `json:"held_out_pairs"`
	// Model is the fitted taste; Engine orders by the engine's Score;
	// Chance is 0.5; Oracle orders by the rater's noise-free hidden utility
	// (what the noise allows at best, roughly).
	Model  float64 `json:"model"`
	Engine float64 `json:"engine"`
	Chance float64 `json:"chance"`
	Oracle float64 `json:"oracle"`
	// ModelWins counts raters whose held-out pairs the model orders better
	// than the engine does.
	ModelWins int                `json:"model_wins"`
	Fit       Latency            `json:"fit"`
	PerRater  []TasteRaterResult `json:"per_rater"`
}

func (r *TasteReport) String() string {
	return fmt.Sprintf("taste: %d candidates, %d simulated raters × %d ratings (%d train), %d held-out pairs\n"+
		"pairwise accuracy: model %.3f, engine score %.3f, chance %.3f, oracle %.3f; model beats engine for %d/%d raters\n"+
		"fit %s",
		r.Candidates, r.Raters, r.Ratings, r.Train, r.Pairs,
		r.Model, r.Engine, r.Chance, r.Oracle, r.ModelWins, r.Raters, r.Fit)
}

// EvaluateTaste measures how well FitTaste learns a taste, on SIMULATED
// raters (no person rated anything): each rater has a hidden utility over
// the candidates
//
//	u = Σ liked characters present (3, weights U(0.5,1.5))
//	  − Σ disliked characters present (2, weights U(0.5,1.5))
//	  ± one word group's value (weight U(0.5,1), sign random)
//	  + β · z(engine Score)  (β ~ U(−0.5,1.5))
//	  + N(0, Noise²)
//
// where the characters are drawn from those in 3–50% of the candidates.
// The rater rates a random sample of candidates 1..10 by the rank of u
// among them (deciles), marks the top 5% as favourites (half of them
// without a score). Each rater's ratings are split (1−HeldOut)/HeldOut at
// random; the taste is fitted on the first part and judged on the pairs of
// the second. All randomness comes from Seed.
//
// The hidden preferences live in the family of features the model sees
// (characters, word groups, the engine score), so this measures how well a
// preference of that kind is recovered from a few dozen ratings, not how
// well it fits real people.
func EvaluateTaste(cands []Candidate, opt TasteEvalOptions) (*TasteReport, error) {
	if len(cands) < 10 {
		return nil, fmt.Errorf("judge: taste evaluation needs at least 10 candidates, have %d", len(cands))
	}
	if opt.Raters <= 0 {
		opt.Raters = 20
	}
	if opt.Ratings <= 0 {
		opt.Ratings = 100
	}
	opt.Ratings = min(opt.Ratings, len(cands))
	if !(opt.HeldOut > 0 && opt.HeldOut < 1) {
		opt.HeldOut = 0.2
	}
	switch {
	case math.IsNaN(opt.Noise) || math.IsInf(opt.Noise, 0) || opt.Noise == 0:
		opt.Noise = 0.5
	case opt.Noise < 0:
		opt.Noise = 0
	}
	test := max(2, int(math.Round(opt.HeldOut*float64(opt.Ratings))))
	if opt.Ratings-test < TasteMinRatings {
		return nil, fmt.Errorf("judge: %d ratings per rater leave too few to train on", opt.Ratings)
	}

	// Characters per candidate and their document frequency.
	chars := make([]map[rune]bool, len(cands))
	df := map[rune]int{}
	for i, c := range cands {
		chars[i] = map[rune]bool{}
		for _, l := range c.Lines {
			for _, r := range l {
				if unicode.IsLetter(r) && !chars[i][r] {
					chars[i][r] = true
					df[r]++
				}
			}
		}
	}
	var pool []rune
	for r, n := range df {
		if f := float64(n) / float64(len(cands)); f >= 0.03 && f <= 0.5 {
			pool = append(pool, r)
		}
	}
	if len(pool) < 5 {
		pool = pool[:0]
		for r := range df {
			pool = append(pool, r)
		}
	}
	slices.Sort(pool)
	groups := make([][len(tasteGroups)]float64, len(cands))
	for i := range cands {
		for r := range chars[i] {
			for _, g := range groupOf[r] {
				groups[i][g]++
			}
		}
		for g := range groups[i] {
			groups[i][g] = min(groups[i][g], 2) / 2
		}
	}

	rep := &TasteReport{Candidates: len(cands), Raters: opt.Raters, Ratings: opt.Ratings, Train: opt.Ratings - test, Chance: 0.5}
	var fits []time.Duration
	var mOK, eOK, oOK float64
	for k := range opt.Raters {
		rng := rand.New(rand.NewPCG(uint64(opt.Seed), uint64(k)+0x9e3779b97f4a7c15))
		type pref struct {
			r rune
			w float64
		}
		var prefs []pref
		var likes []string
		if len(pool) > 0 {
			for j, p := range rng.Perm(len(pool))[:min(5, len(pool))] {
				w := 0.5 + rng.Float64()
				if j >= 3 {
					w = -w
				}
				prefs = append(prefs, pref{pool[p], w})
				likes = append(likes, fmt.Sprintf("%c%+.1f", pool[p], w))
			}
		}
		grp := rng.IntN(len(tasteGroups))
		gw := 0.5 + 0.5*rng.Float64()
		if rng.IntN(2) == 0 {
			gw = -gw
		}
		likes = append(likes, fmt.Sprintf("%s%+.1f", tasteGroups[grp].Name, gw))
		beta := -0.5 + 2*rng.Float64()

		sample := rng.Perm(len(cands))[:opt.Ratings]
		mean, sd := 0.0, 0.0
		for _, i := range sample {
			mean += finiteOr(cands[i].Score, 0)
		}
		mean /= float64(len(sample))
		for _, i := range sample {
			d := finiteOr(cands[i].Score, 0) - mean
			sd += d * d
		}
		sd = math.Sqrt(sd / float64(len(sample)))
		if sd < 1e-12 {
			sd = 1
		}
		clean := make([]float64, len(sample))
		noisy := make([]float64, len(sample))
		for j, i := range sample {
			u := beta * (finiteOr(cands[i].Score, 0) - mean) / sd
			for _, p := range prefs {
				if chars[i][p.r] {
					u += p.w
				}
			}
			u += gw * groups[i][grp]
			clean[j] = u
			noisy[j] = u + opt.Noise*rng.NormFloat64()
		}
		order := make([]int, len(sample))
		for j := range order {
			order[j] = j
		}
		slices.SortStableFunc(order, func(a, b int) int {
			switch {
			case noisy[a] < noisy[b]:
				return -1
			case noisy[a] > noisy[b]:
				return 1
			}
			return 0
		})
		ratings := make([]Rating, len(sample))
		nfav := max(1, len(sample)/20)
		for rank, j := range order {
			r := Rating{Candidate: cands[sample[j]], Score: 1 + rank*10/len(sample)}
			if rank >= len(sample)-nfav {
				r.Favourite = true
				if rng.IntN(2) == 0 {
					r.Score = 0
				}
			}
			ratings[j] = r
		}

		split := rng.Perm(len(sample))
		testIdx, trainIdx := split[:test], split[test:]
		train := make([]Rating, len(trainIdx))
		for j, i := range trainIdx {
			train[j] = ratings[i]
		}
		start := time.Now()
		taste := FitTaste(train)
		fits = append(fits, time.Since(start))

		res := TasteRaterResult{Beta: beta, Likes: strings.Join(likes, " ")}
		var m, e, o float64
		pred := make([]float64, len(testIdx))
		for j, i := range testIdx {
			pred[j] = taste.Predict(ratings[i].Candidate)
		}
		for a := range testIdx {
			ya, _ := ratings[testIdx[a]].label()
			for b := a + 1; b < len(testIdx); b++ {
				yb, _ := ratings[testIdx[b]].label()
				if ya == yb {
					continue
				}
				sign := 1.0
				if ya < yb {
					sign = -1
				}
				ia, ib := testIdx[a], testIdx[b]
				m += agree(sign, pred[a]-pred[b])
				e += agree(sign, finiteOr(ratings[ia].Candidate.Score, 0)-finiteOr(ratings[ib].Candidate.Score, 0))
				o += agree(sign, clean[ia]-clean[ib])
				res.Pairs++
			}
		}
		if res.Pairs > 0 {
			res.Model, res.Engine, res.Oracle = m/float64(res.Pairs), e/float64(res.Pairs), o/float64(res.Pairs)
		}
		if res.Model > res.Engine {
			rep.ModelWins++
		}
		mOK, eOK, oOK = mOK+m, eOK+e, oOK+o
		rep.Pairs += res.Pairs
		rep.PerRater = append(rep.PerRater, res)
	}
	if rep.Pairs > 0 {
		p := float64(rep.Pairs)
		rep.Model, rep.Engine, rep.Oracle = mOK/p, eOK/p, oOK/p
	}
	rep.Fit = Summarize(fits)
	return rep, nil
}

// agree scores one pair: 1 when d has the sign the rater gave, ½ on a tie.
func agree(sign, d float64) float64 {
	switch {
	case d*sign > 0:
		return 1
	case d == 0:
		return 0.5
	}
	return 0
}
