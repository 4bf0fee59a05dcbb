package server

// The arena's API and pages: readers play blind rounds, everyone signed in
// sees the results, administrators build, export and reset rounds. A
// reader's page and every answer it gets carry the poems' lines only —
// sources, versions and origins appear after the reader has answered the
// whole round (GET …/mine), never before.

import (
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"miaobi/arena"
	"miaobi/store"
	"miaobi/studio"
)

func (s *Server) arenaRoutes(m routeRecorder) {
	m.HandleFunc("GET /api/arena/rounds", s.api(s.listRounds))
	m.HandleFunc("POST /api/arena/rounds", s.api(s.createRound))
	m.HandleFunc("GET /api/arena/rounds/{id}", s.api(s.getRound))
	m.HandleFunc("GET /api/arena/rounds/{id}/play", s.api(s.playRound))
	m.HandleFunc("GET /api/arena/rounds/{id}/mine", s.api(s.mineRound))
	m.HandleFunc("GET /api/arena/rounds/{id}/export", s.api(s.exportRound))
	m.HandleFunc("POST /api/arena/rounds/{id}/reset", s.api(s.resetRound))
	m.HandleFunc("POST /api/arena/rounds/{id}/close", s.api(s.openRound(false)))
	m.HandleFunc("POST /api/arena/rounds/{id}/open", s.api(s.openRound(true)))
	m.HandleFunc("POST /api/arena/items/{id}/answer", s.api(s.answerItem))
	m.HandleFunc("GET /api/arena/results", s.api(s.arenaResults))
	m.HandleFunc("GET /api/works/{id}/report", s.api(s.workReport))
}

func (s *Server) arenaWebRoutes() {
	m := s.mux
	m.HandleFunc("GET /arena", s.web(s.arenaPage))
	m.HandleFunc("POST /arena/rounds", s.web(s.webCreateRound))
	m.HandleFunc("GET /arena/results", s.web(s.resultsPage))
	m.HandleFunc("GET /arena/{id}", s.web(s.playPage))
	m.HandleFunc("POST /arena/{id}/answer", s.web(s.webAnswer))
	m.HandleFunc("POST /arena/{id}/reset", s.web(s.webResetRound))
	m.HandleFunc("POST /arena/{id}/close", s.web(s.webOpenRound(false)))
	m.HandleFunc("POST /arena/{id}/open", s.web(s.webOpenRound(true)))
}

// answerLimits keeps one reader from flooding the arena: a burst of 30
// answers (a whole round answered quickly, with room for mistakes), then
// one every 3 s. Only answers that are taken spend the allowance.
type answerLimits struct {
	mu sync.Mutex
	m  map[string]*limitEntry
}

type limitEntry struct {
	l    *rate.Limiter
	used time.Time
}

const (
	answerBurst = 30
	answerEvery = 3 * time.Second
)

// allow reports whether the user may answer now, and if not how long to
// wait; spend takes one answer from the allowance once it is accepted.
func (a *answerLimits) allow(user string) (ok bool, wait time.Duration, spend func()) {
	a.mu.Lock()
	defer a.mu.Unlock()
	now := time.Now()
	if a.m == nil {
		a.m = map[string]*limitEntry{}
	}
	if len(a.m) > 10000 {
		// Forget readers idle long enough to have a full bucket again.
		for k, e := range a.m {
			if now.Sub(e.used) > answerBurst*answerEvery {
				delete(a.m, k)
			}
		}
	}
	e := a.m[user]
	if e == nil {
		e = &limitEntry{l: rate.NewLimiter(rate.Every(answerEvery), answerBurst)}
		a.m[user] = e
	}
	e.used = now
	if tokens := e.l.TokensAt(now); tokens < 1 {
		return false, time.Duration((1 - tokens) * float64(answerEvery)), func() {}
	}
	return true, 0, func() { e.l.AllowN(time.Now(), 1) }
}

func (s *Server) tooMany(w http.ResponseWriter, r *http.Request, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
	writeError(w, r, http.StatusTooManyRequests, fmt.Sprintf("too many answers at once; take a breath and answer again in %d s", int(wait.Seconds())+1))
}

