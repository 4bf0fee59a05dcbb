package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"strings"
	"time"

	"miaobi/store"
	"miaobi/studio"
)

func (s *Server) routes() {
	m := routeRecorder{s}
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /metrics", s.metrics)
	m.HandleFunc("GET /openapi.json", s.openapi)

	m.HandleFunc("GET /api/me", s.api(s.me))
	m.HandleFunc("POST /api/me/password", s.api(s.changePassword))
	m.HandleFunc("GET /api/keys", s.api(s.listKeys))
	m.HandleFunc("POST /api/keys", s.api(s.createKey))
	m.HandleFunc("DELETE /api/keys/{id}", s.api(s.deleteKey))
	m.HandleFunc("POST /api/users", s.api(s.createUser))

	m.HandleFunc("POST /api/poems", s.api(s.poems))
	m.HandleFunc("GET /api/works", s.api(s.listWorks))
	m.HandleFunc("POST /api/works", s.api(s.createWork))
	m.HandleFunc("GET /api/works/{id}", s.api(s.getWork))
	m.HandleFunc("DELETE /api/works/{id}", s.api(s.deleteWork))
	m.HandleFunc("GET /api/works/{id}/plan", s.api(s.plan))
	m.HandleFunc("POST /api/works/{id}/brief", s.api(s.brief))
	m.HandleFunc("POST /api/works/{id}/create", s.api(s.create))
	m.HandleFunc("POST /api/works/{id}/draft", s.api(s.draft))
	m.HandleFunc("POST /api/works/{id}/choose", s.api(s.choose))
	m.HandleFunc("POST /api/works/{id}/edit", s.api(s.edit))
	m.HandleFunc("POST /api/works/{id}/revise", s.api(s.revise))
	m.HandleFunc("POST /api/works/{id}/alternatives", s.api(s.alternatives))
	m.HandleFunc("POST /api/works/{id}/alternatives/use", s.api(s.useAlternative))
	m.HandleFunc("POST /api/works/{id}/paint", s.api(s.paint))
	m.HandleFunc("POST /api/works/{id}/painting/adjust", s.api(s.adjustPainting))
	m.HandleFunc("POST /api/works/{id}/photo", s.api(s.photo))
	m.HandleFunc("POST /api/works/{id}/sound", s.api(s.sound))
	m.HandleFunc("GET /api/works/{id}/sound/{part}", s.api(s.listen))
	m.HandleFunc("POST /api/works/{id}/film", s.api(s.film))
	m.HandleFunc("POST /api/works/{id}/stage", s.api(s.stage))
	m.HandleFunc("GET /api/works/{id}/review", s.api(s.review))
	m.HandleFunc("POST /api/works/{id}/publish", s.api(s.publish))
	m.HandleFunc("GET /api/works/{id}/bundle", s.api(s.bundle))
	m.HandleFunc("GET /api/works/{id}/versions", s.api(s.versions))
	m.HandleFunc("GET /api/works/{id}/versions/{n}", s.api(s.version))
	m.HandleFunc("GET /api/works/{id}/assets/{name}", s.api(s.asset))
	m.HandleFunc("POST /api/works/{id}/ratings", s.api(s.rate))
	m.HandleFunc("GET /api/works/{id}/ratings", s.api(s.workRatings))
	m.HandleFunc("GET /api/ratings", s.api(s.ratings))
	m.HandleFunc("GET /api/jobs/{id}", s.api(s.job))
	m.HandleFunc("GET /api/jobs/{id}/events", s.api(s.jobEvents))
	s.arenaRoutes(m)
	m.HandleFunc("GET /v1/models", s.openaiAPI(false, s.v1Models))
	m.HandleFunc("POST /v1/chat/completions", s.openaiAPI(true, s.v1Chat))
	m.HandleFunc("POST /v1/images/generations", s.openaiAPI(true, s.v1Images))
	m.HandleFunc("POST /v1/audio/speech", s.openaiAPI(true, s.v1Speech))
	m.HandleFunc("/v1/", s.openaiAPI(false, func(w http.ResponseWriter, r *http.Request, _ *who) {
		oaError(w, http.StatusNotFound, "invalid_request_error", "", "unknown_url", fmt.Sprintf("no route %s %s; this server offers GET /v1/models, POST /v1/chat/completions, POST /v1/images/generations and POST /v1/audio/speech", r.Method, r.URL.Path))
	}))
	m.HandleFunc("/api/", func(w http.ResponseWriter, r *http.Request) {
		if _, err := s.identify(r); err != nil {
			writeError(w, r, http.StatusUnauthorized, err.Error())
			return
		}
		writeError(w, r, http.StatusNotFound, fmt.Sprintf("no API route %s %s; see /openapi.json", r.Method, r.URL.Path))
	})
	s.webRoutes()
	s.arenaWebRoutes()
}

