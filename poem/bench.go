package poem

import (
	"fmt"
	"math"
	"strings"
	"time"

	"miaobi/corpus"
	"miaobi/judge"
	"miaobi/lm"
	"miaobi/prosody"
)

// BenchSet is one benchmark request: a form and keywords from the title of
// a held-out human poem of that form.
type BenchSet struct {
	Form     string   `json:"form"`
	Title    string   `json:"title"`
	Keywords []string `json:"keywords"`
}

// titleStop lists title characters that are not images: numbers, function
// words, genre and occasion words, and the commonest surnames.
const titleStop = "辞篇行引谣宁郊庙之其与和答次韵同作用首一二三四五六七八九十百千第又再复以为于而也者所自此是即及并兼呈奉酬谢赋得分字绝句律诗言古意效体拟代戏示兄弟君公子翁丈叔伯侍郎中丞相府使员外尚书御史学士先生上人禅师处士明府少府长史司马参军太守刺史县令寄赠题见过游宿至还次韵追和奉和应制寓怀有感偶成即事杂咏口号二首三首四首" +
	"张王李刘陈杨赵周吴徐孙胡朱林何郭罗梁宋郑谢韩唐冯董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛阎余潘杜戴钟汪任姜范姚谭廖邹熊陆郝孔崔康毛邱顾侯邵孟段钱汤尹黎易乔贺赖龚韦裴元"

// TitleKeywords picks up to three keywords from a poem title: lexicon words
// first (longest first), then single characters that are images (see
// Lexicon.Imageable), not in the stop list, and writable by the model.
func (e *Engine) TitleKeywords(title string) []string {
	var hz []rune
	for _, r := range title {
		if r >= 0x4e00 && r <= 0x9fff {
			hz = append(hz, r)
		}
	}
	used := make([]bool, len(hz))
	var out []string
	for n := 4; n >= 2 && len(out) < 3; n-- {
		for i := 0; i+n <= len(hz) && len(out) < 3; i++ {
			w := string(hz[i : i+n])
			free := true
			for k := i; k < i+n; k++ {
				free = free && !used[k]
			}
			if free && e.Lexicon.Images(w) != nil && !strings.ContainsAny(w, "二三四五六七八九十首") {
				out = append(out, w)
				for k := i; k < i+n; k++ {
					used[k] = true
				}
			}
		}
	}
	for i, r := range hz {
		if len(out) >= 3 {
			break
		}
		if used[i] || strings.ContainsRune(titleStop, r) || !e.Lexicon.Imageable(r) {
			continue
		}
		t := e.vocab.Token(r)
		if t == lm.Unk || !e.writable[t] || len(e.Imagery.Related[r]) < 5 {
			continue
		}
		dup := false
		for _, o := range out {
			dup = dup || strings.ContainsRune(o, r)
		}
		if !dup {
			out = append(out, string(r))
		}
	}
	return out
}

// BenchSets draws per-form keyword sets from the titles of the given
// held-out poems: of all titles giving two or more keywords, perForm of
// each regulated form, evenly spaced through the corpus order (so the sets
// span dynasties and poets rather than the first collection's 乐府).
func (e *Engine) BenchSets(poems []*corpus.Poem, perForm int) []BenchSet {
	byForm := map[string][]BenchSet{}
	seen := map[string]bool{}
	for _, p := range poems {
		if !HeldOutForms[p.Form] {
			continue
		}
		kw := e.TitleKeywords(p.Title)
		key := p.Form + strings.Join(kw, ",")
		if len(kw) < 2 || seen[key] {
			continue
		}
		seen[key] = true
		byForm[p.Form] = append(byForm[p.Form], BenchSet{Form: p.Form, Title: p.Title, Keywords: kw})
	}
	var out []BenchSet
	for _, f := range []string{"五绝", "七绝", "五律", "七律"} {
		all := byForm[f]
		n := min(perForm, len(all))
		for i := 0; i < n; i++ {
			out = append(out, all[i*len(all)/n])
		}
	}
	return out
}

// BenchResult is one generated poem of a benchmark.
type BenchResult struct {
	Set     BenchSet
	Poem    *Poem
	Err     error
	Elapsed time.Duration
	Verdict string // from an independent checker
	Hit     int    // keywords whose word or an image of it is in the poem
	// Rare is true when the checker finds a rare reading (僻读) in it.
	Rare bool
	// Metre is true when every strict place is right by the corpus's own
	// annotations of its characters (judge.KeepsMetre with
	// judge.Annotations.ClassTones); the caller sets it.
	Metre bool
}

