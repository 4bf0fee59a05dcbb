package glyph

import (
	"testing"

	"golang.org/x/image/font/sfnt"
	"golang.org/x/image/math/fixed"

	"miaobi/hanzi"
	"miaobi/models"
	"miaobi/poem"
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
	w, err := NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	if n := w.fallback.Len(); n < 9000 {
		t.Errorf("fallback holds %d characters; GB 2312 alone has 6,763 hanzi", n)
	}
	// Rare GB 2312 characters Ma Shan Zheng lacks, and traditional forms.
	for _, r := range "屣蹁齄鼍龠這個國學詩詞" {
		if !w.Has(r) {
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
	w, err := NewWriter()
	if err != nil {
		t.Fatal(err)
	}
	var missing []rune
	for _, r := range e.Writable() {
		if !w.Has(r) || !w.Has([]rune(hanzi.ToTraditional(string(r)))[0]) {
			missing = append(missing, r)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d characters the poem engine writes (or their traditional forms) are in no font: %q; run make fonts", len(missing), string(missing))
	}
}
