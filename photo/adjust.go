package photo

import (
	"fmt"
	"image"
	"math"
)

// Limits on an adjustment's output.
const (
	MaxSide = 32768
)

// Crop returns the part of img inside r, given in img's own coordinates
// from its top-left corner (0, 0). A rectangle reaching past the picture
// is cut to it; one entirely outside is an error.
func Crop(img image.Image, r image.Rectangle) (*image.RGBA, error) {
	src := Flatten(img)
	r = r.Canon()
	in := r.Intersect(src.Rect)
	if in.Empty() {
		return nil, fmt.Errorf("photo: crop %v: outside the %d×%d picture", r, src.Rect.Dx(), src.Rect.Dy())
	}
	out := image.NewRGBA(image.Rect(0, 0, in.Dx(), in.Dy()))
	for y := 0; y < in.Dy(); y++ {
		copy(out.Pix[y*out.Stride:], src.Pix[src.PixOffset(in.Min.X, in.Min.Y+y):src.PixOffset(in.Max.X, in.Min.Y+y)])
	}
	return out, nil
}

// Resize scales img to w×h pixels. A zero w or h keeps the aspect ratio.
// Each output pixel averages the input under a tent filter as wide as the
// scale step (so shrinking does not alias and enlarging is bilinear);
// the filter is separable, rows then columns.
func Resize(img image.Image, w, h int) (*image.RGBA, error) {
	src := Flatten(img)
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	switch {
	case w < 0 || h < 0 || (w == 0 && h == 0):
		return nil, fmt.Errorf("photo: resize to %d×%d: give a positive width, height or both", w, h)
	case w == 0:
		w = max(1, int(math.Round(float64(sw)*float64(h)/float64(sh))))
	case h == 0:
		h = max(1, int(math.Round(float64(sh)*float64(w)/float64(sw))))
	}
	if w > MaxSide || h > MaxSide || int64(w)*int64(h) > DefaultMaxPixels {
		return nil, fmt.Errorf("photo: resize to %d×%d: over %d pixels a side or %d pixels in all", w, h, MaxSide, DefaultMaxPixels)
	}
	// Rows: sw → w, into a float plane of w×sh; then columns: sh → h.
	tmp := make([]float32, w*sh*4)
	wx := weights(sw, w)
	for y := 0; y < sh; y++ {
		row := src.Pix[y*src.Stride:]
		for x, k := range wx {
			var acc [4]float32
			for i, wt := range k.w {
				p := row[(k.first+i)*4:]
				acc[0] += wt * float32(p[0])
				acc[1] += wt * float32(p[1])
				acc[2] += wt * float32(p[2])
				acc[3] += wt * float32(p[3])
			}
			copy(tmp[(y*w+x)*4:], acc[:])
		}
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	wy := weights(sh, h)
	for y, k := range wy {
		for x := 0; x < w; x++ {
			var acc [4]float32
			for i, wt := range k.w {
				p := tmp[((k.first+i)*w+x)*4:]
				acc[0] += wt * p[0]
				acc[1] += wt * p[1]
				acc[2] += wt * p[2]
				acc[3] += wt * p[3]
			}
			o := out.Pix[y*out.Stride+x*4:]
			for c := range 4 {
				o[c] = clamp(acc[c])
			}
		}
	}
	return out, nil
}

// kernel is one output sample's input span and normalised weights.
type kernel struct {
	first int
	w     []float32
}

// weights computes the tent-filter kernels mapping n input samples to m.
func weights(n, m int) []kernel {
	scale := float64(n) / float64(m)
	support := math.Max(1, scale) // tent half-width in input samples
	ks := make([]kernel, m)
	for i := range ks {
		c := (float64(i)+0.5)*scale - 0.5
		lo := max(0, int(math.Ceil(c-support)))
		hi := min(n-1, int(math.Floor(c+support)))
		var sum float32
		w := make([]float32, 0, hi-lo+1)
		for j := lo; j <= hi; j++ {
			v := float32(1 - math.Abs(float64(j)-c)/support)
			if v < 0 {
				v = 0
			}
			w = append(w, v)
			sum += v
		}
		if sum == 0 { // an edge sample between inputs: take the nearest
			lo = min(n-1, max(0, int(math.Round(c))))
			w = []float32{1}
			sum = 1
		}
		for j := range w {
			w[j] /= sum
		}
		ks[i] = kernel{first: lo, w: w}
	}
	return ks
}

func clamp(v float32) uint8 {
	switch {
	case v <= 0:
		return 0
	case v >= 255:
		return 255
	}
	return uint8(v + 0.5)
}

// Rotate turns img clockwise by degrees. Quarter turns are exact; other
// angles are resampled bilinearly onto a canvas large enough to hold the
// whole turned picture, the corners filled with white.
func Rotate(img image.Image, degrees float64) (*image.RGBA, error) {
	if math.IsNaN(degrees) || math.IsInf(degrees, 0) {
		return nil, fmt.Errorf("photo: rotate by %v degrees: give a number", degrees)
	}
	src := Flatten(img)
	W, H := src.Rect.Dx(), src.Rect.Dy()
	d := math.Mod(degrees, 360)
	if d < 0 {
		d += 360
	}
	if q := d / 90; q == math.Trunc(q) {
		turns := int(q) % 4
		ow, oh := W, H
		if turns%2 == 1 {
			ow, oh = H, W
		}
		out := image.NewRGBA(image.Rect(0, 0, ow, oh))
		for y := 0; y < H; y++ {
			for x := 0; x < W; x++ {
				var nx, ny int
				switch turns {
				case 0:
					nx, ny = x, y
				case 1:
					nx, ny = H-1-y, x
				case 2:
					nx, ny = W-1-x, H-1-y
				case 3:
					nx, ny = y, W-1-x
				}
				copy(out.Pix[out.PixOffset(nx, ny):out.PixOffset(nx, ny)+4], src.Pix[src.PixOffset(x, y):])
			}
		}
		return out, nil
	}
	a := d * math.Pi / 180
	sin, cos := math.Sin(a), math.Cos(a)
	ow := int(math.Ceil(math.Abs(float64(W)*cos) + math.Abs(float64(H)*sin)))
	oh := int(math.Ceil(math.Abs(float64(W)*sin) + math.Abs(float64(H)*cos)))
	if int64(ow)*int64(oh) > DefaultMaxPixels {
		return nil, fmt.Errorf("photo: rotate: the turned picture would be %d×%d, over %d pixels", ow, oh, DefaultMaxPixels)
	}
	out := image.NewRGBA(image.Rect(0, 0, ow, oh))
	cx, cy := float64(W)/2, float64(H)/2
	ocx, ocy := float64(ow)/2, float64(oh)/2
	for y := 0; y < oh; y++ {
		for x := 0; x < ow; x++ {
			// Inverse map: turn the output point back by −a.
			dx, dy := float64(x)+0.5-ocx, float64(y)+0.5-ocy
			sx := cos*dx + sin*dy + cx - 0.5
			sy := -sin*dx + cos*dy + cy - 0.5
			o := out.Pix[out.PixOffset(x, y):]
			x0, y0 := int(math.Floor(sx)), int(math.Floor(sy))
			fx, fy := float32(sx-float64(x0)), float32(sy-float64(y0))
			for c := range 4 {
				var v float32
				for _, t := range [4]struct {
					dx, dy int
					w      float32
				}{{0, 0, (1 - fx) * (1 - fy)}, {1, 0, fx * (1 - fy)}, {0, 1, (1 - fx) * fy}, {1, 1, fx * fy}} {
					px, py := x0+t.dx, y0+t.dy
					s := float32(255) // white outside
					if px >= 0 && px < W && py >= 0 && py < H {
						s = float32(src.Pix[src.PixOffset(px, py)+c])
					}
					v += t.w * s
				}
				o[c] = clamp(v)
			}
		}
	}
	return out, nil
}

// Tone changes brightness, contrast and saturation, each from −1 to 1
// with 0 leaving the picture as it is: brightness adds up to ±255 levels,
// contrast scales distances from mid-grey (−1 flattens to grey, 1 doubles
// them), saturation scales distances from each pixel's grey (−1 gives
// black and white, 1 doubles colourfulness).
func Tone(img image.Image, brightness, contrast, saturation float64) (*image.RGBA, error) {
	for _, v := range []struct {
		name string
		v    float64
	}{{"brightness", brightness}, {"contrast", contrast}, {"saturation", saturation}} {
		if !(v.v >= -1 && v.v <= 1) {
			return nil, fmt.Errorf("photo: %s %v: give a value from -1 to 1", v.name, v.v)
		}
	}
	out := Flatten(img)
	b := float32(brightness * 255)
	c := float32(1 + contrast)
	s := float32(1 + saturation)
	var lut [256]uint8 // brightness and contrast act on each channel alike
	for i := range lut {
		lut[i] = clamp((float32(i)-127.5)*c + 127.5 + b)
	}
	for i := 0; i < len(out.Pix); i += 4 {
		p := out.Pix[i : i+3 : i+3]
		r, g, bl := float32(lut[p[0]]), float32(lut[p[1]]), float32(lut[p[2]])
		grey := 0.299*r + 0.587*g + 0.114*bl
		p[0], p[1], p[2] = clamp(grey+(r-grey)*s), clamp(grey+(g-grey)*s), clamp(grey+(bl-grey)*s)
	}
	return out, nil
}
