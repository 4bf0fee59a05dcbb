package poem

import (
	"fmt"
	"math"
	"strings"
)

// Function characters. Miaobi wrote the negations, interrogatives and
// adverbs of verse far more often than poets do: over the 1,134 distinct
// Miaobi poems rated on the blind panels up to 2026-12-06, 8.6 % of the
// characters were one of FunctionChars, against 5.6 % of the characters
// of the 228,187 regulated-shape poems of the corpus; 不 1.9 times as often
// as poets, 何 2.5, 谁 2.0, 无 1.8. A beam search reaches for them because
// they follow almost anything, and the lines they make say little
// (「不知何处」, 「谁知」, 「何须」, 「无处不」) — the raters' "filler".
//
// So 'miaobi train habits' measures, on its first sample of poems, how
// often the generator writes each function character against how often
// poets do (the training split's regulated-shape poems), and the decoder
// charges functionWeight × ln(Miaobi's rate ÷ poets') for each one it
// overuses, wherever it is written. On the three paired dev panels that
// chose the weight (80 pairs) the charge at 1.5 raised the raters' mean of
// the four scores by 0.13 ± 0.05, every score with it (poeticness most,
// +0.19); at 0.7 it gained about half that, at 3.0 no more. A fourth
// panel, on the shipped version, gave +0.03 ± 0.06: over all 120 pairs
// +0.09 ± 0.04, a small gain.

// FunctionChars is the class of function characters measured: negations,
// interrogatives and adverbs of classical verse.
const FunctionChars = "不无何谁自亦已未犹却岂莫只独空还更又皆俱即便曾尚"

// functionWeight scales the charge for an overused function character.
const functionWeight = 1.5

// FunctionUse is how often one function character is written, per 1,000
// characters: by poets and by the generator.
type FunctionUse struct {
	Char   string  `json:"char"`
	Poets  float64 `json:"poets_per_mille"`
	Miaobi float64 `json:"miaobi_per_mille"`
}

// Charge is what writing the character costs the generator (nats): zero
// unless it writes the character more often than poets.
func (u FunctionUse) Charge() float64 {
	if u.Poets <= 0 || u.Miaobi <= u.Poets {
		return 0
	}
	return functionWeight * math.Log(u.Miaobi/u.Poets)
}

// FunctionRates counts each function character per 1,000 characters of
// the poems' lines (nil poems are skipped). Characters never written are
// present with 0.
func FunctionRates(poems [][]string) map[rune]float64 {
	rates := map[rune]float64{}
	for _, r := range FunctionChars {
		rates[r] = 0
	}
	n := 0
	for _, lines := range poems {
		for _, l := range lines {
			for _, r := range l {
				n++
				if _, ok := rates[r]; ok {
					rates[r]++
				}
			}
		}
	}
	if n == 0 {
		return rates
	}
	for r, c := range rates {
		rates[r] = 1000 * c / float64(n)
	}
	return rates
}

// functionUses pairs poets' rates with the generator's, in FunctionChars
// order.
func functionUses(poets, miaobi map[rune]float64) []FunctionUse {
	var out []FunctionUse
	for _, r := range FunctionChars {
		out = append(out, FunctionUse{Char: string(r), Poets: round3(poets[r]), Miaobi: round3(miaobi[r])})
	}
	return out
}

// ChargedFunction describes, for reports, the function characters whose
// charge is at least 0.05 nats, in FunctionChars order: "何 2.8× (1.5
// nats), 谁 2.5× (1.4 nats)"; "" when none is.
func ChargedFunction(uses []FunctionUse) string {
	var over []string
	for _, u := range uses {
		if u.Charge() >= 0.05 {
			over = append(over, fmt.Sprintf("%s %.1f× (%.1f nats)", u.Char, u.Miaobi/u.Poets, u.Charge()))
		}
	}
	return strings.Join(over, ", ")
}

func round3(v float64) float64 { return math.Round(v*1000) / 1000 }

// FunctionShare is the share of the poems' characters that are function
// characters.
func FunctionShare(poems [][]string) float64 {
	var perMille float64
	for _, v := range FunctionRates(poems) {
		perMille += v
	}
	return perMille / 1000
}

// chargeFunction subtracts each overused function character's charge
// from every line's bonus.
func (e *Engine) chargeFunction(s *spec) {
	uses := e.Habits.Function()
	if len(uses) == 0 {
		return
	}
	s.ensureBonus(e.vocab.Size())
	for _, u := range uses {
		c := float32(u.Charge())
		t := e.vocab.Token([]rune(u.Char)[0])
		if c == 0 || !e.vocab.IsChar(t) {
			continue
		}
		for li := range s.bonus {
			s.bonus[li][t] -= c
		}
	}
}