// RunBench generates one poem per set on this goroutine, timing each.
func (e *Engine) RunBench(sets []BenchSet, seed int64) []BenchResult {
	out := make([]BenchResult, len(sets))
	checkers := map[string]*prosody.Checker{}
	for i, s := range sets {
		start := time.Now()
		ps, err := e.Generate(Request{Form: s.Form, Keywords: s.Keywords, Seed: seed + int64(i)})
		r := BenchResult{Set: s, Elapsed: time.Since(start), Err: err}
		if err == nil {
			r.Poem = ps[0]
			c := checkers[s.Form]
			if c == nil {
				c, _ = prosody.NewChecker("pingshui", s.Form)
				checkers[s.Form] = c
			}
			res := c.Check(&prosody.Poem{Lines: r.Poem.Lines})
			r.Verdict = res.Verdict
			for _, pr := range res.Problems {
				r.Rare = r.Rare || pr.Rule == prosody.RuleRare
			}
			text := strings.Join(r.Poem.Lines, "")
			for _, kw := range r.Poem.Imagery {
				hit := strings.Contains(text, kw.Text)
				for _, img := range kw.Images {
					hit = hit || strings.Contains(text, img)
				}
				if hit {
					r.Hit++
				}
			}
		}
		out[i] = r
	}
	return out
}

// FormStats are a benchmark's figures for one form (or all).
type FormStats struct {
	Form       string  `json:"form"`
	Poems      int     `json:"poems"`
	Failed     int     `json:"failed"` // requests that returned an error
	Compliance float64 `json:"compliance"`
	// Metre is the share of poems whose every strict place is right by the
	// corpus annotations; Rare the share with a 僻读 found by the checker.
	Metre       float64       `json:"metre_by_annotations"`
	Rare        float64       `json:"rare_reading"`
	CopyRate    float64       `json:"copy_rate"`
	KeywordHit  float64       `json:"keyword_hit"`
	Distinct1   float64       `json:"distinct_1"`
	Distinct2   float64       `json:"distinct_2"`
	GenPPL      float64       `json:"generated_ppl"`
	HumanPPL    float64       `json:"human_ppl"`
	FluencyRate float64       `json:"fluency_ratio"`
	Latency     judge.Latency `json:"latency"`
	Copies      []judge.Copy  `json:"copies,omitempty"`
}

// Summarize computes per-form and overall figures. copies come from
// judge.ScanCopies over the results' poems (index = result index); judgeLM
// scores fluency; human holds held-out human poems per form.
func Summarize(results []BenchResult, copies []judge.Copy, judgeLM lm.Model, human map[string][][]string) []FormStats {
	copied := map[int]bool{}
	for _, c := range copies {
		copied[c.Poem] = true
	}
	forms := []string{"五绝", "七绝", "五律", "七律", ""}
	var out []FormStats
	for _, f := range forms {
		st := FormStats{Form: f}
		if f == "" {
			st.Form = "all"
		}
		var poems [][]string
		var times []time.Duration
		ok, kws, hits := 0, 0, 0
		var humanSeqs, genSeqs [][]lm.Token
		v := judgeLM.Vocab()
		for i, r := range results {
			if f != "" && r.Set.Form != f {
				continue
			}
			times = append(times, r.Elapsed)
			if r.Err != nil {
				st.Failed++
				continue
			}
			st.Poems++
			poems = append(poems, r.Poem.Lines)
			genSeqs = append(genSeqs, v.Encode(r.Poem.Lines))
			if r.Verdict == prosody.VerdictOK {
				ok++
			}
			if r.Metre {
				st.Metre++
			}
			if r.Rare {
				st.Rare++
			}
			if copied[i] {
				st.CopyRate++
			}
			kws += len(r.Poem.Imagery)
			hits += r.Hit
		}
		for hf, hs := range human {
			if f == "" || hf == f {
				for _, h := range hs {
					humanSeqs = append(humanSeqs, v.Encode(h))
				}
			}
		}
		total := st.Poems + st.Failed
		if total > 0 {
			st.Compliance = float64(ok) / float64(total)
		}
		if st.Poems > 0 {
			st.CopyRate /= float64(st.Poems)
			st.Metre /= float64(st.Poems)
			st.Rare /= float64(st.Poems)
		}
		if kws > 0 {
			st.KeywordHit = float64(hits) / float64(kws)
		}
		st.Distinct1, st.Distinct2 = judge.Distinct(poems)
		st.GenPPL, _ = lm.CharPerplexity(judgeLM, genSeqs)
		st.HumanPPL, _ = lm.CharPerplexity(judgeLM, humanSeqs)
		st.FluencyRate = st.GenPPL / st.HumanPPL
		if math.IsNaN(st.FluencyRate) {
			st.FluencyRate = 0
		}
		st.Latency = judge.Summarize(times)
		out = append(out, st)
	}
	return out
}

