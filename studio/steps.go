package studio

import (
	"bytes"
	"context"
	"fmt"
	"image/jpeg"
	"image/png"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"miaobi/label"
	"miaobi/photo"
	"miaobi/poem"
	"miaobi/prosody"
	"miaobi/store"
)

// Suggestions is what the plan step offers: imagery and related words per
// keyword, the forms, and reference poems from the corpus.
type Suggestions struct {
	Keywords   []poem.Suggestion `json:"keywords"`
	Forms      []string          `json:"forms"`
	References []Reference       `json:"references"`
	// Note says why references are missing, when they are.
	Note string `json:"note,omitempty"`
}

// Reference is a corpus poem shown for inspiration.
type Reference struct {
	Title   string   `json:"title"`
	Author  string   `json:"author"`
	Dynasty string   `json:"dynasty"`
	Form    string   `json:"form"`
	Lines   []string `json:"lines"`
	Matched []string `json:"matched"`
}

// Forms lists the forms the studio writes.
var Forms = []string{"五绝", "七绝", "五律", "七律", "词:浣溪沙", "词:如梦令", "词:忆江南", "词:菩萨蛮"}

// Plan suggests imagery, related words, forms and reference poems for the
// work's keywords (or for keywords given).
func (s *Studio) Plan(ctx context.Context, a Actor, id string, keywords []string) (*Suggestions, error) {
	_, _, c, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if keywords == nil {
		keywords = c.Brief.Keywords
	}
	if len(keywords) > MaxKeywords {
		return nil, fmt.Errorf("%w: give at most %d keywords", ErrInput, MaxKeywords)
	}
	out := &Suggestions{Forms: Forms, Keywords: []poem.Suggestion{}, References: []Reference{}}
	var words, images []string
	for _, k := range keywords {
		sg, err := s.Poems.Suggest(k, 8)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInput, err)
		}
		out.Keywords = append(out.Keywords, sg)
		// A modern keyword (跳舞) is searched by its first classical
		// image (舞); a classical one by itself.
		if sg.Source == "corpus" || len(sg.Images) == 0 {
			words = append(words, sg.Text)
		} else {
			words = append(words, sg.Images[0])
		}
		images = append(images, sg.Images...)
	}
	refs, note := s.Refs()
	if refs == nil {
		out.Note = note
		return out, nil
	}
	// Poems holding the keywords themselves come first; the images only
	// fill in when those are few (a modern keyword is in no old poem).
	found := refs.ForKeywords(words, 5)
	if len(found) < 5 {
		seen := map[string]bool{}
		for _, r := range found {
			seen[r.ID] = true
		}
		for _, r := range refs.ForKeywords(append(slices.Clone(c.Brief.Images), images...), 5) {
			if len(found) < 5 && !seen[r.ID] {
				found = append(found, r)
			}
		}
	}
	for _, r := range found {
		out.References = append(out.References, Reference{Title: r.Title, Author: r.Author, Dynasty: r.Dynasty, Form: r.Form, Lines: r.Lines, Matched: r.Matched})
	}
	return out, nil
}

// SetBrief records the person's choices in the plan step.
func (s *Studio) SetBrief(ctx context.Context, a Actor, id string, base int, b Brief) (*Work, error) {
	b, err := s.checkBrief(b)
	if err != nil {
		return nil, err
	}
	return s.update(ctx, a, id, base, a.UserID, "plan", "brief: "+strings.Join(append(slices.Clone(b.Keywords), b.Images...), "、")+" · "+b.Form, StagePlan,
		func(w *store.Work, c *Content) error {
			c.Brief = b
			return nil
		})
}

