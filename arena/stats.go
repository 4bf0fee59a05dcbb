package arena

import (
	"errors"
	"fmt"
	"math"
)

// z95 is the two-sided 95 % normal quantile.
const z95 = 1.959963984540054

// Share is a proportion k/n with its 95 % Wilson score interval, which
// stays inside [0, 1] and behaves at k = 0 and k = n where the plain
// normal interval does not (Wilson 1927; Brown, Cai & DasGupta 2001).
type Share struct {
	K  int     `json:"k"`
	N  int     `json:"n"`
	P  float64 `json:"p"`
	Lo float64 `json:"lo"`
	Hi float64 `json:"hi"`
}

// Wilson returns k of n as a Share. With n = 0 the interval is [0, 1].
func Wilson(k, n int) Share {
	if n <= 0 {
		return Share{Lo: 0, Hi: 1}
	}
	k = min(max(k, 0), n)
	fn, p := float64(n), float64(k)/float64(n)
	z2 := z95 * z95
	centre := (p + z2/(2*fn)) / (1 + z2/fn)
	half := z95 / (1 + z2/fn) * math.Sqrt(p*(1-p)/fn+z2/(4*fn*fn))
	return Share{K: k, N: n, P: p, Lo: math.Max(0, centre-half), Hi: math.Min(1, centre+half)}
}

// Mean is the mean of scores with its 95 % interval (Student's t for
// small samples). With fewer than two scores the interval is the mean.
type Mean struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	Lo   float64 `json:"lo"`
	Hi   float64 `json:"hi"`
}

// meanAcc accumulates scores (Welford's method).
type meanAcc struct {
	n       int
	mean, m float64
}

func (a *meanAcc) add(x float64) {
	a.n++
	d := x - a.mean
	a.mean += d / float64(a.n)
	a.m += d * (x - a.mean)
}

func (a meanAcc) result() Mean {
	out := Mean{N: a.n, Mean: a.mean, Lo: a.mean, Hi: a.mean}
	if a.n >= 2 {
		se := math.Sqrt(a.m/float64(a.n-1)) / math.Sqrt(float64(a.n))
		h := tQuantile95(a.n-1) * se
		out.Lo, out.Hi = a.mean-h, a.mean+h
	}
	return out
}

// tQuantile95 is the 97.5th percentile of Student's t with df degrees of
// freedom: the table for small df, then the Cornish–Fisher expansion,
// within 0.001 of the exact value from df = 1 up.
func tQuantile95(df int) float64 {
	table := [...]float64{0, 12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228}
	if df < len(table) {
		if df < 1 {
			return math.Inf(1)
		}
		return table[df]
	}
	z, n := z95, float64(df)
	z3, z5, z7 := z*z*z, z*z*z*z*z, z*z*z*z*z*z*z
	return z + (z3+z)/(4*n) + (5*z5+16*z3+3*z)/(96*n*n) + (3*z7+19*z5+17*z3-15*z)/(384*n*n*n)
}

// Strength is one player's Bradley–Terry strength on the log-odds scale,
// centred so the players' mean is 0: a player of strength θ beats one of
// strength φ with probability 1/(1+e^(φ−θ)), and beats an average player
// with probability Win. Lo and Hi bound θ at 95 %.
type Strength struct {
	Name  string  `json:"name"`
	Theta float64 `json:"theta"`
	Lo    float64 `json:"lo"`
	Hi    float64 `json:"hi"`
	Win   float64 `json:"win"`
	Wins  float64 `json:"wins"`
	Games float64 `json:"games"`
}

// ErrNoGames means a Bradley–Terry fit was asked of no comparisons.
var ErrNoGames = errors.New("arena: no comparisons to fit")

// btPrior is the standard deviation of the Gaussian prior on each log
// strength: weak (±4 log-odds holds 95 % of it), but it keeps a player
// that won or lost every game finite and lets players that never met
// another share a scale.
const btPrior = 2.0

// BradleyTerry fits strengths to a win matrix: wins[i][j] is how often
// player i was preferred to player j. It maximises the likelihood times a
// N(0, btPrior²) prior on each log strength by Newton's method; the
// intervals come from the inverse of the negative Hessian at the optimum
// (the Laplace approximation), for the centred strengths. Players with no
// games keep strength 0 and the prior's interval.
func BradleyTerry(names []string, wins [][]float64) ([]Strength, error) {
	return fitBT(names, wins, 1/(btPrior*btPrior))
}

