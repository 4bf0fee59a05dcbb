// Package lm holds Miaobi's character language models of classical verse:
// a vocabulary that maps characters to tokens, a modified Kneser–Ney n-gram
// model trained by counting (the shipped generator model), a small neural
// model trained in pure Go for comparison, perplexity measurement, and a
// topic space of characters (Topic: latent semantic analysis of which
// characters share poems) that says whether lines speak of the same things.
//
// A poem is one token sequence: BOS, the characters of each line with a
// line-break token between lines, then EOS. Every model answers the same two
// questions through Model: the log-probability of one next token, and the
// whole next-token distribution for a context, which the constrained decoder
// in package poem filters by tone, rhyme and originality.
package lm
