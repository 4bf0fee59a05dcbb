// Package studio is where a person and Miaobi make a work (作品) together:
// it moves a work through plan → create → edit → review → publish, keeps
// every change as a new version recording who made each part (the person,
// or which engine, model and seed), runs the slow steps as queued jobs, and
// publishes a labelled, signed bundle whose C2PA manifest carries that
// history. Autopilot runs the same steps with no human in the loop.
package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"miaobi/engine"
	"miaobi/hanzi"
	"miaobi/judge"
	"miaobi/label/c2pa"
	"miaobi/poem"
	"miaobi/prosody"
	"miaobi/queue"
	"miaobi/store"
)

// Errors the server maps to HTTP statuses.
var (
	// ErrInput: the request is wrong (400/422).
	ErrInput = errors.New("invalid input")
	// ErrNotFound: no such work, version or job for this person (404).
	ErrNotFound = errors.New("not found")
	// ErrConflict: the work moved on meanwhile (409).
	ErrConflict = errors.New("conflict")
)

// Studio holds what the steps need.
type Studio struct {
	DB      *store.DB
	Assets  *store.Assets
	Queue   *queue.Queue
	Poems   *poem.Engine
	Signer  *c2pa.Signer
	Lexicon *judge.Lexicon
	// Engines are the model servers a work may be created by, by name
	// (see package engine); nil or empty: Miaobi's own poet only.
	Engines map[string]engine.Config
	// Refs finds reference and closest corpus poems; nil until the
	// corpus is loaded (or when it is not installed).
	refs    refsHolder
	Metrics *Metrics
	// pools caches open arena rounds' pools for the dealer.
	pools poolCache
}

// refsHolder holds the corpus index once it is loaded.
type refsHolder struct {
	mu   sync.RWMutex
	refs *judge.Refs
	note string
}

// SetRefs installs the corpus index (or the reason there is none).
func (s *Studio) SetRefs(r *judge.Refs, note string) {
	s.refs.mu.Lock()
	s.refs.refs, s.refs.note = r, note
	s.refs.mu.Unlock()
}

// Refs returns the corpus index, or nil and why not.
func (s *Studio) Refs() (*judge.Refs, string) {
	s.refs.mu.RLock()
	defer s.refs.mu.RUnlock()
	return s.refs.refs, s.refs.note
}

// Actor is who asks: a signed-in person.
type Actor struct {
	UserID string
	Name   string
}

func (a Actor) by() string { return "person:" + a.Name }

// Work is a work with its current version, as the API returns it.
type Work struct {
	*store.Work
	Version *store.Version `json:"version"`
	Content *Content       `json:"content"`
	Share   Share          `json:"share"`
	Jobs    []*store.Job   `json:"jobs,omitempty"`
}

// model names the poem engine's model for attribution.
// EngineNames lists the configured engines, sorted.
func (s *Studio) EngineNames() []string { return engine.Names(s.Engines) }

func (s *Studio) model() string {
	if m := s.Poems.Manifest; m != nil {
		return fmt.Sprintf("kn%d (%s %s)", m.Model.Order, m.Corpus.Package, m.Corpus.Version)
	}
	return "kn"
}

// NewWork starts a work from a brief. With autopilot, it queues a job that
// takes it all the way to a published bundle.
func (s *Studio) NewWork(ctx context.Context, a Actor, title string, b Brief, autopilot bool, seed int64) (*Work, *store.Job, error) {
	b, err := s.checkBrief(b)
	if err != nil {
		return nil, nil, err
	}
	title = strings.TrimSpace(title)
	if utf8.RuneCountInString(title) > MaxTitle || !utf8.ValidString(title) || strings.ContainsFunc(title, unicode.IsControl) {
		return nil, nil, fmt.Errorf("%w: a title has at most %d characters", ErrInput, MaxTitle)
	}
	if title == "" {
		title = strings.Join(b.Keywords, "·")
	}
	if title == "" {
		title = "无题"
	}
	c := &Content{Brief: b, Title: title, Parts: []Part{}}
	raw, _ := json.Marshal(c)
	w := &store.Work{Owner: a.UserID, Title: title, Stage: StagePlan, Autopilot: autopilot}
	v := &store.Version{Author: a.UserID, Action: "plan", Note: "brief: " + strings.Join(b.Keywords, "、"), Content: raw}
	if err := s.DB.CreateWork(ctx, w, v); err != nil {
		return nil, nil, err
	}
	var job *store.Job
	if autopilot {
		in := CreateInput{N: 5, Seed: seed, Paint: true}
		if err := checkSize(&in.Width, &in.Height); err != nil {
			return nil, nil, err
		}
		job, err = s.submit(ctx, a, w.ID, "autopilot", in)
		if err != nil {
			return nil, nil, err
		}
	}
	out, err := s.Get(ctx, a, w.ID)
	return out, job, err
}

