package c2pa

// C2PA Content Credentials in WAV, as c2pa-rs 0.82.1 writes them
// (measured on c2pa-node 0.5.5 output): a top-level RIFF chunk "C2PA"
// holding the store's JUMBF bytes, appended after the last chunk, with
// the RIFF size updated; the hard binding is c2pa.hash.data excluding
// the whole chunk (id, size and data) — the RIFF size field itself is
// hashed. Miaobi keeps the store's length even (one byte more of the
// assertion's pad when needed), so the chunk never needs a pad byte.
//
// Only the RIFF chunk list is read here (package label decodes the audio
// in its wav.go); chunk sizes are checked against the file.

import (
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"miaobi/label/internal/container"
)

// wavStoreChunk is the RIFF chunk id of a C2PA manifest store.
const wavStoreChunk = "C2PA"

// SignWAV returns a WAV with a signed C2PA manifest store describing m
// in a RIFF "C2PA" chunk at its end, bound to the rest of the file by
// c2pa.hash.data with that chunk excluded. A store already in the file
// is taken out and chained as an ingredient, as SignJPEG does.
func SignWAV(b []byte, m Manifest, s *Signer) ([]byte, error) {
	if format(b) != "wav" {
		return nil, fmt.Errorf("label: c2pa: SignWAV: %w: not a RIFF WAVE file", container.ErrFormat)
	}
	return sign(b, "wav", m, s)
}

// riffChunks lists a RIFF WAVE file's top-level chunks to the end of
// the file (C2PA binds every byte of it); a last chunk may lack its pad
// byte.
func riffChunks(file []byte) ([]container.RIFFChunk, error) {
	chunks, _, err := container.RIFFChunks(file, true)
	return chunks, err
}

// findStoreWAV returns the store of the file's C2PA chunk, or nil.
func findStoreWAV(file []byte) (*foundStore, error) {
	chunks, err := riffChunks(file)
	if err != nil {
		return nil, err
	}
	var fs *foundStore
	for _, c := range chunks {
		if c.ID != wavStoreChunk {
			continue
		}
		if fs != nil {
			return nil, fmt.Errorf("label: c2pa: more than one %s chunk: %w", wavStoreChunk, container.ErrDamaged)
		}
		fs = &foundStore{JUMBF: c.Data, Ranges: []byteRange{{c.Start, c.End}}}
	}
	return fs, nil
}

// setRIFFSize writes the RIFF size field for the file's length.
func setRIFFSize(file []byte) error {
	if uint64(len(file))-8 > math.MaxUint32 {
		return errors.New("label: c2pa: WAV larger than 4 GiB (RF64 is not supported)")
	}
	binary.LittleEndian.PutUint32(file[4:], uint32(len(file)-8))
	return nil
}

// signWAV appends the store chunk to a WAV without one: lay out the file
// with an unsigned store of the final size, hash it without the chunk,
// sign, write the signed store in its place.
func signWAV(clean []byte, b *manifestBuilder) ([]byte, error) {
	chunks, err := riffChunks(clean)
	if err != nil {
		return nil, err
	}
	has := map[string]bool{}
	for _, c := range chunks {
		has[c.ID] = true
	}
	if !has["fmt "] || !has["data"] {
		return nil, fmt.Errorf("label: c2pa: the WAV has no fmt or data chunk: %w", container.ErrDamaged)
	}
	at := len(clean)
	if n := len(chunks); n > 0 && len(chunks[n-1].Data)&1 == 1 && chunks[n-1].End == len(clean) {
		at++ // the last chunk's missing pad byte
	}
	// The chunk's length is written inside the store (the exclusion), and
	// the store must be of even length: find both.
	zero := make([]byte, sha256.Size)
	build := func(length, pad int, digest []byte, dummy bool) ([]byte, error) {
		hd, err := dataHashAssertion(at, length, digest, pad)
		if err != nil {
			return nil, err
		}
		return b.store(hd, dummy)
	}
	length, pad := 0, 0
	var store []byte
	for i := 0; ; i++ {
		if store, err = build(length, pad, zero, true); err != nil {
			return nil, err
		}
		if len(store)&1 == 1 {
			pad ^= 1 // one pad byte more or less evens it out
			continue
		}
		if 8+len(store) == length {
			break
		}
		if i == 16 {
			return nil, errors.New("label: c2pa: the store size does not settle")
		}
		length = 8 + len(store)
	}
	out := make([]byte, at, at+length)
	copy(out, clean)
	out = append(out, wavStoreChunk...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(store)))
	out = append(out, store...)
	if err := setRIFFSize(out); err != nil {
		return nil, err
	}
	h := sha256.New()
	h.Write(out[:at])
	digest := h.Sum(nil)
	signed, err := build(length, pad, digest, false)
	if err != nil {
		return nil, err
	}
	if len(signed) != len(store) {
		return nil, fmt.Errorf("label: c2pa: signed store is %d bytes, laid out for %d", len(signed), len(store))
	}
	copy(out[at+8:], signed)
	return out, nil
}

// stripWAVStore removes the store chunk and fixes the RIFF size.
func stripWAVStore(file []byte, r byteRange) ([]byte, error) {
	out := append(append([]byte(nil), file[:r.Start]...), file[r.End:]...)
	if err := setRIFFSize(out); err != nil {
		return nil, err
	}
	return out, nil
}
