package label

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"miaobi/label/internal/container"
)

// Errors a caller may test for.
var (
	ErrFormat   = container.ErrFormat
	ErrNoLabel  = errors.New("no AIGC label")
	ErrDamaged  = container.ErrDamaged
	xmpKeyword  = "XML:com.adobe.xmp"
	jpegXMPHead = []byte("http://ns.adobe.com/xap/1.0/\x00")
)

// Format names a file's container from its first bytes: "png", "jpeg",
// or "" when unknown.
func Format(b []byte) string { return container.Image(b) }

// EmbedAIGC writes the implicit label into a PNG (an iTXt chunk
// XML:com.adobe.xmp after IHDR) or a JPEG (an APP1 XMP segment after
// APP0/APP1 Exif), replacing any AIGC label already there and keeping any
// other XMP (GB 45438 §6.1 c: one implicit label per file).
func EmbedAIGC(file []byte, a AIGC) ([]byte, error) {
	if err := a.Validate(); err != nil {
		return nil, err
	}
	switch Format(file) {
	case "png":
		return embedPNG(file, a)
	case "jpeg":
		return embedJPEG(file, a)
	}
	return nil, fmt.Errorf("label: %w: implicit labels go into PNG and JPEG files", ErrFormat)
}

// ReadAIGC finds the implicit label in a PNG (iTXt XMP, or a tEXt chunk
// keyed AIGC) or a JPEG (APP1 XMP), accepting both JSON shapes. It
// returns the label and where it was found.
func ReadAIGC(file []byte) (AIGC, string, error) {
	var found AIGC
	var where string
	take := func(a AIGC, at string) error {
		found, where = a, at
		return io.EOF // stop walking
	}
	var err error
	switch Format(file) {
	case "png":
		err = container.PNGChunks(file, func(typ string, data []byte, _, _ int) error {
			switch typ {
			case "iTXt":
				if key, text, err := readITXt(data); err == nil && key == xmpKeyword {
					if _, a, err := parseXMP(text); err == nil {
						return take(a, "PNG iTXt XML:com.adobe.xmp (XMP TC260:AIGC)")
					}
				}
			case "tEXt":
				if key, text, ok := bytes.Cut(data, []byte{0}); ok && string(key) == "AIGC" {
					if a, err := ParseAIGC(string(text)); err == nil {
						return take(a, "PNG tEXt AIGC")
					}
				}
			}
			return nil
		})
	case "jpeg":
		err = container.JPEGSegments(file, func(marker byte, data []byte, _, _ int) error {
			if marker == 0xe1 && bytes.HasPrefix(data, jpegXMPHead) {
				if _, a, err := parseXMP(data[len(jpegXMPHead):]); err == nil {
					return take(a, "JPEG APP1 XMP (TC260:AIGC)")
				}
			}
			return nil
		})
	default:
		return AIGC{}, "", fmt.Errorf("label: %w", ErrFormat)
	}
	if err != nil && err != io.EOF {
		return AIGC{}, "", err
	}
	if where == "" {
		return AIGC{}, "", ErrNoLabel
	}
	return found, where, nil
}

// readITXt splits an iTXt chunk into its keyword and (inflated) text.
func readITXt(data []byte) (string, []byte, error) {
	key, rest, ok := bytes.Cut(data, []byte{0})
	if !ok || len(rest) < 2 {
		return "", nil, errors.New("bad iTXt")
	}
	compressed := rest[0] == 1
	rest = rest[2:]
	for range 2 { // language tag, translated keyword
		if _, rest, ok = bytes.Cut(rest, []byte{0}); !ok {
			return "", nil, errors.New("bad iTXt")
		}
	}
	if compressed {
		zr, err := zlib.NewReader(bytes.NewReader(rest))
		if err != nil {
			return "", nil, err
		}
		text, err := io.ReadAll(io.LimitReader(zr, maxXMP+1))
		if err != nil {
			return "", nil, err
		}
		return string(key), text, nil
	}
	return string(key), rest, nil
}

func embedPNG(file []byte, a AIGC) ([]byte, error) {
	// Is this chunk an implicit label to be replaced? Any old XMP is kept
	// to be merged into the new packet.
	var old []byte
	replaced := func(typ string, data []byte) bool {
		switch typ {
		case "iTXt":
			if key, text, err := readITXt(data); err == nil && key == xmpKeyword {
				old = text
				return true
			}
		case "tEXt":
			key, _, ok := bytes.Cut(data, []byte{0})
			return ok && string(key) == "AIGC"
		}
		return false
	}
	var kept [][2]int
	err := container.PNGChunks(file, func(typ string, data []byte, start, end int) error {
		if !replaced(typ, data) {
			kept = append(kept, [2]int{start, end})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	packet := packetFor(old, a)
	var out bytes.Buffer
	out.Write(container.PNGMagic)
	for i, k := range kept {
		out.Write(file[k[0]:k[1]])
		if i == 0 { // IHDR comes first
			out.Write(container.PNGChunk("iTXt", append([]byte(xmpKeyword+"\x00\x00\x00\x00\x00"), packet...)))
		}
	}
	return out.Bytes(), nil
}

func embedJPEG(file []byte, a AIGC) ([]byte, error) {
	var old []byte
	insertAt := 2 // after SOI, and after APP0 JFIF / APP1 Exif when present
	err := container.JPEGSegments(file, func(m byte, data []byte, start, end int) error {
		switch {
		case m == 0xe1 && bytes.HasPrefix(data, jpegXMPHead):
			old = data[len(jpegXMPHead):]
		case (m == 0xe0 || m == 0xe1) && start == insertAt:
			insertAt = end
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	packet := packetFor(old, a)
	if len(jpegXMPHead)+len(packet)+2 > 0xffff {
		return nil, errors.New("label: the XMP packet is too large for one JPEG segment")
	}
	var out bytes.Buffer
	out.Write(file[:insertAt])
	out.Write([]byte{0xff, 0xe1})
	out.Write(binary.BigEndian.AppendUint16(nil, uint16(2+len(jpegXMPHead)+len(packet))))
	out.Write(jpegXMPHead)
	out.Write(packet)
	// The rest, without any old XMP segment.
	pos := insertAt
	err = container.JPEGSegments(file, func(m byte, data []byte, start, end int) error {
		if start < insertAt {
			return nil
		}
		out.Write(file[pos:start])
		if !(m == 0xe1 && bytes.HasPrefix(data, jpegXMPHead)) {
			out.Write(file[start:end])
		}
		pos = end
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Write(file[pos:])
	return out.Bytes(), nil
}

// packetFor is the XMP packet to write: old with the label merged in, or
// a fresh packet when there was none.
func packetFor(old []byte, a AIGC) []byte {
	if old == nil {
		return XMPPacket(a)
	}
	return MergeXMP(old, a)
}
