package label

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"strings"

	"miaobi/paint/glyph"
)

// Default wordings of the explicit label: each has the AI element (AI)
// and the generation element (生成) GB 45438-2025 §5 requires.
const (
	DefaultTextLabel  = "本内容由AI生成"
	DefaultImageLabel = "AI生成"
)

// Colours of the image label: white characters on a dark translucent
// plate read over any picture.
var (
	labelInk   = color.NRGBA{255, 255, 255, 245}
	labelPlate = color.NRGBA{24, 24, 24, 170}
)

// CheckWording checks a label's wording has both elements GB 45438-2025
// requires: 人工智能 or AI, and 生成 or 合成.
func CheckWording(text string) error {
	ai := strings.Contains(text, "人工智能") || strings.Contains(strings.ToUpper(text), "AI")
	gen := strings.Contains(text, "生成") || strings.Contains(text, "合成")
	if !ai || !gen {
		return fmt.Errorf("label: wording %q needs an AI element (人工智能 or AI) and a generation element (生成 or 合成), e.g. %q", text, DefaultTextLabel)
	}
	return nil
}

// Text adds the explicit label to generated text: on its own line at the
// end, or at the start when atStart.
func Text(s, wording string, atStart bool) (string, error) {
	if err := CheckWording(wording); err != nil {
		return "", err
	}
	mark := "【" + wording + "】"
	if atStart {
		return mark + "\n" + s, nil
	}
	return strings.TrimRight(s, "\n") + "\n" + mark + "\n", nil
}

// FindTextLabel reports whether text carries an explicit label: a line
// within its first or last three lines with both required elements.
func FindTextLabel(s string) (string, bool) {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	for i, l := range lines {
		if i >= 3 && i < len(lines)-3 {
			continue
		}
		if CheckWording(l) == nil {
			return strings.TrimSpace(l), true
		}
	}
	return "", false
}

// checkDrawable checks a visible label's wording has both required
// elements and that the fonts can draw every character of it.
func checkDrawable(wording string) error {
	if err := CheckWording(wording); err != nil {
		return err
	}
	if r := glyph.Writable(wording); r != 0 {
		return fmt.Errorf("label: wording %q: no font has 「%c」", wording, r)
	}
	return nil
}

// imageLabelSize is the character size (pixels per em) of the image label
// on a picture whose shortest side is short: the visible height of the
// characters, about 0.82 em in the brush font, must be at least 5% of it.
func imageLabelSize(short int) int {
	return max(6, int(math.Ceil(0.05*float64(short)/0.80)))
}

// labelCorner is where the label plate's bottom-right corner sits: a
// small margin in from the picture's bottom-right corner.
func labelCorner(r image.Rectangle) image.Point {
	m := max(2, min(r.Dx(), r.Dy())/80)
	return image.Pt(r.Max.X-m, r.Max.Y-m)
}

// Image draws the explicit label on a picture's bottom-right corner: the
// wording in white on a dark plate, its characters at least 5% of the
// shortest side tall (GB 45438-2025 §5.2). It returns the plate's box.
func Image(img *image.RGBA, wording string) (image.Rectangle, error) {
	if err := checkDrawable(wording); err != nil {
		return image.Rectangle{}, err
	}
	b := img.Bounds()
	size := imageLabelSize(min(b.Dx(), b.Dy()))
	if box := glyph.CaptionBox(wording, size, labelCorner(b)); !box.In(b) {
		return image.Rectangle{}, fmt.Errorf("label: a %d×%d picture is too small for the label %q at 5%% of its shortest side", b.Dx(), b.Dy(), wording)
	}
	box, _, err := glyph.Caption(img, wording, size, labelCorner(b), labelInk, labelPlate)
	return box, err
}

// CornerMark draws the small mark a video keeps in its corner once the
// full label of its opening seconds is gone: the same plate and wording
// at the same corner, its characters 2.5% of the shortest side tall (at
// least 12 pixels a character). It returns the plate's box.
func CornerMark(img *image.RGBA, wording string) (image.Rectangle, error) {
	if err := checkDrawable(wording); err != nil {
		return image.Rectangle{}, err
	}
	b := img.Bounds()
	size := max(12, int(math.Ceil(0.025*float64(min(b.Dx(), b.Dy()))/0.80)))
	if box := glyph.CaptionBox(wording, size, labelCorner(b)); !box.In(b) {
		return image.Rectangle{}, fmt.Errorf("label: a %d×%d frame is too small for the mark %q", b.Dx(), b.Dy(), wording)
	}
	box, _, err := glyph.Caption(img, wording, size, labelCorner(b), labelInk, labelPlate)
	return box, err
}

// FindImageLabel looks for the label Image draws, where Image draws it:
// it renders the wording's characters on a blank plate of the same size
// and correlates their shape with the picture's brightness there. It
// returns the correlation (1 is a perfect match); above 0.5 the label is
// there. A resized or cropped picture loses it.
func FindImageLabel(img image.Image, wording string) float64 {
	b := img.Bounds()
	if b.Dx() < 8 || b.Dy() < 8 {
		return 0
	}
	size := imageLabelSize(min(b.Dx(), b.Dy()))
	corner := labelCorner(b)
	box := glyph.CaptionBox(wording, size, corner)
	if !box.In(b) {
		return 0
	}
	scratch := image.NewRGBA(box) // the plate alone: Caption draws in absolute coordinates
	_, mask, err := glyph.Caption(scratch, wording, size, corner, labelInk, labelPlate)
	if err != nil {
		return 0
	}
	// Pearson correlation of the text mask with luminance in the box.
	var n, sx, sy, sxx, syy, sxy float64
	for y := box.Min.Y; y < box.Max.Y; y++ {
		for x := box.Min.X; x < box.Max.X; x++ {
			r, g, bl, _ := img.At(x, y).RGBA()
			l := (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(bl)) / 257
			m := 0.0
			if mask[(y-box.Min.Y)*box.Dx()+(x-box.Min.X)] {
				m = 1
			}
			n++
			sx += m
			sy += l
			sxx += m * m
			syy += l * l
			sxy += m * l
		}
	}
	den := math.Sqrt((n*sxx - sx*sx) * (n*syy - sy*sy))
	if den == 0 {
		return 0
	}
	return (n*sxy - sx*sy) / den
}
