package film

import (
	"encoding/binary"
	"image"
	"math"
	"runtime"
	"sync"
)

// View is the part of a picture the camera sees, in the picture's pixels;
// it has the frame's aspect.
type View struct{ X, Y, W, H float64 }

// Move is a camera move from one view to another, eased in and out so it
// starts and stops without a jolt.
type Move struct{ From, To View }

// At is the view at t, 0 to 1.
func (m Move) At(t float64) View {
	t = min(1, max(0, t))
	e := t * t * (3 - 2*t) // smoothstep
	lerp := func(a, b float64) float64 { return a + (b-a)*e }
	return View{lerp(m.From.X, m.To.X), lerp(m.From.Y, m.To.Y), lerp(m.From.W, m.To.W), lerp(m.From.H, m.To.H)}
}

// Handscroll pans across a wide picture from its right end to its left,
// as a handscroll is unrolled, seeing a frame-sized (w×h) window at the
// picture's own scale and height: a pure sideways move, which shoot draws
// at a third of a general move's cost.
func Handscroll(pic image.Rectangle, w, h int) Move {
	pw, ph := float64(pic.Dx()), float64(pic.Dy())
	fw, fh := float64(w), float64(h)
	y := math.Round((ph - fh) / 2)
	return Move{From: View{pw - fw, y, fw, fh}, To: View{0, y, fw, fh}}
}

// KenBurns moves slowly in on a tall picture, from the whole of it to a
// window zoom times smaller, towards its lower middle (a hanging scroll
// read downwards).
func KenBurns(pic image.Rectangle, w, h int, zoom float64) Move {
	pw, ph := float64(pic.Dx()), float64(pic.Dy())
	aspect := float64(w) / float64(h)
	vw, vh := pw, pw/aspect
	if vh > ph {
		vh, vw = ph, ph*aspect
	}
	ew, eh := vw/zoom, vh/zoom
	return Move{
		From: View{(pw - vw) / 2, (ph - vh) / 2, vw, vh},
		To:   View{(pw - ew) * 0.5, (ph - eh) * 0.62, ew, eh},
	}
}

// shoot fills dst with the view of src, bilinearly resampled, on every
// core, and hands each row, while it is in cache, to after (if not nil)
// with a scratch slice of the frame's width.
func shoot(dst, src *image.RGBA, v View, after func(y int, row []byte, scratch []int32)) {
	W, H := dst.Rect.Dx(), dst.Rect.Dy()
	sw, sh := src.Rect.Dx(), src.Rect.Dy()
	sx := v.W / float64(W)
	sy := v.H / float64(H)
	if sx == 1 && sy == 1 && v.Y == math.Floor(v.Y) && v.X >= 0 && int(v.X)+W < sw && int(v.Y)+H <= sh {
		slide(dst, src, v, after)
		return
	}
	// Per column: the left source pixel and the weight of the right one
	// (8-bit fixed point).
	x0 := make([]int32, W)
	wx := make([]int32, W)
	for x := range W {
		fx := v.X + (float64(x)+0.5)*sx - 0.5
		fx = min(max(fx, 0), float64(sw-1)-1e-6)
		i := math.Floor(fx)
		x0[x] = int32(i)
		wx[x] = int32((fx - i) * 256)
	}
	lo, hi := int(x0[0]), min(sw-1, int(x0[W-1])+1) // the source columns used
	rows := func(from, to int) {
		// Each row: the two source rows blended vertically into tmp, then
		// tmp resampled horizontally; both two channels a word (SWAR,
		// 8-bit weights that sum to 256).
		tmp := make([]byte, 4*(hi-lo+2))
		scratch := make([]int32, W)
		for y := from; y < to; y++ {
			fy := v.Y + (float64(y)+0.5)*sy - 0.5
			fy = min(max(fy, 0), float64(sh-1)-1e-6)
			iy := int(fy)
			b := uint32((fy - float64(iy)) * 256)
			a := 256 - b
			r0 := src.Pix[iy*src.Stride+4*lo : iy*src.Stride+4*(hi+1)]
			r1 := src.Pix[min(iy+1, sh-1)*src.Stride+4*lo : min(iy+1, sh-1)*src.Stride+4*(hi+1)]
			t := tmp[:len(r0)]
			r1 = r1[:len(r0)]
			// Two pixels a 64-bit word.
			a64, b64 := uint64(a), uint64(b)
			k := 0
			for ; k+8 <= len(t); k += 8 {
				p := binary.LittleEndian.Uint64(r0[k : k+8 : k+8])
				q := binary.LittleEndian.Uint64(r1[k : k+8 : k+8])
				lo := ((p&0x00ff00ff00ff00ff)*a64 + (q&0x00ff00ff00ff00ff)*b64) >> 8 & 0x00ff00ff00ff00ff
				hi := ((p>>8&0x00ff00ff00ff00ff)*a64 + (q>>8&0x00ff00ff00ff00ff)*b64) & 0xff00ff00ff00ff00
				binary.LittleEndian.PutUint64(t[k:k+8:k+8], lo|hi)
			}
			for ; k+4 <= len(t); k += 4 {
				p := binary.LittleEndian.Uint32(r0[k:])
				q := binary.LittleEndian.Uint32(r1[k:])
				lo := ((p&0x00ff00ff)*a + (q&0x00ff00ff)*b) >> 8 & 0x00ff00ff
				hi := ((p>>8&0x00ff00ff)*a + (q>>8&0x00ff00ff)*b) & 0xff00ff00
				binary.LittleEndian.PutUint32(t[k:], lo|hi)
			}
			last := len(t)/4 - 1
			out := dst.Pix[y*dst.Stride : y*dst.Stride+4*W]
			for x := 0; x < W; x++ {
				i := int(x0[x]) - lo
				j := min(i+1, last)
				wb := uint32(wx[x])
				wa := 256 - wb
				p := binary.LittleEndian.Uint32(t[4*i:])
				q := binary.LittleEndian.Uint32(t[4*j:])
				l := ((p&0x00ff00ff)*wa + (q&0x00ff00ff)*wb) >> 8 & 0x00ff00ff
				h := ((p>>8&0x00ff00ff)*wa + (q>>8&0x00ff00ff)*wb) & 0xff00ff00
				binary.LittleEndian.PutUint32(out[4*x:], l|h|0xff000000)
			}
			if after != nil {
				after(y, out, scratch)
			}
		}
	}
	parallel(H, rows)
}

