package label

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"miaobi/label/internal/container"
)

// The implicit label of a WAV file is written twice, as gtkit/aigc does
// (there is no canonical form): a top-level RIFF chunk "AIGC" holding the
// wrapped JSON, and an "AIGC" entry in the LIST/INFO chunk holding the
// same JSON as a NUL-terminated string (ffprobe shows it as the format tag
// AIGC). Readers also accept a LIST/INFO ICMT comment holding the JSON.

// riffInfoEntry is one sub-chunk of a LIST/INFO chunk.
type riffInfoEntry struct {
	id   string
	data []byte
}

// riffInfo splits a LIST chunk of type INFO into its entries.
func riffInfo(list []byte) ([]riffInfoEntry, error) {
	var out []riffInfoEntry
	b := list[4:]
	for off := 0; off < len(b); {
		if len(b)-off < 8 {
			if container.AllZero(b[off:]) {
				break
			}
			return out, fmt.Errorf("label: wav: %w: %d stray bytes in LIST/INFO", ErrDamaged, len(b)-off)
		}
		id := b[off : off+4]
		size := int(binary.LittleEndian.Uint32(b[off+4:]))
		if size < 0 || size > len(b)-off-8 {
			return out, fmt.Errorf("label: wav: %w: LIST/INFO entry %q declares %d bytes, but only %d follow", ErrDamaged, id, size, len(b)-off-8)
		}
		out = append(out, riffInfoEntry{id: string(id), data: b[off+8 : off+8+size]})
		off += 8 + size + size&1
	}
	return out, nil
}

func isInfoList(c container.RIFFChunk) bool {
	return c.ID == "LIST" && len(c.Data) >= 4 && string(c.Data[:4]) == "INFO"
}

// appendRIFFChunk appends a chunk with its pad byte.
func appendRIFFChunk(out []byte, id string, data []byte) []byte {
	out = append(out, id...)
	out = binary.LittleEndian.AppendUint32(out, uint32(len(data)))
	out = append(out, data...)
	if len(data)&1 == 1 {
		out = append(out, 0)
	}
	return out
}

// EmbedAIGCWAV writes the implicit label into a WAV file: a top-level
// chunk "AIGC" with the wrapped JSON and an "AIGC" entry in LIST/INFO
// (added to the file's first INFO list, or in a new one), replacing any
// AIGC label already there (GB 45438 §6.1 c: one implicit label per file)
// and fixing the RIFF size. Other chunks keep their order; new ones go
// after the data chunk.
func EmbedAIGCWAV(b []byte, l AIGC) ([]byte, error) {
	if err := l.Validate(); err != nil {
		return nil, err
	}
	chunks, riffEnd, err := container.RIFFChunks(b, false)
	if err != nil {
		return nil, err
	}
	var haveFmt, haveData bool
	for _, c := range chunks {
		haveFmt = haveFmt || c.ID == "fmt "
		haveData = haveData || c.ID == "data"
	}
	if !haveFmt || !haveData {
		return nil, fmt.Errorf("label: wav: %w: no fmt or data chunk", ErrDamaged)
	}
	js := []byte(l.JSON())
	zstr := append(append([]byte(nil), js...), 0)
	out := make([]byte, 0, len(b)+2*len(js)+64)
	out = append(out, "RIFF\x00\x00\x00\x00WAVE"...)
	wroteInfo := false
	for _, c := range chunks {
		switch {
		case c.ID == "AIGC":
			continue
		case isInfoList(c):
			entries, err := riffInfo(c.Data)
			if err != nil {
				return nil, err
			}
			list := []byte("INFO")
			for _, e := range entries {
				if e.id != "AIGC" {
					list = appendRIFFChunk(list, e.id, e.data)
				}
			}
			if !wroteInfo {
				list = appendRIFFChunk(list, "AIGC", zstr)
				wroteInfo = true
			}
			if len(list) > 4 {
				out = appendRIFFChunk(out, "LIST", list)
			}
		default:
			out = appendRIFFChunk(out, c.ID, c.Data)
		}
	}
	if !wroteInfo {
		out = appendRIFFChunk(out, "LIST", appendRIFFChunk([]byte("INFO"), "AIGC", zstr))
	}
	out = appendRIFFChunk(out, "AIGC", js)
	if uint64(len(out))-8 > 0xffffffff {
		return nil, fmt.Errorf("label: wav: file of %d bytes is too large for RIFF", len(out))
	}
	binary.LittleEndian.PutUint32(out[4:8], uint32(len(out)-8))
	return append(out, b[riffEnd:]...), nil
}

// ReadAIGCWAV finds the implicit label in a WAV file: the top-level AIGC
// chunk, else the LIST/INFO AIGC entry, else a LIST/INFO ICMT comment
// holding the JSON, in either JSON shape. It returns the label and where
// it was found; ErrNoLabel when there is none.
func ReadAIGCWAV(b []byte) (AIGC, string, error) {
	chunks, _, walkErr := container.RIFFChunks(b, false)
	if walkErr != nil && len(chunks) == 0 {
		return AIGC{}, "", walkErr
	}
	type candidate struct {
		text  []byte
		where string
	}
	var found []candidate
	var infoErr error
	for _, c := range chunks {
		if c.ID == "AIGC" {
			found = append(found, candidate{c.Data, "WAV RIFF chunk AIGC"})
		}
	}
	for _, c := range chunks {
		if !isInfoList(c) {
			continue
		}
		entries, err := riffInfo(c.Data)
		if err != nil && infoErr == nil {
			infoErr = err
		}
		for _, e := range entries {
			if e.id == "AIGC" {
				found = append(found, candidate{e.data, "WAV LIST/INFO AIGC"})
			}
		}
		for _, e := range entries {
			if e.id == "ICMT" && bytes.Contains(e.data, []byte(`"ProduceID"`)) {
				found = append(found, candidate{e.data, "WAV LIST/INFO ICMT"})
			}
		}
	}
	var parseErr error
	for _, f := range found {
		a, err := ParseAIGC(string(bytes.TrimRight(f.text, "\x00")))
		if err == nil {
			return a, f.where, nil
		}
		if parseErr == nil {
			parseErr = err
		}
	}
	for _, err := range []error{parseErr, walkErr, infoErr} {
		if err != nil {
			return AIGC{}, "", err
		}
	}
	return AIGC{}, "", ErrNoLabel
}
