package studio

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"miaobi/hanzi"
	"miaobi/poem"
)

// Stages of a work, in order.
const (
	StagePlan    = "plan"
	StageCreate  = "create"
	StageEdit    = "edit"
	StageReview  = "review"
	StagePublish = "publish"
)

// Stages lists the stages in order.
var Stages = []string{StagePlan, StageCreate, StageEdit, StageReview, StagePublish}

// Hands mark who wrote each character of a line.
const (
	HandPerson = 'p'
	HandAI     = 'a'
)

// Brief is what the person asks for in the plan step.
type Brief struct {
	Keywords []string `json:"keywords"`
	Form     string   `json:"form"`  // 五绝, 七绝 (default), 五律, 七律 or 词:TUNE
	Rhyme    string   `json:"rhyme"` // pingshui (default) or xinyun
	// Images are the imagery the person chose among the suggestions;
	// they join the keywords when the poem is written.
	Images []string `json:"images,omitempty"`
}

// Painting is the picture of a work: a working file in the asset store,
// and how it was made.
type Painting struct {
	Asset   string `json:"asset"`   // the labelled preview (JPEG)
	Raw     string `json:"raw"`     // the unlabelled working PNG (not served)
	Seed    uint64 `json:"seed"`    // the painter's seed
	Width   int    `json:"width"`   // pixels
	Height  int    `json:"height"`  // pixels
	Scene   string `json:"scene"`   // the words the scene was read from
	Version int    `json:"version"` // the version that made it
	// AdjustedBy names the person who adjusted its tone, if anyone did.
	AdjustedBy string `json:"adjusted_by,omitempty"`
	// Source is "photo" for the person's own photograph (Upload names
	// the file as received); empty for Miaobi's painting.
	Source string `json:"source,omitempty"`
	Upload string `json:"upload,omitempty"`
}

// titleByPerson tells whether the person last wrote the title.
func (c *Content) titleByPerson() bool {
	for i := len(c.Parts) - 1; i >= 0; i-- {
		if c.Parts[i].Part == "title" {
			return c.Parts[i].By != "ai"
		}
	}
	return false
}

// IsPhoto tells whether the picture is the person's photograph.
func (p *Painting) IsPhoto() bool { return p != nil && p.Source == "photo" }

// Part records who made one part of a work: the person, or an AI engine
// with its model and seed.
type Part struct {
	Part    string `json:"part"`             // "poem", "line 2", "line 2 char 3", "painting", "title"
	By      string `json:"by"`               // "person:NAME" or "ai"
	Action  string `json:"action"`           // what was done: create, choose, edit, revise, alternative, paint
	Engine  string `json:"engine,omitempty"` // for AI parts: miaobi-poem, miaobi-paint
	Model   string `json:"model,omitempty"`
	Seed    int64  `json:"seed,omitempty"`
	Version int    `json:"version"`
}

// Content is one version of a work.
type Content struct {
	Brief Brief    `json:"brief"`
	Title string   `json:"title"`
	Lines []string `json:"lines"`
	// Hands has one string per line with one letter per character: p for
	// the person, a for the AI.
	Hands []string `json:"hands"`
	// Locks has one string per line: 1 for each character the person
	// locked against regeneration.
	Locks []string `json:"locks"`
	// Candidates are the poems the last create step offered.
	Candidates []*poem.Poem `json:"candidates,omitempty"`
	Painting   *Painting    `json:"painting,omitempty"`
	// Sound is the person's choice of recitation and music, made at
	// publishing.
	Sound *SoundSpec `json:"sound,omitempty"`
	// Film is the work's poem film, when one was made.
	Film *Film `json:"film,omitempty"`
	// Parts is the history of who made what, oldest first.
	Parts []Part `json:"parts"`
	// Bundle names the published bundle (zip) in the asset store.
	Bundle string `json:"bundle,omitempty"`
}

// Share is the human and AI share of a work's text.
type Share struct {
	PersonChars int     `json:"person_chars"`
	AIChars     int     `json:"ai_chars"`
	Person      float64 `json:"person"` // share of characters written by the person, 0–1
	// Painting says who made the picture: "ai", "ai+person" when the
	// person adjusted it, "person" for their own photo, or "" when there
	// is none.
	Painting string `json:"painting,omitempty"`
}

