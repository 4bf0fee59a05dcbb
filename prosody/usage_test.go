package prosody

import (
	"bytes"
	"slices"
	"strings"
	"testing"
)

func TestUsageRare(t *testing.T) {
	u, err := DefaultUsage()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		line string
		k    int
		tone Tone
		rare bool
	}{
		{"何故鄉", 2, Ze, true},    // 鄉 as 去声: poets do not read it so
		{"何故乡", 2, Ze, true},    // the simplified form finds the same counts
		{"何故鄉", 2, Ping, false}, // its common reading
		{"梅花開", 1, Ze, true},    // 花 in 四纸
		{"看山色", 0, Ping, false}, // 看 likewise
		{"看山色", 0, Ze, false},
		{"獨相思", 2, Ze, true}, // 相思 decides 思 as 平
		{"獨相思", 2, Ping, false},
		{"漢家月", 0, Ping, true}, // 漢 has no 平 reading poets use
		{"山水", 0, Ze, false},   // not a 多音字: nothing counted, nothing rare
	}
	for _, tc := range tests {
		rare, why := u.Rare([]rune(tc.line), tc.k, tc.tone)
		if rare != tc.rare {
			t.Errorf("Rare(%s, %d, %s) = %v (%s), want %v", tc.line, tc.k, tc.tone, rare, why, tc.rare)
		}
		if rare && why == "" {
			t.Errorf("Rare(%s, %d, %s) gives no reason", tc.line, tc.k, tc.tone)
		}
	}
	// 望 is a true 两读: both readings common where no word decides.
	if !u.Common('望', Ping) || !u.Common('望', Ze) || u.Common('鄉', Ze) || u.Common('乡', Ze) {
		t.Error("Common: want 望 either way, 鄉/乡 never 仄")
	}
}

func TestUsageRoundTrip(t *testing.T) {
	u := NewUsage()
	u.Add('看', Metre, Ping, 40)
	u.Add('看', Metre, Ze, 20)
	u.Add('看', Annotation, Ze, 7)
	u.AddWord('看', '取', 0, Ze, 30)
	var buf bytes.Buffer
	if _, err := u.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	v, err := ParseUsage(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if p, z := v.Counts('看', Metre); p != 40 || z != 20 {
		t.Errorf("metre counts %d %d", p, z)
	}
	if p, z := v.Counts('看', Annotation); p != 0 || z != 7 {
		t.Errorf("annotation counts %d %d", p, z)
	}
	if tone, w, ok := v.WordReading([]rune("看取"), 0); !ok || tone != Ze || w != "看取" {
		t.Errorf("WordReading = %v %q %v", tone, w, ok)
	}
	var again bytes.Buffer
	v.WriteTo(&again)
	if !bytes.Equal(buf.Bytes(), again.Bytes()) {
		t.Error("write, read, write is not byte-identical")
	}
}

func TestParseUsageErrors(t *testing.T) {
	for _, in := range []string{
		"c\t看\t1\t2",                 // too few counts
		"c\t看看\t1\t2\t3\t4",          // two characters
		"w\t看\t0\t1\t2",              // a one-character word
		"w\t看取\t2\t1\t2",             // position out of range
		"c\t看\t1\tx\t3\t4",           // not a number
		"x\t看\t1\t2\t3\t4",           // unknown kind
		"c\t看\t-1\t2\t3\t4",          // negative
		"c\t看\t99999999999\t2\t3\t4", // overflow
	} {
		if _, err := ParseUsage([]byte(in)); err == nil {
			t.Errorf("ParseUsage(%q) accepted it", in)
		}
	}
}

func FuzzParseUsage(f *testing.F) {
	f.Add([]byte("# x\nc\t看\t1\t2\t3\t4\nw\t看取\t0\t1\t2\n"))
	f.Add([]byte("c\t\t\t\t\t"))
	f.Fuzz(func(t *testing.T, b []byte) {
		u, err := ParseUsage(b)
		if err != nil {
			return
		}
		var buf bytes.Buffer
		if _, err := u.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		if _, err := ParseUsage(buf.Bytes()); err != nil {
			t.Fatalf("cannot read back what it wrote: %v", err)
		}
	})
}

func TestCheckRareReading(t *testing.T) {
	c := mustChecker(t, "pingshui", "")
	// 花 at the pivot of line 1 where 仄 is due: 合律 only by its 四纸 reading.
	r := checkText(t, c, "梅花开新第，春风入故乡。明月照高楼，孤鸿过远方。")
	if r.Verdict != VerdictFail || !slices.Contains(rules(r, LevelError), RuleRare) {
		t.Errorf("verdict %s, problems %v: want 出律 with %s", r.Verdict, r.Problems, RuleRare)
	}
	for _, p := range r.Problems {
		if p.Rule == RuleRare && (p.Line != 1 || p.Col != 2 || !strings.Contains(p.Message, "仄")) {
			t.Errorf("僻读 at %d:%d %q: want line 1 character 2, naming the reading assumed", p.Line, p.Col, p.Message)
		}
	}
	// A true 两读 character read either way is no problem: 望 as 平 at a
	// strict place (王维: 「望」 here is 平).
	r = checkText(t, c, "独上高楼望故乡，寒鸦点点落斜阳。相思不见长安道，一夜秋风白发长。")
	if slices.Contains(rules(r, LevelError), RuleRare) {
		t.Errorf("true 两读 flagged: %v", r.Problems)
	}
	// Without Usage the same rare reading passes, as before.
	c.Usage = nil
	r = checkText(t, c, "梅花开新第，春风入故乡。明月照高楼，孤鸿过远方。")
	if slices.Contains(rules(r, LevelError), RuleRare) {
		t.Errorf("nil Usage still reports 僻读: %v", r.Problems)
	}
}

func TestSanzeIsANote(t *testing.T) {
	c := mustChecker(t, "pingshui", "")
	// 王维《终南别业》 line 3 ends 每独往 (仄仄仄) in a line that does not rhyme.
	r := checkText(t, c, "中岁颇好道，晚家南山陲。兴来每独往，胜事空自知。行到水穷处，坐看云起时。偶然值林叟，谈笑无还期。")
	if slices.Contains(rules(r, LevelError), RuleSanze) {
		t.Errorf("三仄尾 is an error: %v", r.Problems)
	}
	if !slices.Contains(rules(r, LevelNote), RuleSanze) {
		t.Errorf("三仄尾 not noted: %v", r.Problems)
	}
}

func TestPreferred(t *testing.T) {
	u, err := DefaultUsage()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		line string
		k    int
		want Tone
	}{
		{"何故鄉", 2, Ping},   // its only common reading
		{"獨看山", 1, Either}, // a true 两读 that no word decides stays 中
		{"獨相思", 2, Ping},   // 相思 decides
		{"山水", 0, Either},  // not counted
	} {
		if got := u.Preferred([]rune(tc.line), tc.k); got != tc.want {
			t.Errorf("Preferred(%s, %d) = %s, want %s", tc.line, tc.k, got, tc.want)
		}
	}
	// The checker shows 中 for 思 in 「低头思故乡」, where the form takes either.
	c := mustChecker(t, "pingshui", "")
	r := checkText(t, c, "床前明月光，疑是地上霜。举头望明月，低头思故乡。")
	if got := r.Lines[3].Read; got != "平平中仄平" {
		t.Errorf("read %q, want 平平中仄平", got)
	}
}
