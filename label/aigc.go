package label

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// AIGC is the implicit label of GB 45438-2025 Appendix E: seven string
// elements, each printable ASCII without spaces.
type AIGC struct {
	// Label is "1" for AI-generated content (what a producer writes), "2"
	// possibly and "3" suspected (what platforms write).
	Label string `json:"Label"`
	// ContentProducer is the generating service's name or provider code.
	ContentProducer string `json:"ContentProducer"`
	// ProduceID is the producer's unique ID of this piece of content.
	ProduceID string `json:"ProduceID"`
	// ReservedCode1 is the producer's integrity data (Miaobi: the SHA-256
	// of the content without its metadata, hex).
	ReservedCode1 string `json:"ReservedCode1"`
	// ContentPropagator and PropagateID name the distributing platform
	// and its ID; on first write they repeat the producer's.
	ContentPropagator string `json:"ContentPropagator"`
	PropagateID       string `json:"PropagateID"`
	// ReservedCode2 is the platform's integrity data.
	ReservedCode2 string `json:"ReservedCode2"`
}

// DefaultProducer is the ContentProducer Miaobi writes unless configured
// with a provider code (TC260 编码规则: 001 + 1 + 统一社会信用代码 + product).
const DefaultProducer = "Miaobi"

// New returns the label a producer writes on first output: Label "1",
// the propagator fields repeating the producer's (GB 45438 Appendix E,
// note 1).
func New(producer, produceID, integrity string) AIGC {
	return AIGC{Label: "1", ContentProducer: producer, ProduceID: produceID, ReservedCode1: integrity,
		ContentPropagator: producer, PropagateID: produceID}
}

// ProduceID derives the ID of a piece of content from what was asked for:
// the command and every input that decides the output (keywords, poem,
// size, seed …). The same request gives the same ID — so the same pixels,
// watermark included — and different requests different IDs. It is 16
// hex digits: the first 64 bits of SHA-256 over the parts.
func ProduceID(parts ...string) string {
	h := sha256.New()
	for _, p := range parts {
		fmt.Fprintf(h, "%d:%s;", len(p), p)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// Validate checks every element is printable ASCII without spaces
// (GB18030 code points 0x21–0x7E), at most 2048 characters, and that
// Label is 1, 2 or 3.
func (a AIGC) Validate() error {
	if a.Label != "1" && a.Label != "2" && a.Label != "3" {
		return fmt.Errorf("label: AIGC Label %q: must be 1, 2 or 3", a.Label)
	}
	for _, f := range []struct{ name, v string }{
		{"ContentProducer", a.ContentProducer}, {"ProduceID", a.ProduceID}, {"ReservedCode1", a.ReservedCode1},
		{"ContentPropagator", a.ContentPropagator}, {"PropagateID", a.PropagateID}, {"ReservedCode2", a.ReservedCode2},
	} {
		if len(f.v) > 2048 {
			return fmt.Errorf("label: AIGC %s is %d characters; at most 2048", f.name, len(f.v))
		}
		for i := 0; i < len(f.v); i++ {
			if c := f.v[i]; c < 0x21 || c > 0x7e {
				return fmt.Errorf("label: AIGC %s %q: only printable ASCII without spaces is allowed (GB 45438 Appendix E j); use the provider code, not a name in Chinese", f.name, f.v)
			}
		}
	}
	return nil
}

// JSON is the wrapped form of Appendix E b): {"AIGC":{…}}.
func (a AIGC) JSON() string {
	b, _ := json.Marshal(struct {
		AIGC AIGC `json:"AIGC"`
	}{a})
	return string(b)
}

// InnerJSON is the bare object {"Label":…}, the form the TC260 practice
// guide puts in XMP's TC260:AIGC property.
func (a AIGC) InnerJSON() string {
	b, _ := json.Marshal(a)
	return string(b)
}

// ParseAIGC reads either JSON shape: {"AIGC":{…}} or the bare object.
func ParseAIGC(s string) (AIGC, error) {
	s = strings.TrimSpace(s)
	if len(s) > 64<<10 {
		return AIGC{}, errors.New("label: AIGC JSON over 64 KiB")
	}
	var wrapped struct {
		AIGC *AIGC `json:"AIGC"`
	}
	if err := json.Unmarshal([]byte(s), &wrapped); err != nil {
		return AIGC{}, fmt.Errorf("label: AIGC JSON: %w", err)
	}
	if wrapped.AIGC != nil {
		return *wrapped.AIGC, nil
	}
	var a AIGC
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		return AIGC{}, fmt.Errorf("label: AIGC JSON: %w", err)
	}
	if a.Label == "" && a.ContentProducer == "" && a.ProduceID == "" {
		return AIGC{}, errors.New("label: AIGC JSON has none of Label, ContentProducer, ProduceID")
	}
	return a, nil
}
