package photo

import (
	"fmt"
	"strings"
)

// ParseSize reads a size given as WxH, Wx or xH pixels (0 for the side
// left out, to be kept in proportion).
func ParseSize(s string) (w, h int, err error) {
	bad := fmt.Errorf("photo: size %q: give WxH, Wx or xH in pixels, e.g. 1024x768 or 1024x", s)
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
