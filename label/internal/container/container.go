// Package container walks the containers Miaobi's labels are written
// into — PNG chunks, JPEG marker segments and RIFF (WAV) chunks — for the
// implicit AIGC label (package label) and for C2PA (package label/c2pa),
// which both read and splice the same structures. ISO BMFF boxes have
// their own package, label/internal/bmff.
//
// The walkers check every length against the bytes that are there and
// return errors wrapping ErrDamaged (a structure that does not hold
// together) or ErrFormat (not the format asked for); their messages start
// "label: ", as the label package's do. An error fn returns stops a walk
// and comes back unchanged.
package container

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
)

// Errors a caller may test for; package label re-exports them.
var (
	ErrFormat  = errors.New("unsupported file format")
	ErrDamaged = errors.New("damaged file")
)

// PNGMagic is the signature every PNG file starts with.
var PNGMagic = []byte("\x89PNG\r\n\x1a\n")

// Image names an image file's container from its first bytes: "png", "jpeg",
// or "" when unknown.
func Image(b []byte) string {
	switch {
	case bytes.HasPrefix(b, PNGMagic):
		return "png"
	case len(b) >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff:
		return "jpeg"
	}
	return ""
}

// MaxChunk bounds a PNG chunk or JPEG segment read.
const MaxChunk = 256 << 20

// PNGChunks calls fn with each chunk's type, data and byte range [start,
// end) in the file, until IEND, the end or fn's error.
func PNGChunks(b []byte, fn func(typ string, data []byte, start, end int) error) error {
	if !bytes.HasPrefix(b, PNGMagic) {
		return fmt.Errorf("label: not a PNG: %w", ErrFormat)
	}
	for i := len(PNGMagic); i < len(b); {
		if len(b)-i < 12 {
			return fmt.Errorf("label: PNG chunk at byte %d is truncated: %w", i, ErrDamaged)
		}
		n := binary.BigEndian.Uint32(b[i:])
		if n > MaxChunk || uint64(n)+12 > uint64(len(b)-i) {
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

// PNGChunk encodes one chunk with its CRC.
func PNGChunk(typ string, data []byte) []byte {
	c := make([]byte, 0, 12+len(data))
	c = binary.BigEndian.AppendUint32(c, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// JPEGSegments calls fn with each marker segment before the image data
// (SOS), with its marker, payload and byte range in the file.
func JPEGSegments(b []byte, fn func(marker byte, data []byte, start, end int) error) error {
	if Image(b) != "jpeg" {
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
