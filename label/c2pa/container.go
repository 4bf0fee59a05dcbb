package c2pa

// Where a C2PA manifest store lives in PNG and JPEG files (C2PA 2.x
// §A.3, measured against c2pa-rs 0.82.1 output; MP4 and WAV: see
// mp4.go and wav.go):
//
//   - PNG: one ancillary, private, not-safe-to-copy chunk "caBX" holding
//     the store's JUMBF bytes, after IHDR and before the first IDAT.
//   - JPEG: APP11 (0xFFEB) segments after SOI and any leading APP0/APP1,
//     each payload "JP" (common identifier 0x4A50), a 2-byte box
//     instance number En, a 4-byte packet sequence number Z counting from
//     1, then JUMBF bytes. A store too large for one segment goes on in
//     further segments with the same En and the next Z; each repeats the
//     superbox's LBox/TBox header (8 bytes) before the next slice of its
//     payload.
//
// The hard binding (c2pa.hash.data) hashes the whole file except the
// container units that hold the store: the caBX chunk with its length,
// type and CRC, or the APP11 segments with their markers and lengths.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"sort"
	"strings"

	"miaobi/label/internal/bmff"
	"miaobi/label/internal/container"
)

// Errors a caller may test for with errors.Is: a file of a format C2PA
// is not read from or written to here, and one whose structure does not
// hold together. They are the same values as label.ErrFormat and
// label.ErrDamaged.
var (
	ErrFormat  = container.ErrFormat
	ErrDamaged = container.ErrDamaged
)

// pngStoreChunk is the PNG chunk type of a C2PA manifest store.
const pngStoreChunk = "caBX"

// jpegStoreEn is the JUMBF box instance number written for the store
// (the value c2pa-rs writes).
const jpegStoreEn = 0x0211

// jpegMaxSegment is the most payload one JPEG marker segment holds (its
// 16-bit length counts itself).
const jpegMaxSegment = 0xffff - 2

// byteRange is a half-open range [Start, End) of a file.
type byteRange struct{ Start, End int }

// foundStore is a manifest store found in a file: its JUMBF bytes and
// the file ranges of the container units holding it.
type foundStore struct {
	JUMBF  []byte
	Ranges []byteRange
}

// format names the container of a file C2PA is read from and
// written to, from its first bytes: "png", "jpeg", "mp4" (any ISO BMFF
// file starting with ftyp: MP4, MOV, M4A), "wav" (RIFF WAVE), or "".
func format(b []byte) string {
	switch {
	case bmff.Is(b):
		return "mp4"
	case len(b) >= 12 && string(b[:4]) == "RIFF" && string(b[8:12]) == "WAVE":
		return "wav"
	}
	return container.Image(b)
}

// errFormat is the error for a file of another format.
var errFormat = fmt.Errorf("label: c2pa: %w: C2PA is read from and written to PNG, JPEG, MP4 and WAV files", container.ErrFormat)

// findStore returns the C2PA manifest store of a PNG, JPEG, MP4 or WAV,
// or nil when there is none.
func findStore(file []byte) (*foundStore, error) {
	var fs *foundStore
	var err error
	switch format(file) {
	case "png":
		fs, err = findStorePNG(file)
	case "jpeg":
		fs, err = findStoreJPEG(file)
	case "mp4":
		fs, err = findStoreBMFF(file)
	case "wav":
		fs, err = findStoreWAV(file)
	default:
		return nil, errFormat
	}
	return fs, wrapErr(err)
}

// prefixedError rewords an error without hiding it from errors.Is.
type prefixedError struct {
	msg string
	err error
}

func (e prefixedError) Error() string { return e.msg }
func (e prefixedError) Unwrap() error { return e.err }

// wrapErr gives an error from the shared container readers (which say
// "label: …") this file's prefix "label: c2pa: ".
func wrapErr(err error) error {
	if err == nil || strings.HasPrefix(err.Error(), "label: c2pa: ") {
		return err
	}
	return prefixedError{"label: c2pa: " + strings.TrimPrefix(err.Error(), "label: "), err}
}

