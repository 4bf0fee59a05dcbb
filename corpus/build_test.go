package corpus

import (
	"bytes"
	"maps"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// The fixture's expected totals: 6 Tang records (one with no verse text), 3
// Song shi, 3 songci, 1 shijing, 1 nalan and 2 shuimotangshi records, one of
// which (登岳阳楼) repeats a Tang poem.
const (
	fixturePoems       = 14
	fixtureDuplicates  = 1
	fixtureEmpty       = 1
	fixtureWithStrains = 8 // 5 Tang + 3 Song shi
)

var fixtureCollections = map[string]map[string]int{
	"tang":    {"五绝": 2, "七绝": 1, "五律": 1, "七律": 1},
	"song":    {"七绝": 3},
	"songci":  {"词": 3},
	"shijing": {"四言": 1},
	"nalan":   {"词": 1},
	"shuimo":  {"五绝": 1},
}

// Poem IDs of the fixture.
const (
	idGuanque   = "63950163-6a10-4e74-af8a-09886e4ef2a8" // 登鸛雀樓, 王之渙: 五绝
	idJingyesi  = "ca2c489a-e433-4c0f-8248-77d354f0665e" // 靜夜思, 李白: 五绝
	idBaidi     = "9525f99d-39cb-4d04-8650-263493d223e0" // 早發白帝城, 李白: 七绝
	idDenggao   = "a4d718ee-c020-42b4-97df-499cd0076f7b" // 登高, 杜甫: 七律
	idYueyang   = "5d05fef6-e4aa-48e5-917d-c29d0e6d6b33" // 登岳陽樓, 杜甫: 五律, also in shuimotangshi
	idEmpty     = "cdfe174e-7592-4beb-a924-6c1ced36f433" // 塞上聽彈胡笳作, 李昂: paragraphs ["。"]
	idXilinbi   = "7e16820d-81ed-4237-8e82-2c4c01f73423" // 題西林壁, 蘇軾
	idHuanxisha = "songci:ci.song.0:0"                   // 浣溪沙, 晏殊 (no id in the source)
	idJiangnan  = "songci:ci.song.0:1"                   // 江南春・秋风清, 寇准
	idRumeng    = "songci:ci.song.6000:0"                // 如梦令, 李清照
	idGuanju    = "shijing:shijing:0"                    // 关雎
	idNalan     = "nalan:纳兰性德诗集:0"                       // 长相思·山一程
	idXinjia    = "shuimo:shuimotangshi:0"               // 新嫁娘, 王建
)

func fixturePoemsByID(t *testing.T) (map[string]*Poem, []*Poem, *Stats) {
	t.Helper()
	b, st := buildBytes(t, fixtureTgz(t))
	ps := decodeLines(t, b)
	byID := map[string]*Poem{}
	for _, p := range ps {
		if byID[p.ID] != nil {
			t.Fatalf("id %s appears twice", p.ID)
		}
		byID[p.ID] = p
	}
	return byID, ps, st
}

func TestBuildStats(t *testing.T) {
	_, ps, st := fixturePoemsByID(t)
	if len(ps) != fixturePoems || st.Poems != fixturePoems {
		t.Errorf("poems: wrote %d, Stats.Poems %d; want %d", len(ps), st.Poems, fixturePoems)
	}
	if st.Duplicates != fixtureDuplicates {
		t.Errorf("Stats.Duplicates = %d, want %d", st.Duplicates, fixtureDuplicates)
	}
	if st.WithStrains != fixtureWithStrains {
		t.Errorf("Stats.WithStrains = %d, want %d", st.WithStrains, fixtureWithStrains)
	}
	if st.Source != TarballName {
		t.Errorf("Stats.Source = %q, want %q", st.Source, TarballName)
	}
	if st.Integrity != "" {
		t.Errorf("Build set Stats.Integrity = %q; only Install decides it", st.Integrity)
	}
	if !maps.EqualFunc(st.Collections, fixtureCollections, maps.Equal) {
		t.Errorf("Stats.Collections = %v\nwant %v", st.Collections, fixtureCollections)
	}
	// The written records agree with the stats.
	got := map[string]map[string]int{}
	for _, p := range ps {
		if got[p.Collection] == nil {
			got[p.Collection] = map[string]int{}
		}
		got[p.Collection][p.Form]++
	}
	if !maps.EqualFunc(got, st.Collections, maps.Equal) {
		t.Errorf("records per collection and form = %v, Stats says %v", got, st.Collections)
	}
}

// TestBuildCountsEmpty checks that records without verse text are counted.
func TestBuildCountsEmpty(t *testing.T) {
	_, _, st := fixturePoemsByID(t)
	if st.Empty != fixtureEmpty {
		t.Errorf("Stats.Empty = %d, want %d", st.Empty, fixtureEmpty)
	}
}

func TestBuildPoems(t *testing.T) {
	byID, _, _ := fixturePoemsByID(t)
	tests := []struct {
		id                  string
		collection, dynasty string
		title, titleT       string
		author, authorT     string
		form, tune          string
		first, firstT       string // first line
		puncts              string
		nLines              int
		strains             bool
	}{
		// Traditional sources are converted to simplified; the original is kept.
		{idGuanque, "tang", "唐", "登鹳雀楼", "登鸛雀樓", "王之涣", "王之渙", "五绝", "", "白日依山尽", "白日依山盡", "，。，。", 4, true},
		{idJingyesi, "tang", "唐", "静夜思", "靜夜思", "李白", "李白", "五绝", "", "床前看月光", "牀前看月光", "，。，。", 4, true},
		{idBaidi, "tang", "唐", "早发白帝城", "早發白帝城", "李白", "李白", "七绝", "", "朝辞白帝彩云间", "朝辭白帝彩雲間", "，。，。", 4, true},
		{idDenggao, "tang", "唐", "登高", "登高", "杜甫", "杜甫", "七律", "", "风急天高猨啸哀", "風急天高猨嘯哀", "，。，。，。，。", 8, true},
		{idYueyang, "tang", "唐", "登岳阳楼", "登岳陽樓", "杜甫", "杜甫", "五律", "", "昔闻洞庭水", "昔聞洞庭水", "，。，。，。，。", 8, true},
		{idXilinbi, "song", "宋", "题西林壁", "題西林壁", "苏轼", "蘇軾", "七绝", "", "横看成岭侧成峰", "橫看成嶺側成峰", "，。，。", 4, true},
		// Simplified sources are converted to traditional; the original is kept.
		{idHuanxisha, "songci", "宋", "", "", "晏殊", "晏殊", "词", "浣溪沙", "一曲新词酒一杯", "一曲新詞酒一杯", "。。。，。。", 6, false},
		{idJiangnan, "songci", "宋", "", "", "寇准", "寇準", "词", "江南春", "波渺渺", "波渺渺", "，。，。，。", 6, false},
		{idRumeng, "songci", "宋", "", "", "李清照", "李清照", "词", "如梦令", "常记溪亭日暮", "常記溪亭日暮", "。。，。。。。", 7, false},
		{idGuanju, "shijing", "先秦", "关雎", "關雎", "", "", "四言", "", "关关雎鸠", "關關雎鳩", strings.Repeat("，。", 10), 20, false},
		// 纳兰性德's "para" has no closing punctuation: each paragraph ends a line.
		{idNalan, "nalan", "清", "长相思·山一程", "長相思·山一程", "纳兰性德", "納蘭性德", "词", "长相思", "山一程", "山一程", "，，，。，，，。", 8, false},
		{idXinjia, "shuimo", "唐", "新嫁娘", "新嫁娘", "王建", "王建", "五绝", "", "三日入厨下", "三日入廚下", "，。，。", 4, false},
	}
	for _, tt := range tests {
		t.Run(tt.title+tt.tune+tt.id[:4], func(t *testing.T) {
			p := byID[tt.id]
			if p == nil {
				t.Fatalf("poem %s missing from the corpus", tt.id)
			}
			check := func(field, got, want string) {
				t.Helper()
				if got != want {
					t.Errorf("%s = %q, want %q", field, got, want)
				}
			}
			check("Collection", p.Collection, tt.collection)
			check("Dynasty", p.Dynasty, tt.dynasty)
			check("Title", p.Title, tt.title)
			check("TitleT", p.TitleT, tt.titleT)
			check("Author", p.Author, tt.author)
			check("AuthorT", p.AuthorT, tt.authorT)
			check("Form", p.Form, tt.form)
			check("Tune", p.Tune, tt.tune)
			check("Puncts", p.Puncts, tt.puncts)
			if len(p.Lines) != tt.nLines || len(p.LinesT) != tt.nLines {
				t.Fatalf("%d lines, %d traditional lines, want %d: %q", len(p.Lines), len(p.LinesT), tt.nLines, p.Lines)
			}
			check("Lines[0]", p.Lines[0], tt.first)
			check("LinesT[0]", p.LinesT[0], tt.firstT)
			if n := utf8.RuneCountInString(p.Puncts); n != len(p.Lines) {
				t.Errorf("%d puncts for %d lines", n, len(p.Lines))
			}
			for i := range p.Lines {
				if a, b := utf8.RuneCountInString(p.Lines[i]), utf8.RuneCountInString(p.LinesT[i]); a != b {
					t.Errorf("line %d: %d simplified characters, %d traditional", i+1, a, b)
				}
				for _, r := range p.Lines[i] + p.LinesT[i] {
					if strings.ContainsRune("，。？！；：、,.?!;: 　", r) {
						t.Errorf("line %d %q holds punctuation or space %q", i+1, p.Lines[i], r)
					}
				}
			}
			if !tt.strains {
				if p.Strains != nil {
					t.Errorf("Strains = %q, want none", p.Strains)
				}
				return
			}
			if len(p.Strains) != len(p.LinesT) {
				t.Fatalf("Strains = %q, want one per line of %q", p.Strains, p.LinesT)
			}
			for i, s := range p.Strains {
				if utf8.RuneCountInString(s) != utf8.RuneCountInString(p.LinesT[i]) {
					t.Errorf("Strains[%d] = %q does not match line %q", i, s, p.LinesT[i])
				}
				if strings.Trim(s, "平仄○？") != "" {
					t.Errorf("Strains[%d] = %q holds more than 平仄○？", i, s)
				}
			}
		})
	}
}

func TestBuildStrainsOfGuanque(t *testing.T) {
	byID, _, _ := fixturePoemsByID(t)
	want := []string{"仄仄平平仄", "平平仄仄平", "仄平平仄仄", "仄仄仄平平"}
	if got := byID[idGuanque].Strains; !slices.Equal(got, want) {
		t.Errorf("登鹳雀楼 strains = %q, want %q", got, want)
	}
	if got, want := byID[idGuanque].Text(), "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。"; got != want {
		t.Errorf("Text() = %q, want %q", got, want)
	}
}

func TestBuildDedup(t *testing.T) {
	_, ps, _ := fixturePoemsByID(t)
	var yueyang []*Poem
	for _, p := range ps {
		if strings.Join(p.Lines, "") == "昔闻洞庭水今上岳阳楼吴楚东南坼乾坤日夜浮亲朋无一字老病有孤舟戎马关山北凭轩涕泗流" {
			yueyang = append(yueyang, p)
		}
	}
	if len(yueyang) != 1 {
		t.Fatalf("登岳阳楼 is in the corpus %d times, want once", len(yueyang))
	}
	// The earlier collection (quantangshi) keeps it, with its id and strains.
	if p := yueyang[0]; p.Collection != "tang" || p.ID != idYueyang || p.Strains == nil {
		t.Errorf("登岳阳楼 kept from %s as %s (strains %v), want tang %s with strains", p.Collection, p.ID, p.Strains != nil, idYueyang)
	}
}

func TestBuildSkipsEmpty(t *testing.T) {
	byID, _, _ := fixturePoemsByID(t)
	if p := byID[idEmpty]; p != nil {
		t.Errorf("record without verse text was kept: %+v", p)
	}
	for id, p := range byID {
		if len(p.Lines) == 0 {
			t.Errorf("poem %s has no lines", id)
		}
	}
}

// TestBuildOrderIndependent checks that the output depends only on the
// content of the tarball, not on the order of its entries: files are sorted
// by name with numbers in numeric order (poet.tang.8000 before 11000).
func TestBuildOrderIndependent(t *testing.T) {
	es := fixtureEntries(t)
	want, _ := buildBytes(t, writeTgz(t, es))
	got, _ := buildBytes(t, writeTgz(t, reversed(es)))
	if !bytes.Equal(got, want) {
		t.Errorf("building from the reversed tarball changed the output:\n%s\nvs\n%s", got, want)
	}
	ps := decodeLines(t, want)
	var order []string
	for _, p := range ps {
		if p.Collection == "tang" {
			order = append(order, p.ID)
		}
	}
	wantOrder := []string{idJingyesi, idBaidi, idDenggao, idYueyang, idGuanque} // 8000, 11000, 13000
	if !slices.Equal(order, wantOrder) {
		t.Errorf("Tang poems in order %q, want %q", order, wantOrder)
	}
}

// TestBuildCollections runs one small synthetic record through each
// collection pattern that the fixture does not cover.
func TestBuildCollections(t *testing.T) {
	tests := []struct {
		file            string
		rec             map[string]any
		collection, dyn string
		form, tune      string
	}{
		{"package/dist/wudaishici/huajianji/huajianji-1-juan.json",
			map[string]any{"title": "菩萨蛮", "author": "温庭筠", "rhythmic": "菩萨蛮", "paragraphs": []string{"小山重叠金明灭，鬓云欲度香腮雪。"}},
			"huajianji", "五代", "词", "菩萨蛮"},
		{"package/dist/wudaishici/huajianji/huajianji-x-juan.json",
			map[string]any{"title": "更漏子", "author": "温庭筠", "rhythmic": "更漏子", "paragraphs": []string{"柳丝长，春雨细。"}},
			"huajianji", "五代", "词", "更漏子"},
		{"package/dist/wudaishici/nantang/poetrys.json",
			map[string]any{"title": "虞美人", "author": "李煜", "rhythmic": "虞美人", "paragraphs": []string{"春花秋月何时了？往事知多少。"}},
			"nantang", "五代", "词", "虞美人"},
		{"package/dist/chuci/chuci.json",
			map[string]any{"title": "离骚", "author": "屈原", "content": []string{"帝高阳之苗裔兮，朕皇考曰伯庸。"}},
			"chuci", "先秦", "骚体", ""},
		{"package/dist/caocaoshiji/caocao.json",
			map[string]any{"title": "观沧海", "paragraphs": []string{"东临碣石，以观沧海。水何澹澹，山岛竦峙。"}},
			"caocao", "汉", "四言", ""},
		{"package/dist/yuanqu/yuanqu.json",
			map[string]any{"title": "天净沙・秋思", "author": "马致远", "paragraphs": []string{"枯藤老树昏鸦，小桥流水人家，古道西风瘦马。"}},
			"yuanqu", "元", "曲", ""},
		// A tune with a traditional middle dot and a subtitle keeps the tune only.
		{"package/dist/songci/ci.song.2000.json",
			map[string]any{"author": "苏轼", "rhythmic": "念奴嬌・赤壁懷古", "paragraphs": []string{"大江东去，浪淘尽，千古风流人物。"}},
			"songci", "宋", "词", "念奴娇"},
		{"package/dist/songci/ci.song.3000.json",
			map[string]any{"author": "辛弃疾", "rhythmic": "破阵子·为陈同甫赋壮词以寄之", "paragraphs": []string{"醉里挑灯看剑，梦回吹角连营。"}},
			"songci", "宋", "词", "破阵子"},
	}
	for _, tt := range tests {
		t.Run(tt.collection+"/"+filepath.Base(tt.file), func(t *testing.T) {
			tgz := writeTgz(t, []tarEntry{{tt.file, recordsJSON(t, tt.rec)}})
			b, st := buildBytes(t, tgz)
			ps := decodeLines(t, b)
			if len(ps) != 1 || st.Poems != 1 {
				t.Fatalf("got %d poems (stats %d), want 1", len(ps), st.Poems)
			}
			p := ps[0]
			if p.Collection != tt.collection || p.Dynasty != tt.dyn || p.Form != tt.form || p.Tune != tt.tune {
				t.Errorf("got collection %q dynasty %q form %q tune %q, want %q %q %q %q",
					p.Collection, p.Dynasty, p.Form, p.Tune, tt.collection, tt.dyn, tt.form, tt.tune)
			}
			if !strings.HasPrefix(p.ID, tt.collection+":") {
				t.Errorf("generated id %q should start with %q", p.ID, tt.collection+":")
			}
		})
	}
}

// TestBuildIgnoresOtherFiles checks that files outside the collections
// (authors, rank, other collections of the package) are not read, even when
// they are not poem arrays.
func TestBuildIgnoresOtherFiles(t *testing.T) {
	es := fixtureEntries(t)
	es = append(es,
		tarEntry{"package/dist/quantangshi/authors.song.json", []byte(`{"not": "an array"}`)},
		tarEntry{"package/dist/lunyu/lunyu.json", []byte(`not json at all`)},
		tarEntry{"package/dist/quantangshi/poet.tang.0.json.bak", []byte(`garbage`)},
		tarEntry{"other/dist/quantangshi/poet.tang.0.json", []byte(`garbage`)},
	)
	_, st := buildBytes(t, writeTgz(t, es))
	if st.Poems != fixturePoems {
		t.Errorf("Poems = %d, want %d", st.Poems, fixturePoems)
	}
}

// TestBuildStrainsMisaligned checks that annotations that do not match the
// text line for line are dropped rather than attached to the wrong lines.
func TestBuildStrainsMisaligned(t *testing.T) {
	poem := map[string]any{"id": "x1", "title": "登鸛雀樓", "author": "王之渙", "paragraphs": []string{"白日依山盡，黃河入海流。", "欲窮千里目，更上一層樓。"}}
	tests := []struct {
		name    string
		strains []string
		want    []string
	}{
		{"aligned", []string{"仄仄平平仄，平平仄仄平。", "仄平平仄仄，仄仄仄平平。"}, []string{"仄仄平平仄", "平平仄仄平", "仄平平仄仄", "仄仄仄平平"}},
		{"one line short", []string{"仄仄平平仄，平平仄仄平。", "仄平平仄仄。"}, nil},
		{"one character short", []string{"仄仄平平仄，平平仄仄平。", "仄平平仄仄，仄仄仄平。"}, nil},
		{"half-width punctuation", []string{"仄仄平平仄,平平仄仄平.", "仄平平仄仄,仄仄仄平平."}, []string{"仄仄平平仄", "平平仄仄平", "仄平平仄仄", "仄仄仄平平"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tgz := writeTgz(t, []tarEntry{
				{"package/dist/quantangshi/poet.tang.0.json", recordsJSON(t, poem)},
				{"package/dist/strains/json/poet.tang.0.json", recordsJSON(t, map[string]any{"id": "x1", "strains": tt.strains})},
			})
			b, st := buildBytes(t, tgz)
			p := decodeLines(t, b)[0]
			if !slices.Equal(p.Strains, tt.want) {
				t.Errorf("Strains = %q, want %q", p.Strains, tt.want)
			}
			if want := min(len(tt.want), 1); st.WithStrains != want {
				t.Errorf("WithStrains = %d, want %d", st.WithStrains, want)
			}
		})
	}
}

func TestBuildErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, b []byte) string { return writeFile(t, dir, name, b) }
	tests := []struct {
		name string
		tgz  string
		want []string // substrings of the error
	}{
		{"missing file", filepath.Join(dir, "nope.tgz"), []string{"corpus: build", "nope.tgz"}},
		{"not gzip", write("plain.tgz", []byte(`[{"title": "not a tarball"}]`)), []string{"is not a gzip tarball"}},
		{"gzip, not tar", write("notar.tgz", gzipBytes(t, []byte("just some text, not a tar archive, long enough to fill a tar header block"+strings.Repeat("x", 600)))), []string{"corpus: build: read"}},
		{"no poems", write("empty.tgz", tarGz(t, []tarEntry{{"package/package.json", []byte(`{"name": "left-pad"}`)}})), []string{"holds no poems", Package}},
		{"only empty poems", write("blank.tgz", tarGz(t, []tarEntry{{"package/dist/quantangshi/poet.tang.0.json", []byte(`[{"title": "空", "paragraphs": ["。", ""]}]`)}})), []string{"holds no poems"}},
		{"bad poem JSON", write("badjson.tgz", tarGz(t, []tarEntry{{"package/dist/quantangshi/poet.tang.0.json", []byte(`[{"title": `)}})), []string{"package/dist/quantangshi/poet.tang.0.json"}},
		{"object, not array", write("object.tgz", tarGz(t, []tarEntry{{"package/dist/shijing/shijing.json", []byte(`{"title": "关雎"}`)}})), []string{"package/dist/shijing/shijing.json"}},
		{"bad strains JSON", write("badstrains.tgz", tarGz(t, []tarEntry{{"package/dist/strains/json/poet.tang.0.json", []byte(`{`)}})), []string{"strains/json/poet.tang.0.json"}},
		{"truncated", write("trunc.tgz", fixtureBytesTruncated(t)), []string{"corpus: build"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			st, err := Build(tt.tgz, &out)
			if err == nil {
				t.Fatalf("Build succeeded (%+v), want an error", st)
			}
			if st != nil {
				t.Errorf("Build returned stats %+v with its error", st)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not mention %q", err, w)
				}
			}
		})
	}
}

