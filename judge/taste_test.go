package judge

import (
	"encoding/json"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"
)

// handPoems are hand-written plausible 4-line poems (not from the corpus),
// with made-up engine scores.
var handPoems = []Candidate{
	{Form: "五绝", Lines: []string{"明月照寒江", "秋风落叶黄", "孤舟人未寐", "一笛满清霜"}, Score: -3.9, Perplexity: 48, Imagery: 0.8},
	{Form: "五绝", Lines: []string{"春山花正好", "小径鸟声多", "竹外溪流急", "归来独放歌"}, Score: -3.6, Perplexity: 37, Imagery: 0.6},
	{Form: "五绝", Lines: []string{"愁心向远道", "泪尽不成眠", "故国知何处", "孤灯夜似年"}, Score: -3.4, Perplexity: 31, Imagery: 0.4},
	{Form: "五绝", Lines: []string{"秋月挂高楼", "清光满画舟", "西风吹桂子", "一夜到沧洲"}, Score: -4.1, Perplexity: 60, Imagery: 0.9},
	{Form: "五绝", Lines: []string{"雪压千山静", "梅开一树香", "寒窗书未读", "炉火夜初长"}, Score: -3.8, Perplexity: 45, Imagery: 0.7},
	{Form: "五绝", Lines: []string{"客路愁无尽", "关山恨转深", "长亭杨柳色", "犹是旧时心"}, Score: -3.3, Perplexity: 27, Imagery: 0.5},
	{Form: "五绝", Lines: []string{"荷风香满院", "蝉噪绿阴中", "午梦醒来后", "斜阳半壁红"}, Score: -4.0, Perplexity: 55, Imagery: 0.6},
	{Form: "五绝", Lines: []string{"月下闻秋笛", "霜天雁字斜", "故园今夜里", "应有桂花开"}, Score: -4.3, Perplexity: 70, Imagery: 0.8},
	{Form: "五绝", Lines: []string{"白云生远岫", "流水绕柴门", "野老相逢处", "闲谈到日昏"}, Score: -3.7, Perplexity: 40, Imagery: 0.5},
	{Form: "五绝", Lines: []string{"独坐愁城里", "悲歌泪满襟", "谁知天下事", "不及一杯深"}, Score: -3.2, Perplexity: 25, Imagery: 0.3},
	{Form: "七绝", Lines: []string{"一轮明月照秋江", "两岸芦花白似霜", "渔火三更人不寐", "清风吹送桂枝香"}, Score: -4.2, Perplexity: 66, Imagery: 0.9},
	{Form: "七绝", Lines: []string{"春雨霏霏润物新", "桃花流水出江津", "小桥深处谁家女", "笑指青山去采苹"}, Score: -3.5, Perplexity: 33, Imagery: 0.6},
	{Form: "七绝", Lines: []string{"客里愁多不可听", "孤灯夜雨到天明", "年来事事皆成恨", "泪洒东风万里情"}, Score: -3.1, Perplexity: 22, Imagery: 0.4},
	{Form: "七绝", Lines: []string{"秋风萧瑟雁南飞", "落叶纷纷满翠微", "独上高楼望明月", "故人千里几时归"}, Score: -3.9, Perplexity: 50, Imagery: 0.8},
	{Form: "七绝", Lines: []string{"寒梅一树傍溪开", "雪后清香入酒杯", "莫道山中无好友", "白云日日自飞来"}, Score: -3.6, Perplexity: 36, Imagery: 0.7},
	{Form: "七绝", Lines: []string{"夏日荷塘绿满川", "蜻蜓立处起轻烟", "小舟摇入花深处", "惊起鸳鸯上碧天"}, Score: -4.0, Perplexity: 54, Imagery: 0.7},
	{Form: "七绝", Lines: []string{"万里关山恨未消", "愁云惨淡暮萧萧", "征人夜夜思乡泪", "洒向黄河化作潮"}, Score: -3.3, Perplexity: 28, Imagery: 0.5},
	{Form: "七绝", Lines: []string{"桂影婆娑月满庭", "秋虫唧唧夜初清", "开窗坐对一天碧", "不觉霜华上短檠"}, Score: -4.4, Perplexity: 77, Imagery: 0.9},
	{Form: "七绝", Lines: []string{"山中无事日偏长", "松下煎茶水自香", "客至相逢无俗语", "闲看云起又斜阳"}, Score: -3.7, Perplexity: 41, Imagery: 0.5},
	{Form: "七绝", Lines: []string{"烟雨江南二月天", "杏花深巷卖花船", "东风不解离人苦", "吹尽愁思又一年"}, Score: -3.4, Perplexity: 30, Imagery: 0.6},
	{Form: "五律", Lines: []string{"秋山横远目", "明月出东林", "霜冷千峰静", "风高一雁沉", "清光浮白酒", "幽兴入瑶琴", "此夜谁同赏", "江湖万里心"}, Score: -4.0, Perplexity: 56, Imagery: 0.8},
	{Form: "五律", Lines: []string{"愁病经年久", "孤身客异乡", "灯昏悲夜永", "泪落恨途长", "旧梦随烟散", "归心逐雁翔", "何时还故里", "相对话沧桑"}, Score: -3.3, Perplexity: 27, Imagery: 0.4},
	{Form: "七律", Lines: []string{"春到江南草木新", "东风吹暖满城春", "桃花灼灼临溪岸", "杨柳依依拂水滨", "燕子归来寻旧垒", "莺声啼处见游人", "年年此景年年好", "不负韶光不负身"}, Score: -3.6, Perplexity: 35, Imagery: 0.6},
	{Form: "词:如梦令", Lines: []string{"昨夜秋风吹雨", "月照小楼深处", "独倚望江南", "桂影满庭无语", "归去", "归去", "一路清霜如许"}, Score: -4.1, Perplexity: 62, Imagery: 0.7},
}

