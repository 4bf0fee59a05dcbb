package label

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"image"

	"miaobi/label/c2pa"
	"miaobi/label/internal/bmff"
)

// File labels a file of any format Miaobi knows, as p asks: pictures (PNG,
// JPEG) through Encode; WAV with the rhythm cue, the watermark, the AIGC
// metadata and a C2PA manifest; MP4 with the visible label on its opening
// frames (ffmpeg), the AIGC metadata and a C2PA manifest; MP3 with the
// AIGC metadata (C2PA has no MP3 binding here). It returns the labelled
// file and its format.
func File(file []byte, p Provenance) ([]byte, string, error) {
	if p.Producer == "" {
		p.Producer = DefaultProducer
	}
	if p.Wording == "" {
		p.Wording = DefaultImageLabel
	}
	L := p.Layers
	switch {
	case Format(file) != "":
		format := Format(file)
		img, _, err := image.Decode(bytes.NewReader(file))
		if err != nil {
			return nil, "", fmt.Errorf("label: %s: %w", format, err)
		}
		out, err := Encode(toRGBA(img), format, p)
		return out, format, err
	case AudioFormat(file) == "wav":
		a, err := DecodeWAV(file)
		if err != nil {
			return nil, "", err
		}
		out, err := EncodeAudio(a, p)
		if err != nil {
			return nil, "", err
		}
		out, err = signIf(out, "audio/wav", p, c2pa.SignWAV)
		return out, "wav", err
	case AudioFormat(file) == "mp3":
		if !L.Metadata {
			return nil, "", fmt.Errorf("label: MP3: only the AIGC metadata layer can be written to MP3 here")
		}
		out, err := EmbedAIGCMP3(file, New(p.Producer, p.ProduceID, ""))
		return out, "mp3", err
	case bmff.Is(file):
		out := file
		var err error
		if L.Visible {
			if out, err = Video(out, p.Wording); err != nil {
				return nil, "", err
			}
		}
		if L.Metadata {
			if out, err = EmbedAIGCMP4(out, New(p.Producer, p.ProduceID, "")); err != nil {
				return nil, "", err
			}
		}
		out, err = signIf(out, "video/mp4", p, c2pa.SignMP4)
		return out, "mp4", err
	}
	return nil, "", fmt.Errorf("label: %w: give a PNG, JPEG, WAV, MP3 or MP4 file", ErrFormat)
}

// signIf adds a C2PA manifest when p asks for one.
func signIf(file []byte, mime string, p Provenance, sign func([]byte, c2pa.Manifest, *c2pa.Signer) ([]byte, error)) ([]byte, error) {
	if !p.Layers.C2PA {
		return file, nil
	}
	if p.Signer == nil {
		return nil, fmt.Errorf("label: a C2PA manifest needs a signer")
	}
	// The implicit label, when the file has one, is bound in the manifest
	// as the cn.tc260.aigc assertion, as for pictures.
	aigc := ""
	if a, _, err := readAIGCAny(file); err == nil {
		aigc = a.JSON()
	}
	return sign(file, manifestOf(p, mime, aigc), p.Signer)
}

// readAIGCAny reads the implicit label of a WAV or MP4 file.
func readAIGCAny(file []byte) (AIGC, string, error) {
	if AudioFormat(file) == "wav" {
		return ReadAIGCWAV(file)
	}
	return ReadAIGCMP4(file)
}

// manifestOf is the C2PA manifest describing p's output.
func manifestOf(p Provenance, mime, aigc string) c2pa.Manifest {
	act := c2pa.Action{Action: p.Action, SoftwareAgent: "Miaobi", Description: p.Description}
	if p.Agent != "" {
		act.SoftwareAgent = p.Agent
	}
	if act.Action == "" {
		act.Action = "c2pa.created"
	}
	if p.AIGenerated {
		act.DigitalSourceType = DigitalSourceTrained
	}
	m := c2pa.Manifest{Title: p.Title, Format: mime, Actions: append([]c2pa.Action{act}, p.History...), AIGC: aigc}
	for _, c := range p.Components {
		if c.Relationship == "" {
			c.Relationship = c2pa.RelationComponentOf
		}
		m.Ingredients = append(m.Ingredients, c)
	}
	if p.Ingredient != nil {
		in := c2pa.Ingredient{Title: "input", Format: mimeOf(p.Ingredient), Relationship: "parentOf"}
		h := sha256.Sum256(p.Ingredient)
		in.Hash = h[:]
		// The person's own Content Credentials, if any, are chained.
		if store, err := c2pa.Extract(p.Ingredient); err == nil && len(store) > 0 {
			in.ManifestStore = store
		}
		m.Ingredients = append(m.Ingredients, in)
	}
	return m
}