func findStorePNG(file []byte) (*foundStore, error) {
	var fs *foundStore
	err := container.PNGChunks(file, func(typ string, data []byte, start, end int) error {
		if typ != pngStoreChunk {
			return nil
		}
		if fs != nil {
			return fmt.Errorf("label: c2pa: more than one %s chunk: %w", pngStoreChunk, container.ErrDamaged)
		}
		fs = &foundStore{JUMBF: data, Ranges: []byteRange{{start, end}}}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return fs, nil
}

// app11 is one APP11 JUMBF segment.
type app11 struct {
	En   uint16
	Z    uint32
	Data []byte // JUMBF bytes after CI, En and Z
	R    byteRange
}

// jpegJUMBFSegments lists the APP11 segments carrying JUMBF ("JP").
func jpegJUMBFSegments(file []byte) ([]app11, error) {
	var segs []app11
	err := container.JPEGSegments(file, func(m byte, data []byte, start, end int) error {
		if m != 0xeb || len(data) < 8 || data[0] != 'J' || data[1] != 'P' {
			return nil
		}
		segs = append(segs, app11{
			En: binary.BigEndian.Uint16(data[2:]), Z: binary.BigEndian.Uint32(data[4:]),
			Data: data[8:], R: byteRange{start, end},
		})
		return nil
	})
	return segs, err
}

// isStoreStart reports whether JUMBF bytes begin a C2PA manifest store
// superbox.
func isStoreStart(b []byte) bool {
	// LBox, "jumb", LBox, "jumd", UUID.
	return len(b) >= 32 && string(b[4:8]) == "jumb" && string(b[12:16]) == "jumd" && bytes.Equal(b[16:32], uuidStore[:])
}

func findStoreJPEG(file []byte) (*foundStore, error) {
	segs, err := jpegJUMBFSegments(file)
	if err != nil {
		return nil, err
	}
	// The store is the box instance whose first packet starts a c2pa
	// superbox.
	var en uint16
	found := false
	for _, s := range segs {
		if s.Z == 1 && isStoreStart(s.Data) {
			if found && s.En != en {
				return nil, fmt.Errorf("label: c2pa: more than one manifest store in APP11 segments: %w", container.ErrDamaged)
			}
			en, found = s.En, true
		}
	}
	if !found {
		return nil, nil
	}
	var parts []app11
	for _, s := range segs {
		if s.En == en {
			parts = append(parts, s)
		}
	}
	sort.SliceStable(parts, func(i, j int) bool { return parts[i].Z < parts[j].Z })
	fs := &foundStore{}
	var hdr int
	for i, p := range parts {
		if p.Z != uint32(i+1) {
			return nil, fmt.Errorf("label: c2pa: APP11 packet %d where %d was expected: %w", p.Z, i+1, container.ErrDamaged)
		}
		if i == 0 {
			// isStoreStart checked there are at least 32 bytes.
			hdr = 8
			if binary.BigEndian.Uint32(p.Data) == 1 {
				hdr = 16 // XLBox
			}
			fs.JUMBF = append(fs.JUMBF, p.Data...)
		} else {
			if len(p.Data) < hdr || !bytes.Equal(p.Data[:hdr], parts[0].Data[:hdr]) {
				return nil, fmt.Errorf("label: c2pa: APP11 packet %d does not repeat the box header: %w", p.Z, container.ErrDamaged)
			}
			fs.JUMBF = append(fs.JUMBF, p.Data[hdr:]...)
		}
		fs.Ranges = append(fs.Ranges, p.R)
	}
	return fs, nil
}

// stripStore returns the file without its manifest store's container
// units, and the store (nil when there was none).
func stripStore(file []byte) ([]byte, *foundStore, error) {
	fs, err := findStore(file)
	if err != nil || fs == nil {
		return file, nil, err
	}
	switch format(file) {
	case "mp4": // the boxes after it move back: fix the chunk offsets
		out, err := bmff.Splice(file, fs.Ranges[0].Start, fs.Ranges[0].End, nil)
		return out, fs, wrapErr(err)
	case "wav":
		out, err := stripWAVStore(file, fs.Ranges[0])
		return out, fs, err
	}
	var out []byte
	pos := 0
	for _, r := range fs.Ranges {
		out = append(out, file[pos:r.Start]...)
		pos = r.End
	}
	return append(out, file[pos:]...), fs, nil
}

// insertionPoint returns where the store goes in a file without one:
// after IHDR in a PNG; after SOI and the leading APP0/APP1 segments in a
// JPEG.
func insertionPoint(clean []byte) (int, error) {
	at := -1
	switch container.Image(clean) {
	case "png":
		err := container.PNGChunks(clean, func(typ string, _ []byte, start, end int) error {
			if at < 0 {
				if typ != "IHDR" {
					return fmt.Errorf("label: c2pa: PNG starts with %q, not IHDR: %w", typ, container.ErrDamaged)
				}
				at = end
			}
			return nil
		})
		return at, wrapErr(err)
	case "jpeg":
		at = 2
		err := container.JPEGSegments(clean, func(m byte, _ []byte, start, end int) error {
			if (m == 0xe0 || m == 0xe1) && start == at {
				at = end
			}
			return nil
		})
		return at, wrapErr(err)
	}
	return 0, fmt.Errorf("label: c2pa: %w: C2PA is written into PNG and JPEG files", container.ErrFormat)
}

// containerUnits wraps a store's JUMBF bytes in the file format's
// container units: one caBX chunk, or APP11 segments with box instance
// number en.
func containerUnits(format string, store []byte, en uint16) ([]byte, error) {
	if format == "png" {
		if len(store) > container.MaxChunk {
			return nil, fmt.Errorf("label: c2pa: manifest store of %d bytes is too large for a PNG chunk", len(store))
		}
		return container.PNGChunk(pngStoreChunk, store), nil
	}
	if len(store) < 8 {
		return nil, errors.New("label: c2pa: manifest store too short")
	}
	hdr := store[:8]
	var out []byte
	rest := store
	for z := uint32(1); len(rest) > 0; z++ {
		room := jpegMaxSegment - 8 // CI, En, Z
		var head []byte
		if z > 1 {
			head = hdr
			room -= len(hdr)
		}
		n := min(room, len(rest))
		segLen := 2 + 8 + len(head) + n
		out = append(out, 0xff, 0xeb)
		out = binary.BigEndian.AppendUint16(out, uint16(segLen))
		out = append(out, 'J', 'P')
		out = binary.BigEndian.AppendUint16(out, en)
		out = binary.BigEndian.AppendUint32(out, z)
		out = append(out, head...)
		out = append(out, rest[:n]...)
		rest = rest[n:]
	}
	return out, nil
}

// freeEn returns a JUMBF box instance number no APP11 segment of the
// file uses, preferring jpegStoreEn.
func freeEn(clean []byte) (uint16, error) {
	segs, err := jpegJUMBFSegments(clean)
	if err != nil {
		return 0, wrapErr(err)
	}
	used := map[uint16]bool{}
	for _, s := range segs {
		used[s.En] = true
	}
	for en := uint16(jpegStoreEn); ; en++ {
		if !used[en] {
			return en, nil
		}
	}
}

// Extract returns the C2PA manifest store a PNG, JPEG, MP4 or WAV
// carries, as JUMBF bytes (reassembled from all its APP11 segments in a
// JPEG), or nil when it has none. Pass it as Ingredient.ManifestStore when a
// person's file becomes an ingredient.
func Extract(file []byte) ([]byte, error) {
	fs, err := findStore(file)
	if err != nil || fs == nil {
		return nil, err
	}
	return append([]byte(nil), fs.JUMBF...), nil
}

// Remove returns a PNG, JPEG, MP4 or WAV without its C2PA manifest
// store (the caBX chunk, the store's APP11 segments, the C2PA uuid box
// or the C2PA chunk); other content is kept byte for byte, except the
// MP4 chunk offsets and the RIFF size, which follow the removal. A file
// without a store comes back unchanged.
func Remove(file []byte) ([]byte, error) {
	if format(file) == "" {
		return nil, errFormat
	}
	clean, _, err := stripStore(file)
	return clean, err
}
