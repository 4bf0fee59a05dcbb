package studio

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"image"
	"image/png"
	"log/slog"
	"strings"
	"time"

	"miaobi/engine"
	"miaobi/label"
	"miaobi/paint"
	"miaobi/photo"
	"miaobi/poem"
	"miaobi/queue"
	"miaobi/store"
)

// CreateInput asks the create step for poem candidates and a painting.
type CreateInput struct {
	N     int   `json:"n"`    // candidates (default 5, at most 10)
	Seed  int64 `json:"seed"` // the poems' seed; the painting's too
	Paint bool  `json:"paint"`
	// Width and Height of the painting (default 1024×512).
	Width  int `json:"width,omitempty"`
	Height int `json:"height,omitempty"`
	// Engine names a configured model server to write the poems (under
	// Miaobi's guard), Model its model; empty: Miaobi's own poet. An
	// engine writes at most MaxEngineCandidates candidates.
	Engine string `json:"engine,omitempty"`
	Model  string `json:"model,omitempty"`
}

// enginePoems asks a configured engine for the candidates, one request
// each (a seed apart), every one through the guard; the candidates that
// came back are kept when some failed.
func (s *Studio) enginePoems(ctx context.Context, j *store.Job, in CreateInput, req poem.Request) ([]*poem.Poem, error) {
	cfg := s.Engines[in.Engine]
	t, err := engine.Open(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInput, err)
	}
	defer t.Close()
	var out []*poem.Poem
	var errs []error
	for i := 0; i < in.N; i++ {
		seed := in.Seed + int64(i)
		r := req
		r.Seed, r.N = seed, 1
		g, err := s.Poems.FromPoet(ctx, engine.Poet{Name: in.Engine, Text: t, Model: in.Model, Seed: &seed}, r)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			errs = append(errs, err)
			continue
		}
		out = append(out, g)
		s.progress(ctx, j, 0.05+0.5*float64(i+1)/float64(in.N), fmt.Sprintf("engine %s wrote %d of %d", in.Engine, i+1, in.N))
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("engine %s: %w", in.Engine, errors.Join(errs...))
	}
	return out, nil
}

// poemParts records who made a poem: Miaobi's poet, or an engine and
// the characters Miaobi's guard repaired.
func (s *Studio) poemParts(p *poem.Poem, action string, version int) []Part {
	if p.Source == nil {
		return []Part{{Part: "poem", By: "ai", Action: action, Engine: "miaobi-poem", Model: s.model(), Seed: p.Seed, Version: version}}
	}
	out := []Part{{Part: "poem", By: "ai", Action: action, Engine: p.Source.Engine, Model: p.Source.Model, Seed: p.Seed, Version: version}}
	for _, r := range p.Source.Repairs {
		part := Part{Part: fmt.Sprintf("line %d char %d", r.Line, r.Col), By: "ai", Action: "repair", Version: version}
		if r.By == poem.HandMiaobi {
			part.Engine, part.Model = "miaobi-poem", s.model()
		} else {
			part.Engine, part.Model = p.Source.Engine, p.Source.Model
		}
		out = append(out, part)
	}
	return out
}

// MaxEngineCandidates bounds the candidates one create step asks an
// engine for: each is a request to a server that may be slow or paid.
const MaxEngineCandidates = 3

// PaintInput asks for a new painting.
type PaintInput struct {
	Seed   uint64 `json:"seed"`
	Width  int    `json:"width,omitempty"`
	Height int    `json:"height,omitempty"`
}

// Painting sizes.
const (
	DefaultWidth, DefaultHeight = 1024, 512
	MaxPaintPixels              = 4 << 20
)

func checkSize(w, h *int) error {
	if *w == 0 && *h == 0 {
		*w, *h = DefaultWidth, DefaultHeight
	}
	if *w < paint.MinSide || *h < paint.MinSide || *w**h > MaxPaintPixels || *w > 8192 || *h > 8192 {
		return fmt.Errorf("%w: painting size %d×%d: each side at least %d pixels, at most %d pixels in all", ErrInput, *w, *h, paint.MinSide, MaxPaintPixels)
	}
	return nil
}

