package paint

import (
	"strings"
	"testing"

	"golang.org/x/image/font/sfnt"
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
	if err := Inscribe(img, Inscription{Lines: []string{"龘"}}); err == nil || !strings.Contains(err.Error(), "龘") {
		t.Errorf("a missing glyph gave %v", err)
	}
	tiny, _ := Paint(Scene{}, 64, 64, 1)
	if err := Inscribe(tiny, Inscription{Lines: []string{"白日依山尽黄河入海流", "欲穷千里目更上一层楼"}}); err == nil {
		t.Error("a 64-pixel painting took two long columns")
	}
}