// Choose makes candidate i (0-based) of the last create step the poem.
func (s *Studio) Choose(ctx context.Context, a Actor, id string, base, i int) (*Work, error) {
	return s.update(ctx, a, id, base, a.UserID, "choose", fmt.Sprintf("chose candidate %d", i+1), StageEdit,
		func(w *store.Work, c *Content) error {
			if i < 0 || i >= len(c.Candidates) {
				return fmt.Errorf("%w: candidate %d: the work has %d candidates", ErrInput, i+1, len(c.Candidates))
			}
			p := c.Candidates[i]
			c.setLines(p.Lines, HandAI)
			c.Title = p.Title
			c.Parts = append(append(c.Parts, Part{Part: "poem", By: a.by(), Action: "choose", Version: w.Head + 1}),
				s.poemParts(p, "create", w.Head+1)...)
			return nil
		})
}

// Edit replaces the poem's lines (and optionally title and locks) with the
// person's; changed characters are attributed to them.
func (s *Studio) Edit(ctx context.Context, a Actor, id string, base int, title *string, lines, locks []string) (*Work, error) {
	if lines != nil {
		if err := checkLines(lines); err != nil {
			return nil, err
		}
	}
	if title != nil {
		t := strings.TrimSpace(*title)
		if t == "" || utf8.RuneCountInString(t) > MaxTitle || !utf8.ValidString(t) || strings.ContainsFunc(t, unicode.IsControl) {
			return nil, fmt.Errorf("%w: a title has 1 to %d characters", ErrInput, MaxTitle)
		}
		title = &t
	}
	note := "edited"
	return s.update(ctx, a, id, base, a.UserID, "edit", note, StageEdit, func(w *store.Work, c *Content) error {
		if lines == nil && locks == nil && title == nil {
			return fmt.Errorf("%w: nothing to change: give lines, locks or a title", ErrInput)
		}
		ls := lines
		if ls == nil {
			ls = c.Lines
		}
		if locks != nil {
			if err := checkLocks(ls, locks); err != nil {
				return err
			}
		}
		changed := c.edit(ls, locks)
		if changed > 0 {
			c.Parts = append(c.Parts, Part{Part: fmt.Sprintf("%d characters", changed), By: a.by(), Action: "edit", Version: w.Head + 1})
		}
		if title != nil && *title != c.Title {
			c.Title = *title
			c.Parts = append(c.Parts, Part{Part: "title", By: a.by(), Action: "edit", Version: w.Head + 1})
		}
		return nil
	})
}

// Revise regenerates every character the person has not locked, keeping
// the locked ones, so the poem stays 合律.
func (s *Studio) Revise(ctx context.Context, a Actor, id string, base int, seed int64) (*Work, error) {
	return s.update(ctx, a, id, base, "ai", "revise", fmt.Sprintf("regenerated the unlocked characters (seed %d)", seed), StageEdit, func(w *store.Work, c *Content) error {
		if len(c.Lines) == 0 {
			return fmt.Errorf("%w: there is no poem to revise yet; create one first", ErrInput)
		}
		draft, free := c.draft()
		if free == 0 {
			return fmt.Errorf("%w: every character is locked; unlock some to regenerate them", ErrInput)
		}
		rs, err := s.Poems.Revise(poem.ReviseRequest{Request: poem.Request{Form: c.Brief.Form, Rhyme: c.Brief.Rhyme, Keywords: c.keywords(), Seed: seed, N: 1}, Draft: draft})
		if err != nil {
			return fmt.Errorf("%w: %v", ErrInput, err)
		}
		r := rs[0]
		if len(r.Lines) != len(c.Lines) {
			return fmt.Errorf("%w: the revision has %d lines, the poem %d; unlock more characters", ErrInput, len(r.Lines), len(c.Lines))
		}
		for i, l := range r.Lines {
			old, nl := []rune(c.Lines[i]), []rune(l)
			h := []byte(c.Hands[i])
			if len(nl) != len(old) {
				h = []byte(strings.Repeat(string(rune(HandAI)), len(nl)))
			}
			for j := range nl {
				if j < len(old) && (nl[j] != old[j] || c.Locks[i][j] != '1') {
					h[j] = HandAI
				}
			}
			c.Hands[i] = string(h)
			if len(c.Locks[i]) != len(nl) {
				c.Locks[i] = strings.Repeat("0", len(nl))
			}
		}
		c.Lines = r.Lines
		c.Parts = append(c.Parts, Part{Part: "unlocked characters", By: "ai", Action: "revise", Engine: "miaobi-poem", Model: s.model(), Seed: seed, Version: w.Head + 1})
		return nil
	})
}

