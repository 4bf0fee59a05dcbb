package label

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// Errors a caller may test for.
var (
	ErrFormat   = errors.New("unsupported file format")
	ErrNoLabel  = errors.New("no AIGC label")
	ErrDamaged  = errors.New("damaged file")
	pngMagic    = []byte("\x89PNG\r\n\x1a\n")
	xmpKeyword  = "XML:com.adobe.xmp"
	jpegXMPHead = []byte("http://ns.adobe.com/xap/1.0/\x00")
)

// Format names a file's container from its first bytes: "png", "jpeg",
// or "" when unknown.
func Format(b []byte) string {
	switch {
	case bytes.HasPrefix(b, pngMagic):
		return "png"
	case len(b) >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff:
		return "jpeg"
	}
	return ""
}

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
		err = pngChunks(file, func(typ string, data []byte, _, _ int) error {
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
		err = jpegSegments(file, func(marker byte, data []byte, _, _ int) error {
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

// maxChunk bounds a PNG chunk or JPEG segment read.
const maxChunk = 256 << 20

// pngChunks calls fn with each chunk's type, data and byte range [start,
// end) in the file, until IEND, the end or fn's error.
func pngChunks(b []byte, fn func(typ string, data []byte, start, end int) error) error {
	if !bytes.HasPrefix(b, pngMagic) {
		return fmt.Errorf("label: not a PNG: %w", ErrFormat)
	}
	for i := len(pngMagic); i < len(b); {
		if len(b)-i < 12 {
			return fmt.Errorf("label: PNG chunk at byte %d is truncated: %w", i, ErrDamaged)
		}
		n := binary.BigEndian.Uint32(b[i:])
		if n > maxChunk || uint64(n)+12 > uint64(len(b)-i) {
			return fmt.Errorf("label: PNG chunk at byte %d claims %d bytes: %w", i, n, ErrDamaged)
		}
		typ := string(b[i+4 : i+8])
		end := i + 12 + int(n)
		if err := fn(typ, b[i+8:i+8+int(n)], i, end); err != nil {
			return err
		}
		if typ == "IEND" {
			return nil
		}
		i = end
	}
	return fmt.Errorf("label: PNG has no IEND chunk: %w", ErrDamaged)
}

// pngChunk encodes one chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	c := make([]byte, 0, 12+len(data))
	c = binary.BigEndian.AppendUint32(c, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
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
	err := pngChunks(file, func(typ string, data []byte, start, end int) error {
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
	out.Write(pngMagic)
	for i, k := range kept {
		out.Write(file[k[0]:k[1]])
		if i == 0 { // IHDR comes first
			out.Write(pngChunk("iTXt", append([]byte(xmpKeyword+"\x00\x00\x00\x00\x00"), packet...)))
		}
	}
	return out.Bytes(), nil
}

// jpegSegments calls fn with each marker segment before the image data
// (SOS), with its marker, payload and byte range in the file.
func jpegSegments(b []byte, fn func(marker byte, data []byte, start, end int) error) error {
	if Format(b) != "jpeg" {
		return fmt.Errorf("label: not a JPEG: %w", ErrFormat)
	}
	for i := 2; i < len(b); {
		if b[i] != 0xff {
			return fmt.Errorf("label: JPEG marker expected at byte %d: %w", i, ErrDamaged)
		}
		if i+1 >= len(b) {
			break
		}
		m := b[i+1]
		if m == 0xff { // fill byte
			i++
			continue
		}
		if m == 0xd8 || (m >= 0xd0 && m <= 0xd7) || m == 0x01 {
			i += 2
			continue
		}
		if m == 0xda || m == 0xd9 { // start of scan or end: the header is over
			return nil
		}
		if i+4 > len(b) {
			break
		}
		n := int(binary.BigEndian.Uint16(b[i+2:]))
		if n < 2 || i+2+n > len(b) {
			return fmt.Errorf("label: JPEG segment at byte %d claims %d bytes: %w", i, n, ErrDamaged)
		}
		if err := fn(m, b[i+4:i+2+n], i, i+2+n); err != nil {
			return err
		}
		i += 2 + n
	}
	return fmt.Errorf("label: JPEG ends before its image data: %w", ErrDamaged)
}

func embedJPEG(file []byte, a AIGC) ([]byte, error) {
	var old []byte
	insertAt := 2 // after SOI, and after APP0 JFIF / APP1 Exif when present
	err := jpegSegments(file, func(m byte, data []byte, start, end int) error {
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
	err = jpegSegments(file, func(m byte, data []byte, start, end int) error {
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