// StartCreate queues the create step.
func (s *Studio) StartCreate(ctx context.Context, a Actor, id string, in CreateInput) (*store.Job, error) {
	if _, _, _, err := s.load(ctx, a, id); err != nil {
		return nil, err
	}
	if in.N == 0 {
		in.N = 5
	}
	if in.N < 1 || in.N > 10 {
		return nil, fmt.Errorf("%w: n %d: ask for 1 to 10 candidates", ErrInput, in.N)
	}
	if in.Paint {
		if err := checkSize(&in.Width, &in.Height); err != nil {
			return nil, err
		}
	}
	if in.Engine != "" {
		if _, ok := s.Engines[in.Engine]; !ok {
			return nil, fmt.Errorf("%w: engine %q is not configured here; configured: %s", ErrInput, in.Engine, strings.Join(append([]string{"(none: Miaobi's own poet)"}, engine.Names(s.Engines)...), ", "))
		}
		in.N = min(in.N, MaxEngineCandidates)
	}
	return s.submit(ctx, a, id, "create", in)
}

// StartPaint queues a new painting.
func (s *Studio) StartPaint(ctx context.Context, a Actor, id string, in PaintInput) (*store.Job, error) {
	if _, _, _, err := s.load(ctx, a, id); err != nil {
		return nil, err
	}
	if err := checkSize(&in.Width, &in.Height); err != nil {
		return nil, err
	}
	return s.submit(ctx, a, id, "paint", in)
}

// submit stores a job and queues it.
func (s *Studio) submit(ctx context.Context, a Actor, workID, kind string, input any) (*store.Job, error) {
	raw, err := json.Marshal(input)
	if err != nil {
		return nil, err
	}
	j := &store.Job{WorkID: workID, Owner: a.UserID, Kind: kind, Input: raw}
	if err := s.DB.CreateJob(ctx, j); err != nil {
		return nil, err
	}
	if err := s.Queue.Submit(ctx, j.ID); err != nil {
		s.DB.FinishJob(ctx, j.ID, nil, "could not queue: "+err.Error())
		return nil, err
	}
	s.Metrics.jobQueued()
	return j, nil
}

// Job returns a job the actor owns.
func (s *Studio) Job(ctx context.Context, a Actor, id string) (*store.Job, error) {
	if store.ValidName(id) != nil {
		return nil, fmt.Errorf("job %q: %w", id, ErrNotFound)
	}
	j, err := s.DB.Job(ctx, id)
	if errors.Is(err, store.ErrNotFound) || err == nil && j.Owner != a.UserID {
		return nil, fmt.Errorf("job %q: %w", id, ErrNotFound)
	}
	return j, err
}

// Watch streams a job's progress.
func (s *Studio) Watch(ctx context.Context, jobID string) (<-chan queue.Event, error) {
	return s.Queue.Watch(ctx, jobID)
}

// progress records and announces how far a job is.
func (s *Studio) progress(ctx context.Context, j *store.Job, p float64, msg string) {
	logErr("job progress", s.DB.JobProgress(ctx, j.ID, p, msg), "job", j.ID)
	s.Queue.Publish(queue.Event{Job: j.ID, State: store.JobRunning, Progress: p, Message: msg})
}

