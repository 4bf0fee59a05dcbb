package lm

import (
	"math"
)

// Model is a character language model of verse.
type Model interface {
	// Vocab is the model's vocabulary.
	Vocab() *Vocab
	// LogProb is ln P(next | context); context is the poem so far, BOS
	// first, most recent token last. The model reads as much as it uses.
	LogProb(context []Token, next Token) float32
	// Next writes ln P(w | context) for every token w into out, which holds
	// Vocab().Size() values.
	Next(context []Token, out []float32)
}

// Perplexity is exp of the mean negative log-probability of every token
// after BOS in seqs (characters, line breaks and EOS); tokens is how many
// were scored.
func Perplexity(m Model, seqs [][]Token) (ppl float64, tokens int) {
	var sum float64
	for _, s := range seqs {
		for i := 1; i < len(s); i++ {
			sum -= float64(m.LogProb(s[:i], s[i]))
			tokens++
		}
	}
	if tokens == 0 {
		return math.NaN(), 0
	}
	return math.Exp(sum / float64(tokens)), tokens
}

// CharPerplexity is like Perplexity but scores only the characters of the
// poems (line breaks and EOS are context only); it compares poems whose line
// layout is fixed by their form.
func CharPerplexity(m Model, seqs [][]Token) (ppl float64, chars int) {
	var sum float64
	for _, s := range seqs {
		for i := 1; i < len(s); i++ {
			if s[i] < firstChar {
				continue
			}
			sum -= float64(m.LogProb(s[:i], s[i]))
			chars++
		}
	}
	if chars == 0 {
		return math.NaN(), 0
	}
	return math.Exp(sum / float64(chars)), chars
}