// keywords are the brief's keywords and chosen images.
func (c *Content) keywords() []string {
	return append(slices.Clone(c.Brief.Keywords), c.Brief.Images...)
}

// Alternatives offers options for one character (col ≥ 1) or a whole line
// (col 0) of the current poem.
func (s *Studio) Alternatives(ctx context.Context, a Actor, id string, line, col, k int, seed int64) ([]poem.Alternative, error) {
	_, _, c, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if len(c.Lines) == 0 {
		return nil, fmt.Errorf("%w: there is no poem yet; create one first", ErrInput)
	}
	if k <= 0 || k > 20 {
		k = 5
	}
	alts, err := s.Poems.Alternatives(poem.AltRequest{Form: c.Brief.Form, Rhyme: c.Brief.Rhyme, Poem: strings.Join(c.Lines, "\n"), Line: line, Col: col, K: k, Seed: seed})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	return alts, nil
}

// UseAlternative puts an alternative the person chose into the poem: the
// text is the AI's, the choice the person's.
func (s *Studio) UseAlternative(ctx context.Context, a Actor, id string, base, line, col int, text string) (*Work, error) {
	return s.update(ctx, a, id, base, a.UserID, "alternative", fmt.Sprintf("line %d: chose alternative %s", line, text), StageEdit, func(w *store.Work, c *Content) error {
		if line < 1 || line > len(c.Lines) {
			return fmt.Errorf("%w: line %d: the poem has lines 1 to %d", ErrInput, line, len(c.Lines))
		}
		old := []rune(c.Lines[line-1])
		nt := []rune(text)
		switch {
		case col == 0:
			if len(nt) != len(old) {
				return fmt.Errorf("%w: the new line has %d characters, the old %d", ErrInput, len(nt), len(old))
			}
			c.Lines[line-1] = text
			c.Hands[line-1] = strings.Repeat(string(rune(HandAI)), len(nt))
			c.Locks[line-1] = strings.Repeat("0", len(nt))
		case col >= 1 && col <= len(old) && len(nt) == 1:
			old[col-1] = nt[0]
			c.Lines[line-1] = string(old)
			h := []byte(c.Hands[line-1])
			h[col-1] = HandAI
			c.Hands[line-1] = string(h)
		default:
			return fmt.Errorf("%w: column %d with %q: give one character for columns 1 to %d, or a whole line for column 0", ErrInput, col, text, len(old))
		}
		if err := checkLines(c.Lines); err != nil {
			return err
		}
		part := fmt.Sprintf("line %d", line)
		if col > 0 {
			part += fmt.Sprintf(" char %d", col)
		}
		c.Parts = append(c.Parts, Part{Part: part, By: "ai", Action: "alternative", Engine: "miaobi-poem", Model: s.model(), Version: w.Head + 1},
			Part{Part: part, By: a.by(), Action: "choose", Version: w.Head + 1})
		return nil
	})
}

// SetStage moves the work to a stage (review, or back to edit) without
// other changes.
func (s *Studio) SetStage(ctx context.Context, a Actor, id string, stage string) (*Work, error) {
	if !slices.Contains(Stages, stage) || stage == StagePublish {
		return nil, fmt.Errorf("%w: stage %q: choose plan, create, edit or review (publish through /publish)", ErrInput, stage)
	}
	return s.update(ctx, a, id, 0, a.UserID, "stage", "moved to "+stage, stage, func(w *store.Work, c *Content) error { return nil })
}

