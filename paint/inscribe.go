package paint

import (
	"fmt"
	"image"
	"image/color"
	"unicode"

	"miaobi/hanzi"
	"miaobi/paint/glyph"
)

// Ink colours of the inscription and the seal.
var (
	inkBlack = color.NRGBA{28, 24, 20, 235}
	sealRed  = color.NRGBA{178, 34, 30, 240}
)

// Inscription is the text written on a painting: the poem's lines read in
// columns from right to left, a title column first and a signature column
// last, ended by a red seal.
type Inscription struct {
	Title     string
	Lines     []string
	Signature string
	Seal      string // one to four characters carved in the seal
}

// Inscribe writes the inscription vertically into the quietest part of the
// painting (see QuietRect), shrinking the characters until it fits on bare
// paper. A character neither brush font has is an error naming it.
func Inscribe(img *image.RGBA, ins Inscription) error {
	return inscribe(img, ins, false)
}

// InscribePhoto writes the inscription on a photograph (题画): into its
// calmest region — the fewest edges and least texture, usually sky or
// water — in dark ink on a light region and in light ink on a dark one.
// Where no region is calm enough, a soft veil of paper tone goes under
// the text so it stays readable.
func InscribePhoto(img *image.RGBA, ins Inscription) error {
	return inscribe(img, ins, true)
}

func inscribe(img *image.RGBA, ins Inscription, photo bool) error {
	f, err := glyph.NewWriter()
	if err != nil {
		return err
	}
	cols := []string{}
	if ins.Title != "" {
		cols = append(cols, ins.Title)
	}
	cols = append(cols, ins.Lines...)
	for i, c := range cols {
		if cols[i], err = writable(f, c); err != nil {
			return err
		}
	}
	if ins.Signature, err = writable(f, ins.Signature); err != nil {
		return err
	}
	if ins.Seal, err = writable(f, ins.Seal); err != nil {
		return err
	}
	longest := 0
	for _, c := range append(append([]string{}, cols...), ins.Signature) {
		longest = max(longest, len([]rune(c)))
	}
	W, H := img.Bounds().Dx(), img.Bounds().Dy()
	var mask []bool
	limit := 0.002 // a painting: at most one pixel in 500 of the block may be ink
	if photo {
		mask, limit = busyMask(img), 0.03
	} else {
		mask = inkMask(img)
	}
	quiet := newQuietMap(mask, img.Bounds())
	// Larger characters are tried first, smaller ones until the block fits;
	// a photograph too busy everywhere takes the largest size that fits
	// and a veil.
	type place struct {
		r    image.Rectangle
		size int
	}
	var fallback *place
	for size := min(H, W) / 20; size >= 10; size = size * 9 / 10 {
		step := int(float64(size) * 1.12)
		gap := int(float64(size) * 1.5)
		seal := int(float64(size) * 1.6)
		blockH := longest*step + size/2
		if ins.Seal != "" {
			blockH = max(blockH, len([]rune(ins.Signature))*step+seal+size)
		}
		blockW := (len(cols)+1)*gap + size
		r, busy, ok := quiet.find(blockW, blockH, H/24)
		if !ok {
			continue
		}
		if busy > limit {
			if photo && fallback == nil && size <= H/28 {
				fallback = &place{r, size}
			}
			continue
		}
		write(img, f, ins, cols, r, size, photo, false)
		return nil
	}
	if fallback != nil {
		write(img, f, ins, cols, fallback.r, fallback.size, true, true)
		return nil
	}
	return fmt.Errorf("paint: inscribe: the picture is too small or too busy for %d columns of text", len(cols)+1)
}

