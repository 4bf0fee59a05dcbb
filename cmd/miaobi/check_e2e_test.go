package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"miaobi/cmd/miaobi/internal/cli"
)

const (
	guanque     = "白日依山尽，黄河入海流。欲穷千里目，更上一层楼。" // 登鹳雀楼, 王之涣: 五绝, 合律
	guanqueT    = "白日依山盡，黃河入海流。欲窮千里目，更上一層樓。"
	jingyesi    = "床前明月光，疑是地上霜。举头望明月，低头思故乡。" // 静夜思, 李白: 五绝 shape, 出律
	baidi       = "朝辞白帝彩云间，千里江陵一日还。两岸猿声啼不住，轻舟已过万重山。"
	verdictOK   = "合律"
	verdictFail = "出律"
)

func TestHelp(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		r := e.run(t, nil, args...)
		r.wantCode(t, 0)
		for _, w := range []string{"Usage: miaobi <command>", "check", "corpus", "bench", "MIAOBI_HOME"} {
			if !strings.Contains(r.stdout, w) {
				t.Errorf("miaobi %s: usage does not mention %q:\n%s", args[0], w, r.stdout)
			}
		}
	}
	// Each command's help is on stderr with exit 0.
	for _, args := range [][]string{{"check", "--help"}, {"corpus", "--help"}, {"bench", "--help"}, {"bench", "check", "-h"}} {
		r := e.run(t, nil, args...)
		r.wantCode(t, 0)
		if !strings.Contains(r.stderr, "Usage: miaobi "+args[0]) {
			t.Errorf("miaobi %s: no usage on stderr:\n%s", strings.Join(args, " "), r.stderr)
		}
	}
}

func TestNoArgs(t *testing.T) {
	r := newEnv(t).run(t, nil)
	r.wantCode(t, 2)
	if r.stdout != "" || !strings.Contains(r.stderr, "Usage: miaobi") {
		t.Errorf("no arguments: stdout %q, stderr %q; want usage on stderr only", r.stdout, r.stderr)
	}
}

func TestUnknownCommand(t *testing.T) {
	e := newEnv(t)
	for _, args := range [][]string{{"frobnicate"}, {"--frob"}, {"Check"}} {
		r := e.run(t, nil, args...)
		r.wantCode(t, 2)
		if !strings.Contains(r.stderr, `unknown command "`+args[0]+`"`) || !strings.Contains(r.stderr, "Usage:") {
			t.Errorf("miaobi %s: stderr %q; want the unknown command named and the usage", args[0], r.stderr)
		}
	}
	// Unknown flags of a command are usage errors too.
	for _, args := range [][]string{{"check", "--frob"}, {"corpus", "stats", "--frob"}, {"bench", "check", "--frob"}, {"corpus", "frob"}, {"bench", "frob"}, {"corpus", "stats", "extra"}} {
		e.run(t, strings.NewReader(guanque), args...).wantCode(t, 2)
	}
}

func TestVersion(t *testing.T) {
	e := newEnv(t)
	for _, arg := range []string{"version", "--version", "-v"} {
		r := e.run(t, nil, arg)
		r.wantCode(t, 0)
		if got, want := r.stdout, "miaobi "+testVersion+"\n"; got != want {
			t.Errorf("miaobi %s = %q, want %q", arg, got, want)
		}
	}
}

