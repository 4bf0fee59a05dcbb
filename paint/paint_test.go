package paint

import (
	"bytes"
	"crypto/sha256"
	"image"
	"testing"
)

func TestSceneOf(t *testing.T) {
	tests := []struct {
		text string
		want Scene
	}{
		{"孤舟月夜", Scene{Water: true, Boat: true, Moon: true, Night: true, Trees: true}},
		{"秋山松亭", Scene{Trees: true, Pine: true, Pavilion: true, Season: "秋"}},
		{"春柳桃花", Scene{Trees: true, Willow: true, Plum: true, Season: "春"}},
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

func BenchmarkPaintScroll(b *testing.B) {
	s := SceneOf("江上孤舟柳亭月夜")
	for i := 0; i < b.N; i++ {
		Paint(s, 8192, 1024, uint64(i))
	}
}

func TestQuietRect(t *testing.T) {
	img := image.NewRGBA(image.Rect(0, 0, 200, 100))
	for i := range img.Pix {
		img.Pix[i] = 255
	}
	// Ink over the left half and the top right, but for a clear patch at
	// x 20..60, y 50..90; the bottom right stays paper.
	inked := func(x, y int) bool {
		if x >= 20 && x < 60 && y >= 50 && y < 90 {
			return false
		}
		return x < 100 || y < 40
	}
	for y := 0; y < 100; y++ {
		for x := 0; x < 200; x++ {
			if inked(x, y) {
				i := img.PixOffset(x, y)
				img.Pix[i], img.Pix[i+1], img.Pix[i+2] = 90, 90, 90
			}
		}
	}
	for _, sz := range [][2]int{{30, 30}, {35, 35}, {90, 50}} {
		r, ok := QuietRect(img, sz[0], sz[1], 4)
		if !ok {
			t.Fatalf("no place for %v", sz)
		}
		for y := r.Min.Y; y < r.Max.Y; y++ {
			for x := r.Min.X; x < r.Max.X; x++ {
				if inked(x, y) {
					t.Fatalf("QuietRect(%v) = %v covers ink at (%d, %d)", sz, r, x, y)
				}
			}
		}
	}
	if _, ok := QuietRect(img, 300, 30, 0); ok {
		t.Error("a block wider than the picture was placed")
	}
	// On a painting, the quiet place is mostly paper.
	p, _ := Paint(SceneOf("山水松"), 512, 256, 5)
	q, ok := QuietRect(p, 60, 100, 10)
	if !ok {
		t.Fatal("no room on a 512×256 painting")
	}
	light := 0
	for y := q.Min.Y; y < q.Max.Y; y++ {
		for x := q.Min.X; x < q.Max.X; x++ {
			i := p.PixOffset(x, y)
			if int(p.Pix[i])+int(p.Pix[i+1])+int(p.Pix[i+2]) > 3*200 {
				light++
			}
		}
	}
	if light < q.Dx()*q.Dy()*9/10 {
		t.Errorf("the quiet place %v is only %d/%d paper", q, light, q.Dx()*q.Dy())
	}
}
