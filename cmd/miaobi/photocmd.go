package main

import (
	"flag"
	"fmt"
	"image"
	"io"
	"path/filepath"
	"strings"

	"miaobi/photo"
)

const adjustHelp = `Usage: miaobi adjust IN -o OUT [--crop X,Y,W,H] [--rotate DEG] [--resize WxH]
                     [--brightness B] [--contrast C] [--saturation S]

Edits a picture (JPEG, PNG, GIF or WebP) for the editing stage. The steps
run in this order: crop, rotate (clockwise, degrees), resize (WxH, Wx or
xH keeps the aspect ratio), then tone. Brightness, contrast and
saturation go from -1 to 1; 0 leaves the picture as it is. OUT is .png or
.jpg.

Examples:
  miaobi adjust photo.jpg --crop 100,50,800,600 --resize 1024x -o out.jpg
  miaobi adjust photo.jpg --rotate 90 --brightness 0.1 --saturation -1 -o grey.png

Flags:
`

// imageIO holds the flags every picture command shares and reads its
// input and checks its output path.
type imageIO struct {
	out       *string
	maxPixels *int
}

func imageFlags(fs *flag.FlagSet) imageIO {
	return imageIO{
		out:       fs.String("o", "", "output file: .png or .jpg"),
		maxPixels: fs.Int("max-pixels", photo.DefaultMaxPixels, "refuse input pictures with more pixels than this"),
	}
}

// open checks the arguments (one input file, an output path) and decodes
// the input.
func (io imageIO) open(fs *flag.FlagSet) (image.Image, error) {
	if fs.NArg() != 1 {
		return nil, fmt.Errorf("give one input picture (got %d arguments)", fs.NArg())
	}
	if err := checkOut(*io.out); err != nil {
		return nil, err
	}
	img, _, err := photo.Open(fs.Arg(0), *io.maxPixels)
	if err != nil {
		return nil, err
	}
	return img, nil
}

// checkOut checks an output path names a format Miaobi writes.
func checkOut(out string) error {
	if out == "" {
		return fmt.Errorf("give the output file with -o out.png (or .jpg)")
	}
	ext := strings.ToLower(filepath.Ext(out))
	if ext != ".png" && ext != ".jpg" && ext != ".jpeg" {
		return fmt.Errorf("output %q: write .png or .jpg", out)
	}
	return nil
}

func runAdjust(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("adjust", flag.ContinueOnError)
	fs.SetOutput(stderr)
	pio := imageFlags(fs)
	crop := fs.String("crop", "", "keep the rectangle X,Y,W,H (pixels from the top-left corner)")
	rotate := fs.Float64("rotate", 0, "turn clockwise by this many degrees")
	resize := fs.String("resize", "", "scale to WxH; Wx or xH keeps the aspect ratio")
	brightness := fs.Float64("brightness", 0, "from -1 (black) to 1 (white)")
	contrast := fs.Float64("contrast", 0, "from -1 (flat grey) to 1 (doubled)")
	saturation := fs.Float64("saturation", 0, "from -1 (black and white) to 1 (doubled)")
	fs.Usage = func() { fmt.Fprint(stderr, adjustHelp); fs.PrintDefaults() }
	if err := parseInterspersed(fs, args); err != nil {
		return parseExit(err)
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "miaobi adjust: %s\n", strings.ReplaceAll(err.Error(), "photo: ", ""))
		return code
	}
	img, err := pio.open(fs)
	if err != nil {
		return fail(2, err)
	}
	var cur image.Image = img
	if *crop != "" {
		var x, y, w, h int
		if n, err := fmt.Sscanf(*crop, "%d,%d,%d,%d", &x, &y, &w, &h); n != 4 || err != nil || w <= 0 || h <= 0 {
			return fail(2, fmt.Errorf("--crop %q: give X,Y,W,H with a positive width and height, e.g. 100,50,800,600", *crop))
		}
		if cur, err = photo.Crop(cur, image.Rect(x, y, x+w, y+h)); err != nil {
			return fail(2, err)
		}
	}
	if *rotate != 0 {
		if cur, err = photo.Rotate(cur, *rotate); err != nil {
			return fail(2, err)
		}
	}
	if *resize != "" {
		w, h, err := parseResize(*resize)
		if err != nil {
			return fail(2, err)
		}
		if cur, err = photo.Resize(cur, w, h); err != nil {
			return fail(2, err)
		}
	}
	if *brightness != 0 || *contrast != 0 || *saturation != 0 {
		if cur, err = photo.Tone(cur, *brightness, *contrast, *saturation); err != nil {
			return fail(2, err)
		}
	}
	if err := writeImage(*pio.out, cur); err != nil {
		return fail(1, err)
	}
	b := cur.Bounds()
	fmt.Fprintf(stdout, "wrote %s (%d×%d)\n", *pio.out, b.Dx(), b.Dy())
	return 0
}

// parseResize reads WxH, Wx or xH.
func parseResize(s string) (w, h int, err error) {
	bad := fmt.Errorf("--resize %q: give WxH, Wx or xH in pixels, e.g. 1024x768 or 1024x", s)
	ws, hs, ok := strings.Cut(strings.ToLower(s), "x")
	if !ok || (ws == "" && hs == "") {
		return 0, 0, bad
	}
	if ws != "" {
		if _, err := fmt.Sscanf(ws, "%d", &w); err != nil || w <= 0 {
			return 0, 0, bad
		}
	}
	if hs != "" {
		if _, err := fmt.Sscanf(hs, "%d", &h); err != nil || h <= 0 {
			return 0, 0, bad
		}
	}
	return w, h, nil
}
