package container

// WAV files: a RIFF container of form type WAVE holding a "fmt " chunk
// (the sample format) and a "data" chunk (the samples), and any other
// chunks (LIST/INFO text, the AIGC label, C2PA …). Every chunk is an
// ID of four characters, a 32-bit little-endian size and the data, padded
// to an even length.

import (
	"encoding/binary"
	"fmt"
)

// MaxRIFFChunk is the largest chunk the RIFF walker reads (2 GiB).
const MaxRIFFChunk = 2 << 30

// RIFFChunk is one top-level chunk of a RIFF file.
type RIFFChunk struct {
	ID    string
	Data  []byte
	Start int // offset of the chunk header
	End   int // offset after the data and its pad byte
}

// RIFFChunks lists the top-level chunks of a RIFF WAVE file. It also
// returns where the RIFF form ends as its size field says (bytes after it
// are not part of the form, but are kept by the writers). With toFileEnd
// it walks every byte of the file instead of stopping there (C2PA binds
// the whole file, and streaming writers leave that size wrong).
func RIFFChunks(b []byte, toFileEnd bool) ([]RIFFChunk, int, error) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return nil, 0, fmt.Errorf("label: wav: %w: not a RIFF WAVE file", ErrFormat)
	}
	end := len(b)
	// A size that covers less than the file leaves trailing bytes out;
	// one that covers more (a file cut short, or written while streaming)
	// is caught by the chunk that runs past the end.
	if size := binary.LittleEndian.Uint32(b[4:8]); !toFileEnd && size >= 4 && uint64(size)+8 < uint64(len(b)) {
		end = int(size) + 8
	}
	var out []RIFFChunk
	for off := 12; off < end; {
		if end-off < 8 {
			if AllZero(b[off:end]) {
				break // a stray pad byte or two
			}
			return out, end, fmt.Errorf("label: wav: %w: %d stray bytes at offset %d, too few for a chunk header", ErrDamaged, end-off, off)
		}
		id := b[off : off+4]
		for _, c := range id {
			if c < 0x20 || c > 0x7e {
				return out, end, fmt.Errorf("label: wav: %w: chunk ID %q at offset %d is not four printable characters", ErrDamaged, id, off)
			}
		}
		size := uint64(binary.LittleEndian.Uint32(b[off+4 : off+8]))
		if size == 0xffffffff && string(id) == "data" {
			size = uint64(end - off - 8) // written while streaming: to the end
		}
		if size > MaxRIFFChunk {
			return out, end, fmt.Errorf("label: wav: chunk %q at offset %d declares %d bytes; at most %d (2 GiB) are read", id, off, size, MaxRIFFChunk)
		}
		dataEnd := uint64(off) + 8 + size
		if dataEnd > uint64(end) {
			return out, end, fmt.Errorf("label: wav: %w: chunk %q at offset %d declares %d bytes, but only %d follow (truncated file)", ErrDamaged, id, off, size, end-off-8)
		}
		next := int(dataEnd) + int(size&1)
		if next > end {
			next = end // the last chunk's pad byte is often left out
		}
		out = append(out, RIFFChunk{ID: string(id), Data: b[off+8 : int(dataEnd)], Start: off, End: next})
		off = next
	}
	return out, end, nil
}

// AllZero reports whether b holds only zero bytes (padding).
func AllZero(b []byte) bool {
	for _, c := range b {
		if c != 0 {
			return false
		}
	}
	return true
}
