package studio

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"os/exec"
	"strings"

	"miaobi/film"
	"miaobi/label"
	"miaobi/label/c2pa"
	"miaobi/sound"
	"miaobi/store"
)

// FilmInput is what the person chose for the work's film: the aspect
// (16:9, a handscroll, or 9:16, for phones), its length (0: as long as
// the recitation), whether the voice and the music play, its seed, and
// whether it is 1080p (else 720p, which renders three times as fast).
type FilmInput struct {
	Aspect  string  `json:"aspect"` // "16:9" (default) or "9:16"
	Seconds float64 `json:"seconds,omitempty"`
	NoVoice bool    `json:"no_voice,omitempty"`
	NoMusic bool    `json:"no_music,omitempty"`
	Seed    uint64  `json:"seed"`
	HD      bool    `json:"hd,omitempty"`
}

// Film is a work's film: the labelled preview the page plays, the working
// copy the bundle's film.mp4 is signed from (its visible label and
// watermark already in it), and which frames show which part.
type Film struct {
	Asset     string      `json:"asset"` // labelled preview (served)
	Raw       string      `json:"raw"`   // the working copy (not served)
	Width     int         `json:"width"`
	Height    int         `json:"height"`
	Seconds   float64     `json:"seconds"`
	Seed      uint64      `json:"seed"`
	ProduceID string      `json:"produce_id"` // the film's own: its watermark carries it
	Recited   bool        `json:"recited"`
	Writing   []film.Span `json:"writing"`
	Version   int         `json:"version"`
}

// size is the frame size the input asks for.
func (in FilmInput) size() (int, int, error) {
	w, h := 1280, 720
	if in.HD {
		w, h = 1920, 1080
	}
	switch in.Aspect {
	case "", "16:9":
		return w, h, nil
	case "9:16":
		return h, w, nil
	}
	return 0, 0, fmt.Errorf("%w: aspect %q: choose 16:9 or 9:16", ErrInput, in.Aspect)
}

// StartFilm queues the work's film.
func (s *Studio) StartFilm(ctx context.Context, a Actor, id string, in FilmInput) (*store.Job, error) {
	_, _, c, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	if len(c.Lines) == 0 {
		return nil, fmt.Errorf("%w: there is no poem yet to film", ErrInput)
	}
	if _, _, err := in.size(); err != nil {
		return nil, err
	}
	if in.Seconds < 0 || in.Seconds > film.MaxSeconds {
		return nil, fmt.Errorf("%w: %g seconds: use 0 (the recitation's length) to %d", ErrInput, in.Seconds, film.MaxSeconds)
	}
	if in.NoVoice && in.NoMusic {
		return nil, fmt.Errorf("%w: a film needs its voice, its music or both", ErrInput)
	}
	if _, err := film.FFmpeg(); err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	if !in.NoVoice {
		if _, err := exec.LookPath("espeak-ng"); err != nil {
			return nil, fmt.Errorf("%w: %v (or make the film without the voice)", ErrInput, sound.ErrNoSpeech)
		}
	}
	return s.submit(ctx, a, id, "film", in)
}

