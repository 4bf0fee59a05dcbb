package glyph

import (
	"image"
	"image/color"
	"image/draw"
	"math"
)

// CaptionBox returns the rectangle Caption would fill for text with
// characters size pixels per em, its bottom-right corner at corner.
func CaptionBox(text string, size int, corner image.Point) image.Rectangle {
	n := len([]rune(text))
	pad := size / 3
	w := int(math.Ceil(float64(n)*float64(size)*captionAdvance(text))) + 2*pad
	h := size + 2*pad
	return image.Rect(corner.X-w, corner.Y-h, corner.X, corner.Y)
}

// captionAdvance is the mean advance of text's characters in ems: CJK
// characters are square, Latin letters and digits about 0.6 em.
func captionAdvance(text string) float64 {
	n, sum := 0, 0.0
	for _, r := range text {
		n++
		if r < 0x2e80 {
			sum += 0.62
		} else {
			sum += 1.0
		}
	}
	if n == 0 {
		return 1
	}
	return sum / float64(n)
}

// Caption writes text horizontally, in the Plain regular hand (LXGW
// WenKai) rather than the brush, on a plate in the box CaptionBox gives,
// for labels that must be legible over any picture: the plate is plate
// colour, the text ink colour. Characters neither font has are skipped;
// call Writable first to refuse them. It returns the box and, for each
// pixel of the box, whether it is text (row-major), so a reader can find
// the caption again.
func Caption(img *image.RGBA, text string, size int, corner image.Point, ink, plate color.NRGBA) (image.Rectangle, []bool, error) {
	f, err := NewWriter()
	if err != nil {
		return image.Rectangle{}, nil, err
	}
	f.Plain = true
	box := CaptionBox(text, size, corner)
	draw.Draw(img, box.Intersect(img.Bounds()), image.NewUniform(plate), image.Point{}, draw.Over)
	// The text is drawn on a blank layer first, to know its pixels.
	layer := image.NewRGBA(image.Rect(0, 0, box.Dx(), box.Dy()))
	pad := size / 3
	x := float64(pad)
	for _, r := range text {
		Draw(layer, f, r, x, float64(pad), size, color.NRGBA{255, 255, 255, 255})
		if r < 0x2e80 {
			x += 0.62 * float64(size)
		} else {
			x += float64(size)
		}
	}
	mask := make([]bool, box.Dx()*box.Dy())
	for y := 0; y < box.Dy(); y++ {
		for xx := 0; xx < box.Dx(); xx++ {
			a := layer.Pix[layer.PixOffset(xx, y)+3]
			if a == 0 {
				continue
			}
			mask[y*box.Dx()+xx] = a >= 128
			px := image.Pt(box.Min.X+xx, box.Min.Y+y)
			if !px.In(img.Rect) {
				continue
			}
			i := img.PixOffset(px.X, px.Y)
			t := float64(a) / 255 * float64(ink.A) / 255
			for k, v := range [3]uint8{ink.R, ink.G, ink.B} {
				img.Pix[i+k] = uint8(float64(img.Pix[i+k])*(1-t) + float64(v)*t + 0.5)
			}
		}
	}
	return box, mask, nil
}

// Writable reports the first character of text neither brush font can
// write, or 0 when all can be written.
func Writable(text string) rune {
	f, err := NewWriter()
	if err != nil {
		return '?'
	}
	for _, r := range text {
		if !f.Has(r) && r != ' ' {
			return r
		}
	}
	return 0
}
