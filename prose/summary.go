package prose

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/go-ego/gse"

	"miaobi/hanzi"
)

// Sentence is one sentence of a text.
type Sentence struct {
	Text  string  `json:"text"`
	Index int     `json:"index"` // its place among the text's sentences, from 0
	Para  int     `json:"para"`  // the paragraph it is in, from 0
	Score float64 `json:"score"` // its TextRank score (the scores sum to 1)
}

// Summary is an extractive summary.
type Summary struct {
	Text      string     `json:"text"`      // the kept sentences, in order
	Sentences []Sentence `json:"sentences"` // the kept sentences with their scores
	Of        int        `json:"of"`        // how many sentences the text has
	Chars     int        `json:"chars"`     // characters of the summary
	TextChars int        `json:"text_chars"`
	Method    string     `json:"method"`
}

// ErrText marks a text that cannot be summarised.
var ErrText = errors.New("text")

// MaxText bounds the text Summarize reads (runes).
const MaxText = 2 << 20

// segmenter is gse with its simplified-Chinese dictionary and stop words,
// loaded once (about 1.7 s) on first use.
var segmenter = sync.OnceValues(func() (*gse.Segmenter, error) {
	seg, err := gse.NewEmbed("zh_s")
	if err != nil {
		return nil, fmt.Errorf("prose: load the segmenter's dictionary: %w", err)
	}
	if err := seg.LoadStopEmbed(); err != nil {
		return nil, fmt.Errorf("prose: load the stop words: %w", err)
	}
	return &seg, nil
})

// Words cuts a sentence into words, leaving out punctuation, spaces and
// stop words; Latin words are lower-cased.
func Words(s string) ([]string, error) {
	seg, err := segmenter()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, w := range seg.Cut(s, true) {
		w = strings.ToLower(strings.TrimSpace(w))
		if w == "" || seg.IsStop(w) || !strings.ContainsFunc(w, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			continue
		}
		out = append(out, w)
	}
	return out, nil
}

// sentenceEnd are the marks that end a sentence.
const sentenceEnd = "。！？!?；;…"

// closers may follow a sentence's end and belong to it.
const closers = "”’」』）)】》"

// closes tells whether r, after a sentence's end, closes it: a closing
// bracket or quote, or an ASCII quote the sentence opened.
func closes(sent []rune, r rune) bool {
	if strings.ContainsRune(closers, r) {
		return true
	}
	if r == '"' || r == '\'' {
		n := 0
		for _, c := range sent {
			if c == r {
				n++
			}
		}
		return n%2 == 1
	}
	return false
}

// Sentences splits a text into sentences: at 。！？；… (and their ASCII
// forms, a '.' only before a space or the end of a line), keeping closing
// quotes with the sentence they close. A line break also ends a sentence,
// and a blank line starts a paragraph.
func Sentences(text string) []Sentence {
	var out []Sentence
	para := 0
	add := func(s string) {
		s = strings.TrimSpace(s)
		if strings.ContainsFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) {
			out = append(out, Sentence{Text: s, Index: len(out), Para: para})
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		if strings.TrimSpace(line) == "" {
			if len(out) > 0 && out[len(out)-1].Para == para {
				para++
			}
			continue
		}
		rs := []rune(line)
		start := 0
		for i := 0; i < len(rs); i++ {
			r := rs[i]
			if !strings.ContainsRune(sentenceEnd, r) && !(r == '.' && (i+1 == len(rs) || unicode.IsSpace(rs[i+1]))) {
				continue
			}
			for i+1 < len(rs) && (strings.ContainsRune(sentenceEnd, rs[i+1]) || closes(rs[start:i+1], rs[i+1])) {
				i++
			}
			add(string(rs[start : i+1]))
			start = i + 1
		}
		add(string(rs[start:]))
	}
	return out
}

