// Package hanzi converts Chinese text between traditional and simplified
// characters and classifies runes as Han characters or punctuation.
//
// Conversion follows OpenCC's method — forward maximum matching over a phrase
// dictionary, then a per-character dictionary — with OpenCC's own dictionary
// data (Apache-2.0) embedded in the binary, so it runs offline and in pure Go.
package hanzi

import (
	"bufio"
	"bytes"
	"embed"
	"fmt"
	"sort"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

//go:embed data/*.txt
var dataFS embed.FS

// Converter rewrites text from one script to the other. It is safe for
// concurrent use once built.
type Converter struct {
	chars   map[rune][]rune      // character → candidates, best first
	phrases map[rune][][2]string // first rune → (phrase, replacement), longest first
}

var (
	t2sOnce, s2tOnce sync.Once
	t2s, s2t         *Converter
)

// T2S returns the traditional → simplified converter (OpenCC t2s).
func T2S() *Converter {
	t2sOnce.Do(func() { t2s = mustLoad("data/TSPhrases.txt", "data/TSCharacters.txt") })
	return t2s
}

// S2T returns the simplified → traditional converter (OpenCC s2t).
func S2T() *Converter {
	s2tOnce.Do(func() { s2t = mustLoad("data/STPhrases.txt", "data/STCharacters.txt") })
	return s2t
}

// ToSimplified converts traditional characters in s to simplified ones.
func ToSimplified(s string) string { return T2S().Convert(s) }

// ToTraditional converts simplified characters in s to traditional ones.
func ToTraditional(s string) string { return S2T().Convert(s) }

func mustLoad(phraseFile, charFile string) *Converter {
	c, err := load(phraseFile, charFile)
	if err != nil {
		// The files are embedded at build time; failing here means a broken build.
		panic(fmt.Sprintf("hanzi: embedded dictionary: %v", err))
	}
	return c
}

func load(phraseFile, charFile string) (*Converter, error) {
	c := &Converter{chars: map[rune][]rune{}, phrases: map[rune][][2]string{}}
	if err := eachEntry(charFile, func(from string, to []string) {
		r, n := utf8.DecodeRuneInString(from)
		if n != len(from) {
			return
		}
		for _, t := range to {
			tr, tn := utf8.DecodeRuneInString(t)
			if tn == len(t) {
				c.chars[r] = append(c.chars[r], tr)
			}
		}
	}); err != nil {
		return nil, err
	}
	if err := eachEntry(phraseFile, func(from string, to []string) {
		r, _ := utf8.DecodeRuneInString(from)
		c.phrases[r] = append(c.phrases[r], [2]string{from, to[0]})
	}); err != nil {
		return nil, err
	}
	for _, list := range c.phrases {
		sort.SliceStable(list, func(i, j int) bool { return len(list[i][0]) > len(list[j][0]) })
	}
	return c, nil
}

func eachEntry(name string, fn func(from string, to []string)) error {
	b, err := dataFS.ReadFile(name)
	if err != nil {
		return err
	}
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		line := sc.Text()
		from, rest, ok := strings.Cut(line, "\t")
		if !ok || from == "" {
			continue
		}
		to := strings.Fields(rest)
		if len(to) == 0 {
			continue
		}
		fn(from, to)
	}
	return sc.Err()
}

// Convert rewrites s. Runes without an entry are copied unchanged, so any
// input, including invalid UTF-8, is accepted.
func (c *Converter) Convert(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if list := c.phrases[r]; list != nil {
			matched := false
			for _, p := range list {
				if strings.HasPrefix(s[i:], p[0]) {
					b.WriteString(p[1])
					i += len(p[0])
					matched = true
					break
				}
			}
			if matched {
				continue
			}
		}
		if cand := c.chars[r]; len(cand) > 0 {
			b.WriteRune(cand[0])
		} else {
			b.WriteString(s[i : i+n])
		}
		i += n
	}
	return b.String()
}

// Candidates returns every conversion of a single character, best first,
// or nil when the character has no entry (it is the same in both scripts).
func (c *Converter) Candidates(r rune) []rune { return c.chars[r] }

// IsHan reports whether r is a Han (CJK ideograph) character.
func IsHan(r rune) bool { return unicode.Is(unicode.Han, r) }

// IsSentencePunct reports whether r ends a line or clause in Chinese verse:
// the full- and half-width comma, full stop, question and exclamation marks,
// semicolon, colon and the enumeration comma.
func IsSentencePunct(r rune) bool {
	switch r {
	case '，', '。', '？', '！', '；', '：', '、', ',', '.', '?', '!', ';', ':', '．', '｡', '､':
		return true
	}
	return false
}
