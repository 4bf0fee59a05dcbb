package watermark

import (
	"bytes"
	"fmt"
	"image"
	"image/draw"
	"image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"miaobi/paint"
)

// testPicture is a named test picture.
type testPicture struct {
	name string
	img  *image.RGBA
}

var (
	testPicturesOnce sync.Once
	testPicturesList []testPicture
	testPicturesErr  error
)

// testPictures loads the three photographs (451×300 to 640×427) and paints
// three Miaobi pictures (two 1024×512 and one 1920×1080).
func testPictures(t testing.TB) []testPicture {
	t.Helper()
	testPicturesOnce.Do(func() {
		for _, name := range []string{"rocket", "coffee", "chelsea"} {
			f, err := os.Open(filepath.Join("..", "..", "photo", "testdata", name+".jpg"))
			if err != nil {
				testPicturesErr = err
				return
			}
			img, err := jpeg.Decode(f)
			f.Close()
			if err != nil {
				testPicturesErr = err
				return
			}
			testPicturesList = append(testPicturesList, testPicture{name, toRGBA(img)})
		}
		for _, c := range []struct {
			w, h int
			seed uint64
		}{{1024, 512, 1}, {1024, 512, 2}, {1920, 1080, 3}} {
			img, err := paint.Paint(paint.SceneOf("山水松月"), c.w, c.h, c.seed)
			if err != nil {
				testPicturesErr = err
				return
			}
			testPicturesList = append(testPicturesList, testPicture{fmt.Sprintf("painting-%d-%dx%d", c.seed, c.w, c.h), img})
		}
	})
	if testPicturesErr != nil {
		t.Fatal(testPicturesErr)
	}
	return testPicturesList
}

func TestPayloadOf(t *testing.T) {
	// SHA-256("abc") begins ba7816bf8f01cfea.
	if got := PayloadOf("abc"); got != 0xba7816bf8f01cfea {
		t.Fatalf("PayloadOf(abc) = %v", got)
	}
	if PayloadOf("a") == PayloadOf("b") {
		t.Fatal("different IDs gave one payload")
	}
}

func TestWatermarkCode(t *testing.T) {
	for _, p := range []Payload{0, 1, 0xffffffffffffffff, PayloadOf("x")} {
		coded := encode(p)
		var soft [codedBits]float64
		for i, b := range coded {
			soft[i] = 1 - 2*float64(b)
		}
		// Flip 20 code bits spread over the word.
		for i := 0; i < 20; i++ {
			soft[(i*37)%codedBits] *= -1
		}
		got, ok, _, flips := viterbi(&soft)
		if !ok || got != p || flips != 20 {
			t.Errorf("payload %v: got %v ok=%v flips=%d", p, got, ok, flips)
		}
	}
}

func TestWatermarkRoundTrip(t *testing.T) {
	for _, pic := range testPictures(t) {
		t.Run(pic.name, func(t *testing.T) {
			img := cloneRGBA(pic.img)
			p := PayloadOf("round-trip/" + pic.name)
			if err := Embed(img, p); err != nil {
				t.Fatal(err)
			}
			det := Detect(img)
			if !det.Found || det.Payload != p {
				t.Fatalf("got %+v, want payload %v", det, p)
			}
			if psnr := PSNR(pic.img, img); psnr < 38 {
				t.Errorf("PSNR %.2f dB < 38", psnr)
			}
		})
	}
}

func TestWatermarkAttacks(t *testing.T) {
	pics := testPictures(t)
	for _, pic := range pics {
		img := cloneRGBA(pic.img)
		p := PayloadOf("attacks/" + pic.name)
		if err := Embed(img, p); err != nil {
			t.Fatal(err)
		}
		for _, a := range RequiredAttacks {
			t.Run(pic.name+"/"+strings.ReplaceAll(a.Name, " ", "_"), func(t *testing.T) {
				att := a.Apply(cloneRGBA(img))
				det := Detect(att)
				if !det.Found || det.Payload != p {
					t.Errorf("got %+v, want payload %v", det, p)
				}
			})
		}
	}
}

