package server

import (
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"miaobi/poem"
	"miaobi/sound"
	"miaobi/store"
	"miaobi/studio"
)

//go:embed web
var webFiles embed.FS

// pages holds the parsed templates, one set per language, parsed when the
// first page is rendered (not in every command that links the server).
var pages = sync.OnceValue(parsePages)

func parsePages() map[string]*template.Template {
	pages := map[string]*template.Template{}
	for lang := range messages {
		l := lang
		funcs := template.FuncMap{
			"t": func(k string) string { return translate(l, k) },
			// tr translates k, or keeps def where the language has no words
			// for it (the measures' own English explanations).
			"tr": func(k, def string) string {
				if m, ok := messages[l][k]; ok {
					return m
				}
				return def
			},
			"pct":   func(f float64) string { return fmt.Sprintf("%.0f%%", 100*f) },
			"sub1":  func(f float64) float64 { return 1 - f },
			"join":  func(s []string, sep string) string { return strings.Join(s, sep) },
			"inc":   func(i int) int { return i + 1 },
			"mod":   func(i, n int) int { return i % n },
			"inc64": func(i uint64) uint64 { return i + 1 },
			"runes": func(s string) []string { return strings.Split(s, "") },
			"has":   func(list []string, s string) bool { return slices.Contains(list, s) },
			"hand": func(c *studio.Content, i, j int) string {
				if i < len(c.Hands) && j < len(c.Hands[i]) {
					return string(c.Hands[i][j])
				}
				return "a"
			},
			"locked": func(c *studio.Content, i, j int) bool {
				return i < len(c.Locks) && j < len(c.Locks[i]) && c.Locks[i][j] == '1'
			},
			"when": func(ms int64) string { return time.UnixMilli(ms).Format("2006-01-02 15:04:05") },
			"note": func(s string) string { return localize(l, s) },
			"notes": func() string {
				b, _ := json.Marshal(notes[l])
				return string(b)
			},
		}
		pages[l] = template.Must(template.New("").Funcs(funcs).ParseFS(webFiles, "web/*.html"))
	}
	return pages
}

// page is what every template gets.
type page struct {
	Lang, Title, CSRF string
	User              *store.User
	Flash             *flash
	Data              any
}

type flash struct{ Kind, Text string }

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name string, p page) {
	p.Lang = s.lang(w, r)
	if p.Flash == nil {
		p.Flash = s.takeFlash(w, r)
	}
	var b strings.Builder
	if err := pages()[p.Lang].ExecuteTemplate(&b, name, p); err != nil {
		slog.Error("render page", "page", name, "err", err)
		http.Error(w, "internal error; it has been logged", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; frame-ancestors 'none'; form-action 'self'")
	w.Header().Set("X-Frame-Options", "DENY")
	w.WriteHeader(status)
	fmt.Fprint(w, b.String())
}

const flashCookie = "miaobi_flash"

func (s *Server) setFlash(w http.ResponseWriter, kind, text string) {
	if len(text) > 1500 {
		text = text[:1500]
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(kind + "\x00" + text)), Path: "/", MaxAge: 60, HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
}

func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil {
		return nil
	}
	kind, text, _ := strings.Cut(string(b), "\x00")
	return &flash{Kind: kind, Text: text}
}

func (s *Server) webRoutes() {
	m := s.mux
	static, _ := fs.Sub(webFiles, "web/static")
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServer(http.FS(static))))
	m.HandleFunc("GET /login", s.loginPage)
	m.HandleFunc("POST /login", s.login)
	m.HandleFunc("POST /logout", s.web(s.logout))
	m.HandleFunc("GET /{$}", s.web(s.home))
	m.HandleFunc("GET /keys", s.web(s.keysPage))
	m.HandleFunc("POST /keys", s.web(s.webCreateKey))
	m.HandleFunc("POST /keys/{kid}/delete", s.web(s.webDeleteKey))
	m.HandleFunc("POST /password", s.web(s.webPassword))
	m.HandleFunc("POST /users", s.web(s.webCreateUser))
	m.HandleFunc("POST /works", s.web(s.webNewWork))
	m.HandleFunc("GET /works/{id}", s.web(s.workPage))
	m.HandleFunc("POST /works/{id}/{action}", s.web(s.workAction))
	m.HandleFunc("GET /favicon.ico", func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(http.StatusNoContent) })
}