// moonLover likes the moon and autumn, dislikes sorrow; the engine score
// means nothing to them.
func moonLover(c Candidate) int {
	text := strings.Join(c.Lines, "")
	s := 5
	if strings.ContainsRune(text, '月') {
		s += 3
	}
	if strings.ContainsRune(text, '秋') {
		s += 2
	}
	if strings.ContainsAny(text, "愁泪恨") {
		s -= 4
	}
	return s
}

func rateAll(cands []Candidate, f func(Candidate) int) []Rating {
	out := make([]Rating, len(cands))
	for i, c := range cands {
		out[i] = Rating{Candidate: c, Score: f(c)}
	}
	return out
}

// genPoems makes n varied candidates deterministically from a character
// pool with a Zipf-like draw, so that some characters are common and most
// rare, as in generated poems.
func genPoems(n int, seed uint64) []Candidate {
	pool := []rune("月风山花云秋春水江天人日夜雨雪寒清白青红孤愁归梦客乡香酒歌声烟霜雁柳燕桃荷蝉菊枫梅松竹石溪湖波潮泉峰岭楼台舟灯星钟笛琴书剑马草木林鸟莺鹤路门窗庭院草长远深高低明暗新旧古今来去飞落开照满空千万一两三东西南北中上下")
	rng := rand.New(rand.NewPCG(seed, 7))
	zipf := rand.NewZipf(rng, 1.1, 3, uint64(len(pool)-1))
	forms := []string{"五绝", "七绝", "五律", "七律"}
	out := make([]Candidate, n)
	for i := range out {
		form := forms[rng.IntN(len(forms))]
		width, lines := 5, 4
		if form[0:3] == "七" {
			width = 7
		}
		if strings.HasSuffix(form, "律") {
			lines = 8
		}
		c := Candidate{Form: form}
		for range lines {
			var sb strings.Builder
			for range width {
				sb.WriteRune(pool[zipf.Uint64()])
			}
			c.Lines = append(c.Lines, sb.String())
		}
		c.Score = -4 + 0.6*rng.NormFloat64()
		c.Perplexity = math.Exp(-c.Score + 0.3*rng.NormFloat64())
		c.Imagery = rng.Float64()
		out[i] = c
	}
	return out
}