func fitBT(names []string, wins [][]float64, ridge float64) ([]Strength, error) {
	k := len(names)
	if len(wins) != k {
		return nil, fmt.Errorf("arena: %d players but a %d-row win matrix", k, len(wins))
	}
	total := 0.0
	for i, row := range wins {
		if len(row) != k {
			return nil, fmt.Errorf("arena: win matrix row %d has %d columns, want %d", i, len(row), k)
		}
		for j, w := range row {
			if w < 0 || math.IsNaN(w) || math.IsInf(w, 0) {
				return nil, fmt.Errorf("arena: wins[%d][%d] = %v", i, j, w)
			}
			if i != j {
				total += w
			}
		}
	}
	if total == 0 {
		return nil, ErrNoGames
	}
	theta := make([]float64, k)
	h := make([][]float64, k)
	for i := range h {
		h[i] = make([]float64, k)
	}
	g := make([]float64, k)
	var cov [][]float64
	for iter := 0; iter < 100; iter++ {
		// Gradient and negative Hessian of the log posterior.
		for i := range k {
			g[i] = -ridge * theta[i]
			clear(h[i])
			h[i][i] = ridge
		}
		for i := range k {
			for j := i + 1; j < k; j++ {
				n := wins[i][j] + wins[j][i]
				if n == 0 {
					continue
				}
				p := 1 / (1 + math.Exp(theta[j]-theta[i]))
				g[i] += wins[i][j] - n*p
				g[j] -= wins[i][j] - n*p
				v := n * p * (1 - p)
				h[i][i] += v
				h[j][j] += v
				h[i][j] -= v
				h[j][i] -= v
			}
		}
		inv, err := invertSPD(h)
		if err != nil {
			return nil, err
		}
		step := 0.0
		for i := range k {
			d := 0.0
			for j := range k {
				d += inv[i][j] * g[j]
			}
			theta[i] += d
			step = math.Max(step, math.Abs(d))
		}
		cov = inv
		if step < 1e-10 {
			break
		}
	}
	mean := 0.0
	for _, t := range theta {
		mean += t
	}
	mean /= float64(k)
	out := make([]Strength, k)
	for i := range k {
		// Var(θ_i − mean θ) = aᵀ C a with a = e_i − 1/k.
		v, fk := 0.0, float64(k)
		for a := range k {
			ca := -1 / fk
			if a == i {
				ca += 1
			}
			for b := range k {
				cb := -1 / fk
				if b == i {
					cb += 1
				}
				v += ca * cov[a][b] * cb
			}
		}
		se := math.Sqrt(math.Max(v, 0))
		t := theta[i] - mean
		s := Strength{Name: names[i], Theta: t, Lo: t - z95*se, Hi: t + z95*se, Win: 1 / (1 + math.Exp(-t))}
		for j := range k {
			if j != i {
				s.Wins += wins[i][j]
				s.Games += wins[i][j] + wins[j][i]
			}
		}
		out[i] = s
	}
	return out, nil
}

// invertSPD inverts a symmetric positive-definite matrix by Cholesky
// factorisation.
func invertSPD(a [][]float64) ([][]float64, error) {
	k := len(a)
	l := make([][]float64, k)
	for i := range l {
		l[i] = make([]float64, k)
	}
	for i := range k {
		for j := 0; j <= i; j++ {
			s := a[i][j]
			for p := range j {
				s -= l[i][p] * l[j][p]
			}
			if i == j {
				if s <= 0 {
					return nil, errors.New("arena: the comparison matrix is not positive definite")
				}
				l[i][i] = math.Sqrt(s)
			} else {
				l[i][j] = s / l[j][j]
			}
		}
	}
	// Invert L, then A⁻¹ = L⁻ᵀ L⁻¹.
	li := make([][]float64, k)
	for i := range li {
		li[i] = make([]float64, k)
		li[i][i] = 1 / l[i][i]
		for j := 0; j < i; j++ {
			s := 0.0
			for p := j; p < i; p++ {
				s -= l[i][p] * li[p][j]
			}
			li[i][j] = s / l[i][i]
		}
	}
	inv := make([][]float64, k)
	for i := range inv {
		inv[i] = make([]float64, k)
		for j := range k {
			s := 0.0
			for p := max(i, j); p < k; p++ {
				s += li[p][i] * li[p][j]
			}
			inv[i][j] = s
		}
	}
	return inv, nil
}