// routeRecorder registers the API's routes and remembers their patterns,
// so a test can check the OpenAPI document lists exactly them.
type routeRecorder struct{ s *Server }

func (r routeRecorder) HandleFunc(pattern string, h http.HandlerFunc) {
	r.s.mux.HandleFunc(pattern, h)
	r.s.patterns = append(r.s.patterns, pattern)
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	status, out := http.StatusOK, map[string]string{"status": "ok", "db": s.DB.Kind(), "queue": "ok"}
	if err := s.DB.Ping(r.Context()); err != nil {
		status, out["status"], out["db"] = http.StatusServiceUnavailable, "unhealthy", "down"
	}
	if err := s.Studio.Queue.Ping(); err != nil {
		status, out["status"], out["queue"] = http.StatusServiceUnavailable, "unhealthy", "down"
	}
	writeJSON(w, status, out)
}

func (s *Server) metrics(w http.ResponseWriter, r *http.Request) {
	var gs []studio.Gauge
	if waiting, running, err := s.Studio.Queue.Depth(r.Context()); err == nil {
		gs = append(gs, studio.Gauge{Name: "miaobi_queue_depth", Help: "Jobs in the queue: waiting, or delivered and not yet acknowledged.", Labels: map[string]string{"state": "waiting"}, Value: float64(waiting)},
			studio.Gauge{Name: "miaobi_queue_depth", Labels: map[string]string{"state": "in_flight"}, Value: float64(running)})
	}
	if byState, err := s.DB.CountJobs(r.Context()); err == nil {
		for _, st := range []string{store.JobQueued, store.JobRunning, store.JobDone, store.JobFailed} {
			gs = append(gs, studio.Gauge{Name: "miaobi_jobs", Help: "Stored jobs by state.", Labels: map[string]string{"state": st}, Value: float64(byState[st])})
		}
	}
	w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	if err := s.Studio.Metrics.WriteTo(w, gs); err != nil {
		slog.Error("metrics", "err", err)
	}
}

