package label

import (
	"bytes"
	"image"
	"image/jpeg"
	"strings"
	"testing"
)

func TestCheckWording(t *testing.T) {
	for _, tc := range []struct {
		s  string
		ok bool
	}{
		{"本内容由AI生成", true}, {"人工智能合成", true}, {"ai生成", true}, {"AI", false}, {"生成", false}, {"机器写的", false},
	} {
		if got := CheckWording(tc.s) == nil; got != tc.ok {
			t.Errorf("CheckWording(%q) = %v", tc.s, got)
		}
	}
}

func TestText(t *testing.T) {
	poem := "白日依山尽\n黄河入海流\n"
	end, err := Text(poem, DefaultTextLabel, false)
	if err != nil || !strings.HasSuffix(end, "【本内容由AI生成】\n") || !strings.HasPrefix(end, poem) {
		t.Errorf("end label: %q, %v", end, err)
	}
	start, _ := Text(poem, DefaultTextLabel, true)
	if !strings.HasPrefix(start, "【本内容由AI生成】\n") {
		t.Errorf("start label: %q", start)
	}
	for _, s := range []string{end, start} {
		if _, ok := FindTextLabel(s); !ok {
			t.Errorf("no label found in %q", s)
		}
	}
	if _, ok := FindTextLabel(poem); ok {
		t.Error("a label found in an unlabelled poem")
	}
	if _, err := Text(poem, "机器写的", false); err == nil {
		t.Error("a wording without the elements was accepted")
	}
}

func TestImageLabel(t *testing.T) {
	for _, size := range [][2]int{{1024, 1024}, {2048, 1024}, {320, 200}, {200, 900}} {
		img := image.NewRGBA(image.Rect(0, 0, size[0], size[1]))
		for i := range img.Pix {
			img.Pix[i] = uint8(i * 7)
		}
		if FindImageLabel(img, DefaultImageLabel) > 0.5 {
			t.Errorf("%v: a label found before labelling", size)
		}
		box, err := Image(img, DefaultImageLabel)
		if err != nil {
			t.Fatal(err)
		}
		short := min(size[0], size[1])
		// The characters' visible height: rows with white text pixels.
		top, bottom := -1, -1
		for y := box.Min.Y; y < box.Max.Y; y++ {
			for x := box.Min.X; x < box.Max.X; x++ {
				if c := img.RGBAAt(x, y); c.R > 230 && c.G > 230 && c.B > 230 {
					if top < 0 {
						top = y
					}
					bottom = y
					break
				}
			}
		}
		if h := bottom - top + 1; float64(h) < 0.05*float64(short) {
			t.Errorf("%v: text %d px tall, under 5%% of %d", size, h, short)
		}
		if !box.In(img.Rect) || box.Max.X < size[0]-size[0]/20 || box.Max.Y < size[1]-size[1]/20 {
			t.Errorf("%v: label box %v is not in the bottom-right corner", size, box)
		}
		if c := FindImageLabel(img, DefaultImageLabel); c < 0.7 {
			t.Errorf("%v: label correlation %.2f", size, c)
		}
		// Still found after JPEG at quality 75.
		var b bytes.Buffer
		jpeg.Encode(&b, img, &jpeg.Options{Quality: 75})
		j, _ := jpeg.Decode(&b)
		if c := FindImageLabel(j, DefaultImageLabel); c < 0.5 {
			t.Errorf("%v: after JPEG, correlation %.2f", size, c)
		}
	}
	if _, err := Image(image.NewRGBA(image.Rect(0, 0, 20, 20)), DefaultImageLabel); err == nil {
		t.Error("a 20×20 picture took the label")
	}
	if _, err := Image(image.NewRGBA(image.Rect(0, 0, 400, 400)), "机器"); err == nil {
		t.Error("a wording without the elements was drawn")
	}
}