func TestWatermarkRobustnessTable(t *testing.T) {
	pics := testPictures(t)
	type row struct {
		acc      float64
		found, n int
		errs     int
		conf     float64
	}
	attacks := append(append([]Attack{}, RequiredAttacks...), ExtraAttacks...)
	rows := make([]row, len(attacks))
	var embedDur, detectDur time.Duration
	var embedPx, detectPx float64
	var psnrs []string
	for _, pic := range pics {
		img := cloneRGBA(pic.img)
		p := PayloadOf("table/" + pic.name)
		start := time.Now()
		if err := Embed(img, p); err != nil {
			t.Fatal(err)
		}
		embedDur += time.Since(start)
		embedPx += float64(len(img.Pix) / 4)
		psnrs = append(psnrs, fmt.Sprintf("%s %.1f dB", pic.name, PSNR(pic.img, img)))
		for i, a := range attacks {
			att := a.Apply(cloneRGBA(img))
			start := time.Now()
			acc, det := BitAccuracy(att, p)
			if i == 0 {
				detectDur += time.Since(start)
				b := att.Bounds()
				detectPx += float64(b.Dx() * b.Dy())
			}
			rows[i].acc += acc
			rows[i].n++
			if det.Found && det.Payload == p {
				rows[i].found++
				rows[i].errs += det.BitErrors
				rows[i].conf += det.Confidence
			}
			if testing.Verbose() && (!det.Found || det.Payload != p) {
				t.Logf("%s / %s: %+v, bit accuracy %.3f", pic.name, a.Name, det, acc)
			}
		}
	}
	var sb strings.Builder
	sb.WriteString("\n| attack | bit accuracy | detection rate | mean corrected code-bit errors (of 306) | mean confidence |\n|---|---|---|---|---|\n")
	for i, a := range attacks {
		r := rows[i]
		errs, conf := "–", "–"
		if r.found > 0 {
			errs = fmt.Sprintf("%.1f", float64(r.errs)/float64(r.found))
			conf = fmt.Sprintf("%.2f", r.conf/float64(r.found))
		}
		fmt.Fprintf(&sb, "| %s | %.3f | %d/%d | %s | %s |\n", a.Name, r.acc/float64(r.n), r.found, r.n, errs, conf)
	}
	fmt.Fprintf(&sb, "\nPSNR: %s\n", strings.Join(psnrs, ", "))
	fmt.Fprintf(&sb, "Embed %.0f ms/MP, detect (unattacked) %.0f ms/MP\n",
		float64(embedDur.Milliseconds())/(embedPx/1e6), float64(detectDur.Milliseconds())/(detectPx/1e6))
	t.Log(sb.String())
}

// unmarked builds at least 200 unmarked pictures: variants of the
// photographs and of paintings at several seeds and scenes, and synthetic
// noise, gradients and periodic textures.
func unmarked(t testing.TB) []testPicture {
	t.Helper()
	var out []testPicture
	add := func(name string, img image.Image) { out = append(out, testPicture{name, toRGBA(img)}) }
	variants := func(name string, img *image.RGBA) {
		add(name, img)
		for i, c := range [][4]float64{{0.5, 0.5, 0, 0}, {0.5, 0.5, 1, 0}, {0.5, 0.5, 0, 1}, {0.5, 0.5, 1, 1}, {0.71, 0.71, 0.5, 0.5}, {0.9, 0.6, 0.3, 0.8}} {
			add(fmt.Sprintf("%s/crop%d", name, i), AttackCrop(c[0], c[1], c[2], c[3])(img))
		}
		add(name+"/resize0.5", AttackResize(0.5)(img))
		add(name+"/resize0.75", AttackResize(0.75)(img))
		add(name+"/jpeg50", AttackJPEG(50)(img))
		add(name+"/noise5", AttackNoise(5, 3)(img))
		add(name+"/bright1.2", AttackBrightness(1.2)(img))
	}
	for _, pic := range testPictures(t) {
		variants(pic.name, pic.img)
	}
	scenes := []string{"山水松月", "江雪", "渔舟唱晚", "松风", "秋山", "春江花月夜", "雁", "孤舟", "山居", "夜泊"}
	for i, s := range scenes {
		for _, seed := range []uint64{uint64(10 + i), uint64(100 + i)} {
			img, err := paint.Paint(paint.SceneOf(s), 480, 320, seed)
			if err != nil {
				t.Fatal(err)
			}
			name := fmt.Sprintf("paint %s/%d", s, seed)
			add(name, img)
			add(name+"/crop", AttackCrop(0.7, 0.7, 0.3, 0.6)(img))
			add(name+"/jpeg75", AttackJPEG(75)(img))
		}
	}
	rng := rand.New(rand.NewPCG(2025, 1))
	for i := 0; i < 90; i++ {
		w, h := 64+rng.IntN(600), 64+rng.IntN(400)
		img := image.NewRGBA(image.Rect(0, 0, w, h))
		kind := i % 6
		sigma := 2 + 30*rng.Float64()
		period := 4 + rng.IntN(120)
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				var v float64
				switch kind {
				case 0: // white noise
					v = 128 + sigma*rng.NormFloat64()
				case 1: // gradient with a little noise
					v = 255*float64(x+y)/float64(w+h) + 2*rng.NormFloat64()
				case 2: // checkerboard of a random period
					v = 60
					if (x/period+y/period)%2 == 0 {
						v = 190
					}
				case 3: // sinusoidal grating
					v = 128 + 60*math.Sin(2*math.Pi*(float64(x)+0.7*float64(y))/float64(period))
				case 4: // flat
					v = float64(i * 4 % 256)
				case 5: // tiled noise: a random tile repeated with a random period
					v = 128 + sigma*math.Sin(float64((x%period)*7919+(y%period)*104729))
				}
				o := img.PixOffset(x, y)
				c := uint8(math.Max(0, math.Min(255, math.Round(v))))
				img.Pix[o], img.Pix[o+1], img.Pix[o+2], img.Pix[o+3] = c, c, c, 255
			}
		}
		add(fmt.Sprintf("synthetic-%d/kind%d", i, kind), img)
	}
	return out
}