func (s *Server) me(w http.ResponseWriter, r *http.Request, c *who) {
	out := map[string]any{"user": c.user}
	if c.key != nil {
		out["key"] = c.key
	}
	if c.session != nil {
		out["csrf"] = c.session.CSRF
	}
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) changePassword(w http.ResponseWriter, r *http.Request, c *who) {
	var in struct {
		Old string `json:"old"`
		New string `json:"new"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	if err := s.setPassword(r, c, in.Old, in.New); err != nil {
		status, msg := http.StatusUnprocessableEntity, err.Error()
		if errors.Is(err, store.ErrBadPassword) {
			status, msg = http.StatusForbidden, "the old password is wrong"
		} else if isInternal(err) {
			fail(w, r, err)
			return
		}
		writeError(w, r, status, msg)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// setPassword checks the caller's old password and sets a new one.
func (s *Server) setPassword(r *http.Request, c *who, old, nw string) error {
	if _, err := s.DB.Login(r.Context(), c.user.Name, old); err != nil {
		return err
	}
	if err := s.DB.SetPassword(r.Context(), c.user.ID, nw); err != nil {
		return err
	}
	// Whoever else knew the old password is signed out.
	return s.DB.EndOtherSessions(r.Context(), c.user.ID, c.token)
}

func (s *Server) listKeys(w http.ResponseWriter, r *http.Request, c *who) {
	ks, err := s.DB.Keys(r.Context(), c.user.ID)
	if err != nil {
		fail(w, r, err)
		return
	}
	if ks == nil {
		ks = []*store.APIKey{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"keys": ks})
}

func (s *Server) createKey(w http.ResponseWriter, r *http.Request, c *who) {
	var in struct {
		Name  string `json:"name"`
		Quota *int64 `json:"quota"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	if c.key != nil {
		writeError(w, r, http.StatusForbidden, "an API key cannot make keys; sign in to the studio to make one")
		return
	}
	q := int64(store.DefaultQuota)
	if in.Quota != nil {
		q = *in.Quota
	}
	if msg := s.keyPolicy(r, c, q); msg != "" {
		writeError(w, r, http.StatusForbidden, msg)
		return
	}
	k, secret, err := s.DB.CreateKey(r.Context(), c.user.ID, in.Name, q)
	if err != nil {
		if strings.HasPrefix(err.Error(), "store:") {
			fail(w, r, err)
		} else {
			writeError(w, r, http.StatusUnprocessableEntity, err.Error())
		}
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"key": k, "secret": secret, "note": "the secret is shown once; keep it"})
}

