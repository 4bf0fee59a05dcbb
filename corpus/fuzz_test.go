package corpus

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
	"unicode/utf8"
)

// fuzzTargets are the tarball paths whose content FuzzBuild replaces; each
// takes a different branch of Build.
var fuzzTargets = []string{
	"package/dist/quantangshi/poet.tang.0.json",     // traditional shi, with strains
	"package/dist/strains/json/poet.tang.0.json",    // strains
	"package/dist/songci/ci.song.0.json",            // simplified ci
	"package/dist/nalanxingde/纳兰性德诗集.json",          // tune lookup from the title
	"package/dist/shuimotangshi/shuimotangshi.json", // lowest priority, dedup
}

// FuzzBuild feeds arbitrary bytes as the JSON content of one file of a
// tarball that also holds a valid poem and its strains, and checks that Build
// never panics and that whatever it writes can be read back.
//
//	go test ./corpus -run '^$' -fuzz FuzzBuild -fuzztime 30s
func FuzzBuild(f *testing.F) {
	for _, e := range fixtureEntries(f) {
		if bytes.HasSuffix([]byte(e.Name), []byte(".json")) {
			for i := range fuzzTargets {
				f.Add(uint8(i), e.Body)
			}
		}
	}
	for _, s := range []string{
		``, `null`, `[]`, `{}`, `[null]`, `[{}]`, `"x"`, `[1, "a", true]`,
		`[{"id": "base", "strains": ["平平仄仄平，仄仄仄平平。"]}]`,
		`[{"id": "base", "strains": ["平平仄仄平，", "仄仄仄平平。", "？"]}]`,
		`[{"id": "", "paragraphs": ["，。？！"], "rhythmic": "・"}]`,
		`[{"paragraphs": ["白日依山尽，黄河入海流。"], "title": "长相思·", "rhythmic": "·浣溪沙"}]`,
		`[{"paragraphs": ["床前明月光，疑是地上霜。"], "content": ["x"], "para": ["y"]}]`,
		"[{\"paragraphs\": [\"\xff\xfe白日\xc0依山\", \"\\ud800盡\"], \"title\": \"\xed\xa0\x80\"}]",
		`[{"paragraphs": ["` + string(bytes.Repeat([]byte("一"), 5000)) + `"]}]`,
	} {
		for i := range fuzzTargets {
			f.Add(uint8(i), []byte(s))
		}
	}
	base := []tarEntry{
		{"package/dist/quantangshi/poet.tang.1.json", []byte(`[{"id": "base", "title": "牀前", "paragraphs": ["牀前看月光，", "疑是地上霜。"]}]`)},
		{"package/dist/strains/json/poet.tang.1.json", []byte(`[{"id": "base", "strains": ["平平仄仄平，平仄仄仄平。"]}]`)},
	}
	f.Fuzz(func(t *testing.T, target uint8, data []byte) {
		name := fuzzTargets[int(target)%len(fuzzTargets)]
		es := append([]tarEntry{{name, data}}, base...)
		tgz := filepath.Join(t.TempDir(), "fuzz.tgz")
		if err := os.WriteFile(tgz, tarGz(t, es), 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		st, err := Build(tgz, &out)
		if err != nil {
			if st != nil {
				t.Errorf("Build returned stats with error %v", err)
			}
			return
		}
		if st.Poems < 1 {
			t.Fatalf("Build succeeded with %d poems", st.Poems)
		}
		corpusFile := filepath.Join(t.TempDir(), "corpus.jsonl.gz")
		if err := os.WriteFile(corpusFile, out.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		n := 0
		err = Read(corpusFile, func(p *Poem) error {
			n++
			if len(p.Lines) == 0 || len(p.Lines) != len(p.LinesT) {
				t.Errorf("poem %s: %d lines, %d traditional", p.ID, len(p.Lines), len(p.LinesT))
			}
			if utf8.RuneCountInString(p.Puncts) != len(p.Lines) {
				t.Errorf("poem %s: puncts %q for %d lines", p.ID, p.Puncts, len(p.Lines))
			}
			if p.Strains != nil && len(p.Strains) != len(p.LinesT) {
				t.Errorf("poem %s: %d strains for %d lines", p.ID, len(p.Strains), len(p.LinesT))
			}
			for i, s := range p.Strains {
				if utf8.RuneCountInString(s) != utf8.RuneCountInString(p.LinesT[i]) {
					t.Errorf("poem %s: strains %q for line %q", p.ID, s, p.LinesT[i])
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("Read of what Build wrote: %v", err)
		}
		if n != st.Poems {
			t.Errorf("Read %d poems, Build reported %d", n, st.Poems)
		}
	})
}