// write lays the columns out in r at the given character size: the title
// and lines right to left, then the signature, smaller, with the seal below.
func write(img *image.RGBA, f *glyph.Writer, ins Inscription, cols []string, r image.Rectangle, size int, photo, veil bool) {
	ink := inkBlack
	if photo {
		if veil {
			wash := r.Inset(-size / 3)
			c := &canvas{img: img}
			c.fill([]pt{{float64(wash.Min.X), float64(wash.Min.Y)}, {float64(wash.Max.X), float64(wash.Min.Y)}, {float64(wash.Max.X), float64(wash.Max.Y)}, {float64(wash.Min.X), float64(wash.Max.Y)}}, color.NRGBA{244, 238, 226, 170})
		} else if meanLum(img, r) < 110 {
			ink = color.NRGBA{246, 240, 228, 240} // light ink on a dark region
		}
	}
	step := float64(size) * 1.12
	gap := float64(size) * 1.5
	seal := int(float64(size) * 1.6)
	x := float64(r.Max.X) - float64(size)*1.1
	for _, c := range cols {
		y := float64(r.Min.Y)
		for _, ch := range c {
			glyph.Draw(img, f, ch, x, y, size, ink)
			y += step
		}
		x -= gap
	}
	small := size * 3 / 4
	y := float64(r.Min.Y) + float64(size)
	for _, ch := range ins.Signature {
		glyph.Draw(img, f, ch, x+float64(size-small)/2, y, small, ink)
		y += float64(small) * 1.12
	}
	if ins.Seal != "" {
		stamp(img, f, ins.Seal, int(x)+size/2-seal/2, int(y+float64(small)/2), seal)
	}
}

// meanLum is the mean luminance (0..255) of img inside r.
func meanLum(img *image.RGBA, r image.Rectangle) float64 {
	r = r.Intersect(img.Bounds())
	if r.Empty() {
		return 0
	}
	var sum int64
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			i := img.PixOffset(x, y)
			sum += (299*int64(img.Pix[i]) + 587*int64(img.Pix[i+1]) + 114*int64(img.Pix[i+2])) / 1000
		}
	}
	return float64(sum) / float64(r.Dx()*r.Dy())
}

// writable returns text with each character neither font has replaced by
// its other form (simplified for traditional, or the reverse) when a font
// has that; a character with no drawable form is an error naming it.
func writable(w *glyph.Writer, text string) (string, error) {
	rs := []rune(text)
	for i, r := range rs {
		if w.Has(r) || unicode.IsSpace(r) {
			continue
		}
		alt := []rune(hanzi.ToSimplified(string(r)))
		if len(alt) != 1 || !w.Has(alt[0]) {
			alt = []rune(hanzi.ToTraditional(string(r)))
		}
		if len(alt) != 1 || !w.Has(alt[0]) {
			return "", fmt.Errorf("paint: inscribe %q: neither brush font (Ma Shan Zheng, LXGW WenKai) has 「%c」 (U+%04X); write it another way", text, r, r)
		}
		rs[i] = alt[0]
	}
	return string(rs), nil
}

// stamp presses a square seal (方印): a red field with roughened edges and
// the characters carved out of it (白文), two to a column, right to left.
func stamp(dst *image.RGBA, f *glyph.Writer, text string, x, y, side int) {
	rs := []rune(text)
	c := &canvas{img: dst}
	n := newNoise(uint64(x*31 + y))
	var poly []pt
	for i := 0; i < 40; i++ {
		t := float64(i) / 40
		var p pt
		switch {
		case t < 0.25:
			p = pt{float64(x) + t*4*float64(side), float64(y)}
		case t < 0.5:
			p = pt{float64(x + side), float64(y) + (t-0.25)*4*float64(side)}
		case t < 0.75:
			p = pt{float64(x+side) - (t-0.5)*4*float64(side), float64(y + side)}
		default:
			p = pt{float64(x), float64(y+side) - (t-0.75)*4*float64(side)}
		}
		j := (n.fbm(p.X*0.2, p.Y*0.2, 1) - 0.5) * float64(side) * 0.06
		poly = append(poly, pt{p.X + j, p.Y + j})
	}
	c.fill(poly, sealRed)
	cols := (len(rs) + 1) / 2
	rows := min(2, len(rs))
	cell := float64(side) * 0.86 / float64(max(cols, rows))
	carve := color.NRGBA{246, 238, 224, 255}
	for i, r := range rs {
		col, row := i/2, i%2
		gx := float64(x+side) - float64(side)*0.07 - float64(col+1)*cell
		gy := float64(y) + float64(side)*0.07 + float64(row)*cell
		if rows == 1 {
			gy = float64(y) + (float64(side)-cell)/2
		}
		glyph.Draw(dst, f, r, gx, gy, int(cell), carve)
	}
}
