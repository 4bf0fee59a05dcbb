package judge

import (
	"fmt"
	"sort"
	"time"

	"miaobi/corpus"
)

// Distinct returns distinct-1 and distinct-2 over a set of poems: distinct
// characters over all characters, and distinct character bigrams (inside
// lines) over all bigrams (Li et al. 2016).
func Distinct(poems [][]string) (d1, d2 float64) {
	uni, bi := map[rune]bool{}, map[[2]rune]bool{}
	n1, n2 := 0, 0
	for _, p := range poems {
		for _, l := range p {
			rs := []rune(l)
			for i, r := range rs {
				uni[r] = true
				n1++
				if i > 0 {
					bi[[2]rune{rs[i-1], r}] = true
					n2++
				}
			}
		}
	}
	if n1 > 0 {
		d1 = float64(len(uni)) / float64(n1)
	}
	if n2 > 0 {
		d2 = float64(len(bi)) / float64(n2)
	}
	return
}

// Copy is one run a generated poem shares with a corpus line.
type Copy struct {
	Poem   int    `json:"poem"` // index into the scanned poems
	Line   int    `json:"line"`
	Run    string `json:"run"`
	Source string `json:"source"` // title and author of a corpus poem holding it
}

// ScanCopies checks poems exactly against every line of the corpus at path:
// a line of n characters may not share MinRun(n) characters in a row with a
// corpus line, and a short line (≤4) may not equal one. It streams the
// corpus once, so it suits a benchmark, not a request.
func ScanCopies(path string, poems [][]string) ([]Copy, error) {
	type at struct{ poem, line int }
	runs := map[string][]at{}
	lines := map[string][]at{}
	for pi, p := range poems {
		for li, l := range p {
			rs := []rune(l)
			k := MinRun(len(rs))
			for i := 0; i+k <= len(rs); i++ {
				runs[string(rs[i:i+k])] = append(runs[string(rs[i:i+k])], at{pi, li})
			}
			if len(rs) <= GuardMaxLine {
				lines[l] = append(lines[l], at{pi, li})
			}
		}
	}
	seen := map[at]bool{}
	var out []Copy
	err := corpus.Read(path, func(cp *corpus.Poem) error {
		for _, l := range cp.Lines {
			rs := []rune(l)
			for _, k := range []int{GuardShortRun, GuardLongRun} {
				for i := 0; i+k <= len(rs); i++ {
					for _, a := range runs[string(rs[i:i+k])] {
						if len([]rune(poems[a.poem][a.line])) <= 5 != (k == GuardShortRun) {
							continue
						}
						if !seen[a] {
							seen[a] = true
							out = append(out, Copy{a.poem, a.line, string(rs[i : i+k]), cp.Title + " · " + cp.Author})
						}
					}
				}
			}
			for _, a := range lines[l] {
				if !seen[a] {
					seen[a] = true
					out = append(out, Copy{a.poem, a.line, l, cp.Title + " · " + cp.Author})
				}
			}
		}
		return nil
	})
	sort.Slice(out, func(i, j int) bool {
		return out[i].Poem < out[j].Poem || out[i].Poem == out[j].Poem && out[i].Line < out[j].Line
	})
	return out, err
}

// Latency summarises durations.
type Latency struct {
	N   int     `json:"n"`
	P50 float64 `json:"p50_ms"`
	P99 float64 `json:"p99_ms"`
	Max float64 `json:"max_ms"`
}

// Summarize computes percentiles (nearest rank).
func Summarize(ds []time.Duration) Latency {
	if len(ds) == 0 {
		return Latency{}
	}
	s := append([]time.Duration(nil), ds...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	pick := func(q float64) float64 {
		i := int(q*float64(len(s))+0.999999) - 1
		return float64(s[max(0, min(i, len(s)-1))]) / 1e6
	}
	return Latency{N: len(s), P50: pick(0.5), P99: pick(0.99), Max: float64(s[len(s)-1]) / 1e6}
}

func (l Latency) String() string {
	return fmt.Sprintf("p50 %.1f ms, p99 %.1f ms (n=%d)", l.P50, l.P99, l.N)
}