func TestWatermarkFalsePositives(t *testing.T) {
	pics := unmarked(t)
	if len(pics) < 200 {
		t.Fatalf("only %d unmarked pictures", len(pics))
	}
	var maxConf float64
	var maxName string
	maxAttempts := 0
	var confs []float64
	for _, pic := range pics {
		d := detect(pic.img)
		if d.best.Found {
			t.Errorf("%s: false positive %+v", pic.name, d.best)
		}
		confs = append(confs, d.best.Confidence)
		if d.best.Confidence >= maxConf {
			maxConf, maxName = d.best.Confidence, pic.name
		}
		maxAttempts = max(maxAttempts, d.attempts)
	}
	t.Logf("%d unmarked pictures: none found; max confidence %.3f (%s); at most %d decodes per picture, so P(false positive) ≤ %d·2⁻³² = %.1e",
		len(pics), maxConf, maxName, maxAttempts, maxAttempts, float64(maxAttempts)/(1<<32))
}

func TestWatermarkTooSmall(t *testing.T) {
	for _, r := range []image.Rectangle{
		image.Rect(0, 0, 0, 0), image.Rect(0, 0, 1, 1), image.Rect(0, 0, 63, 64),
		image.Rect(0, 0, 64, 63), image.Rect(0, 0, 10, 1000), image.Rect(5, 5, 68, 200),
	} {
		img := image.NewRGBA(r)
		if err := Embed(img, 1); err == nil {
			t.Errorf("%v: no error", r)
		} else if !strings.HasPrefix(err.Error(), "label: watermark: ") {
			t.Errorf("%v: error %q", r, err)
		}
		if det := Detect(img); det.Found {
			t.Errorf("%v: found %+v", r, det)
		}
	}
	if err := Embed(nil, 1); err == nil {
		t.Error("nil image: no error")
	}
	if det := Detect(nil); det.Found {
		t.Error("nil image found")
	}
	// The smallest accepted picture takes a mark without error; a single
	// tile of a busy photograph is too little to read back reliably (see
	// TestWatermarkSmallPictures for the size that is).
	img := toRGBA(AttackCrop(64.0/640, 64.0/427, 0.5, 0.5)(testPictures(t)[0].img))
	if err := Embed(img, 42); err != nil {
		t.Fatal(err)
	}
	Detect(img)
}

// TestWatermarkSmallPictures marks 160×160 pieces of every picture (about
// six tiles) and reads them back unattacked.
func TestWatermarkSmallPictures(t *testing.T) {
	for _, pic := range testPictures(t) {
		b := pic.img.Bounds()
		for _, at := range [][2]float64{{0.1, 0.2}, {0.5, 0.5}, {0.9, 0.8}} {
			img := toRGBA(AttackCrop(160/float64(b.Dx()), 160/float64(b.Dy()), at[0], at[1])(pic.img))
			p := PayloadOf(fmt.Sprint(pic.name, at))
			if err := Embed(img, p); err != nil {
				t.Fatal(err)
			}
			if det := Detect(img); !det.Found || det.Payload != p {
				t.Errorf("%s at %v: %+v", pic.name, at, det)
			}
		}
	}
}

func TestWatermarkDeterministic(t *testing.T) {
	pic := testPictures(t)[1]
	a, b, c := cloneRGBA(pic.img), cloneRGBA(pic.img), cloneRGBA(pic.img)
	for _, img := range []*image.RGBA{a, b} {
		if err := Embed(img, 7); err != nil {
			t.Fatal(err)
		}
	}
	if err := Embed(c, 8); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(a.Pix, b.Pix) {
		t.Error("same picture and payload gave different pixels")
	}
	if bytes.Equal(a.Pix, c.Pix) {
		t.Error("different payloads gave the same pixels")
	}
	if d1, d2 := Detect(a), Detect(b); d1 != d2 {
		t.Errorf("detections differ: %+v %+v", d1, d2)
	}
}