func fixtureBytesTruncated(t *testing.T) []byte {
	b := tarGz(t, fixtureEntries(t))
	return b[:len(b)/2]
}

func TestSplitLines(t *testing.T) {
	tests := []struct {
		in            string
		lines, puncts []string
	}{
		{"白日依山盡，黃河入海流。", []string{"白日依山盡", "黃河入海流"}, []string{"，", "。"}},
		// Half-width marks become full width.
		{"床前明月光,疑是地上霜.举头望明月?低头思故乡!", []string{"床前明月光", "疑是地上霜", "举头望明月", "低头思故乡"}, []string{"，", "。", "？", "！"}},
		{"甲乙;丙丁:戊己､庚辛｡", []string{"甲乙", "丙丁", "戊己", "庚辛"}, []string{"；", "：", "，", "。"}},
		{"春眠不觉晓；处处闻啼鸟：夜来风雨声、花落知多少．", []string{"春眠不觉晓", "处处闻啼鸟", "夜来风雨声", "花落知多少"}, []string{"；", "：", "、", "。"}},
		// No closing mark: the line is closed with 。.
		{"山一程，水一程", []string{"山一程", "水一程"}, []string{"，", "。"}},
		// Quotes, brackets, spaces and Latin letters are not verse.
		{"「争渡」，  争渡（一作渡）。abc", []string{"争渡", "争渡一作渡"}, []string{"，", "。"}},
		// Marks without characters before them close nothing.
		{"，，。。", nil, nil},
		{"", nil, nil},
	}
	for _, tt := range tests {
		lines, puncts := splitLines(tt.in)
		if !slices.Equal(lines, tt.lines) || !slices.Equal(puncts, tt.puncts) {
			t.Errorf("splitLines(%q) = %q, %q; want %q, %q", tt.in, lines, puncts, tt.lines, tt.puncts)
		}
	}
}

