package watermark

import (
	"bytes"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
)

// toRGBA copies img into an RGBA picture at the origin.
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(out, out.Bounds(), img, b.Min, draw.Src)
	return out
}

// cloneRGBA copies img.
func cloneRGBA(img *image.RGBA) *image.RGBA {
	out := image.NewRGBA(img.Rect)
	copy(out.Pix, img.Pix)
	return out
}

// AttackJPEG re-encodes as JPEG at quality q.
func AttackJPEG(q int) func(*image.RGBA) image.Image {
	return func(img *image.RGBA) image.Image {
		var buf bytes.Buffer
		// Encoding an RGBA picture into memory and decoding it back
		// cannot fail; a failure returns the picture unchanged.
		if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: q}); err != nil {
			return img
		}
		out, err := jpeg.Decode(&buf)
		if err != nil {
			return img
		}
		return out
	}
}

// AttackResize scales by k with an area (box) filter.
func AttackResize(k float64) func(*image.RGBA) image.Image { return AttackResizeXY(k, k) }

// AttackResizeXY scales img by kx across and ky down with an area filter.
func AttackResizeXY(kx, ky float64) func(*image.RGBA) image.Image {
	return func(img *image.RGBA) image.Image {
		b := img.Bounds()
		w, h := b.Dx(), b.Dy()
		nw, nh := int(math.Round(float64(w)*kx)), int(math.Round(float64(h)*ky))
		out := image.NewRGBA(image.Rect(0, 0, nw, nh))
		fx, wx := areaWeights(w, nw)
		fy, wy := areaWeights(h, nh)
		for y := 0; y < nh; y++ {
			for x := 0; x < nw; x++ {
				var acc [4]float64
				for j, wyv := range wy[y] {
					for i, wxv := range wx[x] {
						o := img.PixOffset(fx[x]+i, fy[y]+j)
						for c := 0; c < 4; c++ {
							acc[c] += float64(wxv) * float64(wyv) * float64(img.Pix[o+c])
						}
					}
				}
				o := out.PixOffset(x, y)
				for c := 0; c < 4; c++ {
					out.Pix[o+c] = uint8(math.Max(0, math.Min(255, math.Round(acc[c]))))
				}
			}
		}
		return out
	}
}

// AttackCrop keeps the fraction fw×fh of the picture, its top-left corner at
// the fractions (ax, ay) of the margin.
func AttackCrop(fw, fh, ax, ay float64) func(*image.RGBA) image.Image {
	return func(img *image.RGBA) image.Image {
		b := img.Bounds()
		w, h := int(float64(b.Dx())*fw), int(float64(b.Dy())*fh)
		x0 := b.Min.X + int(float64(b.Dx()-w)*ax)
		y0 := b.Min.Y + int(float64(b.Dy()-h)*ay)
		return toRGBA(img.SubImage(image.Rect(x0, y0, x0+w, y0+h)))
	}
}

// AttackNoise adds Gaussian noise of deviation sigma (seeded).
func AttackNoise(sigma float64, seed uint64) func(*image.RGBA) image.Image {
	return func(img *image.RGBA) image.Image {
		rng := rand.New(rand.NewPCG(seed, 7))
		out := cloneRGBA(img)
		for i := range out.Pix {
			if i%4 == 3 {
				continue
			}
			v := float64(out.Pix[i]) + sigma*rng.NormFloat64()
			out.Pix[i] = uint8(math.Max(0, math.Min(255, math.Round(v))))
		}
		return out
	}
}

// AttackBrightness multiplies every channel by k.
func AttackBrightness(k float64) func(*image.RGBA) image.Image {
	return func(img *image.RGBA) image.Image {
		out := cloneRGBA(img)
		for i := range out.Pix {
			if i%4 == 3 {
				continue
			}
			out.Pix[i] = uint8(math.Max(0, math.Min(255, math.Round(float64(out.Pix[i])*k))))
		}
		return out
	}
}

// An Attack is one change a watermark must survive (or is measured
// against): re-encoding, resizing, cropping, noise, brightness.
type Attack struct {
	Name  string
	Apply func(*image.RGBA) image.Image
}

// RequiredAttacks are the required attacks.
var RequiredAttacks = []Attack{
	{"none", func(img *image.RGBA) image.Image { return img }},
	{"JPEG q90", AttackJPEG(90)},
	{"JPEG q75", AttackJPEG(75)},
	{"JPEG q50", AttackJPEG(50)},
	{"resize 0.5", AttackResize(0.5)},
	{"crop central 71%×71%", AttackCrop(0.71, 0.71, 0.5, 0.5)},
	{"crop left half", AttackCrop(0.5, 1, 0, 0)},
	{"noise σ=5", AttackNoise(5, 1)},
	{"brightness ×0.8", AttackBrightness(0.8)},
	{"brightness ×1.2", AttackBrightness(1.2)},
}

// ExtraAttacks are measured in the robustness table but not required.
var ExtraAttacks = []Attack{
	{"resize 0.75", AttackResize(0.75)},
	{"resize 0.6", AttackResize(0.6)},
	{"crop 50% off-centre (top-left 71%)", AttackCrop(0.71, 0.71, 0.13, 0.37)},
	{"JPEG q30", AttackJPEG(30)},
	{"noise σ=10", AttackNoise(10, 2)},
	{"resize 0.5 + JPEG q75", func(img *image.RGBA) image.Image { return AttackJPEG(75)(toRGBA(AttackResize(0.5)(img))) }},
	{"crop 71% + JPEG q75", func(img *image.RGBA) image.Image {
		return AttackJPEG(75)(toRGBA(AttackCrop(0.71, 0.71, 0.5, 0.5)(img)))
	}},
	// Beyond the design, to show where it breaks.
	{"JPEG q20", AttackJPEG(20)},
	{"resize 0.33", AttackResize(1.0 / 3)},
	{"crop 25% (central 50%×50%)", AttackCrop(0.5, 0.5, 0.5, 0.5)},
	{"noise σ=20", AttackNoise(20, 4)},
	{"brightness ×1.5", AttackBrightness(1.5)},
	{"aspect change (width ×0.9)", AttackResizeXY(0.9, 1)},
}

// PSNR is the peak signal-to-noise ratio of b against a, in dB, over the
// colour channels.
func PSNR(a, b *image.RGBA) float64 {
	var se float64
	n := 0
	for i := range a.Pix {
		if i%4 == 3 {
			continue
		}
		d := float64(a.Pix[i]) - float64(b.Pix[i])
		se += d * d
		n++
	}
	if se == 0 {
		return math.Inf(1)
	}
	return 10 * math.Log10(255*255/(se/float64(n)))
}

// BitAccuracy is the fraction of payload bits read right. When the
// check fails it compares the payload of the decoder's most confident
// read instead.
func BitAccuracy(img image.Image, p Payload) (float64, Detection) {
	d := detect(img)
	diff := uint64(d.guess ^ p)
	n := 0
	for ; diff != 0; diff &= diff - 1 {
		n++
	}
	return 1 - float64(n)/64, d.best
}