// PoemRequest asks for poems without a work.
type PoemRequest struct {
	Keywords []string `json:"keywords"`
	Form     string   `json:"form"`
	Rhyme    string   `json:"rhyme"`
	Acrostic string   `json:"acrostic"`
	Seed     int64    `json:"seed"`
	N        int      `json:"n"`
}

// LabelledPoem is a poem with its labels, as the API returns it.
type LabelledPoem struct {
	*poem.Poem
	// Text is the poem with its explicit label closing it.
	Text string `json:"text"`
	// AIGC is the implicit label (GB 45438 Appendix E JSON).
	AIGC string `json:"aigc"`
}

// PoemsReply is what WritePoems returns.
type PoemsReply struct {
	Poems []LabelledPoem `json:"poems"`
}

// WritePoems writes poems at once (the quick path, with no work or history).
func (s *Studio) WritePoems(ctx context.Context, r PoemRequest) (*PoemsReply, error) {
	if r.N == 0 {
		r.N = 1
	}
	if r.N < 1 || r.N > 10 {
		return nil, fmt.Errorf("%w: n %d: ask for 1 to 10 poems", ErrInput, r.N)
	}
	b, err := s.checkBrief(Brief{Keywords: r.Keywords, Form: r.Form, Rhyme: r.Rhyme})
	if err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(r.Acrostic) > MaxLines {
		return nil, fmt.Errorf("%w: an acrostic has at most %d characters", ErrInput, MaxLines)
	}
	ps, err := s.Poems.Generate(poem.Request{Form: b.Form, Keywords: b.Keywords, Rhyme: b.Rhyme, Acrostic: r.Acrostic, Seed: r.Seed, N: r.N})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	out := &PoemsReply{Poems: []LabelledPoem{}}
	for _, p := range ps {
		text, err := label.Text(p.Title+"\n"+poemText(p.Lines)+"\n", label.DefaultTextLabel, false)
		if err != nil {
			return nil, err
		}
		id := label.ProduceID("poem", p.Form, p.Title, strings.Join(p.Lines, "/"), fmt.Sprint(p.Seed))
		out.Poems = append(out.Poems, LabelledPoem{Poem: p, Text: text, AIGC: label.New(label.DefaultProducer, id, "").JSON()})
	}
	return out, nil
}

// Tone is an adjustment of a painting, each from -1 to 1 (0: unchanged).
type Tone struct {
	Brightness float64 `json:"brightness"`
	Contrast   float64 `json:"contrast"`
	Saturation float64 `json:"saturation"`
}

// AdjustPainting changes the painting's tone at the person's direction;
// the result is a new painting, and the adjustment is theirs.
func (s *Studio) AdjustPainting(ctx context.Context, a Actor, id string, base int, t Tone) (*Work, error) {
	if t == (Tone{}) {
		return nil, fmt.Errorf("%w: nothing to adjust: give brightness, contrast or saturation from -1 to 1", ErrInput)
	}
	return s.update(ctx, a, id, base, a.UserID, "adjust", fmt.Sprintf("painting adjusted (brightness %+.2f, contrast %+.2f, saturation %+.2f)", t.Brightness, t.Contrast, t.Saturation), "", func(w *store.Work, c *Content) error {
		if c.Painting == nil {
			return fmt.Errorf("%w: there is no painting yet; create or paint one first", ErrInput)
		}
		img, err := s.rawPainting(id, c.Painting)
		if err != nil {
			return err
		}
		out, err := photo.Tone(img, t.Brightness, t.Contrast, t.Saturation)
		if err != nil {
			return fmt.Errorf("%w: %v", ErrInput, strings.TrimPrefix(err.Error(), "photo: "))
		}
		pt := *c.Painting
		v := w.Head + 1
		pt.Raw = fmt.Sprintf("raw-painting-%d-%dx%d-v%d.png", pt.Seed, pt.Width, pt.Height, v)
		pt.Asset = fmt.Sprintf("painting-%d-%dx%d-v%d.jpg", pt.Seed, pt.Width, pt.Height, v)
		pt.Version, pt.AdjustedBy = v, a.by()
		if err := s.storePainting(id, &pt, out); err != nil {
			return err
		}
		c.Painting = &pt
		c.Parts = append(c.Parts, Part{Part: "painting tone", By: a.by(), Action: "adjust", Version: v})
		return nil
	})
}