func TestAlignStrains(t *testing.T) {
	lines := []string{"白日依山盡", "黃河入海流"}
	tests := []struct {
		strains []string
		want    []string
	}{
		{[]string{"仄仄平平仄，平平仄仄平。"}, []string{"仄仄平平仄", "平平仄仄平"}},
		{[]string{"仄仄平平仄，", "平平仄仄平。"}, []string{"仄仄平平仄", "平平仄仄平"}},
		{[]string{"仄仄○○仄，平平?？通。"}, []string{"仄仄○○仄", "平平?？通"}},
		{[]string{"仄仄平平仄，平平仄仄平"}, []string{"仄仄平平仄", "平平仄仄平"}},
		{[]string{"仄仄平平仄"}, nil},
		{[]string{"仄仄平平，平平仄仄平。"}, nil},
		{[]string{"仄仄平平仄，平平仄仄平，仄仄平平仄。"}, nil},
		{nil, nil},
	}
	for _, tt := range tests {
		if got := alignStrains(tt.strains, lines); !slices.Equal(got, tt.want) {
			t.Errorf("alignStrains(%q) = %q, want %q", tt.strains, got, tt.want)
		}
	}
}

func TestNaturalLess(t *testing.T) {
	sorted := []string{
		"package/dist/quantangshi/poet.tang.0.json",
		"package/dist/quantangshi/poet.tang.1000.json",
		"package/dist/quantangshi/poet.tang.8000.json",
		"package/dist/quantangshi/poet.tang.11000.json",
		"package/dist/quantangshi/poet.tang.57000.json",
		"package/dist/songci/ci.song.2000.json",
		"package/dist/songci/ci.song.21000.json",
		"package/dist/songci/ci.song.a.json",
	}
	for i := range sorted {
		for j := range sorted {
			if got, want := naturalLess(sorted[i], sorted[j]), i < j; got != want {
				t.Errorf("naturalLess(%q, %q) = %v, want %v", sorted[i], sorted[j], got, want)
			}
		}
	}
	shuffled := reversed(sorted)
	slices.SortFunc(shuffled, func(a, b string) int {
		switch {
		case naturalLess(a, b):
			return -1
		case naturalLess(b, a):
			return 1
		}
		return 0
	})
	if !slices.Equal(shuffled, sorted) {
		t.Errorf("sorted with naturalLess: %q", shuffled)
	}
}

func TestFirstWord(t *testing.T) {
	for in, want := range map[string]string{
		"长相思·山一程":     "长相思",
		"浣溪沙・谁念西风独自凉": "浣溪沙",
		"金缕曲 赠梁汾":     "金缕曲",
		"　采桑子":        "采桑子",
		"":            "",
		"·":           "",
	} {
		if got := firstWord(in); got != want {
			t.Errorf("firstWord(%q) = %q, want %q", in, got, want)
		}
	}
}