// checkBrief validates and normalises a brief.
func (s *Studio) checkBrief(b Brief) (Brief, error) {
	var kws []string
	for _, k := range b.Keywords {
		k = strings.TrimSpace(k)
		if k != "" {
			kws = append(kws, hanzi.ToSimplified(k))
		}
	}
	if len(kws) > MaxKeywords {
		return b, fmt.Errorf("%w: give at most %d keywords, not %d", ErrInput, MaxKeywords, len(kws))
	}
	for _, k := range kws {
		if _, err := s.Poems.Suggest(k, 0); err != nil {
			return b, fmt.Errorf("%w: %v", ErrInput, err)
		}
	}
	b.Keywords = kws
	if b.Form == "" {
		b.Form = "七绝"
	}
	if b.Rhyme == "" {
		b.Rhyme = "pingshui"
	}
	if b.Rhyme != "pingshui" && b.Rhyme != "xinyun" {
		return b, fmt.Errorf("%w: rhyme book %q: choose pingshui or xinyun", ErrInput, b.Rhyme)
	}
	f, err := prosody.NormalizeForm(b.Form)
	if err != nil {
		return b, fmt.Errorf("%w: %v", ErrInput, err)
	}
	if !slices.Contains(regulated, f) && !strings.HasPrefix(f, "词:") {
		return b, fmt.Errorf("%w: form %s: Miaobi writes 五绝, 七绝, 五律, 七律 and 词:TUNE", ErrInput, f)
	}
	b.Form = f
	if len(b.Images) > 16 {
		return b, fmt.Errorf("%w: choose at most 16 images", ErrInput)
	}
	for _, im := range b.Images {
		if n := utf8.RuneCountInString(im); n == 0 || n > 3 || strings.ContainsFunc(im, func(r rune) bool { return !hanzi.IsHan(r) }) {
			return b, fmt.Errorf("%w: image %q: images are 1 to 3 Chinese characters", ErrInput, im)
		}
	}
	return b, nil
}

// load returns a work the actor owns with its head content. Another
// person's work is reported as not found, so ids do not leak.
func (s *Studio) load(ctx context.Context, a Actor, id string) (*store.Work, *store.Version, *Content, error) {
	if store.ValidName(id) != nil {
		return nil, nil, nil, fmt.Errorf("work %q: %w", id, ErrNotFound)
	}
	w, err := s.DB.Work(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && w.Owner != a.UserID {
		return nil, nil, nil, fmt.Errorf("work %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	v, err := s.DB.Version(ctx, id, w.Head)
	if err != nil {
		return nil, nil, nil, err
	}
	var c Content
	if err := json.Unmarshal(v.Content, &c); err != nil {
		return nil, nil, nil, fmt.Errorf("studio: work %s version %d: %w", id, v.N, err)
	}
	return w, v, &c, nil
}

// Get returns a work with its current version.
func (s *Studio) Get(ctx context.Context, a Actor, id string) (*Work, error) {
	w, v, c, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	jobs, err := s.DB.Jobs(ctx, id, 10)
	if err != nil {
		return nil, err
	}
	v.Content = nil
	return &Work{Work: w, Version: v, Content: c, Share: c.Share(), Jobs: jobs}, nil
}

// update applies change to the head content and saves a new version. When
// base is positive the change was made against that version, and a newer
// head is a conflict; otherwise (AI steps) the change is re-applied to the
// newest head until it lands.
func (s *Studio) update(ctx context.Context, a Actor, id string, base int, author, action, note, stage string, change func(w *store.Work, c *Content) error) (*Work, error) {
	for try := 0; try < 8; try++ {
		w, _, c, err := s.load(ctx, a, id)
		if err != nil {
			return nil, err
		}
		if base > 0 && w.Head != base {
			return nil, fmt.Errorf("%w: you edited version %d but the work is at version %d now; reload it", ErrConflict, base, w.Head)
		}
		if err := change(w, c); err != nil {
			return nil, err
		}
		raw, err := json.Marshal(c)
		if err != nil {
			return nil, err
		}
		st := stage
		if st == "" {
			st = w.Stage
		}
		v := &store.Version{WorkID: id, Author: author, Action: action, Note: note, Content: raw}
		err = s.DB.AddVersion(ctx, w.Head, c.Title, st, v)
		if errors.Is(err, store.ErrStale) {
			if base > 0 {
				return nil, fmt.Errorf("%w: %v", ErrConflict, err)
			}
			time.Sleep(time.Duration(try+1) * 20 * time.Millisecond)
			continue
		}
		if err != nil {
			return nil, err
		}
		return s.Get(ctx, a, id)
	}
	return nil, fmt.Errorf("%w: the work kept changing; try again", ErrConflict)
}

// History lists a work's versions.
func (s *Studio) History(ctx context.Context, a Actor, id string) ([]*store.Version, error) {
	if _, _, _, err := s.load(ctx, a, id); err != nil {
		return nil, err
	}
	return s.DB.Versions(ctx, id)
}

// Version returns one version of a work.
func (s *Studio) Version(ctx context.Context, a Actor, id string, n int) (*store.Version, error) {
	if _, _, _, err := s.load(ctx, a, id); err != nil {
		return nil, err
	}
	v, err := s.DB.Version(ctx, id, n)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fmt.Errorf("version %d: %w", n, ErrNotFound)
	}
	return v, err
}

// Delete removes one of the actor's works, its history and its files. A
// job still queued for it fails when it runs.
func (s *Studio) Delete(ctx context.Context, a Actor, id string) error {
	if _, _, _, err := s.load(ctx, a, id); err != nil {
		return err
	}
	if err := s.DB.DeleteWork(ctx, id); err != nil {
		return err
	}
	return s.Assets.Remove(id)
}

// Works lists the actor's works.
func (s *Studio) Works(ctx context.Context, a Actor) ([]*store.Work, error) {
	return s.DB.Works(ctx, a.UserID, 200)
}

// logErr logs an error that is not the caller's to see.
func logErr(msg string, err error, args ...any) {
	if err != nil {
		slog.Error(msg, append(args, "err", err)...)
	}
}