// RunJob is the queue handler: it runs one job to its stored result. A
// job delivered again after a crash starts over; the steps are
// deterministic in their seeds, so the result is the same.
func (s *Studio) RunJob(ctx context.Context, t queue.Task) (err error) {
	defer func() {
		if p := recover(); p != nil {
			slog.Error("job panicked", "job", t.ID, "panic", fmt.Sprint(p))
			logErr("record failed job", s.DB.FinishJob(context.Background(), t.ID, nil, "internal error; it has been logged"), "job", t.ID)
			err = nil
		}
	}()
	// retry hands a transient failure back to the queue, or records it
	// as final on the last delivery.
	retry := func(err error) error {
		if t.Last {
			logErr("record failed job", s.DB.FinishJob(context.Background(), t.ID, nil, fmt.Sprintf("gave up after %d attempts: %v", t.Attempt, err)), "job", t.ID)
			return nil
		}
		return fmt.Errorf("%w: %v", queue.ErrRetry, err)
	}
	j, err := s.DB.Job(ctx, t.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil // nothing to do: drop the message
	}
	if err != nil {
		return retry(err)
	}
	ok, err := s.DB.StartJob(ctx, j.ID, queue.AckWait)
	if errors.Is(err, store.ErrBusy) {
		// Delivered again while its first run lives (a NATS outage):
		// wait for that run; on the last delivery, leave it to it.
		if t.Last {
			return nil
		}
		return fmt.Errorf("%w: %v", queue.ErrRetry, err)
	}
	if err != nil {
		return retry(err)
	}
	if !ok {
		return nil // finished already
	}
	// The lease is renewed while the job runs, whatever NATS does.
	renewDone := make(chan struct{})
	defer close(renewDone)
	go func() {
		tick := time.NewTicker(queue.AckWait / 3)
		defer tick.Stop()
		for {
			select {
			case <-renewDone:
				return
			case <-tick.C:
				logErr("renew job lease", s.DB.RenewJob(context.Background(), t.ID, queue.AckWait), "job", t.ID)
			}
		}
	}()
	done := s.Metrics.jobStarted(j.Kind)
	s.progress(ctx, j, 0.01, "started")
	w, _ := s.DB.User(ctx, j.Owner)
	a := Actor{UserID: j.Owner}
	if w != nil {
		a.Name = w.Name
	}
	var result any
	switch j.Kind {
	case "create":
		var in CreateInput
		if err = json.Unmarshal(j.Input, &in); err == nil {
			result, err = s.runCreate(ctx, a, j, in, false)
		}
	case "autopilot":
		var in CreateInput
		if err = json.Unmarshal(j.Input, &in); err == nil {
			result, err = s.runCreate(ctx, a, j, in, true)
		}
	case "paint":
		var in PaintInput
		if err = json.Unmarshal(j.Input, &in); err == nil {
			result, err = s.runPaint(ctx, a, j, in)
		}
	case "film":
		var in FilmInput
		if err = json.Unmarshal(j.Input, &in); err == nil {
			result, err = s.runFilm(ctx, a, j, in)
		}
	case "arena":
		var in RoundInput
		if err = json.Unmarshal(j.Input, &in); err == nil {
			result, err = s.runRound(ctx, j, in)
		}
	default:
		err = fmt.Errorf("unknown job kind %q", j.Kind)
	}
	if err != nil && ctx.Err() != nil {
		// Shutting down: the queue hands the job back.
		done("requeued")
		return retry(errors.New("interrupted by a shutdown"))
	}
	state := store.JobDone
	msg := ""
	if err != nil {
		state, msg = store.JobFailed, err.Error()
	}
	raw, _ := json.Marshal(result)
	if err := s.DB.FinishJob(context.Background(), j.ID, raw, msg); err != nil {
		done("error")
		return retry(err)
	}
	done(state)
	s.Queue.Publish(queue.Event{Job: j.ID, State: state, Progress: 1, Message: strings.TrimSpace("finished " + msg)})
	return nil
}

// CreateResult is what the create step made.
type CreateResult struct {
	Version    int    `json:"version"`
	Candidates int    `json:"candidates"`
	Painting   string `json:"painting,omitempty"`
	Film       string `json:"film,omitempty"`
	Bundle     string `json:"bundle,omitempty"`
}