func engineOrder(cands []Candidate) []int {
	return untrained(0).Rank(cands)
}

func TestTasteEdgeCases(t *testing.T) {
	cands := handPoems[:6]
	byScore := make([]int, len(cands))
	for i := range byScore {
		byScore[i] = i
	}
	slices.SortStableFunc(byScore, func(a, b int) int {
		if cands[a].Score > cands[b].Score {
			return -1
		} else if cands[a].Score < cands[b].Score {
			return 1
		}
		return 0
	})
	if got := engineOrder(cands); !slices.Equal(got, byScore) {
		t.Fatalf("untrained order %v, want engine order %v", got, byScore)
	}
	rated := func(scores ...int) []Rating {
		var rs []Rating
		for i, s := range scores {
			rs = append(rs, Rating{Candidate: handPoems[i], Score: s})
		}
		return rs
	}
	for _, tc := range []struct {
		name    string
		ratings []Rating
		fitted  bool
		used    int
	}{
		{"none", nil, false, 0},
		{"one", rated(9), false, 1},
		{"two", rated(9, 2), false, 2},
		{"all equal", rated(5, 5, 5, 5, 5), false, 5},
		{"all unrated", rated(0, 0, 0, 0), false, 0},
		{"unrated ignored", rated(0, 9, 0, 2), false, 2},
		{"favourites only", []Rating{{Candidate: handPoems[0], Favourite: true}, {Candidate: handPoems[1], Favourite: true}, {Candidate: handPoems[2], Score: 10}}, false, 3},
		{"three differ", rated(9, 2, 5), true, 3},
		{"out of range", rated(-3, 42, 7, 1), true, 4},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ta := FitTaste(tc.ratings)
			if ta.Fitted() != tc.fitted || ta.Ratings != tc.used {
				t.Fatalf("fitted %v ratings %d, want %v %d", ta.Fitted(), ta.Ratings, tc.fitted, tc.used)
			}
			if !tc.fitted && !slices.Equal(ta.Rank(cands), byScore) {
				t.Fatalf("unfitted taste changed the engine order: %v", ta.Rank(cands))
			}
			if got := ta.Rank(cands); len(got) != len(cands) {
				t.Fatalf("rank returned %d indices", len(got))
			}
		})
	}
}

func TestTasteClampAndFavourite(t *testing.T) {
	base := rateAll(handPoems, moonLover)
	same := func(a, b []Rating) {
		t.Helper()
		ja, _ := json.Marshal(FitTaste(a))
		jb, _ := json.Marshal(FitTaste(b))
		if string(ja) != string(jb) {
			t.Fatal("tastes differ")
		}
	}
	// Scores out of range are clamped: 0 < s < 1 can't happen for ints, so
	// -7 is 1 and 99 is 10.
	clamped := slices.Clone(base)
	for i := range clamped {
		switch clamped[i].Score {
		case 1:
			clamped[i].Score = -7
		case 10:
			clamped[i].Score = 99
		}
	}
	same(base, clamped)
	// A favourite counts as 10 whatever its score.
	fav, ten := slices.Clone(base), slices.Clone(base)
	fav[0].Favourite, fav[0].Score = true, 3
	ten[0].Score = 10
	same(fav, ten)
	// Fitting is deterministic.
	same(base, base)
}

func TestTasteLearnsImagery(t *testing.T) {
	train := rateAll(handPoems, moonLover)
	ta := FitTaste(train)
	if !ta.Fitted() {
		t.Fatal("not fitted")
	}
	cands := []Candidate{
		{Form: "五绝", Lines: []string{"愁坐听寒雨", "泪沾衣袖长", "故人千里外", "恨别又斜阳"}, Score: -3.0, Perplexity: 20, Imagery: 0.5},
		{Form: "五绝", Lines: []string{"山路入青林", "溪声出竹深", "樵夫相与语", "日暮各归心"}, Score: -3.5, Perplexity: 33, Imagery: 0.5},
		{Form: "五绝", Lines: []string{"秋夜月华满", "清光照玉阶", "桂香侵枕簟", "霜气入帘来"}, Score: -4.5, Perplexity: 90, Imagery: 0.5},
	}
	got := ta.Rank(cands)
	if !slices.Equal(got, []int{2, 1, 0}) {
		t.Fatalf("rank %v, want moon/autumn first and sorrow last [2 1 0]; engine order is %v", got, engineOrder(cands))
	}
	if !(ta.Predict(cands[2]) > ta.Predict(cands[0])) {
		t.Fatal("predict disagrees with rank")
	}
}

