package paint

import (
	"strings"

	"miaobi/hanzi"
	"miaobi/models"
	"miaobi/poem"
	"testing"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"
)

func TestBrushFont(t *testing.T) {
	f, err := brushFont()
	if err != nil {
		t.Fatal(err)
	}
	var buf sfnt.Buffer
	for _, r := range "白日依山尽黄河入海流妙笔" {
		if g, err := f.GlyphIndex(&buf, r); err != nil || g == 0 {
			t.Errorf("「%c」: glyph %d, %v", r, g, err)
		}
	}
}

func FuzzDecodeWOFF(f *testing.F) {
	f.Add(brushWOFF[:4096])
	f.Add([]byte("wOFF"))
	f.Fuzz(func(t *testing.T, b []byte) {
		if ttf, err := DecodeWOFF(b); err == nil {
			sfnt.Parse(ttf)
		}
	})
}

func TestInscribe(t *testing.T) {
	img, err := Paint(SceneOf("山松"), 800, 400, 3)
	if err != nil {
		t.Fatal(err)
	}
	before := append([]byte(nil), img.Pix...)
	ins := Inscription{Title: "登楼", Lines: []string{"白日依山尽", "黄河入海流"}, Signature: "妙笔", Seal: "妙笔"}
	if err := Inscribe(img, ins); err != nil {
		t.Fatal(err)
	}
	changed, red := 0, 0
	for i := 0; i < len(img.Pix); i += 4 {
		if img.Pix[i] != before[i] {
			changed++
		}
		if img.Pix[i] > 150 && img.Pix[i+1] < 80 && img.Pix[i+2] < 80 {
			red++
		}
	}
	if changed < 500 || red < 100 {
		t.Errorf("%d pixels changed, %d seal red: the inscription or seal is missing", changed, red)
	}
	// 屣 and 蹁 come from the fallback glyph set.
	fresh, _ := Paint(SceneOf("山松"), 800, 400, 3)
	plain := append([]byte(nil), fresh.Pix...)
	if err := Inscribe(fresh, Inscription{Lines: []string{"屣蹁"}}); err != nil {
		t.Fatalf("fallback characters: %v", err)
	}
	if n := diff(plain, fresh.Pix); n < 100 {
		t.Errorf("fallback characters changed %d pixels", n)
	}
	if err := Inscribe(img, Inscription{Lines: []string{"龘"}}); err == nil || !strings.Contains(err.Error(), "龘") {
		t.Errorf("a missing glyph gave %v", err)
	}
	tiny, _ := Paint(Scene{}, 64, 64, 1)
	if err := Inscribe(tiny, Inscription{Lines: []string{"白日依山尽黄河入海流", "欲穷千里目更上一层楼"}}); err == nil {
		t.Error("a 64-pixel painting took two long columns")
	}
}

func TestGlyphSetRoundTrip(t *testing.T) {
	ttf, err := DecodeWOFF(brushWOFF)
	if err != nil {
		t.Fatal(err)
	}
	for _, grid := range []int{1, 2, 8} {
		file, missing, err := BuildGlyphSet(ttf, []rune("山水山龘A"), grid)
		if err != nil {
			t.Fatal(err)
		}
		if string(missing) != "龘" {
			t.Errorf("grid %d: missing %q, want 龘", grid, string(missing))
		}
		g, err := ParseGlyphSet(file)
		if err != nil {
			t.Fatal(err)
		}
		if g.Len() != 3 || !g.Has('山') || g.Has('龘') {
			t.Fatalf("grid %d: %d glyphs, has 山 %v, has 龘 %v", grid, g.Len(), g.Has('山'), g.Has('龘'))
		}
		f, _ := brushFont()
		var buf sfnt.Buffer
		const size = 200
		want, _ := f.LoadGlyph(&buf, must(f.GlyphIndex(&buf, '水')), fixed.I(size), nil)
		got, _, ok := g.segments('水', size)
		if !ok || len(got) != len(want) {
			t.Fatalf("grid %d: %d segments, want %d", grid, len(got), len(want))
		}
		// Each point may move by half a grid step, in pixels.
		tol := fixed.Int26_6(float64(grid)/2*size/float64(f.UnitsPerEm())*64) + 2
		for i := range want {
			if got[i].Op != want[i].Op {
				t.Fatalf("segment %d: op %d, want %d", i, got[i].Op, want[i].Op)
			}
			for k := range segArgs(want[i].Op) {
				d := got[i].Args[k].Sub(want[i].Args[k])
				if d.X > tol || d.X < -tol || d.Y > tol || d.Y < -tol {
					t.Fatalf("grid %d: segment %d point %d off by %v (tolerance %v)", grid, i, k, d, tol)
				}
			}
		}
	}
	if _, _, err := BuildGlyphSet([]byte("not a font"), []rune("山"), 2); err == nil {
		t.Error("a non-font built a glyph set")
	}
}

func must[T any](v T, err error) T {
	if err != nil {
		panic(err)
	}
	return v
}

func TestFallbackCoversGB2312(t *testing.T) {
	w, err := newWriter()
	if err != nil {
		t.Fatal(err)
	}
	if n := w.fallback.Len(); n < 9000 {
		t.Errorf("fallback holds %d characters; GB 2312 alone has 6,763 hanzi", n)
	}
	// Rare GB 2312 characters Ma Shan Zheng lacks, and traditional forms.
	for _, r := range "屣蹁齄鼍龠這個國學詩詞" {
		if !w.has(r) {
			t.Errorf("no font has 「%c」", r)
		}
		segs, _, ok := w.outline(r, 64)
		if !ok || len(segs) < 4 {
			t.Errorf("「%c」: %d segments", r, len(segs))
		}
	}
}

func FuzzParseGlyphSet(f *testing.F) {
	f.Add(fallbackGlyphs[:2048])
	ttf, _ := DecodeWOFF(brushWOFF)
	small, _, _ := BuildGlyphSet(ttf, []rune("山水"), 2)
	f.Add(small)
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := ParseGlyphSet(b)
		if err != nil {
			return
		}
		for _, r := range g.runes {
			g.segments(r, 32)
		}
	})
}

// diff counts the pixels that differ between two RGBA buffers.
func diff(a, b []byte) int {
	n := 0
	for i := 0; i+3 < len(a) && i+3 < len(b); i += 4 {
		if a[i] != b[i] || a[i+1] != b[i+1] || a[i+2] != b[i+2] {
			n++
		}
	}
	return n
}

func TestFontsCoverPoemEngine(t *testing.T) {
	e, err := poem.Load(models.Poem())
	if err != nil {
		t.Fatal(err)
	}
	w, err := newWriter()
	if err != nil {
		t.Fatal(err)
	}
	var missing []rune
	for _, r := range e.Writable() {
		if !w.has(r) || !w.has([]rune(hanzi.ToTraditional(string(r)))[0]) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d characters the poem engine writes (or their traditional forms) are in no font: %q; run make fonts", len(missing), string(missing))
	}
	// A character in neither font is refused, naming it.
	if _, err := w.writable("三十六龘"); err == nil || !strings.Contains(err.Error(), "龘") {
		t.Errorf("龘: %v", err)
	}
}