func (s *Studio) runCreate(ctx context.Context, a Actor, j *store.Job, in CreateInput, autopilot bool) (*CreateResult, error) {
	w0, _, c, err := s.load(ctx, a, j.WorkID)
	if err != nil {
		return nil, err
	}
	s.progress(ctx, j, 0.05, fmt.Sprintf("writing %d poems", in.N))
	req := poem.Request{Form: c.Brief.Form, Rhyme: c.Brief.Rhyme, Keywords: c.keywords(), Seed: in.Seed, N: in.N}
	var poems []*poem.Poem
	if in.Engine != "" {
		poems, err = s.enginePoems(ctx, j, in, req)
	} else {
		poems, err = s.Poems.Generate(req)
	}
	if err != nil {
		return nil, err
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	s.progress(ctx, j, 0.6, fmt.Sprintf("wrote %d poems", len(poems)))
	if order, ok := s.tasteOrder(ctx, a.UserID, poems); ok {
		ranked := make([]*poem.Poem, len(poems))
		for i, k := range order {
			ranked[i] = poems[k]
		}
		poems = ranked
		s.progress(ctx, j, 0.65, "ranked by your taste")
	}
	var pt *Painting
	// The person's own photo is kept: no painting replaces it.
	if in.Paint && !c.Painting.IsPhoto() {
		s.progress(ctx, j, 0.7, "painting")
		scene := strings.Join(append(c.keywords(), poems[0].Lines...), " ")
		if pt, err = s.makePainting(j.WorkID, scene, uint64(in.Seed), in.Width, in.Height); err != nil {
			return nil, err
		}
		s.progress(ctx, j, 0.95, "painted")
	}
	author := "ai"
	note := fmt.Sprintf("%d candidates (seed %d)", len(poems), in.Seed)
	if in.Engine != "" {
		note = fmt.Sprintf("%d candidates by engine %s (seed %d)", len(poems), in.Engine, in.Seed)
	}
	w, err := s.update(ctx, a, j.WorkID, 0, author, "create", note, StageEdit, func(w *store.Work, c *Content) error {
		c.Candidates = poems
		// A poem the person changed while the job ran stays; the
		// candidates are there to choose from.
		if w.Head == w0.Head || len(c.Lines) == 0 {
			c.setLines(poems[0].Lines, HandAI)
			c.Title = poems[0].Title
			c.Parts = append(c.Parts, s.poemParts(poems[0], "create", w.Head+1)...)
		}
		// So does a photo they uploaded meanwhile.
		if pt != nil && !c.Painting.IsPhoto() {
			c.setPainting(pt, w.Head+1)
		}
		return nil
	})
	if err != nil {
		s.dropIfGone(j.WorkID, err)
		return nil, err
	}
	res := &CreateResult{Version: w.Head, Candidates: len(poems)}
	if pt != nil {
		res.Painting = pt.Asset
	}
	if !autopilot {
		return res, nil
	}
	s.progress(ctx, j, 0.96, "reviewing")
	rev, err := s.Review(ctx, a, j.WorkID)
	if err != nil {
		return nil, err
	}
	if !rev.Ready {
		return nil, fmt.Errorf("the review asks a person to look first (%s); finish this work by hand", strings.Join(rev.Blocking, "; "))
	}
	s.progress(ctx, j, 0.98, "publishing")
	pw, err := s.publish(ctx, a, j.WorkID, rev.Version, "ai", false)
	if err != nil {
		return nil, err
	}
	res.Version, res.Bundle = pw.Head, pw.Content.Bundle
	return res, nil
}

func (s *Studio) runPaint(ctx context.Context, a Actor, j *store.Job, in PaintInput) (*CreateResult, error) {
	w0, _, c, err := s.load(ctx, a, j.WorkID)
	if err != nil {
		return nil, err
	}
	s.progress(ctx, j, 0.1, "painting")
	scene := strings.Join(append(c.keywords(), c.Lines...), " ")
	pt, err := s.makePainting(j.WorkID, scene, in.Seed, in.Width, in.Height)
	if err != nil {
		return nil, err
	}
	s.progress(ctx, j, 0.9, "painted")
	w, err := s.update(ctx, a, j.WorkID, 0, "ai", "paint", fmt.Sprintf("painting %d×%d (seed %d)", pt.Width, pt.Height, pt.Seed), "", func(w *store.Work, c *Content) error {
		if c.Painting.IsPhoto() && c.Painting.Version > w0.Head {
			return fmt.Errorf("%w: the person uploaded a photo while this painting was made; paint again to replace it", ErrConflict)
		}
		c.setPainting(pt, w.Head+1)
		return nil
	})
	if err != nil {
		s.dropIfGone(j.WorkID, err)
		return nil, err
	}
	return &CreateResult{Version: w.Head, Painting: pt.Asset}, nil
}

// makePainting paints a scene and stores it (see storePainting).
func (s *Studio) makePainting(workID, scene string, seed uint64, w, h int) (*Painting, error) {
	img, err := paint.Paint(paint.SceneOf(scene), w, h, seed)
	if err != nil {
		return nil, err
	}
	pt := &Painting{Seed: seed, Width: w, Height: h, Scene: scene,
		Raw:   fmt.Sprintf("raw-painting-%d-%dx%d.png", seed, w, h),
		Asset: fmt.Sprintf("painting-%d-%dx%d.jpg", seed, w, h)}
	return pt, s.storePainting(workID, pt, img)
}

// storePainting keeps the working PNG (never served) and a labelled JPEG
// preview of a painting. The preview's labels are drawn into img, which
// the callers do not use afterwards.
func (s *Studio) storePainting(workID string, pt *Painting, img *image.RGBA) error {
	var raw bytes.Buffer
	if err := png.Encode(&raw, img); err != nil {
		return err
	}
	if err := s.Assets.Put(workID, pt.Raw, raw.Bytes()); err != nil {
		return err
	}
	prev, err := label.Encode(img, "jpeg", label.Provenance{
		ProduceID:   label.ProduceID("studio-painting", workID, pt.Asset),
		Title:       pt.Asset,
		Description: "ink-wash painting made in the Miaobi studio (preview)",
		AIGenerated: true,
		Layers:      label.AllLayers,
		Signer:      s.Signer,
	})
	if err != nil {
		return err
	}
	return s.Assets.Put(workID, pt.Asset, prev)
}

// rawPainting loads a work's working PNG.
func (s *Studio) rawPainting(workID string, pt *Painting) (*image.RGBA, error) {
	b, err := s.Assets.Get(workID, pt.Raw)
	if err != nil {
		return nil, err
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, err
	}
	rgba, ok := img.(*image.RGBA)
	if !ok {
		rgba = photo.Flatten(img)
	}
	return rgba, nil
}

// Recover re-queues jobs the store holds as unfinished but the queue has
// lost (a crash between storing a job and queueing it); jobs whose
// message is still in the queue are left to it.
func (s *Studio) Recover(ctx context.Context) (int, error) {
	jobs, err := s.DB.Unfinished(ctx)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, j := range jobs {
		ok, err := s.Queue.Pending(ctx, j.ID)
		if err != nil {
			return n, err
		}
		if !ok {
			if err := s.Queue.Submit(ctx, j.ID); err != nil {
				return n, err
			}
			n++
		}
	}
	return n, nil
}

// Requeued records that a job was handed back to the queue at shutdown.
func (s *Studio) Requeued(id string) {
	logErr("requeue job", s.DB.RequeueJob(context.Background(), id), "job", id)
	s.Queue.Publish(queue.Event{Job: id, State: store.JobQueued, Message: "re-queued"})
}

// setPainting makes pt the work's painting as of version v, recording
// that the painter made it.
func (c *Content) setPainting(pt *Painting, v int) {
	pt.Version = v
	c.Painting = pt
	c.Parts = append(c.Parts, Part{Part: "painting", By: "ai", Action: "paint", Engine: "miaobi-paint", Model: "procedural ink-wash", Seed: int64(pt.Seed), Version: v})
}

// dropIfGone removes the files a job wrote for a work deleted while it ran.
func (s *Studio) dropIfGone(workID string, err error) {
	if errors.Is(err, ErrNotFound) {
		logErr("remove a deleted work's files", s.Assets.Remove(workID), "work", workID)
	}
}