// StatsMarkdown renders the figures as a table.
func StatsMarkdown(stats []FormStats) string {
	var sb strings.Builder
	sb.WriteString("| form | poems | compliance (合律) | metre by annotations | 僻读 | copy rate | keyword hit | distinct-1 | distinct-2 | judge PPL generated | judge PPL human | fluency ratio | latency p50 | latency p99 |\n")
	sb.WriteString("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n")
	for _, s := range stats {
		fmt.Fprintf(&sb, "| %s | %d | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.1f %% | %.3f | %.3f | %.1f | %.1f | %.3f | %.1f ms | %.1f ms |\n",
			s.Form, s.Poems+s.Failed, 100*s.Compliance, 100*s.Metre, 100*s.Rare, 100*s.CopyRate, 100*s.KeywordHit, s.Distinct1, s.Distinct2,
			s.GenPPL, s.HumanPPL, s.FluencyRate, s.Latency.P50, s.Latency.P99)
	}
	return sb.String()
}

// SamplesMarkdown is docs/samples.md as 'miaobi bench poem --write' writes
// it: poems for requests a person might type, a couplet, and the first
// five benchmark poems of each form from results.
func (e *Engine) SamplesMarkdown(results []BenchResult) (string, error) {
	var sm strings.Builder
	sm.WriteString("# Sample poems\n\nWritten by `miaobi bench poem --write`. Every poem is the first candidate for its seed and is 合律 by `miaobi check`; none shares a run of 4 (五言) or 5 characters with a corpus line. They are shown as they come, good lines and weak ones: the model sees three characters of context, so lines are locally fluent while the sense across a couplet is often loose.\n\n## Requests a person might type\n\n")
	showcase := []struct {
		label string
		req   Request
	}{
		{"-k 灯,跳舞,翅膀", Request{Keywords: []string{"灯", "跳舞", "翅膀"}, Seed: 42}},
		{"-k 高铁,故乡 --form 七律", Request{Form: "七律", Keywords: []string{"高铁", "故乡"}, Seed: 42}},
		{"-k 手机,思念 --form 五绝", Request{Form: "五绝", Keywords: []string{"手机", "思念"}, Seed: 42}},
		{"--acrostic 春江花月 --form 七绝", Request{Form: "七绝", Acrostic: "春江花月", Seed: 42}},
		{"-k 梅,雪 --form 词:浣溪沙", Request{Form: "词:浣溪沙", Keywords: []string{"梅", "雪"}, Seed: 42}},
		{"-k 中秋 --form 五律 --rhyme xinyun", Request{Form: "五律", Keywords: []string{"中秋"}, Rhyme: "xinyun", Seed: 42}},
	}
	for _, sc := range showcase {
		ps, err := e.Generate(sc.req)
		if err != nil {
			return "", fmt.Errorf("sample %s: %w", sc.label, err)
		}
		p := ps[0]
		group := p.Check.RhymeGroup
		if group == "" {
			group = p.Check.Book
		}
		fmt.Fprintf(&sm, "### `miaobi poem %s`\n\n%s (%s, %s, %s)\n\n", sc.label, p.Title, p.Form, p.Variant, group)
		writeLines(&sm, p.Lines)
	}
	if cs, err := e.Couplet("海阔凭鱼跃", nil, 42, 1); err == nil {
		fmt.Fprintf(&sm, "### `miaobi couplet 海阔凭鱼跃`\n\n上联：%s<br>\n下联：%s\n\n", cs[0].Lines[0], cs[0].Lines[1])
	}
	sm.WriteString("## Keywords from held-out titles\n\nThe first five benchmark sets of each form (keywords from titles of held-out human poems; the human title is shown for reference).\n\n")
	perFormShown := map[string]int{}
	for _, r := range results {
		if r.Err != nil || perFormShown[r.Set.Form] >= 5 {
			continue
		}
		perFormShown[r.Set.Form]++
		p := r.Poem
		fmt.Fprintf(&sm, "### %s · keywords %s\n\n(from the title 《%s》; seed %d; %s, %s)\n\n", p.Form, strings.Join(r.Set.Keywords, "、"), r.Set.Title, p.Seed, p.Variant, p.Check.RhymeGroup)
		writeLines(&sm, p.Lines)
	}
	return sm.String(), nil
}

// writeLines writes lines punctuated by couplet, one to a Markdown line.
func writeLines(sb *strings.Builder, lines []string) {
	for i, l := range lines {
		punct := "，"
		if i%2 == 1 || i == len(lines)-1 {
			punct = "。"
		}
		fmt.Fprintf(sb, "%s%s<br>\n", l, punct)
	}
	sb.WriteString("\n")
}