// slide is shoot for a view at the picture's scale and a whole-pixel
// height: each output pixel is two neighbours of one source row, mixed by
// the one sub-pixel weight of the sideways offset.
func slide(dst, src *image.RGBA, v View, after func(y int, row []byte, scratch []int32)) {
	W, H := dst.Rect.Dx(), dst.Rect.Dy()
	ix := int(math.Floor(v.X))
	a := uint32((v.X - float64(ix)) * 256)
	b := 256 - a
	iy := int(v.Y)
	parallel(H, func(from, to int) {
		scratch := make([]int32, W)
		for y := from; y < to; y++ {
			in := src.Pix[(iy+y)*src.Stride+4*ix : (iy+y)*src.Stride+4*(ix+W+1)]
			out := dst.Pix[y*dst.Stride : y*dst.Stride+4*W]
			// Two channels at a time in one word (SWAR): a+b = 256, so each
			// 16-bit lane holds at most 255·256.
			// Two pixels a 64-bit word, each mixed with the next.
			a64, b64 := uint64(a), uint64(b)
			k := 0
			for ; k+8 <= len(out); k += 8 {
				p := binary.LittleEndian.Uint64(in[k : k+8 : k+8])
				q := binary.LittleEndian.Uint64(in[k+4 : k+12 : k+12])
				lo := ((p&0x00ff00ff00ff00ff)*b64 + (q&0x00ff00ff00ff00ff)*a64) >> 8 & 0x00ff00ff00ff00ff
				hi := ((p>>8&0x00ff00ff00ff00ff)*b64 + (q>>8&0x00ff00ff00ff00ff)*a64) & 0xff00ff00ff00ff00
				binary.LittleEndian.PutUint64(out[k:k+8:k+8], lo|hi)
			}
			for ; k+4 <= len(out); k += 4 {
				p := binary.LittleEndian.Uint32(in[k:])
				q := binary.LittleEndian.Uint32(in[k+4:])
				lo := ((p&0x00ff00ff)*b + (q&0x00ff00ff)*a) >> 8 & 0x00ff00ff
				hi := ((p>>8&0x00ff00ff)*b + (q>>8&0x00ff00ff)*a) & 0xff00ff00
				binary.LittleEndian.PutUint32(out[k:], lo|hi)
			}
			if after != nil {
				after(y, out, scratch)
			}
		}
	})
}

// parallel runs fn over [0, n) in one band per core.
func parallel(n int, fn func(from, to int)) {
	k := min(runtime.GOMAXPROCS(0), max(1, n/64))
	if k <= 1 {
		fn(0, n)
		return
	}
	var wg sync.WaitGroup
	for b := range k {
		from, to := n*b/k, n*(b+1)/k
		wg.Add(1)
		go func() {
			defer wg.Done()
			fn(from, to)
		}()
	}
	wg.Wait()
}