func (s *Studio) runFilm(ctx context.Context, a Actor, j *store.Job, in FilmInput) (*CreateResult, error) {
	w0, _, c, err := s.load(ctx, a, j.WorkID)
	if err != nil {
		return nil, err
	}
	W, H, err := in.size()
	if err != nil {
		return nil, err
	}
	s.progress(ctx, j, 0.02, "reading the poem")
	p := film.Poem{Title: c.Title, Lines: c.Lines, Words: strings.Join(c.keywords(), ""), Season: -1, Seed: in.Seed,
		W: W, H: H, FPS: 30, Seconds: in.Seconds, NoVoice: in.NoVoice, NoMusic: in.NoMusic}
	if s.Poems != nil {
		p.Season = s.Poems.Frame.SeasonOf([]rune(p.Words + p.Title + strings.Join(p.Lines, "")))
	}
	if c.Sound != nil && c.Sound.Music {
		// The music the person chose for the work.
		if c.Sound.Mode != "" {
			m, _ := sound.ParseMode(c.Sound.Mode)
			p.Mode = &m
		}
		p.Tempo = c.Sound.Tempo
	}
	if c.Painting != nil {
		if p.Picture, err = s.rawPainting(j.WorkID, c.Painting); err != nil {
			return nil, fmt.Errorf("studio: film: the painting: %w", err)
		}
	}
	last := -1
	p.OnFrame = func(i, n int) {
		if pct := 100 * i / max(1, n); pct/2 != last/2 {
			last = pct
			s.progress(ctx, j, 0.05+0.85*float64(i)/float64(n), fmt.Sprintf("filming: frame %d of %d", i, n))
		}
	}
	pid := label.ProduceID("studio-film", j.WorkID, fmt.Sprint(w0.Head), c.Title, strings.Join(c.Lines, "/"), fmt.Sprint(in.Seed), fmt.Sprintf("%dx%d", W, H))
	var raw bytes.Buffer
	rep, err := film.MakePoem(ctx, &raw, p, label.Provenance{ProduceID: pid, AIGenerated: true, Layers: label.Layers{Visible: true, Watermark: true}})
	if err != nil {
		if errors.Is(err, context.Canceled) || ctx.Err() != nil {
			return nil, err
		}
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	s.progress(ctx, j, 0.92, "labelling")
	f := &Film{Raw: fmt.Sprintf("raw-film-%d-%dx%d.mp4", in.Seed, W, H), Asset: fmt.Sprintf("film-%d-%dx%d.mp4", in.Seed, W, H),
		Width: W, Height: H, Seconds: rep.Seconds, Seed: in.Seed, ProduceID: pid, Recited: rep.Recited, Writing: rep.Writing}
	preview, err := s.labelFilm(raw.Bytes(), c, f, nil)
	if err != nil {
		return nil, err
	}
	if err := s.Assets.Put(j.WorkID, f.Raw, raw.Bytes()); err != nil {
		return nil, err
	}
	if err := s.Assets.Put(j.WorkID, f.Asset, preview); err != nil {
		return nil, err
	}
	shape := "16:9"
	if H > W {
		shape = "9:16"
	}
	note := fmt.Sprintf("film %s %dx%d, %.0f s (seed %d)", shape, W, H, rep.Seconds, in.Seed)
	w, err := s.update(ctx, a, j.WorkID, 0, "ai", "film", note, "", func(w *store.Work, c *Content) error {
		f.Version = w.Head + 1
		c.Film = f
		c.Parts = append(c.Parts, Part{Part: "film", By: "ai", Action: "film", Engine: "miaobi-film", Model: "poem film", Seed: int64(in.Seed), Version: f.Version})
		return nil
	})
	if err != nil {
		s.dropIfGone(j.WorkID, err)
		return nil, err
	}
	return &CreateResult{Version: w.Head, Film: f.Asset}, nil
}

// labelFilm adds the AIGC metadata and a signed C2PA manifest to a film's
// working copy (which has its visible label and watermark): the poem as a
// component when given, the history of who made what, and which frames
// show which part of the poem and who wrote it.
func (s *Studio) labelFilm(raw []byte, c *Content, f *Film, poemTxt []byte) ([]byte, error) {
	hist := historyActions(c.Parts)
	for _, sp := range f.Writing {
		what := sp.Part
		by := "ai"
		if sp.Part == "line" {
			what = fmt.Sprintf("line %d", sp.Line)
			if sp.Line-1 < len(c.Hands) && strings.ContainsRune(c.Hands[sp.Line-1], HandPerson) {
				by = "person and ai"
				if !strings.ContainsRune(c.Hands[sp.Line-1], 'a') {
					by = "person"
				}
			}
		}
		if sp.Part == "title" && c.titleByPerson() {
			by = "person"
		}
		hist = append(hist, c2pa.Action{Action: "c2pa.placed", SoftwareAgent: "miaobi-film",
			Description: fmt.Sprintf("frames %d–%d: %s written on, in brush hand, as it is recited (text by %s)", sp.From, sp.To, what, by),
			Parameters:  map[string]string{"org.miaobi.part": what, "org.miaobi.by": by, "org.miaobi.frames": fmt.Sprintf("%d-%d", sp.From, sp.To)}})
	}
	prov := label.Provenance{
		ProduceID:   f.ProduceID,
		Title:       "film.mp4",
		Description: fmt.Sprintf("「%s」 as a poem film made in the Miaobi studio: painting, the poem written as it is recited, music", c.Title),
		AIGenerated: true,
		Layers:      label.Layers{Metadata: true, C2PA: s.Signer != nil},
		Signer:      s.Signer,
		History:     hist,
	}
	if poemTxt != nil {
		h := sha256.Sum256(poemTxt)
		prov.Components = []c2pa.Ingredient{{Title: "poem.txt", Format: "text/plain", Relationship: c2pa.RelationComponentOf, Hash: h[:]}}
	}
	out, _, err := label.File(raw, prov)
	if err != nil {
		return nil, fmt.Errorf("studio: film: label: %w", err)
	}
	return out, nil
}
