package photo

import (
	"image"
	"image/color"
	"math"
	"testing"
)

func TestCrop(t *testing.T) {
	pic := testPicture(40, 30)
	tests := []struct {
		r    image.Rectangle
		want image.Rectangle
		err  bool
	}{
		{image.Rect(10, 5, 30, 25), image.Rect(0, 0, 20, 20), false},
		{image.Rect(30, 20, 100, 100), image.Rect(0, 0, 10, 10), false}, // cut to the picture
		{image.Rect(50, 50, 60, 60), image.Rectangle{}, true},
	}
	for _, tc := range tests {
		got, err := Crop(pic, tc.r)
		if (err != nil) != tc.err {
			t.Errorf("Crop(%v): %v", tc.r, err)
			continue
		}
		if err != nil {
			continue
		}
		if got.Rect != tc.want {
			t.Errorf("Crop(%v) = %v, want %v", tc.r, got.Rect, tc.want)
		}
		// The top-left pixel is the source's pixel at r.Min.
		want := color.RGBAModel.Convert(pic.At(tc.r.Min.X, tc.r.Min.Y)).(color.RGBA)
		if got.RGBAAt(0, 0) != want {
			t.Errorf("Crop(%v) starts with %v, want %v", tc.r, got.RGBAAt(0, 0), want)
		}
	}
}

func TestResize(t *testing.T) {
	pic := testPicture(40, 30)
	tests := []struct{ w, h, ww, wh int }{
		{20, 15, 20, 15}, {80, 0, 80, 60}, {0, 3, 4, 3}, {1, 1, 1, 1}, {400, 300, 400, 300},
	}
	for _, tc := range tests {
		got, err := Resize(pic, tc.w, tc.h)
		if err != nil {
			t.Fatal(err)
		}
		if got.Rect.Dx() != tc.ww || got.Rect.Dy() != tc.wh {
			t.Errorf("Resize(%d, %d) = %v", tc.w, tc.h, got.Rect)
		}
	}
	// A gradient keeps its ends and its middle.
	half, _ := Resize(pic, 20, 15)
	if r := half.RGBAAt(0, 0).R; r > 12 {
		t.Errorf("left edge red %d, want near 0", r)
	}
	if r := half.RGBAAt(19, 0).R; r < 243 {
		t.Errorf("right edge red %d, want near 255", r)
	}
	// Shrinking a fine checkerboard averages it to grey (no aliasing).
	check := image.NewGray(image.Rect(0, 0, 64, 64))
	for i := range check.Pix {
		if (i%64+i/64)%2 == 0 {
			check.Pix[i] = 255
		}
	}
	small, _ := Resize(check, 7, 7)
	for i := 0; i < len(small.Pix); i += 4 {
		if v := small.Pix[i]; v < 100 || v > 155 {
			t.Fatalf("a shrunk checkerboard has a pixel of %d, want grey", v)
		}
	}
	for _, bad := range [][2]int{{0, 0}, {-1, 10}, {100000, 100000}} {
		if _, err := Resize(pic, bad[0], bad[1]); err == nil {
			t.Errorf("Resize(%v) was accepted", bad)
		}
	}
}

func TestRotate(t *testing.T) {
	pic := testPicture(40, 30)
	src := Flatten(pic)
	quarter, err := Rotate(pic, 90)
	if err != nil {
		t.Fatal(err)
	}
	if quarter.Rect.Dx() != 30 || quarter.Rect.Dy() != 40 {
		t.Fatalf("90°: %v", quarter.Rect)
	}
	// Clockwise: the top-left corner goes to the top right.
	if quarter.RGBAAt(29, 0) != src.RGBAAt(0, 0) {
		t.Error("90° did not turn clockwise")
	}
	full, _ := Rotate(pic, -360)
	if string(full.Pix) != string(src.Pix) {
		t.Error("a full turn changed the picture")
	}
	back, _ := Rotate(quarter, 270)
	if string(back.Pix) != string(src.Pix) {
		t.Error("90° then 270° changed the picture")
	}
	tilted, err := Rotate(pic, 30)
	if err != nil {
		t.Fatal(err)
	}
	w := math.Ceil(40*math.Cos(math.Pi/6) + 30*math.Sin(math.Pi/6))
	if tilted.Rect.Dx() != int(w) {
		t.Errorf("30°: width %d, want %v", tilted.Rect.Dx(), w)
	}
	if c := tilted.RGBAAt(0, 0); c.R != 255 || c.G != 255 || c.B != 255 {
		t.Errorf("30°: corner %v, want white", c)
	}
	if _, err := Rotate(pic, math.NaN()); err == nil {
		t.Error("NaN degrees accepted")
	}
}

func TestTone(t *testing.T) {
	pic := testPicture(40, 30)
	src := Flatten(pic)
	same, _ := Tone(pic, 0, 0, 0)
	if string(same.Pix) != string(src.Pix) {
		t.Error("zero adjustments changed the picture")
	}
	mean := func(img *image.RGBA) float64 {
		s := 0
		for i := 0; i < len(img.Pix); i += 4 {
			s += int(img.Pix[i]) + int(img.Pix[i+1]) + int(img.Pix[i+2])
		}
		return float64(s) / float64(len(img.Pix)/4*3)
	}
	bright, _ := Tone(pic, 0.3, 0, 0)
	if mean(bright) < mean(src)+50 {
		t.Errorf("brightness 0.3: mean %.1f from %.1f", mean(bright), mean(src))
	}
	grey, _ := Tone(pic, 0, 0, -1)
	for i := 0; i < len(grey.Pix); i += 4 {
		if d := int(grey.Pix[i]) - int(grey.Pix[i+2]); d > 1 || d < -1 {
			t.Fatalf("saturation -1 left colour: %v", grey.Pix[i:i+3])
		}
	}
	flat, _ := Tone(pic, 0, -1, 0)
	for i := 0; i < len(flat.Pix); i += 4 {
		if v := flat.Pix[i]; v < 127 || v > 128 {
			t.Fatalf("contrast -1 left %d", v)
		}
	}
	for _, bad := range [][3]float64{{2, 0, 0}, {0, -1.5, 0}, {0, 0, math.NaN()}} {
		if _, err := Tone(pic, bad[0], bad[1], bad[2]); err == nil {
			t.Errorf("Tone(%v) accepted", bad)
		}
	}
}

func BenchmarkResize(b *testing.B) {
	pic := Flatten(testPicture(2000, 1500))
	for b.Loop() {
		Resize(pic, 1000, 750)
	}
}
