package paint

import (
	"image"
)

// QuietRect finds where a w×h block (an inscription, a seal) disturbs the
// painting least: the placement covering the fewest inked pixels — pixels
// clearly darker than the paper, whose tone is read from the image itself
// — counted through a summed-area table. Among equally quiet places it
// prefers the right and the top, where a 题款 is read first. It returns
// false when the block does not fit inside the margin.
func QuietRect(img *image.RGBA, w, h, margin int) (image.Rectangle, bool) {
	r, _, ok := quietRect(img, w, h, margin)
	return r, ok
}

// quietRect is QuietRect that also returns the share of inked pixels in
// the place it found.
func quietRect(img *image.RGBA, w, h, margin int) (image.Rectangle, float64, bool) {
	return quietIn(inkMask(img), img.Bounds(), w, h, margin)
}

// inkMask marks the inked pixels of a painting: those 45 or more darker
// (over R, G and B) than the paper, whose darkness is the 30th percentile
// of all pixels (paper is most of a painting).
func inkMask(img *image.RGBA) []bool {
	b := img.Bounds()
	W, H := b.Dx(), b.Dy()
	var hist [766]int
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			i := img.PixOffset(b.Min.X+x, b.Min.Y+y)
			hist[765-int(img.Pix[i])-int(img.Pix[i+1])-int(img.Pix[i+2])]++
		}
	}
	paper, seen := 0, 0
	for d, n := range hist {
		if seen += n; seen*10 >= W*H*3 {
			paper = d
			break
		}
	}
	mask := make([]bool, W*H)
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			i := img.PixOffset(b.Min.X+x, b.Min.Y+y)
			mask[y*W+x] = 765-int(img.Pix[i])-int(img.Pix[i+1])-int(img.Pix[i+2]) >= paper+45
		}
	}
	return mask
}

// busyMask marks the busy pixels of a photograph: those where brightness
// changes by more than 20 levels (of 255, summed over both axes) to the
// next pixel — edges and texture, where text would be hard to read.
func busyMask(img *image.RGBA) []bool {
	b := img.Bounds()
	W, H := b.Dx(), b.Dy()
	lum := make([]int32, W*H)
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			i := img.PixOffset(b.Min.X+x, b.Min.Y+y)
			lum[y*W+x] = (299*int32(img.Pix[i]) + 587*int32(img.Pix[i+1]) + 114*int32(img.Pix[i+2])) / 1000
		}
	}
	abs := func(v int32) int32 { return max(v, -v) }
	mask := make([]bool, W*H)
	for y := 0; y+1 < H; y++ {
		for x := 0; x+1 < W; x++ {
			l := lum[y*W+x]
			mask[y*W+x] = abs(lum[y*W+x+1]-l)+abs(lum[(y+1)*W+x]-l) > 20
		}
	}
	return mask
}

// quietIn finds the w×h placement inside bounds (at least margin from the
// edges) covering the fewest marked pixels, preferring the right and the
// top; it returns that place and the share of marked pixels in it.
func quietIn(mask []bool, b image.Rectangle, w, h, margin int) (image.Rectangle, float64, bool) {
	return newQuietMap(mask, b).find(w, h, margin)
}

// A quietMap counts marked pixels in any rectangle in constant time, from
// a summed-area table built once.
type quietMap struct {
	sat  []int32
	b    image.Rectangle
	W, H int
}

func newQuietMap(mask []bool, b image.Rectangle) *quietMap {
	W, H := b.Dx(), b.Dy()
	q := &quietMap{b: b, W: W, H: H}
	if len(mask) != W*H {
		return q
	}
	q.sat = make([]int32, (W+1)*(H+1))
	for y := 0; y < H; y++ {
		var row int32
		for x := 0; x < W; x++ {
			if mask[y*W+x] {
				row++
			}
			q.sat[(y+1)*(W+1)+x+1] = q.sat[y*(W+1)+x+1] + row
		}
	}
	return q
}

func (q *quietMap) find(w, h, margin int) (image.Rectangle, float64, bool) {
	W, H, sat := q.W, q.H, q.sat
	if sat == nil || w <= 0 || h <= 0 || w+2*margin > W || h+2*margin > H {
		return image.Rectangle{}, 0, false
	}
	marked := func(x, y int) int32 {
		return sat[(y+h)*(W+1)+x+w] - sat[y*(W+1)+x+w] - sat[(y+h)*(W+1)+x] + sat[y*(W+1)+x]
	}
	step := max(1, min(w, h)/8)
	best, bx, by := int32(-1), 0, 0
	for y := margin; y+h+margin <= H; y += step {
		for x := W - margin - w; x >= margin; x -= step {
			if v := marked(x, y); best < 0 || v < best {
				best, bx, by = v, x, y
			}
		}
	}
	b := q.b
	return image.Rect(b.Min.X+bx, b.Min.Y+by, b.Min.X+bx+w, b.Min.Y+by+h), float64(best) / float64(w*h), true
}