// Share counts who wrote the characters.
func (c *Content) Share() Share {
	var s Share
	for _, h := range c.Hands {
		for i := 0; i < len(h); i++ {
			if h[i] == HandPerson {
				s.PersonChars++
			} else {
				s.AIChars++
			}
		}
	}
	if n := s.PersonChars + s.AIChars; n > 0 {
		s.Person = float64(s.PersonChars) / float64(n)
	}
	switch {
	case c.Painting.IsPhoto():
		s.Painting = "person"
	case c.Painting != nil && c.Painting.AdjustedBy != "":
		s.Painting = "ai+person"
	case c.Painting != nil:
		s.Painting = "ai"
	}
	return s
}

// setLines replaces the poem, marking every character with hand and
// clearing the locks.
func (c *Content) setLines(lines []string, hand byte) {
	c.Lines = append([]string(nil), lines...)
	c.Hands = make([]string, len(lines))
	c.Locks = make([]string, len(lines))
	for i, l := range lines {
		n := utf8.RuneCountInString(l)
		c.Hands[i] = strings.Repeat(string(hand), n)
		c.Locks[i] = strings.Repeat("0", n)
	}
}

// Limits of what a person may write into a work.
const (
	MaxLines     = 16
	MaxLineChars = 15
	MaxTitle     = 40
	MaxKeywords  = 8
)

// checkLines validates edited lines: 1 to MaxLines lines of 1 to
// MaxLineChars Chinese characters, no punctuation.
func checkLines(lines []string) error {
	if len(lines) == 0 || len(lines) > MaxLines {
		return fmt.Errorf("%w: a poem has 1 to %d lines, not %d", ErrInput, MaxLines, len(lines))
	}
	for i, l := range lines {
		n := 0
		for _, r := range l {
			if !hanzi.IsHan(r) {
				return fmt.Errorf("%w: line %d: %q is not a Chinese character; write lines without punctuation or spaces", ErrInput, i+1, r)
			}
			n++
		}
		if n == 0 || n > MaxLineChars {
			return fmt.Errorf("%w: line %d has %d characters; a line has 1 to %d", ErrInput, i+1, n, MaxLineChars)
		}
	}
	return nil
}

// edit applies a person's new lines: changed characters become theirs,
// unchanged ones keep their hand; locks follow the characters that stay.
func (c *Content) edit(lines []string, locks []string) (changed int) {
	hands := make([]string, len(lines))
	newLocks := make([]string, len(lines))
	for i, l := range lines {
		rs := []rune(l)
		var old []rune
		var oldHand, oldLock string
		if i < len(c.Lines) {
			old, oldHand, oldLock = []rune(c.Lines[i]), c.Hands[i], c.Locks[i]
		}
		h := make([]byte, len(rs))
		k := make([]byte, len(rs))
		for j, r := range rs {
			switch {
			case j < len(old) && old[j] == r && j < len(oldHand):
				h[j] = oldHand[j]
				k[j] = '0'
				if j < len(oldLock) {
					k[j] = oldLock[j]
				}
			default:
				h[j] = HandPerson
				k[j] = '0'
				changed++
			}
		}
		hands[i], newLocks[i] = string(h), string(k)
	}
	c.Lines, c.Hands, c.Locks = append([]string(nil), lines...), hands, newLocks
	if locks != nil {
		c.Locks = locks
	}
	return changed
}

// checkLocks validates a lock mask against the lines.
func checkLocks(lines, locks []string) error {
	if len(locks) != len(lines) {
		return fmt.Errorf("%w: give one lock string per line (%d lines, %d lock strings)", ErrInput, len(lines), len(locks))
	}
	for i, k := range locks {
		if len(k) != utf8.RuneCountInString(lines[i]) || strings.Trim(k, "01") != "" {
			return fmt.Errorf("%w: locks line %d: give one 0 or 1 per character (%d characters)", ErrInput, i+1, utf8.RuneCountInString(lines[i]))
		}
	}
	return nil
}

// draft is the poem with unlocked characters replaced by placeholders,
// for poem.Revise.
func (c *Content) draft() (string, int) {
	var b strings.Builder
	free := 0
	for i, l := range c.Lines {
		for j, r := range []rune(l) {
			if j < len(c.Locks[i]) && c.Locks[i][j] == '1' {
				b.WriteRune(r)
			} else {
				b.WriteByte('_')
				free++
			}
		}
		b.WriteByte('\n')
	}
	return b.String(), free
}
