package judge

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"miaobi/hanzi"
)

//go:embed data/sensitive.txt
var defaultSensitive string

// Lexicon is a list of words an editor reviews before publishing, each
// with a category. Matching is on simplified characters, so traditional
// text is caught too.
type Lexicon struct {
	words map[string]string // simplified word → category
	first map[rune][]string // first character → words, longest first
}

// Hit is one lexicon word found in a text.
type Hit struct {
	Word     string `json:"word"`
	Category string `json:"category"`
	Line     int    `json:"line"`   // 0-based index of the text given
	Offset   int    `json:"offset"` // in characters
}

// DefaultLexicon is the lexicon shipped with Miaobi.
func DefaultLexicon() *Lexicon {
	lx, err := ParseLexicon(defaultSensitive)
	if err != nil {
		panic(err) // cannot happen: the embedded file is tested
	}
	return lx
}

// MaxLexicon bounds a lexicon file's entries.
const MaxLexicon = 200000

// ParseLexicon reads lines of WORD or WORD<TAB>CATEGORY; # starts a
// comment line.
func ParseLexicon(text string) (*Lexicon, error) {
	lx := &Lexicon{words: map[string]string{}, first: map[rune][]string{}}
	for n, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, fmt.Errorf("judge: lexicon line %d: not UTF-8 text", n+1)
		}
		word, cat, _ := strings.Cut(line, "\t")
		word = hanzi.ToSimplified(strings.TrimSpace(word))
		cat = strings.TrimSpace(cat)
		if word == "" {
			continue
		}
		if utf8.RuneCountInString(word) > 32 {
			return nil, fmt.Errorf("judge: lexicon line %d: %q is longer than 32 characters", n+1, word)
		}
		if cat == "" {
			cat = "review"
		}
		if _, ok := lx.words[word]; !ok {
			r, _ := utf8.DecodeRuneInString(word)
			lx.first[r] = append(lx.first[r], word)
		}
		lx.words[word] = cat
		if len(lx.words) > MaxLexicon {
			return nil, fmt.Errorf("judge: lexicon has more than %d entries", MaxLexicon)
		}
	}
	for _, ws := range lx.first {
		sort.Slice(ws, func(i, j int) bool {
			if len(ws[i]) != len(ws[j]) {
				return len(ws[i]) > len(ws[j])
			}
			return ws[i] < ws[j]
		})
	}
	return lx, nil
}

// Len is the number of words.
func (lx *Lexicon) Len() int { return len(lx.words) }

// Find lists the words of the lexicon in each text, the longest word at
// each position, left to right.
func (lx *Lexicon) Find(texts ...string) []Hit {
	hits := []Hit{}
	for li, t := range texts {
		rs := []rune(hanzi.ToSimplified(t))
		s := string(rs)
		byteAt := 0
		for i, r := range rs {
			for _, w := range lx.first[r] {
				if strings.HasPrefix(s[byteAt:], w) {
					hits = append(hits, Hit{Word: w, Category: lx.words[w], Line: li, Offset: i})
					break
				}
			}
			byteAt += utf8.RuneLen(r)
		}
	}
	return hits
}