// Summarize keeps the n best sentences of text by TextRank (n ≤ 0: about a
// fifth of them, at least one and at most seven), or, with chars > 0, the
// best that fit in that many characters (at least one).
func Summarize(text string, n, chars int) (*Summary, error) {
	if !utf8.ValidString(text) {
		return nil, fmt.Errorf("%w: the text is not UTF-8; convert it first (e.g. iconv -f GB18030 -t UTF-8)", ErrText)
	}
	if utf8.RuneCountInString(text) > MaxText {
		return nil, fmt.Errorf("%w: the text is longer than %d characters; summarise it in parts", ErrText, MaxText)
	}
	text = hanzi.ToSimplified(text)
	sents := Sentences(text)
	if len(sents) == 0 {
		return nil, fmt.Errorf("%w: no sentences in it", ErrText)
	}
	words := make([][]string, len(sents))
	for i, s := range sents {
		w, err := Words(s.Text)
		if err != nil {
			return nil, err
		}
		words[i] = w
	}
	scores := textRank(words)
	for i := range sents {
		sents[i].Score = scores[i]
	}
	order := make([]int, len(sents))
	for i := range order {
		order[i] = i
	}
	// Best first; ties to the earlier sentence.
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case scores[a] > scores[b]:
			return -1
		case scores[a] < scores[b]:
			return 1
		}
		return a - b
	})
	if n <= 0 {
		n = min(7, max(1, (len(sents)+2)/5))
	}
	var keep []int
	used := 0
	for _, i := range order {
		l := utf8.RuneCountInString(sents[i].Text)
		if chars > 0 {
			if len(keep) > 0 && used+l > chars {
				continue
			}
		} else if len(keep) == n {
			break
		}
		keep = append(keep, i)
		used += l
	}
	slices.Sort(keep)
	out := &Summary{Of: len(sents), TextChars: utf8.RuneCountInString(text), Method: "TextRank over gse-segmented sentences"}
	var sb strings.Builder
	for _, i := range keep {
		// Chinese sentences join without a space, others with one.
		if sb.Len() > 0 && !isCJK(sents[i].Text) {
			sb.WriteByte(' ')
		}
		sb.WriteString(sents[i].Text)
		out.Sentences = append(out.Sentences, sents[i])
	}
	out.Text = sb.String()
	out.Chars = utf8.RuneCountInString(out.Text)
	return out, nil
}

func isCJK(s string) bool {
	for _, r := range s {
		return hanzi.IsHan(r) || strings.ContainsRune("“「『（《", r)
	}
	return false
}

// textRank scores sentences by PageRank over their similarity graph: the
// words two sentences share, over the logs of their lengths (Mihalcea &
// Tarau 2004), damping 0.85, to convergence. Scores sum to 1.
func textRank(words [][]string) []float64 {
	n := len(words)
	sets := make([]map[string]bool, n)
	for i, ws := range words {
		sets[i] = map[string]bool{}
		for _, w := range ws {
			sets[i][w] = true
		}
	}
	w := make([][]float64, n)
	out := make([]float64, n) // each sentence's total edge weight
	for i := range w {
		w[i] = make([]float64, n)
	}
	for i := 0; i < n; i++ {
		for j := i + 1; j < n; j++ {
			common := 0
			for x := range sets[i] {
				if sets[j][x] {
					common++
				}
			}
			if common == 0 {
				continue
			}
			den := math.Log(float64(len(sets[i]))+1) + math.Log(float64(len(sets[j]))+1)
			s := float64(common) / den
			w[i][j], w[j][i] = s, s
			out[i] += s
			out[j] += s
		}
	}
	const d = 0.85
	score := make([]float64, n)
	for i := range score {
		score[i] = 1 / float64(n)
	}
	next := make([]float64, n)
	for iter := 0; iter < 200; iter++ {
		// A sentence linked to none passes its score to all.
		dangling := 0.0
		for j := range score {
			if out[j] == 0 {
				dangling += score[j]
			}
		}
		delta := 0.0
		for i := range next {
			sum := 0.0
			for j := range score {
				if w[j][i] > 0 {
					sum += w[j][i] / out[j] * score[j]
				}
			}
			next[i] = (1-d)/float64(n) + d*(sum+dangling/float64(n))
			delta += math.Abs(next[i] - score[i])
		}
		score, next = next, score
		if delta < 1e-9 {
			break
		}
	}
	return score
}
