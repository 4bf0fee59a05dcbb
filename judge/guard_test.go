package judge

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"testing"
	"time"

	"miaobi/corpus"
)

func guardOf(t testing.TB, lines []string, fpr float64) *Guard {
	t.Helper()
	var b GuardBuilder
	for _, l := range lines {
		b.AddLine(l)
	}
	g, err := b.Build(fpr)
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func TestGuard(t *testing.T) {
	g := guardOf(t, []string{"白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼", "春眠不觉晓处处闻啼鸟", "知否"}, 0.01)
	tests := []struct {
		line string
		want string // the copied run Copied reports, "" for none
	}{
		{"白日依山尽", "白日依山"},
		{"青山依山尽", ""}, // 山依山尽 is not a corpus run
		{"千里目光明", ""},
		{"欲穷千里路", "欲穷千里"},
		{"春眠不觉晓来风", "春眠不觉晓"}, // seven-character lines: 5-runs
		{"春眠不觉秋来风", ""},      // a 4-run is allowed in a long line
		{"知否", "知否"},         // a whole short line
		{"知道", ""},
	}
	for _, tc := range tests {
		got := string(g.Copied([]rune(tc.line)))
		if got != tc.want {
			t.Errorf("Copied(%s) = %q, want %q", tc.line, got, tc.want)
		}
	}
	if MinRun(5) != 4 || MinRun(7) != 5 || MinRun(3) != 4 {
		t.Error("MinRun")
	}
}

func TestGuardNoFalseNegativesAndRate(t *testing.T) {
	rng := rand.New(rand.NewSource(1))
	han := func(n int) []rune {
		rs := make([]rune, n)
		for i := range rs {
			rs[i] = rune(0x4e00 + rng.Intn(3000))
		}
		return rs
	}
	var lines []string
	for i := 0; i < 3000; i++ {
		lines = append(lines, string(han(7)))
	}
	g := guardOf(t, lines, 0.02)
	for _, l := range lines {
		rs := []rune(l)
		for i := 0; i+5 <= len(rs); i++ {
			if !g.HasRun(rs[i:i+5]) || !g.HasRun(rs[i:i+4]) {
				t.Fatalf("a run of %s was forgotten", l)
			}
		}
	}
	fp := 0
	const probes = 20000
	for i := 0; i < probes; i++ {
		if g.HasRun(han(5)) {
			fp++
		}
	}
	if rate := float64(fp) / probes; rate > 0.04 {
		t.Errorf("false-positive rate %.3f for a filter built for 0.02 (reports %.3f)", rate, g.FalsePositive)
	}
	var buf bytes.Buffer
	if _, err := g.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	r, err := ParseGuard(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if r.Items() != g.Items() || r.Bytes() != g.Bytes() || !r.HasRun([]rune(lines[0])[:5]) {
		t.Error("round trip changed the guard")
	}
	for _, n := range []int{0, 10, len(guardMagic) + 31, buf.Len() - 1} {
		if _, err := ParseGuard(buf.Bytes()[:n]); err == nil {
			t.Errorf("a guard cut to %d bytes was accepted", n)
		}
	}
	if _, err := new(GuardBuilder).Build(1.5); err == nil {
		t.Error("false-positive rate 1.5 accepted")
	}
}

func FuzzParseGuard(f *testing.F) {
	var buf bytes.Buffer
	guardOf(f, []string{"白日依山尽"}, 0.1).WriteTo(&buf)
	f.Add(buf.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := ParseGuard(b)
		if err != nil {
			return
		}
		g.Copied([]rune("白日依山尽"))
		g.HasLine([]rune("知否"))
	})
}

func TestDistinctAndLatency(t *testing.T) {
	d1, d2 := Distinct([][]string{{"白日依山", "白日"}})
	if d1 != 4.0/6 || d2 != 3.0/4 {
		t.Errorf("Distinct = %v, %v; want 4/6 and 3/4", d1, d2)
	}
	var ds []time.Duration
	for i := 1; i <= 100; i++ {
		ds = append(ds, time.Duration(i)*time.Millisecond)
	}
	l := Summarize(ds)
	if l.P50 != 50 || l.P99 != 99 || l.Max != 100 || l.N != 100 {
		t.Errorf("Summarize = %+v", l)
	}
}

func TestScanCopies(t *testing.T) {
	path := filepath.Join(t.TempDir(), "c.jsonl.gz")
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	enc := json.NewEncoder(zw)
	for i, p := range [][]string{{"白日依山尽", "黄河入海流"}, {"春眠不觉晓", "处处闻啼鸟"}, {"知否", "知否"}} {
		enc.Encode(corpus.Poem{ID: fmt.Sprint(i), Title: fmt.Sprint("题", i), Author: "某", Lines: p})
	}
	zw.Close()
	os.WriteFile(path, buf.Bytes(), 0o644)
	copies, err := ScanCopies(path, [][]string{
		{"青山依旧在", "黄河入海深"},     // 黄河入海: a 4-run in a 五言 line
		{"春眠不觉在江边", "明月照高楼上人"}, // 春眠不觉 is only 4 in a 七言 line: allowed
		{"知否", "知道"},           // a whole short line
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(copies) != 2 || copies[0].Poem != 0 || copies[0].Line != 1 || copies[0].Run != "黄河入海" || copies[0].Source != "题0 · 某" ||
		copies[1].Poem != 2 || copies[1].Run != "知否" {
		t.Errorf("copies %+v", copies)
	}
}