// web wraps a page handler: without a session it sends the person to the
// login page; form posts need the session's CSRF token.
func (s *Server) web(h func(w http.ResponseWriter, r *http.Request, c *who)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := s.identify(r)
		if err != nil || c.session == nil {
			if err != nil && isInternal(err) {
				fail(w, r, err)
				return
			}
			if errors.Is(err, store.ErrExpired) {
				s.setFlash(w, "", translate(s.lang(w, r), "expired"))
			}
			if r.Method != http.MethodGet {
				http.Error(w, "sign in first", http.StatusUnauthorized)
				return
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return
		}
		if unsafe(r.Method) {
			if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
				r.Body = http.MaxBytesReader(w, r.Body, studio.MaxUpload+1<<20)
				if err := r.ParseMultipartForm(8 << 20); err != nil {
					var mbe *http.MaxBytesError
					if errors.As(err, &mbe) {
						http.Error(w, fmt.Sprintf("the upload is larger than %d MiB", studio.MaxUpload>>20), http.StatusRequestEntityTooLarge)
						return
					}
				}
			} else {
				r.Body = http.MaxBytesReader(w, r.Body, MaxBody)
			}
			if err := r.ParseForm(); err != nil {
				http.Error(w, "the form is too large or malformed", http.StatusBadRequest)
				return
			}
			if !csrfOK(r, c.session) {
				http.Error(w, "the form has expired or came from another site (CSRF check); reload the page and try again", http.StatusForbidden)
				return
			}
		}
		h(w, r, c)
	}
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) {
	if c, err := s.identify(r); err == nil && c.session != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	tok := store.NewToken(24)
	s.setCookie(w, loginCookie, tok, 3600)
	next := r.URL.Query().Get("next")
	s.render(w, r, http.StatusOK, "login.html", page{CSRF: tok, Data: map[string]string{"Next": next}})
}