func (s *Server) listRounds(w http.ResponseWriter, r *http.Request, c *who) {
	rs, err := s.Studio.Rounds(r.Context())
	if err != nil {
		fail(w, r, err)
		return
	}
	if rs == nil {
		rs = []*store.Round{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"rounds": rs})
}

func (s *Server) createRound(w http.ResponseWriter, r *http.Request, c *who) {
	if !adminOnly(w, r, c, "start an arena round") {
		return
	}
	var in studio.RoundInput
	if !readJSON(w, r, &in) {
		return
	}
	rd, j, err := s.Studio.StartRound(r.Context(), c.actor(), in)
	if err != nil {
		fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/jobs/"+j.ID)
	writeJSON(w, http.StatusAccepted, map[string]any{"round": rd, "job": j})
}

func (s *Server) getRound(w http.ResponseWriter, r *http.Request, c *who) {
	rd, err := s.Studio.Round(r.Context(), r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rd)
}

func (s *Server) playRound(w http.ResponseWriter, r *http.Request, c *who) {
	st, err := s.Studio.Play(r.Context(), c.actor(), r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) answerItem(w http.ResponseWriter, r *http.Request, c *who) {
	var in studio.AnswerInput
	if !readJSON(w, r, &in) {
		return
	}
	ok, wait, spend := s.limits.allow(c.user.ID)
	if !ok {
		s.tooMany(w, r, wait)
		return
	}
	st, err := s.Studio.Answer(r.Context(), c.actor(), r.PathValue("id"), in)
	if err != nil {
		fail(w, r, err)
		return
	}
	spend()
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) mineRound(w http.ResponseWriter, r *http.Request, c *who) {
	items, err := s.Studio.Reveal(r.Context(), c.actor(), r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	right, n := 0, 0
	for _, it := range items {
		for _, p := range it.Poems {
			n++
			if p.Right {
				right++
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"items": items, "right": right, "poems": n})
}

func (s *Server) exportRound(w http.ResponseWriter, r *http.Request, c *who) {
	if !adminOnly(w, r, c, "export a round's answers") {
		return
	}
	id := r.PathValue("id")
	answers, err := s.Studio.ArenaAnswers(r.Context(), id)
	if err != nil {
		fail(w, r, err)
		return
	}
	switch r.URL.Query().Get("format") {
	case "", "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf("attachment; filename=%q", "arena-"+id+".csv"))
		w.Header().Set("Cache-Control", "no-store")
		if err := arena.WriteCSV(w, answers); err != nil {
			fail(w, r, err)
		}
	case "json":
		if answers == nil {
			answers = []arena.Answer{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"round": id, "answers": answers})
	default:
		writeError(w, r, http.StatusBadRequest, "format is csv or json")
	}
}

func (s *Server) resetRound(w http.ResponseWriter, r *http.Request, c *who) {
	if !adminOnly(w, r, c, "reset a round") {
		return
	}
	n, err := s.Studio.ResetRound(r.Context(), r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"deleted_answers": n})
}

// openRound closes a round to new readers, or opens it again.
func (s *Server) openRound(open bool) func(w http.ResponseWriter, r *http.Request, c *who) {
	return func(w http.ResponseWriter, r *http.Request, c *who) {
		if !adminOnly(w, r, c, "open or close a round") {
			return
		}
		rd, err := s.Studio.SetRoundOpen(r.Context(), r.PathValue("id"), open)
		if err != nil {
			fail(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, rd)
	}
}

// arenaResults answers the figures as JSON, or per source (and per form
// and version) as CSV.
func (s *Server) arenaResults(w http.ResponseWriter, r *http.Request, c *who) {
	res, err := s.Studio.ArenaResults(r.Context(), r.URL.Query().Get("round"))
	if err != nil {
		fail(w, r, err)
		return
	}
	switch r.URL.Query().Get("format") {
	case "", "json":
		writeJSON(w, http.StatusOK, res)
	case "csv":
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		if err := res.WriteCSV(w); err != nil {
			fail(w, r, err)
		}
	default:
		writeError(w, r, http.StatusBadRequest, "format is json or csv")
	}
}

func (s *Server) workReport(w http.ResponseWriter, r *http.Request, c *who) {
	rep, err := s.Studio.Report(r.Context(), c.actor(), r.PathValue("id"), r.URL.Query().Get("lang") == "zh")
	if err != nil {
		fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rep)
}

// Pages.

func (s *Server) arenaPage(w http.ResponseWriter, r *http.Request, c *who) {
	rs, err := s.Studio.Rounds(r.Context())
	if err != nil {
		fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "arena.html", page{User: c.user, CSRF: c.session.CSRF, Title: translate(s.lang(w, r), "arena"),
		Data: map[string]any{"Rounds": rs, "Engines": s.Studio.EngineNames()}})
}

func (s *Server) webCreateRound(w http.ResponseWriter, r *http.Request, c *who) {
	if !webAdminOnly(w, c, "start an arena round") {
		return
	}
	num := func(k string) int { n, _ := strconv.Atoi(r.PostFormValue(k)); return n }
	seed, _ := strconv.ParseInt(r.PostFormValue("seed"), 10, 64)
	in := studio.RoundInput{Name: r.PostFormValue("name"), Size: num("size"), PerForm: num("per_form"), Sources: r.PostForm["sources"], Seed: seed}
	if _, _, err := s.Studio.StartRound(r.Context(), c.actor(), in); err != nil {
		if !s.flashError(w, r, err) {
			return
		}
	} else {
		s.setFlash(w, "ok", translate(s.lang(w, r), "round_building"))
	}
	http.Redirect(w, r, "/arena", http.StatusSeeOther)
}

func (s *Server) webResetRound(w http.ResponseWriter, r *http.Request, c *who) {
	if !webAdminOnly(w, c, "reset a round") {
		return
	}
	n, err := s.Studio.ResetRound(r.Context(), r.PathValue("id"))
	if err != nil {
		fail(w, r, err)
		return
	}
	s.setFlash(w, "ok", fmt.Sprintf("%s: %d", translate(s.lang(w, r), "round_reset"), n))
	http.Redirect(w, r, "/arena", http.StatusSeeOther)
}

func (s *Server) webOpenRound(open bool) func(w http.ResponseWriter, r *http.Request, c *who) {
	return func(w http.ResponseWriter, r *http.Request, c *who) {
		if !webAdminOnly(w, c, "open or close a round") {
			return
		}
		if _, err := s.Studio.SetRoundOpen(r.Context(), r.PathValue("id"), open); err != nil && !s.flashError(w, r, err) {
			return
		}
		http.Redirect(w, r, "/arena", http.StatusSeeOther)
	}
}

// playView is what the play page shows.
type playView struct {
	Sitting *studio.Sitting
	Reveal  []studio.RevealItem
	Right   int
	Poems   int
	Scores  []int
}

func (s *Server) playPage(w http.ResponseWriter, r *http.Request, c *who) {
	st, err := s.Studio.Play(r.Context(), c.actor(), r.PathValue("id"))
	if err != nil {
		if s.flashError(w, r, err) {
			http.Redirect(w, r, "/arena", http.StatusSeeOther)
		}
		return
	}
	v := playView{Sitting: st, Scores: []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10}}
	if st.Done {
		if v.Reveal, err = s.Studio.Reveal(r.Context(), c.actor(), st.Round); err != nil {
			fail(w, r, err)
			return
		}
		for _, it := range v.Reveal {
			for _, p := range it.Poems {
				v.Poems++
				if p.Right {
					v.Right++
				}
			}
		}
	}
	s.render(w, r, http.StatusOK, "arena_play.html", page{User: c.user, CSRF: c.session.CSRF, Title: st.Name, Data: v})
}

func (s *Server) webAnswer(w http.ResponseWriter, r *http.Request, c *who) {
	back := "/arena/" + r.PathValue("id")
	var in studio.AnswerInput
	for _, slot := range []string{"A", "B"} {
		g := r.PostFormValue("guess_" + slot)
		if g == "" && slot == "B" {
			break
		}
		sc, _ := strconv.Atoi(r.PostFormValue("score_" + slot))
		in.Human = append(in.Human, g == "1")
		in.Scores = append(in.Scores, sc)
		if g != "0" && g != "1" {
			in.Scores[len(in.Scores)-1] = 0 // refused below as incomplete
		}
	}
	in.Better = r.PostFormValue("better")
	ok, wait, spend := s.limits.allow(c.user.ID)
	if !ok {
		s.setFlash(w, "error", fmt.Sprintf("%s (%d s)", translate(s.lang(w, r), "too_fast"), int(wait.Seconds())+1))
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	if _, err := s.Studio.Answer(r.Context(), c.actor(), r.PostFormValue("item"), in); err == nil {
		spend()
	} else if !s.flashError(w, r, err) {
		return
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// resultsView is what the results page shows.
type resultsView struct {
	Round   string
	Rounds  any
	Res     *arena.Results
	Charts  []template.HTML
	Sources []string
}

func (s *Server) resultsPage(w http.ResponseWriter, r *http.Request, c *who) {
	round := r.URL.Query().Get("round")
	res, err := s.Studio.ArenaResults(r.Context(), round)
	if err != nil {
		fail(w, r, err)
		return
	}
	rs, err := s.Studio.Rounds(r.Context())
	if err != nil {
		fail(w, r, err)
		return
	}
	v := resultsView{Round: round, Rounds: rs, Res: res}
	lang := s.lang(w, r)
	for _, ch := range res.Charts(func(k string) string { return translate(lang, k) }) {
		v.Charts = append(v.Charts, template.HTML(ch.SVG())) // built from escaped text only
	}
	s.render(w, r, http.StatusOK, "arena_results.html", page{User: c.user, CSRF: c.session.CSRF, Title: translate(s.lang(w, r), "results"), Data: v})
}

// arenaMessages are the arena pages' words.
var arenaMessages = map[string]map[string]string{
	"zh": {
		"arena": "擂台", "arena_intro": "盲评：每一题给你一首或同题的两首诗，不告诉你出自谁手。请判断每首是人写的还是机器写的，给出 1–10 分，两首时再选出更好的一首。整轮答完后才揭晓出处。",
		"rounds": "场次", "play": "参加", "results": "结果", "round_name": "场次名称", "round_size": "每人题数", "per_form": "每种体裁的题目数",
		"sources": "来源", "src_human": "古人（语料库留出的诗）", "src_miaobi": "妙笔", "src_published": "创作室已发布的作品",
		"new_round": "新建场次", "round_building": "正在出题，稍后刷新", "round_reset": "已清空答卷", "reset": "清空答卷", "close": "结束（不再接纳新读者）", "reopen": "重新开放", "export": "导出答卷",
		"state_building": "出题中", "state_open": "进行中", "state_closed": "已结束", "state_failed": "失败",
		"poems_n": "诗", "readers_n": "读者", "answers_n": "答卷", "item": "第", "of": "题，共", "who_wrote": "谁写的？",
		"by_person": "人写的", "by_machine": "机器写的", "score": "评分（1–10）", "better": "哪首更好？", "submit": "提交（提交后不能更改）",
		"done": "本轮已答完", "you_right": "你判断对了", "your_guess": "你的判断", "truth": "出处", "prompt": "题目", "too_fast": "答得太快了，请稍后再答",
		"told": "读者在「人诗 vs 机器诗」成对题中同时判断正确的比例", "taken_human": "被当作人写的比例", "mean_score": "平均分", "strength": "两两比较强度（Bradley–Terry）",
		"by_form": "按体裁", "by_version": "按引擎版本", "all_rounds": "全部场次", "interval": "95% 区间", "no_answers": "还没有答卷。",
		"rated": "评次", "first_seen": "首次出现", "state": "状态",
		"chart_human": "被当作人写的比例（95% 区间）", "chart_score": "评分 1–10（95% 区间）", "chart_strength": "两两比较：Bradley–Terry 强度（对数几率，95% 区间）",
		"chart_days": "被当作人写的比例，按日", "chart_versions": "被当作人写的比例，按引擎版本（由旧到新）",
		"traits": "价值特征与洛夫莱斯报告", "trait_value": "测量值", "trait_how": "怎样测的", "trait_metre": "格律", "trait_rhyme": "用韵",
		"trait_readability": "易读", "trait_uniqueness": "独特", "trait_imagery": "意象密度", "trait_tone": "情感基调", "trait_form": "体裁与长度",
		"trait_how_metre":       "妙笔的格律检查（按所选韵书：平水韵或中华新韵；各条规则及其依据见 docs/prosody.md）：合律 1，拗 0.5，出律 0",
		"trait_how_rhyme":       "韵脚所属韵部；出韵或韵脚不合 0，邻韵 0.5",
		"trait_how_readability": "按语料库注音诗中每字的使用频次排名分级（1：最常用的 500 字，2：1500，3：3000，4：6000，5：更罕见或未见），取平均；4、5 级为生僻字",
		"trait_how_uniqueness":  "与任一语料库诗作共有的最长字串（语料库索引），以及抄袭守卫找到的与古诗句相同的字串；数值为 1 减去落在 3 字以上共有字串中的字的比例",
		"trait_how_imagery":     "妙笔意象词典中的意象字（诗能呈现的物或情）每行的个数；数值为其占全诗字数的比例",
		"trait_how_tone":        "每字的情感取自它在语料库中的同伴：与之同联出现最多的字（归一化点互信息）中，喜类（喜欢乐笑悦欣畅）与悲类（悲愁哀伤泪恨怨凄怅惆）的加权差；全诗为 tanh(4 × 平均值)",
		"trait_how_form":        "检查器按行数与字数读出的体裁，以及所要求的体裁",
		"lovelace":              "洛夫莱斯报告：是否只是拼贴？", "images": "意象", "novel_images": "关键词通常不带出的意象", "how_made": "怎样做成的", "not_rated": "尚无读者盲评",
		"axis_human": "判为人写的比例", "axis_score": "平均分", "axis_strength": "强度", "all": "全部", "json": "JSON", "csv": "CSV",
	},
	"en": {
		"arena": "Arena", "arena_intro": "Blind rating: each item shows one poem, or two on the same prompt, without saying who wrote them. Say whether a person or a machine wrote each, score each 1–10, and for two, pick the better. The sources are revealed when you have answered the whole round.",
		"rounds": "Rounds", "play": "Play", "results": "Results", "round_name": "Round name", "round_size": "Items per reader", "per_form": "Prompts per form",
		"sources": "Sources", "src_human": "people (held-out corpus poems)", "src_miaobi": "Miaobi", "src_published": "the studio's published works",
		"new_round": "New round", "round_building": "Writing the round's poems; reload in a while", "round_reset": "Answers deleted", "reset": "Delete answers", "close": "Close to new readers", "reopen": "Open again", "export": "Export answers",
		"state_building": "building", "state_open": "open", "state_closed": "closed", "state_failed": "failed",
		"poems_n": "poems", "readers_n": "readers", "answers_n": "answers", "item": "Item", "of": "of", "who_wrote": "Who wrote it?",
		"by_person": "a person", "by_machine": "a machine", "score": "Score (1–10)", "better": "Which is better?", "submit": "Submit (answers cannot be changed)",
		"done": "Round finished", "you_right": "You were right on", "your_guess": "Your guess", "truth": "Source", "prompt": "Prompt", "too_fast": "Too many answers at once; wait a moment",
		"told": "In pairs of a person's poem and a machine's, readers got both right", "taken_human": "Taken for a person's", "mean_score": "Mean score", "strength": "Pairwise strength (Bradley–Terry)",
		"by_form": "By form", "by_version": "By engine version", "all_rounds": "All rounds", "interval": "95% interval", "no_answers": "No answers yet.",
		"rated": "Rated", "first_seen": "First seen", "state": "State",
		"traits": "Value traits and Lovelace report", "trait_value": "Measured", "trait_how": "How it was measured", "trait_metre": "Metre", "trait_rhyme": "Rhyme",
		"trait_readability": "Readability", "trait_uniqueness": "Uniqueness", "trait_imagery": "Imagery density", "trait_tone": "Emotional tone", "trait_form": "Form and length",
		"lovelace": "Lovelace report: more than recombination?", "images": "Images", "novel_images": "images the keywords do not usually bring", "how_made": "How it was made", "not_rated": "no reader has rated it blind yet", "json": "JSON", "csv": "CSV",
	},
}

func init() {
	for lang, m := range arenaMessages {
		for k, v := range m {
			messages[lang][k] = v
		}
	}
}