// MaxDraft bounds a draft's size in bytes.
const MaxDraft = 4096

// FromDraft starts the poem from the person's own draft: what they wrote
// is theirs and locked; placeholders (_ ＿ □ 〇 ○ * ＊) are filled by the
// poem engine so the poem is 合律. A draft without placeholders is taken
// as it is.
func (s *Studio) FromDraft(ctx context.Context, a Actor, id string, base int, draft string, seed int64) (*Work, error) {
	if len(draft) > MaxDraft {
		return nil, fmt.Errorf("%w: the draft has %d bytes; at most %d", ErrInput, len(draft), MaxDraft)
	}
	d, err := poem.ParseDraft(draft)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	// The draft as lines, its placeholders as NUL characters: its shape.
	shape := make([]string, len(d))
	for i, l := range d {
		shape[i] = string(l)
	}
	free := 0
	for _, l := range d {
		for _, r := range l {
			if r == 0 {
				free++
			}
		}
	}
	return s.update(ctx, a, id, base, a.UserID, "draft", fmt.Sprintf("the person's draft, %d characters left to fill", free), StageEdit, func(w *store.Work, c *Content) error {
		lines := make([]string, len(d))
		hands := make([]string, len(d))
		locks := make([]string, len(d))
		if free > 0 {
			form := c.Brief.Form
			if !shapeFits(form, shape) {
				form = "" // the draft's own shape decides
			}
			rs, err := s.Poems.Revise(poem.ReviseRequest{Request: poem.Request{Form: form, Rhyme: c.Brief.Rhyme, Keywords: c.keywords(), Seed: seed, N: 1}, Draft: draft})
			if err != nil {
				return fmt.Errorf("%w: %v", ErrInput, err)
			}
			lines = rs[0].Lines
			if len(lines) != len(d) {
				return fmt.Errorf("%w: the draft has %d lines but the poem %d", ErrInput, len(d), len(lines))
			}
			if rs[0].Form != "" {
				c.Brief.Form = rs[0].Form
			}
		}
		for i, l := range d {
			h, k := make([]byte, len(l)), make([]byte, len(l))
			out := []rune(lines[i])
			for j, r := range l {
				h[j], k[j] = HandAI, '0'
				if r != 0 {
					h[j], k[j] = HandPerson, '1'
					if j < len(out) {
						out[j] = r
					}
				}
			}
			if free == 0 {
				out = l
			}
			if len(out) != len(l) {
				return fmt.Errorf("%w: line %d came back with %d characters, not %d", ErrInput, i+1, len(out), len(l))
			}
			lines[i], hands[i], locks[i] = string(out), string(h), string(k)
		}
		if err := checkLines(lines); err != nil {
			return err
		}
		if f := prosody.ShapeForm(lines); !shapeFits(c.Brief.Form, lines) && slices.Contains(regulated, f) {
			c.Brief.Form = f
		}
		c.Lines, c.Hands, c.Locks = lines, hands, locks
		c.Parts = append(c.Parts, Part{Part: "draft", By: a.by(), Action: "draft", Version: w.Head + 1})
		if free > 0 {
			c.Parts = append(c.Parts, Part{Part: fmt.Sprintf("%d placeholders", free), By: "ai", Action: "revise", Engine: "miaobi-poem", Model: s.model(), Seed: seed, Version: w.Head + 1})
		}
		return nil
	})
}

