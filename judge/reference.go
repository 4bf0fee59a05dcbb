package judge

import (
	"sync"
)

// Refs is an in-memory index over the corpus for the studio: reference poems
// for a plan (ForKeywords) and an originality report for a written poem
// (Closest). The text lives in one arena of 16-bit character codes; poems are
// found through inverted lists of the poems holding each character and each
// pair of adjacent Han characters inside a line. A Refs is read-only once
// built, so any number of goroutines may query it at once.
type Refs struct {
	// The alphabet: rune ↔ code. Code 0 is "not in the corpus", code 1 stands
	// for U+FFFD (bad text, or runes past a full alphabet).
	codeBMP    []uint16 // rune < 0x10000 → code
	codeAstral map[rune]uint16
	runes      []rune // code → rune
	han        []bool // code → a Han character

	text      []uint16 // every corpus line's codes, line after line
	lineStart []uint32 // line i is text[lineStart[i]:lineStart[i+1]]
	punct     []uint16 // the code of the mark closing line i, 0 for none
	poemLine  []uint32 // poem p is lines poemLine[p] to poemLine[p+1]

	meta    string   // per poem its ID then its title
	metaOff []uint32 // poem p: ID meta[metaOff[2p]:metaOff[2p+1]], title up to metaOff[2p+2]
	author  []uint32 // poem → names
	dynasty []uint32
	form    []uint32
	names   []string
	regular []bool // per name: one of RegulatedForms

	uniOff   []uint32 // code c: the poems holding it are uniPost[uniOff[c]:uniOff[c+1]]
	uniPost  []uint32
	biFirst  []uint32 // first code a: its pairs are biSecond[biFirst[a]:biFirst[a+1]]
	biSecond []uint16 // second code of each pair, ascending within a first code
	biOff    []uint32 // pair i: the poems holding it are biPost[biOff[i]:biOff[i+1]]
	biPost   []uint32

	pool sync.Pool // *refScratch
}

// RefPoem is one corpus poem as the studio shows it.
type RefPoem struct {
	ID      string   `json:"id"`
	Title   string   `json:"title"`
	Author  string   `json:"author"`
	Dynasty string   `json:"dynasty"`
	Form    string   `json:"form"`
	Lines   []string `json:"lines"`
	Puncts  string   `json:"puncts,omitempty"` // the mark closing each line, as in corpus.Poem
	// Matched holds the keywords (as given) found written out inside one line;
	// CharMatched those whose characters all occur in the poem, though not
	// together. Only ForKeywords fills them.
	Matched     []string `json:"matched,omitempty"`
	CharMatched []string `json:"char_matched,omitempty"`
}

// Span is a maximal run of two or more Han characters that a query shares
// with a corpus poem. Offsets count runes (code points), not bytes.
type Span struct {
	Text    string `json:"text"`
	Len     int    `json:"len"`      // characters
	Line    int    `json:"line"`     // line of the query
	At      int    `json:"at"`       // where the run starts in that query line
	RefLine int    `json:"ref_line"` // line of the corpus poem
	RefAt   int    `json:"ref_at"`   // where the run starts in that line
}

// Match is a corpus poem close to a query.
type Match struct {
	Poem RefPoem `json:"poem"`
	// Spans are the shared runs in query order. A run the query shares several
	// times with the poem is listed once, at its first place in the poem, and
	// a run lying inside a longer listed one of the query is left out.
	Spans []Span `json:"spans"`
	// Share is the part of the query's Han characters that the spans cover.
	Share float64 `json:"share"`
	// Score ranks the matches: every adjacent pair of query characters inside
	// a span adds the square of the longest such span's length less one, so a
	// copied run of n characters weighs (n−1)³ and outweighs scattered pairs.
	Score int `json:"score"`
}

// MaxRefs caps k in ForKeywords and Closest.
const MaxRefs = 1000

const (
	maxKeywords     = 64   // ForKeywords reads this many distinct keywords
	maxQueryBigrams = 4096 // Closest reads this many character pairs of a query
	minEval         = 2000 // Closest scores at most max(minEval, 4k) candidates exactly
	maxPoems        = 1 << 27
	maxText         = 1<<32 - 1
	codeBad         = 1 // the code of U+FFFD
)

// Len is the number of poems in the index.
func (r *Refs) Len() int {
	if r == nil || len(r.poemLine) == 0 {
		return 0
	}
	return len(r.poemLine) - 1
}
