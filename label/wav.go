package label

import (
	"encoding/binary"
	"fmt"
	"math"

	"miaobi/label/internal/container"
)

// WAV files: a RIFF container of form type WAVE holding a "fmt " chunk
// (the sample format) and a "data" chunk (the samples), and any other
// chunks (LIST/INFO text, the AIGC label, C2PA …). Every chunk is an
// ID of four characters, a 32-bit little-endian size and the data, padded
// to an even length.

// wavFormat is a parsed "fmt " chunk.
type wavFormat struct {
	float    bool // IEEE float samples, else integer PCM
	channels int
	rate     int
	bits     int // bits per sample container: 8, 16, 24, 32 or 64
	align    int // bytes per frame
}

// Format tags of the fmt chunk.
const (
	wavPCM        = 1
	wavFloat      = 3
	wavExtensible = 0xfffe
)

func parseWAVFormat(d []byte) (wavFormat, error) {
	var f wavFormat
	if len(d) < 16 {
		return f, fmt.Errorf("label: wav: %w: fmt chunk of %d bytes; at least 16 needed", ErrDamaged, len(d))
	}
	le := binary.LittleEndian
	tag := le.Uint16(d[0:2])
	f.channels = int(le.Uint16(d[2:4]))
	rate := le.Uint32(d[4:8])
	f.align = int(le.Uint16(d[12:14]))
	f.bits = int(le.Uint16(d[14:16]))
	if tag == wavExtensible {
		if len(d) < 40 {
			return f, fmt.Errorf("label: wav: %w: WAVE_FORMAT_EXTENSIBLE fmt chunk of %d bytes; 40 needed", ErrDamaged, len(d))
		}
		tag = le.Uint16(d[24:26]) // the sub-format GUID begins with the format tag
	}
	switch tag {
	case wavPCM:
		if f.bits != 8 && f.bits != 16 && f.bits != 24 && f.bits != 32 {
			return f, fmt.Errorf("label: wav: %d-bit integer samples: only 8, 16, 24 and 32 bits are read", f.bits)
		}
	case wavFloat:
		f.float = true
		if f.bits != 32 && f.bits != 64 {
			return f, fmt.Errorf("label: wav: %d-bit float samples: only 32 and 64 bits are read", f.bits)
		}
	default:
		return f, fmt.Errorf("label: wav: %w: sample format 0x%04x; only PCM (1) and IEEE float (3) are read", ErrFormat, tag)
	}
	switch {
	case f.channels < 1 || f.channels > AudioMaxChannels:
		return f, fmt.Errorf("label: wav: %d channels: 1 to %d are read", f.channels, AudioMaxChannels)
	case rate == 0:
		return f, fmt.Errorf("label: wav: %w: sample rate 0", ErrDamaged)
	case rate > AudioMaxRate:
		return f, fmt.Errorf("label: wav: sample rate %d: at most %d is read", rate, AudioMaxRate)
	case f.align != f.channels*f.bits/8:
		return f, fmt.Errorf("label: wav: %w: block align %d, but %d channels of %d bits need %d", ErrDamaged, f.align, f.channels, f.bits, f.channels*f.bits/8)
	}
	f.rate = int(rate)
	return f, nil
}

// DecodeWAV reads a WAV file: integer PCM of 8, 16, 24 or 32 bits, or
// IEEE float of 32 or 64 bits (also in WAVE_FORMAT_EXTENSIBLE), 1 to 8
// channels, at most 2 GiB of sample data. A data chunk whose size is
// 0xFFFFFFFF (written while streaming) runs to the end of the file. Samples become float32 from −1
// to 1 (float files may exceed that; NaN and infinities become 0). A
// trailing partial frame is dropped.
func DecodeWAV(b []byte) (*Audio, error) {
	chunks, _, err := container.RIFFChunks(b, false)
	if err != nil {
		return nil, err
	}
	var fmtData, data []byte
	var haveFmt, haveData bool
	for _, c := range chunks {
		switch {
		case c.ID == "fmt " && !haveFmt:
			fmtData, haveFmt = c.Data, true
		case c.ID == "data" && !haveData:
			data, haveData = c.Data, true
		}
	}
	if !haveFmt {
		return nil, fmt.Errorf("label: wav: %w: no fmt chunk", ErrDamaged)
	}
	if !haveData {
		return nil, fmt.Errorf("label: wav: %w: no data chunk", ErrDamaged)
	}
	f, err := parseWAVFormat(fmtData)
	if err != nil {
		return nil, err
	}
	frames := len(data) / f.align
	a := &Audio{Rate: f.rate, Channels: f.channels, Samples: make([]float32, frames*f.channels)}
	s := a.Samples
	le := binary.LittleEndian
	switch {
	case f.float && f.bits == 32:
		for i := range s {
			s[i] = wavFinite(math.Float32frombits(le.Uint32(data[4*i:])))
		}
	case f.float:
		for i := range s {
			s[i] = wavFinite(float32(math.Float64frombits(le.Uint64(data[8*i:]))))
		}
	case f.bits == 8:
		for i := range s {
			s[i] = (float32(data[i]) - 128) / 128
		}
	case f.bits == 16:
		for i := range s {
			s[i] = float32(int16(le.Uint16(data[2*i:]))) / (1 << 15)
		}
	case f.bits == 24:
		for i := range s {
			p := data[3*i:]
			v := int32(uint32(p[0])<<8|uint32(p[1])<<16|uint32(p[2])<<24) >> 8
			s[i] = float32(v) / (1 << 23)
		}
	default: // 32-bit integer
		for i := range s {
			s[i] = float32(float64(int32(le.Uint32(data[4*i:]))) / (1 << 31))
		}
	}
	return a, nil
}

func wavFinite(v float32) float32 {
	if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
		return 0
	}
	return v
}

// EncodeWAV writes a as a 16-bit PCM WAV file (samples clipped to −1…1
// and rounded). A trailing partial frame is dropped; a channel count
// outside 1…8 or a rate outside 1…768000 is written as given, so check
// the Audio first when it comes from outside.
func EncodeWAV(a *Audio) []byte {
	ch := max(1, a.Channels)
	frames := len(a.Samples) / ch
	n := frames * ch
	size := 2 * n
	out := make([]byte, 0, 44+size+1)
	le := binary.LittleEndian
	out = append(out, "RIFF"...)
	out = le.AppendUint32(out, uint32(4+(8+16)+8+size+size&1))
	out = append(out, "WAVEfmt "...)
	out = le.AppendUint32(out, 16)
	out = le.AppendUint16(out, wavPCM)
	out = le.AppendUint16(out, uint16(ch))
	out = le.AppendUint32(out, uint32(a.Rate))
	out = le.AppendUint32(out, uint32(a.Rate*ch*2))
	out = le.AppendUint16(out, uint16(ch*2))
	out = le.AppendUint16(out, 16)
	out = append(out, "data"...)
	out = le.AppendUint32(out, uint32(size))
	for _, v := range a.Samples[:n] {
		out = le.AppendUint16(out, uint16(pcm16(v)))
	}
	if size&1 == 1 {
		out = append(out, 0)
	}
	return out
}

// pcm16 rounds a sample to 16 bits, clipping.
func pcm16(v float32) int16 {
	x := math.Round(float64(v) * (1 << 15))
	switch {
	case x > math.MaxInt16:
		return math.MaxInt16
	case x < math.MinInt16:
		return math.MinInt16
	case x != x: // NaN
		return 0
	}
	return int16(x)
}