// safeNext keeps a redirect target on this site.
func safeNext(next string) string {
	// Browsers drop tabs and newlines from URLs and read \ as /, so any
	// of them could turn "/x" into "//evil.example".
	if strings.ContainsFunc(next, func(r rune) bool { return r < 0x20 || r == 0x7f || r == '\\' }) {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" || u.User != nil || !strings.HasPrefix(next, "/") || strings.HasPrefix(next, "//") {
		return "/"
	}
	return next
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		http.Error(w, "the form is too large or malformed", http.StatusBadRequest)
		return
	}
	c, err := r.Cookie(loginCookie)
	if err != nil || c.Value == "" || r.PostFormValue("csrf") != c.Value || !sameOrigin(r) {
		s.setFlash(w, "", "the login form expired; try again")
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	}
	u, err := s.DB.Login(r.Context(), r.PostFormValue("name"), r.PostFormValue("password"))
	if err != nil {
		if !errors.Is(err, store.ErrBadPassword) {
			fail(w, r, err)
			return
		}
		slog.Warn("failed login", "name", r.PostFormValue("name"), "remote", r.RemoteAddr)
		tok := store.NewToken(24)
		s.setCookie(w, loginCookie, tok, 3600)
		s.render(w, r, http.StatusUnauthorized, "login.html", page{CSRF: tok, Flash: &flash{Text: translate(s.lang(w, r), "bad_login")}, Data: map[string]string{"Next": r.PostFormValue("next")}})
		return
	}
	tok, err := s.DB.NewSession(r.Context(), u.ID, store.SessionLife)
	if err != nil {
		fail(w, r, err)
		return
	}
	s.setCookie(w, sessionCookie, tok, int(store.SessionLife.Seconds()))
	s.setCookie(w, loginCookie, "", -1)
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request, c *who) {
	s.DB.EndSession(r.Context(), c.token)
	s.setCookie(w, sessionCookie, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

func (s *Server) home(w http.ResponseWriter, r *http.Request, c *who) {
	ws, err := s.Studio.Works(r.Context(), c.actor())
	if err != nil {
		fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home.html", page{User: c.user, CSRF: c.session.CSRF, Data: map[string]any{"Works": ws, "Forms": studio.Forms}})
}

func (s *Server) keysPage(w http.ResponseWriter, r *http.Request, c *who) {
	s.keysView(w, r, c, "")
}

func (s *Server) keysView(w http.ResponseWriter, r *http.Request, c *who, secret string) {
	ks, err := s.DB.Keys(r.Context(), c.user.ID)
	if err != nil {
		fail(w, r, err)
		return
	}
	data := map[string]any{"Keys": ks, "Secret": secret}
	if c.user.Admin {
		us, err := s.DB.Users(r.Context())
		if err != nil {
			fail(w, r, err)
			return
		}
		data["Users"] = us
	}
	s.render(w, r, http.StatusOK, "keys.html", page{User: c.user, CSRF: c.session.CSRF, Title: translate(s.lang(w, r), "keys"), Data: data})
}

func (s *Server) webCreateKey(w http.ResponseWriter, r *http.Request, c *who) {
	q, err := strconv.ParseInt(r.PostFormValue("quota"), 10, 64)
	if err != nil {
		q = store.DefaultQuota
	}
	if msg := s.keyPolicy(r, c, q); msg != "" {
		s.setFlash(w, "", msg)
		http.Redirect(w, r, "/keys", http.StatusSeeOther)
		return
	}
	_, secret, err := s.DB.CreateKey(r.Context(), c.user.ID, strings.TrimSpace(r.PostFormValue("name")), q)
	if err != nil {
		s.backToKeys(w, r, err, "")
		return
	}
	s.keysView(w, r, c, secret)
}

// backToKeys ends a form post of the keys page: an internal error fails
// the request; any other error is flashed as it reads, success as ok
// (when ok is not empty); then back to /keys.
func (s *Server) backToKeys(w http.ResponseWriter, r *http.Request, err error, ok string) {
	switch {
	case err != nil && isInternal(err):
		fail(w, r, err)
		return
	case err != nil:
		s.setFlash(w, "", err.Error())
	case ok != "":
		s.setFlash(w, "ok", ok)
	}
	http.Redirect(w, r, "/keys", http.StatusSeeOther)
}

func (s *Server) webDeleteKey(w http.ResponseWriter, r *http.Request, c *who) {
	if err := s.DB.DeleteKey(r.Context(), c.user.ID, r.PathValue("kid")); err != nil && !errors.Is(err, store.ErrNotFound) {
		fail(w, r, err)
		return
	}
	http.Redirect(w, r, "/keys", http.StatusSeeOther)
}

func (s *Server) webPassword(w http.ResponseWriter, r *http.Request, c *who) {
	err := s.setPassword(r, c, r.PostFormValue("old"), r.PostFormValue("new"))
	if errors.Is(err, store.ErrBadPassword) {
		err = errors.New(translate(s.lang(w, r), "old_wrong"))
	}
	s.backToKeys(w, r, err, translate(s.lang(w, r), "password_changed"))
}

func (s *Server) webCreateUser(w http.ResponseWriter, r *http.Request, c *who) {
	if !webAdminOnly(w, c, "create users") {
		return
	}
	u, err := s.DB.CreateUser(r.Context(), strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("password"), r.PostFormValue("admin") == "1")
	ok := ""
	if err == nil {
		ok = translate(s.lang(w, r), "user_created") + " " + u.Name
	}
	s.backToKeys(w, r, err, ok)
}

func (s *Server) webNewWork(w http.ResponseWriter, r *http.Request, c *who) {
	seed := time.Now().UnixNano() % 100000
	wk, job, err := s.Studio.NewWork(r.Context(), c.actor(), r.PostFormValue("title"), studio.Brief{
		Keywords: splitList(r.PostFormValue("keywords")), Form: r.PostFormValue("form"), Rhyme: r.PostFormValue("rhyme"),
	}, r.PostFormValue("autopilot") == "1", seed)
	if err != nil {
		s.webFail(w, r, "/", err)
		return
	}
	if d := strings.TrimSpace(r.PostFormValue("draft")); d != "" && job == nil {
		if _, err := s.Studio.FromDraft(r.Context(), c.actor(), wk.ID, wk.Head, d, seed); err != nil {
			s.webFail(w, r, "/works/"+wk.ID, err)
			return
		}
	}
	to := "/works/" + wk.ID
	if job != nil {
		to += "?job=" + job.ID
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// webFail shows an input error on the page the person came from; a
// missing work is a plain 404, since its page would fail again.
func (s *Server) webFail(w http.ResponseWriter, r *http.Request, back string, err error) {
	if status, msg := statusOf(err); status == http.StatusNotFound {
		http.Error(w, msg, status)
		return
	}
	if s.flashError(w, r, err) {
		http.Redirect(w, r, back, http.StatusSeeOther)
	}
}

// flashError puts err on the next page as a flash, and reports whether
// the caller should go on to redirect; an internal error is answered 500
// at once, and false.
func (s *Server) flashError(w http.ResponseWriter, r *http.Request, err error) bool {
	status, msg := statusOf(err)
	if status == http.StatusInternalServerError {
		fail(w, r, err)
		return false
	}
	s.setFlash(w, "", localize(s.lang(w, r), msg))
	return true
}

// altView is a list of alternatives shown on the work page.
type altView struct {
	Line, Col int
	List      []poem.Alternative
}

func (s *Server) workPage(w http.ResponseWriter, r *http.Request, c *who) {
	a := c.actor()
	id := r.PathValue("id")
	wk, err := s.Studio.Get(r.Context(), a, id)
	if err != nil {
		status, msg := statusOf(err)
		if status == 500 {
			fail(w, r, err)
			return
		}
		http.Error(w, msg, status)
		return
	}
	data := map[string]any{"Work": wk, "Stages": studio.Stages, "Forms": studio.Forms, "Modes": modeNames(), "Seed": time.Now().UnixNano() % 100000, "Engines": s.Studio.EngineNames(),
		"Scores": []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}
	var fl *flash
	if len(wk.Content.Brief.Keywords) > 0 {
		if plan, err := s.Studio.Plan(r.Context(), a, id, nil); err == nil {
			data["Plan"] = plan
		}
	}
	// The job to watch: the one named, or the newest unfinished one.
	if jid := r.URL.Query().Get("job"); jid != "" {
		if j, err := s.Studio.Job(r.Context(), a, jid); err == nil && j.State != store.JobDone {
			data["Job"] = j
		}
	} else {
		for _, j := range wk.Jobs {
			if j.State == store.JobQueued || j.State == store.JobRunning {
				data["Job"] = j
				break
			}
		}
	}
	if wk.Stage == studio.StageReview || wk.Stage == studio.StagePublish {
		if rev, err := s.Studio.Review(r.Context(), a, id); err == nil {
			data["Review"] = rev
		}
		if rep, err := s.Studio.Report(r.Context(), a, id, s.lang(w, r) == "zh"); err == nil {
			data["Report"] = rep
		}
	}
	if l := r.URL.Query().Get("alt_line"); l != "" {
		line, _ := strconv.Atoi(l)
		col, _ := strconv.Atoi(r.URL.Query().Get("alt_col"))
		alts, err := s.Studio.Alternatives(r.Context(), a, id, line, col, 6, time.Now().UnixNano()%1000)
		if err != nil {
			_, msg := statusOf(err)
			fl = &flash{Text: msg}
		} else {
			data["Alts"] = &altView{Line: line, Col: col, List: alts}
		}
	}
	rated := map[int]*store.Rating{}
	if rs, err := s.Studio.Ratings(r.Context(), a, id); err == nil {
		for _, rt := range rs {
			for i, p := range wk.Content.Candidates {
				if rt.Candidate == candidateKey(p.Lines) {
					rated[i+1] = rt
				}
			}
			if rt.Candidate == candidateKey(wk.Content.Lines) {
				rated[0] = rt
			}
		}
	}
	data["Rated"] = rated
	if h, err := s.Studio.History(r.Context(), a, id); err == nil {
		for i, j := 0, len(h)-1; i < j; i, j = i+1, j-1 {
			h[i], h[j] = h[j], h[i]
		}
		data["History"] = h
	}
	s.render(w, r, http.StatusOK, "work.html", page{User: c.user, CSRF: c.session.CSRF, Title: wk.Content.Title, Flash: fl, Data: data})
}

// modeNames are the music's modes, as the sound form offers them.
func modeNames() []string {
	var out []string
	for m := sound.Gong; m <= sound.Yu; m++ {
		out = append(out, m.String())
	}
	return out
}

func candidateKey(lines []string) string { return studio.CandidateKey(lines) }

// workAction handles the work page's forms.
func (s *Server) workAction(w http.ResponseWriter, r *http.Request, c *who) {
	a := c.actor()
	id := r.PathValue("id")
	back := "/works/" + id
	ctx := r.Context()
	base, _ := strconv.Atoi(r.PostFormValue("base"))
	num := func(k string) int { n, _ := strconv.Atoi(r.PostFormValue(k)); return n }
	var err error
	switch r.PathValue("action") {
	case "brief":
		_, err = s.Studio.SetBrief(ctx, a, id, base, studio.Brief{Keywords: splitList(r.PostFormValue("keywords")), Form: r.PostFormValue("form"), Rhyme: r.PostFormValue("rhyme"), Images: r.PostForm["images"]})
	case "create":
		seed, _ := strconv.ParseInt(r.PostFormValue("seed"), 10, 64)
		var j *store.Job
		j, err = s.Studio.StartCreate(ctx, a, id, studio.CreateInput{N: 5, Seed: seed, Paint: r.PostFormValue("paint") == "1",
			Engine: r.PostFormValue("engine"), Model: strings.TrimSpace(r.PostFormValue("model"))})
		if err == nil {
			back += "?job=" + j.ID
		}
	case "paint":
		seed, _ := strconv.ParseUint(r.PostFormValue("seed"), 10, 64)
		var j *store.Job
		j, err = s.Studio.StartPaint(ctx, a, id, studio.PaintInput{Seed: seed})
		if err == nil {
			back += "?job=" + j.ID
		}
	case "choose":
		_, err = s.Studio.Choose(ctx, a, id, base, num("candidate")-1)
	case "edit", "revise":
		lines, locks := formLines(r)
		var wk *studio.Work
		title := r.PostFormValue("title")
		wk, err = s.Studio.Get(ctx, a, id)
		if err == nil && (!slices.Equal(lines, wk.Content.Lines) || !slices.Equal(locks, wk.Content.Locks) || title != wk.Content.Title) {
			var tp *string
			if title != wk.Content.Title {
				tp = &title
			}
			wk, err = s.Studio.Edit(ctx, a, id, base, tp, lines, locks)
		}
		if err == nil && r.PathValue("action") == "revise" {
			_, err = s.Studio.Revise(ctx, a, id, wk.Head, time.Now().UnixNano()%100000)
		}
	case "alternatives":
		_, err = s.Studio.UseAlternative(ctx, a, id, base, num("line"), num("col"), r.PostFormValue("text"))
	case "adjust":
		f := func(k string) float64 { v, _ := strconv.ParseFloat(r.PostFormValue(k), 64); return v }
		_, err = s.Studio.AdjustPainting(ctx, a, id, base, studio.Tone{Brightness: f("brightness"), Contrast: f("contrast"), Saturation: f("saturation")})
	case "photo":
		data, status, uerr := readUpload(w, r)
		if uerr != nil {
			if status == http.StatusRequestEntityTooLarge {
				http.Error(w, uerr.Error(), status)
				return
			}
			err = fmt.Errorf("%w: %v", studio.ErrInput, uerr)
			break
		}
		_, err = s.Studio.AddPhoto(ctx, a, id, base, data)
	case "delete":
		if r.PostFormValue("confirm") != "1" {
			s.setFlash(w, "", translate(s.lang(w, r), "confirm_delete"))
			break
		}
		if err = s.Studio.Delete(ctx, a, id); err == nil {
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
	case "film":
		seed, _ := strconv.ParseUint(r.PostFormValue("seed"), 10, 64)
		secs, _ := strconv.ParseFloat(r.PostFormValue("seconds"), 64)
		var j *store.Job
		j, err = s.Studio.StartFilm(ctx, a, id, studio.FilmInput{Aspect: r.PostFormValue("aspect"), Seconds: secs, Seed: seed, HD: r.PostFormValue("hd") == "1",
			NoVoice: r.PostFormValue("voice") != "1", NoMusic: r.PostFormValue("music") != "1"})
		if err == nil {
			back += "?job=" + j.ID
		}
	case "sound":
		f := func(k string) float64 { v, _ := strconv.ParseFloat(r.PostFormValue(k), 64); return v }
		seed, _ := strconv.ParseInt(r.PostFormValue("seed"), 10, 64)
		_, err = s.Studio.SetSound(ctx, a, id, base, studio.SoundSpec{Recite: r.PostFormValue("recite") == "1", Music: r.PostFormValue("music") == "1",
			Mode: r.PostFormValue("mode"), Tempo: f("tempo"), Seed: seed, Trim: f("trim")})
		back += "#sound"
	case "stage":
		_, err = s.Studio.SetStage(ctx, a, id, r.PostFormValue("stage"))
	case "publish":
		_, err = s.Studio.Publish(ctx, a, id, base, r.PostFormValue("ack") == "1")
	case "rate":
		_, err = s.Studio.Rate(ctx, a, id, studio.RateInput{Candidate: num("candidate"), Score: num("score"), Favourite: r.PostFormValue("favourite") == "1"})
	default:
		http.Error(w, "no such action", http.StatusNotFound)
		return
	}
	if err != nil {
		s.webFail(w, r, "/works/"+id, err)
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// formLines reads the edit form: lines in order, and lock-N checkboxes
// naming the locked columns of line N.
func formLines(r *http.Request) (lines, locks []string) {
	for i, l := range r.PostForm["line"] {
		l = strings.Join(strings.Fields(l), "")
		lines = append(lines, l)
		mask := []byte(strings.Repeat("0", len([]rune(l))))
		for _, v := range r.PostForm[fmt.Sprintf("lock-%d", i+1)] {
			if n, err := strconv.Atoi(v); err == nil && n >= 1 && n <= len(mask) {
				mask[n-1] = '1'
			}
		}
		locks = append(locks, string(mask))
	}
	return lines, locks
}
