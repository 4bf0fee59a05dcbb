package mediatest

import (
	"bytes"
	"encoding/binary"
	"testing"

	"miaobi/label/internal/bmff"
)

// SynthMP4 builds a small, structurally complete MP4 without FFmpeg: one
// track whose three chunks (distinct bytes) lie in mdat, with moov first
// (faststart) or last, and udta/meta as given (nil: no udta).
func SynthMP4(moovFirst bool, udta []byte) []byte {
	ftyp := bmff.Make("ftyp", []byte("isom\x00\x00\x02\x00isomiso2mp41"))
	var chunks [][]byte
	for i := range 3 {
		chunks = append(chunks, bytes.Repeat([]byte{byte(0x41 + i)}, 100+10*i))
	}
	mdatBody := bytes.Join(chunks, nil)
	mdat := bmff.Make("mdat", mdatBody)
	moov := func(mdatAt int) []byte {
		stco := binary.BigEndian.AppendUint32(make([]byte, 4), uint32(len(chunks)))
		off := mdatAt + 8
		for _, c := range chunks {
			stco = binary.BigEndian.AppendUint32(stco, uint32(off))
			off += len(c)
		}
		stbl := bmff.Make("stbl",
			bmff.Make("stsd", make([]byte, 8)),
			bmff.Make("stts", make([]byte, 8)),
			bmff.Make("stsc", make([]byte, 8)),
			bmff.Make("stsz", make([]byte, 12)),
			bmff.Make("stco", stco))
		trak := bmff.Make("trak", bmff.Make("tkhd", make([]byte, 84)),
			bmff.Make("mdia", bmff.Make("mdhd", make([]byte, 24)),
				bmff.Make("hdlr", make([]byte, 8), []byte("vide"), make([]byte, 13)),
				bmff.Make("minf", bmff.Make("vmhd", make([]byte, 12)), stbl)))
		parts := [][]byte{bmff.Make("mvhd", make([]byte, 100)), trak}
		if udta != nil {
			parts = append(parts, udta)
		}
		return bmff.Make("moov", parts...)
	}
	if moovFirst {
		n := len(moov(0))
		return bytes.Join([][]byte{ftyp, moov(len(ftyp) + n), mdat}, nil)
	}
	return bytes.Join([][]byte{ftyp, mdat, moov(len(ftyp))}, nil)
}

// MP4Chunks returns the bytes each chunk offset (stco, co64) points at,
// n bytes each, checking every offset lies in an mdat.
func MP4Chunks(t testing.TB, file []byte, n int) [][]byte {
	t.Helper()
	top, err := bmff.Top(file)
	if err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	inMdat := func(o int) bool {
		for _, bx := range top {
			if bx.Type == "mdat" && o >= bx.Start+bx.Hdr && o+n <= bx.End {
				return true
			}
		}
		return false
	}
	err = bmff.FixOffsets(bytes.Clone(file), func(o int64) (int64, error) {
		if !inMdat(int(o)) {
			t.Errorf("chunk offset %d is not inside mdat", o)
			out = append(out, nil)
			return o, nil
		}
		out = append(out, file[o:int(o)+n])
		return o, nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// EqualChunks reports whether two MP4Chunks results hold the same bytes.
func EqualChunks(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}
