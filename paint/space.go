package paint

import (
	"image"
)

// QuietRect finds where a w×h block (an inscription, a seal) disturbs the
// painting least: the placement with the least ink, read from the image
// itself through a summed-area table of darkness. Among equally quiet
// places it prefers the right and the top, where a 题款 is read first. It
// returns false when the block does not fit inside the margin.
func QuietRect(img *image.RGBA, w, h, margin int) (image.Rectangle, bool) {
	b := img.Bounds()
	W, H := b.Dx(), b.Dy()
	if w <= 0 || h <= 0 || w+2*margin > W || h+2*margin > H {
		return image.Rectangle{}, false
	}
	// sat[y][x] holds the darkness of all pixels above and left of (x, y).
	sat := make([]int64, (W+1)*(H+1))
	for y := 0; y < H; y++ {
		var row int64
		for x := 0; x < W; x++ {
			i := img.PixOffset(b.Min.X+x, b.Min.Y+y)
			row += int64(765 - int(img.Pix[i]) - int(img.Pix[i+1]) - int(img.Pix[i+2]))
			sat[(y+1)*(W+1)+x+1] = sat[y*(W+1)+x+1] + row
		}
	}
	ink := func(x, y int) int64 {
		return sat[(y+h)*(W+1)+x+w] - sat[y*(W+1)+x+w] - sat[(y+h)*(W+1)+x] + sat[y*(W+1)+x]
	}
	step := max(1, min(w, h)/8)
	best, bx, by := int64(-1), 0, 0
	for y := margin; y+h+margin <= H; y += step {
		for x := W - margin - w; x >= margin; x -= step {
			if v := ink(x, y); best < 0 || v < best {
				best, bx, by = v, x, y
			}
		}
	}
	return image.Rect(b.Min.X+bx, b.Min.Y+by, b.Min.X+bx+w, b.Min.Y+by+h), true
}
