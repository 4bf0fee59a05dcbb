package lm

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sort"
	"unicode/utf8"
)

// Token is a vocabulary index.
type Token int32

// Special tokens, present in every vocabulary.
const (
	Unk       Token = 0 // a character outside the vocabulary
	BOS       Token = 1 // start of a poem
	Break     Token = 2 // between two lines
	EOS       Token = 3 // end of a poem
	firstChar       = 4
)

// MaxVocab bounds the vocabulary so that four tokens pack into 56 bits.
const MaxVocab = 1 << 14

// Vocab maps characters to tokens and back.
type Vocab struct {
	runes []rune // index = token; specials hold 0
	index map[rune]Token
}

// NewVocab builds a vocabulary from character counts, keeping characters
// seen at least minCount times (most frequent first, ties by code point), at
// most MaxVocab-4 of them.
func NewVocab(counts map[rune]int, minCount int) *Vocab {
	type rc struct {
		r rune
		n int
	}
	var all []rc
	for r, n := range counts {
		if n >= minCount {
			all = append(all, rc{r, n})
		}
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].n != all[j].n {
			return all[i].n > all[j].n
		}
		return all[i].r < all[j].r
	})
	if len(all) > MaxVocab-firstChar {
		all = all[:MaxVocab-firstChar]
	}
	rs := make([]rune, firstChar, firstChar+len(all))
	for _, x := range all {
		rs = append(rs, x.r)
	}
	return vocabOf(rs)
}

func vocabOf(rs []rune) *Vocab {
	v := &Vocab{runes: rs, index: make(map[rune]Token, len(rs))}
	for i, r := range rs[firstChar:] {
		v.index[r] = Token(i + firstChar)
	}
	return v
}

// Size is the number of tokens, specials included.
func (v *Vocab) Size() int { return len(v.runes) }

// Token returns r's token, or Unk.
func (v *Vocab) Token(r rune) Token {
	if t, ok := v.index[r]; ok {
		return t
	}
	return Unk
}

// Has reports whether r is in the vocabulary.
func (v *Vocab) Has(r rune) bool { _, ok := v.index[r]; return ok }

// Rune returns the character of t, or 0 for special tokens.
func (v *Vocab) Rune(t Token) rune {
	if t < firstChar || int(t) >= len(v.runes) {
		return 0
	}
	return v.runes[t]
}

// IsChar reports whether t stands for a character.
func (v *Vocab) IsChar(t Token) bool { return t >= firstChar && int(t) < len(v.runes) }

// Encode turns a poem's lines into its token sequence, BOS and EOS included.
func (v *Vocab) Encode(lines []string) []Token {
	n := 2
	for _, l := range lines {
		n += utf8.RuneCountInString(l) + 1
	}
	out := make([]Token, 0, n)
	out = append(out, BOS)
	for i, l := range lines {
		if i > 0 {
			out = append(out, Break)
		}
		for _, r := range l {
			out = append(out, v.Token(r))
		}
	}
	return append(out, EOS)
}

// WriteTo writes the vocabulary as a count followed by UTF-8 characters.
func (v *Vocab) WriteTo(w io.Writer) (int64, error) {
	bw := bufio.NewWriter(w)
	var buf [binary.MaxVarintLen64]byte
	n := binary.PutUvarint(buf[:], uint64(len(v.runes)-firstChar))
	total, _ := bw.Write(buf[:n])
	for _, r := range v.runes[firstChar:] {
		k, _ := bw.WriteRune(r)
		total += k
	}
	return int64(total), bw.Flush()
}

// ReadVocab reads a vocabulary written by WriteTo.
func ReadVocab(r io.ByteReader) (*Vocab, error) {
	n, err := binary.ReadUvarint(r)
	if err != nil {
		return nil, fmt.Errorf("lm: vocabulary size: %w", err)
	}
	if n > MaxVocab-firstChar {
		return nil, fmt.Errorf("lm: vocabulary of %d characters is over the limit %d", n, MaxVocab-firstChar)
	}
	rr, ok := r.(io.RuneReader)
	if !ok {
		return nil, errors.New("lm: ReadVocab needs a rune reader")
	}
	rs := make([]rune, firstChar, firstChar+int(n))
	for i := uint64(0); i < n; i++ {
		c, _, err := rr.ReadRune()
		if err != nil {
			return nil, fmt.Errorf("lm: vocabulary character %d: %w", i, err)
		}
		rs = append(rs, c)
	}
	v := vocabOf(rs)
	if len(v.index) != int(n) {
		return nil, errors.New("lm: vocabulary repeats a character")
	}
	return v, nil
}
