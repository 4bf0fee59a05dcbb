package paint

import (
	"bytes"
	"crypto/sha256"
	"testing"
)

func TestSceneOf(t *testing.T) {
	tests := []struct {
		text string
		want Scene
	}{
		{"孤舟月夜", Scene{Water: true, Boat: true, Moon: true, Night: true, Trees: true}},
		{"秋山松亭", Scene{Trees: true, Pavilion: true, Season: "秋"}},
		{"雪江雁", Scene{Water: true, Geese: true, Trees: true, Season: "冬"}},
		{"", Scene{Trees: true}},
	}
	for _, tc := range tests {
		if got := SceneOf(tc.text); got != tc.want {
			t.Errorf("SceneOf(%q) = %+v, want %+v", tc.text, got, tc.want)
		}
	}
}

func TestPaintDeterministic(t *testing.T) {
	s := SceneOf("孤舟月夜江上灯松亭雁")
	sum := func(seed uint64) [32]byte {
		img, err := Paint(s, 256, 128, seed)
		if err != nil {
			t.Fatal(err)
		}
		return sha256.Sum256(img.Pix)
	}
	a, b, c := sum(1), sum(1), sum(2)
	if a != b {
		t.Error("the same seed gave different pixels")
	}
	if a == c {
		t.Error("different seeds gave the same pixels")
	}
}

func TestPaintInk(t *testing.T) {
	img, err := Paint(SceneOf("山水"), 512, 256, 7)
	if err != nil {
		t.Fatal(err)
	}
	// A landscape has ink: dark strokes, light paper, and mid tones.
	var dark, light int
	for i := 0; i < len(img.Pix); i += 4 {
		v := int(img.Pix[i]) + int(img.Pix[i+1]) + int(img.Pix[i+2])
		switch {
		case v < 3*120:
			dark++
		case v > 3*215:
			light++
		}
	}
	n := len(img.Pix) / 4
	if dark < n/500 || light < n/5 {
		t.Errorf("%d dark and %d light pixels of %d: not an ink painting on paper", dark, light, n)
	}
	if !bytes.Equal(img.Pix[3:4], []byte{255}) {
		t.Error("the paper is not opaque")
	}
}

func TestPaintSizes(t *testing.T) {
	for _, sz := range [][2]int{{10, 10}, {0, 500}, {100000, 100000}, {-5, 300}} {
		if _, err := Paint(Scene{}, sz[0], sz[1], 1); err == nil {
			t.Errorf("size %v accepted", sz)
		}
	}
}

func BenchmarkPaint2048(b *testing.B) {
	s := SceneOf("孤舟月夜江上灯松亭雁")
	for i := 0; i < b.N; i++ {
		Paint(s, 2048, 1024, uint64(i))
	}
}