// TestWatermarkImageKinds reads the mark through every image type a
// decoder may return, and from a sub-image whose origin is not (0, 0).
func TestWatermarkImageKinds(t *testing.T) {
	pic := testPictures(t)[0]
	big := cloneRGBA(pic.img)
	sub := big.SubImage(image.Rect(40, 30, 600, 400)).(*image.RGBA)
	p := PayloadOf("kinds")
	if err := Embed(sub, p); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(big.Pix[:4*40], pic.img.Pix[:4*40]) {
		t.Error("pixels outside the sub-image changed")
	}
	gray := image.NewGray(sub.Bounds())
	nrgba := image.NewNRGBA(sub.Bounds())
	rgba64 := image.NewRGBA64(sub.Bounds())
	for _, dst := range []draw.Image{gray, nrgba, rgba64} {
		draw.Draw(dst, dst.Bounds(), sub, sub.Bounds().Min, draw.Src)
	}
	for name, img := range map[string]image.Image{
		"RGBA sub-image": sub, "YCbCr": AttackJPEG(90)(toRGBA(sub)), "Gray": gray, "NRGBA": nrgba, "RGBA64": rgba64,
	} {
		if det := Detect(img); !det.Found || det.Payload != p {
			t.Errorf("%s: %+v", name, det)
		}
	}
}

func benchPicture(b *testing.B, w, h int, marked bool) *image.RGBA {
	b.Helper()
	img, err := paint.Paint(paint.SceneOf("山水松月"), w, h, 5)
	if err != nil {
		b.Fatal(err)
	}
	if marked {
		if err := Embed(img, 5); err != nil {
			b.Fatal(err)
		}
	}
	return img
}

// BenchmarkWatermark embeds into a 1-megapixel (1448×724) painting.
func BenchmarkWatermark(b *testing.B) {
	src := benchPicture(b, 1448, 724, false)
	img := cloneRGBA(src)
	b.SetBytes(int64(len(img.Pix)))
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		copy(img.Pix, src.Pix)
		if err := Embed(img, Payload(i)); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDetectWatermark reads a marked 1-megapixel painting (found at
// the first scale tried), and an unmarked 1- and 2-megapixel one (every
// scale tried: the slowest case).
func BenchmarkDetectWatermark(b *testing.B) {
	for _, c := range []struct {
		name   string
		w, h   int
		marked bool
	}{{"marked-1MP", 1448, 724, true}, {"unmarked-1MP", 1448, 724, false}, {"unmarked-2MP", 1920, 1080, false}} {
		b.Run(c.name, func(b *testing.B) {
			img := benchPicture(b, c.w, c.h, c.marked)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				if det := Detect(img); det.Found != c.marked {
					b.Fatalf("found %v", det.Found)
				}
			}
		})
	}
}

// FuzzDetectWatermark builds small pictures of several kinds from bytes;
// Detect must not panic on any of them.
func FuzzDetectWatermark(f *testing.F) {
	f.Add([]byte{40, 40, 0, 1, 2, 3})
	f.Add([]byte{200, 70, 1, 255, 0})
	f.Add([]byte{33, 129, 2})
	f.Add([]byte{64, 64, 3, 7, 7, 7, 7})
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) < 3 {
			return
		}
		w, h := int(data[0])%200, int(data[1])%200
		body := data[3:]
		px := func(i int) uint8 {
			if len(body) == 0 {
				return 0
			}
			return body[i%len(body)] ^ uint8(i*31)
		}
		r := image.Rect(3, -2, 3+w, -2+h)
		var img image.Image
		switch data[2] % 4 {
		case 0:
			m := image.NewRGBA(r)
			for i := range m.Pix {
				m.Pix[i] = px(i)
			}
			img = m
		case 1:
			m := image.NewGray(r)
			for i := range m.Pix {
				m.Pix[i] = px(i)
			}
			img = m
		case 2:
			m := image.NewNRGBA(r)
			for i := range m.Pix {
				m.Pix[i] = px(i)
			}
			img = m
		case 3:
			m := image.NewYCbCr(r, image.YCbCrSubsampleRatio420)
			for i := range m.Y {
				m.Y[i] = px(i)
			}
			img = m
		}
		det := Detect(img)
		if det.Confidence < 0 || det.Confidence > 1 || math.IsNaN(det.Confidence) {
			t.Fatalf("confidence %v", det.Confidence)
		}
	})
}
