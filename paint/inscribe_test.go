package paint

import (
	"strings"

	"testing"
)

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
