package film

import (
	"image"
	"testing"

	"miaobi/label"
)

// benchFrames is a 1080p handscroll poem film's frame source, without
// sound (the lines at a steady pace).
func benchFrames(b *testing.B, w, h int) *poemFrames {
	p := Poem{Title: "江雪", Lines: []string{"千山鸟飞绝", "万径人踪灭", "孤舟蓑笠翁", "独钓寒江雪"}, Season: 3, Seed: 1, W: w, H: h, FPS: 30}
	pic, move, name, err := picture(p)
	if err != nil {
		b.Fatal(err)
	}
	f, err := newPoemFrames(p, nil, 16, label.Provenance{Wording: label.DefaultImageLabel}, pic, move, name)
	if err != nil {
		b.Fatal(err)
	}
	f.n = 480
	return f
}

func BenchmarkShoot(b *testing.B) {
	f := benchFrames(b, 1920, 1080)
	dst := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	for i := 0; b.Loop(); i++ {
		shoot(dst, f.pic, f.move.At(float64(i%480)/480), nil)
	}
}

func BenchmarkSky(b *testing.B) {
	f := benchFrames(b, 1920, 1080)
	dst := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	for i := 0; b.Loop(); i++ {
		f.sky.paint(dst, float64(i%480)/30)
	}
}

func BenchmarkYUV(b *testing.B) {
	dst := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	out := make([]byte, 1920*1080*3/2)
	for b.Loop() {
		toYUV420(out, dst)
	}
}

func BenchmarkFrame(b *testing.B) {
	f := benchFrames(b, 1920, 1080)
	dst := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	for i := 0; b.Loop(); i++ {
		if err := f.Frame(i%480, dst); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkWriting(b *testing.B) {
	f := benchFrames(b, 1920, 1080)
	dst := image.NewRGBA(image.Rect(0, 0, 1920, 1080))
	for i := 0; b.Loop(); i++ {
		f.text.draw(dst, 5+float64(i%300)/30)
	}
}

func BenchmarkShootTall(b *testing.B) {
	f := benchFrames(b, 1080, 1920)
	dst := image.NewRGBA(image.Rect(0, 0, 1080, 1920))
	for i := 0; b.Loop(); i++ {
		shoot(dst, f.pic, f.move.At(float64(i%480)/480), nil)
	}
}