func TestTasteBeatsEngine(t *testing.T) {
	cands := genPoems(400, 1)
	opt := TasteEvalOptions{Raters: 16, Ratings: 100, Seed: 1}
	rep, err := EvaluateTaste(cands, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep)
	for i, r := range rep.PerRater {
		t.Logf("rater %2d: model %.3f engine %.3f oracle %.3f  β=%+.2f %s", i, r.Model, r.Engine, r.Oracle, r.Beta, r.Likes)
	}
	if rep.Pairs < 1000 {
		t.Fatalf("only %d held-out pairs", rep.Pairs)
	}
	if rep.Model < rep.Engine+0.07 || rep.Model < 0.68 {
		t.Fatalf("model %.3f vs engine %.3f: no clear margin", rep.Model, rep.Engine)
	}
	if rep.ModelWins*5 < rep.Raters*3 {
		t.Fatalf("model beats the engine for only %d/%d raters", rep.ModelWins, rep.Raters)
	}
	again, _ := EvaluateTaste(cands, opt)
	if again.Model != rep.Model || again.Engine != rep.Engine || again.Oracle != rep.Oracle {
		t.Fatal("evaluation is not deterministic")
	}
	for _, bad := range [][]Candidate{nil, cands[:5]} {
		if _, err := EvaluateTaste(bad, opt); err == nil {
			t.Fatalf("%d candidates: no error", len(bad))
		}
	}
}