func TestCheckJSON(t *testing.T) {
	r := newEnv(t).runStdin(t, guanque+"\n", "check", "--json")
	r.wantCode(t, 0)
	rs := jsonLines(t, r.stdout)
	if len(rs) != 1 {
		t.Fatalf("%d JSON objects, want 1:\n%s", len(rs), r.stdout)
	}
	res := rs[0]
	if res.Index != 1 || res.Form != "五绝" || res.Verdict != verdictOK || res.Book != "平水韵" {
		t.Errorf("index %d form %q verdict %q book %q; want 1 五绝 合律 平水韵", res.Index, res.Form, res.Verdict, res.Book)
	}
	if res.Problems == nil {
		t.Error(`"problems" is missing; want an array, empty when there are none`)
	} else if len(*res.Problems) != 0 {
		t.Errorf("problems = %+v, want none", *res.Problems)
	}
	if !strings.Contains(r.stdout, `"problems":[]`) {
		t.Errorf(`"problems" is not an empty array: %s`, r.stdout)
	}
	want := []string{"白日依山尽", "黄河入海流", "欲穷千里目", "更上一层楼"}
	if len(res.Lines) != len(want) {
		t.Fatalf("%d lines, want %d", len(res.Lines), len(want))
	}
	for i, l := range res.Lines {
		if l.Text != want[i] {
			t.Errorf("lines[%d].text = %q, want %q", i, l.Text, want[i])
		}
		if n := utf8.RuneCountInString(l.Tones); n != 5 {
			t.Errorf("lines[%d].tones = %q has %d marks, want 5", i, l.Tones, n)
		}
		if n := utf8.RuneCountInString(l.Expected); n != 5 {
			t.Errorf("lines[%d].expected = %q has %d marks, want 5", i, l.Expected, n)
		}
		if strings.Trim(l.Tones, "平仄中") != "" {
			t.Errorf("lines[%d].tones = %q holds more than 平仄中", i, l.Tones)
		}
	}
	// Lines 2 and 4 rhyme (尤 group); 1 and 3 do not.
	if res.Lines[1].Rhyme == "" || res.Lines[1].Rhyme != res.Lines[3].Rhyme || res.Lines[0].Rhyme != "" || res.Lines[2].Rhyme != "" {
		t.Errorf("rhymes %q %q %q %q; want lines 2 and 4 in one group", res.Lines[0].Rhyme, res.Lines[1].Rhyme, res.Lines[2].Rhyme, res.Lines[3].Rhyme)
	}
	if r.stderr != "" {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func TestCheckText(t *testing.T) {
	r := newEnv(t).runStdin(t, "登鹳雀楼\n"+guanque+"\n", "check")
	r.wantCode(t, 0)
	for _, w := range []string{"《登鹳雀楼》", "五绝", verdictOK, "白日依山尽", "仄仄平平仄"} {
		if !strings.Contains(r.stdout, w) {
			t.Errorf("report does not mention %q:\n%s", w, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("colour codes in output to a pipe:\n%q", r.stdout)
	}
	r = newEnv(t).runStdin(t, guanque, "check", "--color", "always")
	r.wantCode(t, 0)
	if !strings.Contains(r.stdout, "\x1b[") {
		t.Errorf("--color always printed no colour codes:\n%q", r.stdout)
	}
}

func TestCheckFail(t *testing.T) {
	r := newEnv(t).runStdin(t, jingyesi, "check", "--json")
	r.wantCode(t, 1)
	rs := jsonLines(t, r.stdout)
	if len(rs) != 1 || rs[0].Verdict != verdictFail {
		t.Fatalf("want one 出律 result:\n%s", r.stdout)
	}
	res := rs[0]
	if res.Problems == nil || len(*res.Problems) == 0 {
		t.Fatalf("出律 with no problems listed:\n%s", r.stdout)
	}
	errs := 0
	for _, p := range *res.Problems {
		if p.Level == "error" {
			errs++
			if p.Line < 1 || p.Line > 4 || p.Message == "" || p.Rule == "" {
				t.Errorf("problem %+v: want a line 1-4, a rule and a message", p)
			}
		}
	}
	if errs == 0 {
		t.Errorf("出律 without an error-level problem:\n%s", r.stdout)
	}
	// The text report says the same.
	r = newEnv(t).runStdin(t, jingyesi, "check")
	r.wantCode(t, 1)
	if !strings.Contains(r.stdout, verdictFail) {
		t.Errorf("text report does not say 出律:\n%s", r.stdout)
	}
}

func TestCheckTraditional(t *testing.T) {
	r := newEnv(t).runStdin(t, guanqueT, "check", "--json")
	r.wantCode(t, 0)
	rs := jsonLines(t, r.stdout)
	if len(rs) != 1 || rs[0].Form != "五绝" || rs[0].Verdict != verdictOK {
		t.Fatalf("traditional 登鸛雀樓: want one 五绝 合律:\n%s", r.stdout)
	}
	if got := rs[0].Lines[3].Text; got != "更上一層樓" {
		t.Errorf("line 4 text = %q; want the input's characters", got)
	}
}

func TestCheckRhymeBooks(t *testing.T) {
	e := newEnv(t)
	for _, tt := range []struct{ rhyme, book string }{{"pingshui", "平水韵"}, {"xinyun", "中华新韵"}} {
		r := e.runStdin(t, guanque, "check", "--json", "--rhyme", tt.rhyme)
		r.wantCode(t, 0)
		if rs := jsonLines(t, r.stdout); rs[0].Book != tt.book || rs[0].Verdict != verdictOK {
			t.Errorf("--rhyme %s: book %q verdict %q, want %q 合律", tt.rhyme, rs[0].Book, rs[0].Verdict, tt.book)
		}
	}
	for _, bad := range []string{"cilin", "nonsense"} {
		r := e.runStdin(t, guanque, "check", "--rhyme", bad)
		r.wantCode(t, 2)
		if r.stderr == "" {
			t.Errorf("--rhyme %s: no message", bad)
		}
	}
	r := e.runStdin(t, guanque, "check", "--color", "sometimes")
	r.wantCode(t, 2)
	if !strings.Contains(r.stderr, "--color") {
		t.Errorf("--color sometimes: stderr %q", r.stderr)
	}
}

func TestCheckSeveralPoems(t *testing.T) {
	tests := []struct {
		name     string
		in       string
		verdicts []string
		titles   []string
		code     int
	}{
		{"blank line", guanque + "\n\n" + baidi + "\n", []string{verdictOK, verdictOK}, []string{"", ""}, 0},
		{"several blank lines and spaces", "\n\n" + guanque + "\n \n\t\n\n" + baidi + "\n\n\n", []string{verdictOK, verdictOK}, []string{"", ""}, 0},
		{"CRLF and titles", "《登鹳雀楼》\r\n白日依山尽，黄河入海流。\r\n欲穷千里目，更上一层楼。\r\n\r\n早发白帝城\r\n" + baidi + "\r\n", []string{verdictOK, verdictOK}, []string{"登鹳雀楼", "早发白帝城"}, 0},
		{"one fails", guanque + "\n\n" + jingyesi + "\n\n" + guanqueT, []string{verdictOK, verdictFail, verdictOK}, []string{"", "", ""}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newEnv(t).runStdin(t, tt.in, "check", "--json")
			r.wantCode(t, tt.code)
			rs := jsonLines(t, r.stdout)
			if len(rs) != len(tt.verdicts) {
				t.Fatalf("%d JSON lines, want %d:\n%s", len(rs), len(tt.verdicts), r.stdout)
			}
			for i, res := range rs {
				if res.Index != i+1 || res.Verdict != tt.verdicts[i] || res.Title != tt.titles[i] {
					t.Errorf("poem %d: index %d verdict %q title %q; want %d %q %q", i+1, res.Index, res.Verdict, res.Title, i+1, tt.verdicts[i], tt.titles[i])
				}
			}
		})
	}
}

func TestCheckFiles(t *testing.T) {
	dir := t.TempDir()
	a := filepath.Join(dir, "a.txt")
	b := filepath.Join(dir, "b.txt")
	if err := os.WriteFile(a, []byte(guanque+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(b, []byte("\ufeff"+baidi+"\n\n"+guanqueT+"\n"), 0o644); err != nil { // with a BOM
		t.Fatal(err)
	}
	e := newEnv(t)
	r := e.runStdin(t, jingyesi, "check", "--json", a, "-", b)
	r.wantCode(t, 1) // 静夜思 from standard input
	rs := jsonLines(t, r.stdout)
	if len(rs) != 4 {
		t.Fatalf("%d results, want 4:\n%s", len(rs), r.stdout)
	}
	want := []string{verdictOK, verdictFail, verdictOK, verdictOK}
	for i, res := range rs {
		if res.Verdict != want[i] {
			t.Errorf("result %d: verdict %q, want %q", i+1, res.Verdict, want[i])
		}
	}

	r = e.run(t, nil, "check", filepath.Join(dir, "missing.txt"))
	r.wantCode(t, 2)
	if !strings.Contains(r.stderr, "missing.txt") {
		t.Errorf("missing file: stderr %q does not name it", r.stderr)
	}
	// A missing file does not hide the others' results.
	r = e.run(t, nil, "check", "--json", filepath.Join(dir, "missing.txt"), a)
	r.wantCode(t, 2)
	if rs := jsonLines(t, r.stdout); len(rs) != 1 || rs[0].Verdict != verdictOK {
		t.Errorf("results after a missing file:\n%s", r.stdout)
	}
}

// TestCheckUnusableInput covers input with no poem to check: exit status 2, a
// message on stderr, and no panic (run fails the test on one).
func TestCheckUnusableInput(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string // in stderr
	}{
		{"empty", "", "no poem found"},
		{"blank lines", "\n\n \t\n\r\n", "no poem found"},
		{"English", "The quick brown fox jumps over the lazy dog.\nIt was the best of times.\n", "no Chinese characters"},
		{"punctuation only", "，。！？\n", "no Chinese characters"},
		{"invalid UTF-8", "\xff\xfe\xfd\xfc\n\xc3\x28\n", "not valid UTF-8"},
		{"invalid UTF-8 inside Chinese", "白日依山\xff尽，黄河入海流。\n", "not valid UTF-8"},
		{"NUL bytes", "\x00\x00\x00白日\x00\n", ""},
		{"too many lines", strings.Repeat("白日依山尽，\n", 500), "more than 400 lines"},
		{"too many characters", strings.Repeat(strings.Repeat("白", 60)+"，\n", 100), "more than 4000"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := newEnv(t)
			r := e.runStdin(t, tt.in, "check")
			if tt.want == "" { // only: no crash, a defined status
				if r.code != 0 && r.code != 1 && r.code != 2 {
					t.Errorf("exit status %d", r.code)
				}
				return
			}
			r.wantCode(t, 2)
			if strings.Contains(r.stderr, "panic") {
				t.Errorf("stderr mentions a panic: %s", r.stderr)
			}
			if !strings.Contains(r.stderr, tt.want) {
				t.Errorf("stderr %q does not mention %q", r.stderr, tt.want)
			}
			if !strings.HasPrefix(r.stderr, "miaobi check: ") {
				t.Errorf("stderr %q should start with the command name", r.stderr)
			}
			// With --json the error is an object on stdout, or a message on
			// stderr when there is no poem at all; exit status 2 either way.
			r = e.runStdin(t, tt.in, "check", "--json")
			r.wantCode(t, 2)
			if r.stdout != "" {
				for _, res := range jsonLines(t, r.stdout) {
					if res.Error == "" || res.Index < 1 || res.File != "-" {
						t.Errorf("JSON error object %+v: want index, file and error", res)
					}
				}
			} else if r.stderr == "" {
				t.Error("--json: nothing on stdout or stderr")
			}
		})
	}
}

// TestCheckMixedValidity checks that a bad poem among good ones is reported
// and the others still are checked.
func TestCheckMixedValidity(t *testing.T) {
	r := newEnv(t).runStdin(t, guanque+"\n\nhello world\n\n"+baidi, "check", "--json")
	r.wantCode(t, 2)
	rs := jsonLines(t, r.stdout)
	if len(rs) != 3 || rs[0].Verdict != verdictOK || rs[1].Error == "" || rs[1].Index != 2 || rs[2].Verdict != verdictOK {
		t.Errorf("want 合律, an error for poem 2, 合律:\n%s", r.stdout)
	}
}

// hugeLine is a reader of n bytes of Chinese text with no line break.
type hugeLine struct {
	n     int64
	chunk []byte
	off   int
}

func newHugeLine(n int64) *hugeLine {
	return &hugeLine{n: n, chunk: bytes.Repeat([]byte("白日依山尽黄河入海流"), 1<<12)}
}

func (h *hugeLine) Read(p []byte) (int, error) {
	if h.n <= 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > h.n {
		p = p[:h.n]
	}
	n := 0
	for n < len(p) {
		c := copy(p[n:], h.chunk[h.off:])
		n += c
		h.off = (h.off + c) % len(h.chunk)
	}
	h.n -= int64(n)
	return n, nil
}

// TestCheckHugeLine streams 100 MB without a newline (never held in memory
// here) and expects a quick, clear refusal in bounded memory.
func TestCheckHugeLine(t *testing.T) {
	if testing.Short() {
		t.Skip("streams 100 MB")
	}
	const size = 100 << 20
	for _, args := range [][]string{{"check"}, {"check", "--json"}} {
		pr, pw := io.Pipe()
		go func() {
			_, err := io.Copy(pw, newHugeLine(size))
			pw.CloseWithError(err)
		}()
		r := newEnv(t).run(t, pr, args...)
		pr.Close()
		r.wantCode(t, 2)
		out := r.stderr + r.stdout
		if !strings.Contains(out, "longer than 64 KiB") || !strings.Contains(out, "own line") {
			t.Errorf("%v: output %q; want the line-length limit explained", args, tail(out))
		}
		if len(r.stdout) > 1024 {
			t.Errorf("%v: %d bytes of output; want one short message", args, len(r.stdout))
		}
		if r.elapsed > 20*time.Second {
			t.Errorf("%v: took %v for 100 MB", args, r.elapsed)
		}
		if rss, ok := cli.MaxRSS(r.state); ok && rss > 64<<20 {
			t.Errorf("%v: peak memory %d MiB reading one 100 MB line; want it bounded", args, rss>>20)
		}
		t.Logf("%v: %v, peak RSS %d MiB", args, r.elapsed, func() int64 { v, _ := cli.MaxRSS(r.state); return v >> 20 }())
	}
}

func TestCheckForm(t *testing.T) {
	e := newEnv(t)

	r := e.runStdin(t, guanque, "check", "--json", "--form", "七律")
	r.wantCode(t, 1)
	rs := jsonLines(t, r.stdout)
	if len(rs) != 1 || rs[0].Form != "七律" || rs[0].Verdict != verdictFail || !rs[0].hasRule("体裁", "error") {
		t.Errorf("--form 七律 on a 五绝: want 七律 出律 with a 体裁 error:\n%s", r.stdout)
	}

	r = e.runStdin(t, guanque, "check", "--json", "--form", "五绝")
	r.wantCode(t, 0)
	if rs := jsonLines(t, r.stdout); rs[0].Form != "五绝" || rs[0].Verdict != verdictOK {
		t.Errorf("--form 五绝 on a 五绝:\n%s", r.stdout)
	}

	for _, bad := range []string{"nonsense", "八绝", "词:不存在的词牌"} {
		r = e.runStdin(t, guanque, "check", "--form", bad)
		r.wantCode(t, 2)
		if !strings.Contains(r.stderr, bad) || r.stdout != "" {
			t.Errorf("--form %s: stdout %q stderr %q; want only a message naming it", bad, r.stdout, r.stderr)
		}
	}
}

func TestCheckCi(t *testing.T) {
	const huanxisha = "一曲新词酒一杯，去年天气旧亭台。夕阳西下几时回？\n无可奈何花落去，似曾相识燕归来。小园香径独徘徊。"
	r := newEnv(t).runStdin(t, huanxisha, "check", "--json", "--form", "词:浣溪沙")
	if r.code != 0 && r.code != 1 {
		r.wantCode(t, 0)
	}
	rs := jsonLines(t, r.stdout)
	if len(rs) != 1 || rs[0].Form == "" || len(rs[0].Lines) != 6 || rs[0].Problems == nil {
		t.Errorf("晏殊 浣溪沙 as 词:浣溪沙: want one result with 6 lines:\n%s", r.stdout)
	}
	if !strings.Contains(rs[0].Form, "浣溪沙") {
		t.Errorf("form %q does not name the tune", rs[0].Form)
	}
}

func TestCheckListTunes(t *testing.T) {
	r := newEnv(t).run(t, nil, "check", "--list-tunes")
	r.wantCode(t, 0)
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if len(lines) < 10 {
		t.Errorf("only %d tunes listed", len(lines))
	}
	found := false
	for _, l := range lines {
		if strings.HasPrefix(l, "浣溪沙") {
			found = true
			if !strings.Contains(l, "字") {
				t.Errorf("浣溪沙 line %q does not give the length", l)
			}
		}
	}
	if !found {
		t.Errorf("浣溪沙 not listed:\n%s", r.stdout)
	}
}