func (s *Server) deleteKey(w http.ResponseWriter, r *http.Request, c *who) {
	if err := s.DB.DeleteKey(r.Context(), c.user.ID, r.PathValue("id")); err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) createUser(w http.ResponseWriter, r *http.Request, c *who) {
	if !adminOnly(w, r, c, "create users") {
		return
	}
	var in struct {
		Name     string `json:"name"`
		Password string `json:"password"`
		Admin    bool   `json:"admin"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	u, err := s.DB.CreateUser(r.Context(), in.Name, in.Password, in.Admin)
	switch {
	case errors.Is(err, store.ErrConflict):
		writeError(w, r, http.StatusConflict, err.Error())
	case err != nil && strings.HasPrefix(err.Error(), "store:"):
		fail(w, r, err)
	case err != nil:
		writeError(w, r, http.StatusUnprocessableEntity, err.Error())
	default:
		writeJSON(w, http.StatusCreated, u)
	}
}

// poems writes poems at once, without a work: the quick path for
// programs. Each poem carries its explicit and implicit labels.
func (s *Server) poems(w http.ResponseWriter, r *http.Request, c *who) {
	var in studio.PoemRequest
	if !readJSON(w, r, &in) || !s.spend(w, r, c) {
		return
	}
	out, err := s.Studio.WritePoems(r.Context(), in)
	s.refund(r, c, err)
	reply(w, r, out, err)
}

func (s *Server) listWorks(w http.ResponseWriter, r *http.Request, c *who) {
	ws, err := s.Studio.Works(r.Context(), c.actor())
	if err != nil {
		fail(w, r, err)
		return
	}
	if ws == nil {
		ws = []*store.Work{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"works": ws})
}

// newWork is the body of POST /api/works.
type newWork struct {
	Title     string   `json:"title"`
	Keywords  []string `json:"keywords"`
	Form      string   `json:"form"`
	Rhyme     string   `json:"rhyme"`
	Autopilot bool     `json:"autopilot"`
	Seed      int64    `json:"seed"`
	// Draft is the person's own poem to start from (placeholders are
	// filled by Miaobi).
	Draft string `json:"draft"`
}

func (s *Server) createWork(w http.ResponseWriter, r *http.Request, c *who) {
	var in newWork
	if !readJSON(w, r, &in) {
		return
	}
	if in.Autopilot && in.Draft != "" {
		writeError(w, r, http.StatusUnprocessableEntity, "autopilot starts from keywords; leave out the draft, or leave out autopilot")
		return
	}
	if (in.Autopilot || in.Draft != "") && !s.spend(w, r, c) {
		return
	}
	wk, job, err := s.Studio.NewWork(r.Context(), c.actor(), in.Title, studio.Brief{Keywords: in.Keywords, Form: in.Form, Rhyme: in.Rhyme}, in.Autopilot, in.Seed)
	if err == nil && in.Draft != "" {
		var dw *studio.Work
		if dw, err = s.Studio.FromDraft(r.Context(), c.actor(), wk.ID, wk.Head, in.Draft, in.Seed); err == nil {
			wk = dw
		}
	}
	s.refund(r, c, err)
	if err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/works/"+wk.ID)
	if job != nil {
		writeJSON(w, http.StatusAccepted, map[string]any{"work": wk, "job": job})
		return
	}
	writeJSON(w, http.StatusCreated, map[string]any{"work": wk})
}

func (s *Server) getWork(w http.ResponseWriter, r *http.Request, c *who) {
	wk, err := s.Studio.Get(r.Context(), c.actor(), r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, wk)
}

func (s *Server) deleteWork(w http.ResponseWriter, r *http.Request, c *who) {
	if err := s.Studio.Delete(r.Context(), c.actor(), r.PathValue("id")); err != nil {
		fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) plan(w http.ResponseWriter, r *http.Request, c *who) {
	var kws []string
	if q := r.URL.Query().Get("keywords"); q != "" {
		kws = splitList(q)
	}
	sg, err := s.Studio.Plan(r.Context(), c.actor(), r.PathValue("id"), kws)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, sg)
}

// splitList splits keywords on commas, 、 and spaces.
func splitList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '，' || r == '、' || r == ' ' || r == '\u3000' || r == '\n' || r == '\t'
	})
}

func (s *Server) brief(w http.ResponseWriter, r *http.Request, c *who) {
	var in struct {
		Base int `json:"base"`
		studio.Brief
	}
	if !readJSON(w, r, &in) {
		return
	}
	wk, err := s.Studio.SetBrief(r.Context(), c.actor(), r.PathValue("id"), in.Base, in.Brief)
	reply(w, r, wk, err)
}

func reply(w http.ResponseWriter, r *http.Request, v any, err error) {
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request, c *who) {
	var in studio.CreateInput
	if !readJSON(w, r, &in) || !s.spend(w, r, c) {
		return
	}
	j, err := s.Studio.StartCreate(r.Context(), c.actor(), r.PathValue("id"), in)
	s.refund(r, c, err)
	accepted(w, r, j, err)
}

func accepted(w http.ResponseWriter, r *http.Request, j *store.Job, err error) {
	if err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/jobs/"+j.ID)
	writeJSON(w, http.StatusAccepted, map[string]any{"job": j})
}

func (s *Server) draft(w http.ResponseWriter, r *http.Request, c *who) {
	var in struct {
		Base  int    `json:"base"`
		Draft string `json:"draft"`
		Seed  int64  `json:"seed"`
	}
	if !readJSON(w, r, &in) || !s.spend(w, r, c) {
		return
	}
	wk, err := s.Studio.FromDraft(r.Context(), c.actor(), r.PathValue("id"), in.Base, in.Draft, in.Seed)
	s.refund(r, c, err)
	reply(w, r, wk, err)
}

func (s *Server) choose(w http.ResponseWriter, r *http.Request, c *who) {
	var in struct {
		Base      int `json:"base"`
		Candidate int `json:"candidate"` // 1-based
	}
	if !readJSON(w, r, &in) {
		return
	}
	wk, err := s.Studio.Choose(r.Context(), c.actor(), r.PathValue("id"), in.Base, in.Candidate-1)
	reply(w, r, wk, err)
}

func (s *Server) edit(w http.ResponseWriter, r *http.Request, c *who) {
	var in struct {
		Base  int      `json:"base"`
		Title *string  `json:"title"`
		Lines []string `json:"lines"`
		Locks []string `json:"locks"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	wk, err := s.Studio.Edit(r.Context(), c.actor(), r.PathValue("id"), in.Base, in.Title, in.Lines, in.Locks)
	reply(w, r, wk, err)
}

func (s *Server) revise(w http.ResponseWriter, r *http.Request, c *who) {
	var in struct {
		Base int   `json:"base"`
		Seed int64 `json:"seed"`
	}
	if !readJSON(w, r, &in) || !s.spend(w, r, c) {
		return
	}
	if in.Seed == 0 {
		in.Seed = time.Now().UnixNano() % 1e6
	}
	wk, err := s.Studio.Revise(r.Context(), c.actor(), r.PathValue("id"), in.Base, in.Seed)
	s.refund(r, c, err)
	reply(w, r, wk, err)
}

func (s *Server) alternatives(w http.ResponseWriter, r *http.Request, c *who) {
	var in struct {
		Line int   `json:"line"`
		Col  int   `json:"col"`
		K    int   `json:"k"`
		Seed int64 `json:"seed"`
	}
	if !readJSON(w, r, &in) || !s.spend(w, r, c) {
		return
	}
	alts, err := s.Studio.Alternatives(r.Context(), c.actor(), r.PathValue("id"), in.Line, in.Col, in.K, in.Seed)
	s.refund(r, c, err)
	reply(w, r, map[string]any{"alternatives": alts}, err)
}

func (s *Server) useAlternative(w http.ResponseWriter, r *http.Request, c *who) {
	var in struct {
		Base int    `json:"base"`
		Line int    `json:"line"`
		Col  int    `json:"col"`
		Text string `json:"text"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	wk, err := s.Studio.UseAlternative(r.Context(), c.actor(), r.PathValue("id"), in.Base, in.Line, in.Col, in.Text)
	reply(w, r, wk, err)
}

func (s *Server) paint(w http.ResponseWriter, r *http.Request, c *who) {
	var in studio.PaintInput
	if !readJSON(w, r, &in) || !s.spend(w, r, c) {
		return
	}
	j, err := s.Studio.StartPaint(r.Context(), c.actor(), r.PathValue("id"), in)
	s.refund(r, c, err)
	accepted(w, r, j, err)
}

func (s *Server) adjustPainting(w http.ResponseWriter, r *http.Request, c *who) {
	var in struct {
		Base int `json:"base"`
		studio.Tone
	}
	if !readJSON(w, r, &in) {
		return
	}
	wk, err := s.Studio.AdjustPainting(r.Context(), c.actor(), r.PathValue("id"), in.Base, in.Tone)
	reply(w, r, wk, err)
}

// sound sets the work's recitation and music (made at publishing).
func (s *Server) sound(w http.ResponseWriter, r *http.Request, c *who) {
	var in struct {
		Base int `json:"base"`
		studio.SoundSpec
	}
	if !readJSON(w, r, &in) {
		return
	}
	wk, err := s.Studio.SetSound(r.Context(), c.actor(), r.PathValue("id"), in.Base, in.SoundSpec)
	reply(w, r, wk, err)
}

// film queues the work's film (202 with the job).
func (s *Server) film(w http.ResponseWriter, r *http.Request, c *who) {
	var in studio.FilmInput
	if !readJSON(w, r, &in) || !s.spend(w, r, c) {
		return
	}
	j, err := s.Studio.StartFilm(r.Context(), c.actor(), r.PathValue("id"), in)
	s.refund(r, c, err)
	accepted(w, r, j, err)
}

// listen answers one of a work's sounds (recitation or music) as the next
// bundle will hold it, labelled and signed, for the person to hear first.
func (s *Server) listen(w http.ResponseWriter, r *http.Request, c *who) {
	name, b, err := s.Studio.Listen(r.Context(), c.actor(), r.PathValue("id"), r.PathValue("part"))
	if err != nil {
		status, msg := statusOf(err)
		if status == 500 {
			fail(w, r, err)
			return
		}
		writeError(w, r, status, msg)
		return
	}
	ct := "audio/mpeg"
	if strings.HasSuffix(name, ".wav") {
		ct = "audio/wav"
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Content-Disposition", fmt.Sprintf(`inline; filename="%s"`, name))
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	w.Write(b)
}

// photo takes the person's photo: the body itself (Content-Type
// image/jpeg, image/png, image/gif or image/webp) or the field "photo" of
// a multipart form, at most studio.MaxUpload bytes.
func (s *Server) photo(w http.ResponseWriter, r *http.Request, c *who) {
	data, status, err := readUpload(w, r)
	if err != nil {
		writeError(w, r, status, err.Error())
		return
	}
	base, _ := strconv.Atoi(r.URL.Query().Get("base"))
	wk, err := s.Studio.AddPhoto(r.Context(), c.actor(), r.PathValue("id"), base, data)
	reply(w, r, wk, err)
}

// readUpload reads an uploaded file from a request and returns the status
// for its error.
func readUpload(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	r.Body = http.MaxBytesReader(w, r.Body, studio.MaxUpload+1<<20)
	tooBig := fmt.Errorf("the upload is larger than %d MiB", studio.MaxUpload>>20)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var data []byte
	var err error
	switch {
	case strings.HasPrefix(mt, "image/"):
		data, err = io.ReadAll(r.Body)
	case mt == "multipart/form-data":
		var f multipart.File
		if f, _, err = r.FormFile("photo"); err == nil {
			defer f.Close()
			data, err = io.ReadAll(io.LimitReader(f, studio.MaxUpload+1))
		} else if errors.Is(err, http.ErrMissingFile) {
			return nil, http.StatusBadRequest, errors.New("the form has no file in the field \"photo\"")
		}
	default:
		return nil, http.StatusUnsupportedMediaType, fmt.Errorf("send the photo as the body with its type (Content-Type image/jpeg, image/png, image/gif or image/webp) or as the field \"photo\" of a multipart form (got %q)", r.Header.Get("Content-Type"))
	}
	var mbe *http.MaxBytesError
	switch {
	case errors.As(err, &mbe):
		return nil, http.StatusRequestEntityTooLarge, tooBig
	case err != nil:
		return nil, http.StatusBadRequest, fmt.Errorf("reading the upload: %v", err)
	case len(data) > studio.MaxUpload:
		return nil, http.StatusRequestEntityTooLarge, tooBig
	case len(data) == 0:
		return nil, http.StatusBadRequest, errors.New("the upload is empty")
	}
	return data, 0, nil
}

func (s *Server) stage(w http.ResponseWriter, r *http.Request, c *who) {
	var in struct {
		Stage string `json:"stage"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	wk, err := s.Studio.SetStage(r.Context(), c.actor(), r.PathValue("id"), in.Stage)
	reply(w, r, wk, err)
}

func (s *Server) review(w http.ResponseWriter, r *http.Request, c *who) {
	rev, err := s.Studio.Review(r.Context(), c.actor(), r.PathValue("id"))
	reply(w, r, rev, err)
}

func (s *Server) publish(w http.ResponseWriter, r *http.Request, c *who) {
	var in struct {
		Base int  `json:"base"`
		Ack  bool `json:"ack"`
	}
	if !readJSON(w, r, &in) {
		return
	}
	wk, err := s.Studio.Publish(r.Context(), c.actor(), r.PathValue("id"), in.Base, in.Ack)
	reply(w, r, wk, err)
}

func (s *Server) bundle(w http.ResponseWriter, r *http.Request, c *who) {
	wk, err := s.Studio.Get(r.Context(), c.actor(), r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	if wk.Content.Bundle == "" {
		writeError(w, r, http.StatusNotFound, "the work is not published yet; POST /api/works/{id}/publish first")
		return
	}
	s.serveAsset(w, r, c, wk.ID, wk.Content.Bundle)
}

func (s *Server) asset(w http.ResponseWriter, r *http.Request, c *who) {
	s.serveAsset(w, r, c, r.PathValue("id"), r.PathValue("name"))
}

func (s *Server) serveAsset(w http.ResponseWriter, r *http.Request, c *who, id, name string) {
	b, err := s.Studio.Asset(r.Context(), c.actor(), id, name)
	if err != nil {
		status, msg := statusOf(err)
		if status == http.StatusUnprocessableEntity {
			status = http.StatusBadRequest
		}
		if status == 500 {
			fail(w, r, err)
			return
		}
		writeError(w, r, status, msg)
		return
	}
	ct := http.DetectContentType(b)
	if strings.HasSuffix(name, ".zip") {
		ct = "application/zip"
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="%s-%s"`, id, name))
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "private, max-age=3600")
	// Ranges, so a player can seek in a film.
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(b))
}

func (s *Server) versions(w http.ResponseWriter, r *http.Request, c *who) {
	vs, err := s.Studio.History(r.Context(), c.actor(), r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	for _, v := range vs {
		v.Content = nil
	}
	writeJSON(w, http.StatusOK, map[string]any{"versions": vs})
}

func (s *Server) version(w http.ResponseWriter, r *http.Request, c *who) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 {
		writeError(w, r, http.StatusBadRequest, "a version number is a positive integer")
		return
	}
	v, err := s.Studio.Version(r.Context(), c.actor(), r.PathValue("id"), n)
	reply(w, r, v, err)
}

func (s *Server) rate(w http.ResponseWriter, r *http.Request, c *who) {
	var in studio.RateInput
	if !readJSON(w, r, &in) {
		return
	}
	rt, err := s.Studio.Rate(r.Context(), c.actor(), r.PathValue("id"), in)
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, rt)
}

func (s *Server) workRatings(w http.ResponseWriter, r *http.Request, c *who) {
	rs, err := s.Studio.Ratings(r.Context(), c.actor(), r.PathValue("id"))
	s.replyRatings(w, r, rs, err)
}

func (s *Server) ratings(w http.ResponseWriter, r *http.Request, c *who) {
	rs, err := s.Studio.Ratings(r.Context(), c.actor(), "")
	s.replyRatings(w, r, rs, err)
}

func (s *Server) replyRatings(w http.ResponseWriter, r *http.Request, rs []*store.Rating, err error) {
	if rs == nil {
		rs = []*store.Rating{}
	}
	reply(w, r, map[string]any{"ratings": rs}, err)
}

func (s *Server) job(w http.ResponseWriter, r *http.Request, c *who) {
	j, err := s.Studio.Job(r.Context(), c.actor(), r.PathValue("id"))
	reply(w, r, j, err)
}

// jobEvents streams a job's progress as server-sent events until it
// finishes: an event "progress" per report and "done" at the end, each
// with the job's JSON.
func (s *Server) jobEvents(w http.ResponseWriter, r *http.Request, c *who) {
	id := r.PathValue("id")
	if _, err := s.Studio.Job(r.Context(), c.actor(), id); err != nil {
		fail(w, r, err)
		return
	}
	ctx := r.Context()
	events, err := s.Studio.Watch(ctx, id)
	if err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("X-Accel-Buffering", "no")
	flusher, _ := w.(http.Flusher)
	send := func(event string, v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "event: %s\ndata: %s\n\n", event, b)
		if flusher != nil {
			flusher.Flush()
		}
	}
	// The stored state first: the job may be done already; then live
	// reports, re-reading the store now and then in case one was missed.
	tick := time.NewTicker(2 * time.Second)
	defer tick.Stop()
	last := -1.0
	check := func() bool {
		j, err := s.Studio.Job(ctx, c.actor(), id)
		if err != nil {
			return true
		}
		if j.State == store.JobDone || j.State == store.JobFailed {
			send("done", j)
			return true
		}
		if j.Progress != last {
			last = j.Progress
			send("progress", j)
		}
		return false
	}
	if check() {
		return
	}
	for {
		select {
		case <-ctx.Done():
			return
		case <-s.closing:
			return
		case e := <-events:
			if e.State == store.JobDone || e.State == store.JobFailed {
				check()
				return
			}
			last = e.Progress
			send("progress", e)
		case <-tick.C:
			if check() {
				return
			}
		}
	}
}