func TestTasteJSONRoundTrip(t *testing.T) {
	ta := FitTaste(rateAll(handPoems, moonLover))
	data, err := json.Marshal(ta)
	if err != nil {
		t.Fatal(err)
	}
	var back Taste
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	cands := genPoems(50, 3)
	if !slices.Equal(ta.Rank(cands), back.Rank(cands)) {
		t.Fatal("rank differs after round trip")
	}
	for _, c := range cands {
		if ta.Predict(c) != back.Predict(c) {
			t.Fatal("predict differs after round trip")
		}
	}
	t.Logf("taste JSON: %d bytes", len(data))

	var empty Taste
	data, _ = json.Marshal(FitTaste(nil))
	if err := json.Unmarshal(data, &empty); err != nil || empty.Fitted() {
		t.Fatalf("untrained round trip: %v fitted=%v", err, empty.Fitted())
	}

	for name, bad := range map[string]string{
		"version":  `{"version":9}`,
		"weights":  `{"version":1,"weights":[1,2,3]}`,
		"negative": `{"version":1,"ratings":-1}`,
		"syntax":   `{"version":1,`,
		"overflow": `{"version":1,"mean":[1e999,0,0]}`,
	} {
		var x Taste
		if err := json.Unmarshal([]byte(bad), &x); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}

func TestTasteNoPanic(t *testing.T) {
	odd := []Candidate{
		{},
		{Lines: []string{"", "，。", "abc"}, Form: "词:"},
		{Lines: []string{"月"}, Score: math.NaN(), Perplexity: math.Inf(1), Imagery: math.Inf(-1)},
		{Lines: []string{"\xff\xfe月"}, Score: math.Inf(1), Perplexity: -3},
		{Lines: []string{"秋"}, Score: math.Inf(-1), Perplexity: math.NaN(), Imagery: math.NaN()},
	}
	var nilTaste *Taste
	tastes := []*Taste{nilTaste, {}, {Weights: []float64{1, 2}}, {Std: [3]float64{-1, math.NaN(), 0}, Weights: make([]float64, TasteDim)}}
	rs := rateAll(odd, func(Candidate) int { return 0 })
	for i := range rs {
		rs[i].Score = i*3 - 2
	}
	tastes = append(tastes, FitTaste(rs), FitTaste(append(rs, rateAll(handPoems, moonLover)...)))
	for _, ta := range tastes {
		order := ta.Rank(odd)
		if len(order) != len(odd) {
			t.Fatalf("rank %v", order)
		}
		seen := map[int]bool{}
		for _, i := range order {
			seen[i] = true
		}
		if len(seen) != len(odd) {
			t.Fatalf("rank %v is not a permutation", order)
		}
		for _, c := range odd {
			if p := ta.Predict(c); math.IsNaN(p) || math.IsInf(p, 0) {
				t.Fatalf("predict %v", p)
			}
		}
		_ = ta.Rank(nil)
		_ = ta.Fitted()
	}
	if f := Features(odd[2]); len(f) != TasteDim || slices.ContainsFunc(f, func(x float64) bool { return math.IsNaN(x) || math.IsInf(x, 0) }) {
		t.Fatal("features not finite")
	}
	// Infinite scores go last in the engine tie-break, NaN with them.
	if got := engineOrder(odd); got[0] != 3 {
		t.Fatalf("engine order %v: +Inf should lead", got)
	}
}

func TestTasteFeatures(t *testing.T) {
	f := Features(handPoems[0]) // 明月照寒江 秋风落叶黄 …, 五绝
	if f[fScore] != -3.9 || f[fImagery] != 0.8 || math.Abs(f[fPerplexity]-math.Log(48)) > 1e-12 {
		t.Fatalf("engine entries %v", f[:tasteEngine])
	}
	if f[fForm] != 1 {
		t.Fatal("form 五绝 not set")
	}
	if f[fGroup+4] != 0.5 || tasteGroups[4].Name != "moon" { // one moon character
		t.Fatalf("moon group %v", f[fGroup+4])
	}
	chars := 0
	for _, x := range f[fChar:fFinal] {
		chars += int(x)
	}
	if chars < 15 || chars > 20 { // 19 distinct characters, a few may collide
		t.Fatalf("%d character buckets", chars)
	}
	if Features(Candidate{Form: "词:如梦令"})[fForm+4] != 1 {
		t.Fatal("词 form not recognised")
	}
}

func TestTasteFitTime(t *testing.T) {
	cands := genPoems(500, 5)
	rs := make([]Rating, len(cands))
	for i, c := range cands {
		rs[i] = Rating{Candidate: c, Score: 1 + i%10}
	}
	FitTaste(rs[:50]) // warm up
	start := time.Now()
	ta := FitTaste(rs)
	d := time.Since(start)
	t.Logf("fit on %d ratings (%d pairs): %v", ta.Ratings, ta.Pairs, d)
	if !ta.Fitted() || ta.Pairs > tasteMaxPairs*11/10 {
		t.Fatalf("fitted %v with %d pairs", ta.Fitted(), ta.Pairs)
	}
	// The budget is 50 ms; the machine may be shared, so only a gross
	// regression fails.
	if d > time.Second {
		t.Fatalf("fit took %v", d)
	}
}

func BenchmarkFitTaste500(b *testing.B) {
	cands := genPoems(500, 5)
	rs := make([]Rating, len(cands))
	rng := rand.New(rand.NewPCG(1, 2))
	for i, c := range cands {
		rs[i] = Rating{Candidate: c, Score: 1 + rng.IntN(10)}
	}
	for b.Loop() {
		FitTaste(rs)
	}
}

func FuzzTasteUnmarshal(f *testing.F) {
	data, _ := json.Marshal(FitTaste(rateAll(handPoems, moonLover)))
	f.Add(data)
	f.Add([]byte(`{"version":1}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var ta Taste
		if json.Unmarshal(b, &ta) != nil {
			return
		}
		for _, p := range ta.Rank(handPoems) {
			if p < 0 || p >= len(handPoems) {
				t.Fatal("bad index")
			}
		}
	})
}