// regulated are the regulated forms Miaobi writes.
var regulated = []string{"五绝", "七绝", "五律", "七律"}

// shapeFits tells whether lines have the shape of form, by the checker's
// own reading of shapes; 词 are left to the engine to judge.
func shapeFits(form string, lines []string) bool {
	return !slices.Contains(regulated, form) || prosody.ShapeForm(lines) == form
}

// Limits of an uploaded photo.
const (
	MaxUpload      = 20 << 20 // bytes
	MaxPhotoPixels = 40e6     // decoded pixels
	photoLongSide  = 2048     // a larger photo is scaled down to this
)

// AddPhoto makes the person's own photograph the work's picture (题画):
// Miaobi reads its scene (sky, water, season, time) into images for the
// poem, and at publishing writes the poem on the photo. The photo stays
// the person's; the file as received is kept as the C2PA ingredient.
func (s *Studio) AddPhoto(ctx context.Context, a Actor, id string, base int, data []byte) (*Work, error) {
	// The work must be the person's before any file is written.
	if _, _, _, err := s.load(ctx, a, id); err != nil {
		return nil, err
	}
	if len(data) > MaxUpload {
		return nil, fmt.Errorf("%w: the photo has %d bytes; at most %d MiB", ErrInput, len(data), MaxUpload>>20)
	}
	img, format, err := photo.Decode(bytes.NewReader(data), MaxPhotoPixels)
	if err != nil {
		return nil, fmt.Errorf("%w: %s", ErrInput, strings.TrimPrefix(err.Error(), "photo: "))
	}
	rgba := photo.Flatten(img)
	if w, h := rgba.Rect.Dx(), rgba.Rect.Dy(); max(w, h) > photoLongSide {
		if w >= h {
			rgba, err = photo.Resize(rgba, photoLongSide, 0)
		} else {
			rgba, err = photo.Resize(rgba, 0, photoLongSide)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrInput, err)
		}
	}
	cues, err := photo.Read(rgba)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	sum := hashHex(data)[:12]
	ext := map[string]string{"jpeg": "jpg", "png": "png", "gif": "gif", "webp": "webp"}[format]
	if ext == "" {
		ext = "bin"
	}
	pt := &Painting{Source: "photo", Width: rgba.Rect.Dx(), Height: rgba.Rect.Dy(), Scene: strings.Join(cues.Keywords, " "),
		Upload: "upload-" + sum + "." + ext, Raw: "raw-photo-" + sum + ".png", Asset: "photo-" + sum + ".jpg"}
	if err := s.Assets.Put(id, pt.Upload, data); err != nil {
		return nil, err
	}
	var raw, prev bytes.Buffer
	if err := png.Encode(&raw, rgba); err != nil {
		return nil, err
	}
	if err := jpeg.Encode(&prev, rgba, &jpeg.Options{Quality: 88}); err != nil {
		return nil, err
	}
	if err := s.Assets.Put(id, pt.Raw, raw.Bytes()); err != nil {
		return nil, err
	}
	if err := s.Assets.Put(id, pt.Asset, prev.Bytes()); err != nil {
		return nil, err
	}
	note := fmt.Sprintf("the person's photo %d×%d; read as %s", pt.Width, pt.Height, strings.Join(cues.Keywords, "、"))
	return s.update(ctx, a, id, base, a.UserID, "photo", note, "", func(w *store.Work, c *Content) error {
		pt.Version = w.Head + 1
		c.Painting = pt
		for _, k := range cues.Keywords {
			if !slices.Contains(c.Brief.Images, k) && len(c.Brief.Images) < 16 && utf8.RuneCountInString(k) <= 3 {
				c.Brief.Images = append(c.Brief.Images, k)
			}
		}
		c.Parts = append(c.Parts, Part{Part: "photo", By: a.by(), Action: "upload", Version: pt.Version})
		return nil
	})
}
