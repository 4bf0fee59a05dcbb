package label

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// TC260NS is the XMP namespace of the AIGC property (TC260 practice guide).
const TC260NS = "http://www.tc260.org.cn/ns/AIGC/1.0/"

// maxXMP bounds the XMP packets read.
const maxXMP = 1 << 20

// XMPPacket returns a whole XMP packet holding only the AIGC property, its
// value the bare JSON object as the TC260 guide writes it.
func XMPPacket(a AIGC) []byte {
	var b bytes.Buffer
	b.WriteString("<?xpacket begin=\"\ufeff\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n")
	b.WriteString("<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n <rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n")
	b.WriteString("  <rdf:Description rdf:about=\"\" xmlns:TC260=\"" + TC260NS + "\">\n   ")
	b.WriteString(aigcElement(a, false))
	b.WriteString("\n  </rdf:Description>\n </rdf:RDF>\n</x:xmpmeta>\n<?xpacket end=\"w\"?>")
	return b.Bytes()
}

// aigcElement is the TC260:AIGC element, declaring its namespace itself
// when it goes into someone else's packet.
func aigcElement(a AIGC, declare bool) string {
	var v bytes.Buffer
	xml.EscapeText(&v, []byte(a.InnerJSON()))
	ns := ""
	if declare {
		ns = ` xmlns:TC260="` + TC260NS + `"`
	}
	return "<TC260:AIGC" + ns + ">" + v.String() + "</TC260:AIGC>"
}

// oldAIGC matches a TC260:AIGC element or attribute already in a packet
// (GB 45438 §6.1 c: a file keeps one implicit label, so it is replaced).
var oldAIGC = regexp.MustCompile(`(?s)<TC260:AIGC\b[^>]*?(/>|>.*?</TC260:AIGC>)|\sTC260:AIGC="[^"]*"`)

// MergeXMP puts the AIGC property into an existing XMP packet, replacing
// any AIGC property it had and keeping everything else. A packet it cannot
// read is replaced by a fresh one.
func MergeXMP(packet []byte, a AIGC) []byte {
	s := string(packet)
	if _, _, err := parseXMP(packet); err != nil && !errors.Is(err, errNoAIGC) {
		return XMPPacket(a)
	}
	s = oldAIGC.ReplaceAllString(s, "")
	// After the first rdf:Description's opening tag, unless it closes itself.
	re := regexp.MustCompile(`<rdf:Description\b[^>]*>`)
	if loc := re.FindStringIndex(s); loc != nil && !strings.HasSuffix(s[loc[0]:loc[1]], "/>") {
		return []byte(s[:loc[1]] + aigcElement(a, true) + s[loc[1]:])
	}
	if i := strings.Index(s, "</rdf:RDF>"); i >= 0 {
		return []byte(s[:i] + `<rdf:Description rdf:about="">` + aigcElement(a, true) + "</rdf:Description>" + s[i:])
	}
	return XMPPacket(a)
}

var errNoAIGC = errors.New("no TC260:AIGC property")

// parseXMP finds the TC260:AIGC property (element or attribute) in an XMP
// packet and returns its JSON text and the parsed label.
func parseXMP(packet []byte) (string, AIGC, error) {
	if len(packet) > maxXMP {
		return "", AIGC{}, fmt.Errorf("label: XMP packet of %d bytes is over 1 MiB", len(packet))
	}
	d := xml.NewDecoder(bytes.NewReader(packet))
	d.Strict = false
	depth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return "", AIGC{}, errNoAIGC
		}
		if err != nil {
			return "", AIGC{}, fmt.Errorf("label: XMP: %w", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			if depth++; depth > 64 {
				return "", AIGC{}, errors.New("label: XMP nested deeper than 64")
			}
			for _, at := range t.Attr {
				if at.Name.Space == TC260NS && at.Name.Local == "AIGC" {
					a, err := ParseAIGC(at.Value)
					return at.Value, a, err
				}
			}
			if t.Name.Space == TC260NS && t.Name.Local == "AIGC" {
				var v string
				if err := d.DecodeElement(&v, &t); err != nil {
					return "", AIGC{}, fmt.Errorf("label: XMP TC260:AIGC: %w", err)
				}
				a, err := ParseAIGC(v)
				return v, a, err
			}
		case xml.EndElement:
			depth--
		}
	}
}
