package film

import (
	"encoding/binary"
	"image"
)

// Layers: what Miaobi draws once and lays over many frames — the label,
// the writing's veil and finished characters, subtitles, stickers — kept
// as premultiplied RGBA pictures whose bounds are where they go on the
// frame.

// canvases are an opaque black and an opaque white picture of r, to draw
// the same thing on both (see matte).
func canvases(r image.Rectangle) (black, white *image.RGBA) {
	black, white = image.NewRGBA(r), image.NewRGBA(r)
	for i := range black.Pix {
		black.Pix[i], white.Pix[i] = 0, 255
		if i%4 == 3 {
			black.Pix[i] = 255
		}
	}
	return black, white
}

// matte recovers, within r, the premultiplied layer that drawn over black
// gives black and over white gives white (difference matting: the alpha
// is what white loses, the colour what black gains). Anything drawn with
// "over" — the label's translucent plate, the brush's anti-aliased ink —
// comes back exactly, to a level.
func matte(black, white *image.RGBA, r image.Rectangle) *image.RGBA {
	r = r.Intersect(black.Rect)
	out := image.NewRGBA(r)
	for y := r.Min.Y; y < r.Max.Y; y++ {
		for x := r.Min.X; x < r.Max.X; x++ {
			i, o := black.PixOffset(x, y), out.PixOffset(x, y)
			a := 255 - (int(white.Pix[i+1]) - int(black.Pix[i+1]))
			a = min(255, max(0, a))
			for c := range 3 {
				out.Pix[o+c] = uint8(min(a, int(black.Pix[i+c])))
			}
			out.Pix[o+3] = uint8(a)
		}
	}
	return out
}

// over composites the premultiplied layer onto the opaque dst where it
// lies, two channels a word, on every core.
func over(dst, layer *image.RGBA) {
	r := layer.Rect.Intersect(dst.Rect)
	if r.Empty() {
		return
	}
	parallel(r.Dy(), func(from, to int) {
		for y := r.Min.Y + from; y < r.Min.Y+to; y++ {
			src := layer.Pix[layer.PixOffset(r.Min.X, y):][:4*r.Dx()]
			d := dst.Pix[dst.PixOffset(r.Min.X, y):][:4*r.Dx()]
			for k := 0; k < len(src); k += 4 {
				a := uint32(src[k+3])
				if a == 0 {
					continue
				}
				p := binary.LittleEndian.Uint32(d[k:])
				q := binary.LittleEndian.Uint32(src[k:])
				lo := (q&0x00ff00ff + ((p&0x00ff00ff)*(255-a)+0x00800080)>>8&0x00ff00ff)
				hi := (q>>8&0x00ff00ff + ((p>>8&0x00ff00ff)*(255-a)+0x00800080)>>8&0x00ff00ff) << 8
				binary.LittleEndian.PutUint32(d[k:], (lo&0x00ff00ff|hi&0xff00ff00)|0xff000000)
			}
		}
	})
}
