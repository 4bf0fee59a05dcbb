package judge

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
	"unicode"
)

// Evaluating the taste ranker on simulated raters: held-out pairwise
// accuracy against the engine's own order (miaobi bench taste).

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
