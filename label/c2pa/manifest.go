package c2pa

// Signing: the manifest a file is signed with, the manifest store built
// from it, and its placement in a PNG or JPEG (container.go), MP4 (mp4.go)
// or WAV (wav.go).

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"strings"

	"miaobi/label/internal/container"
)

// Digital source types (IPTC NewsCodes) for the c2pa.created action.
const (
	// DigitalSourceTrainedAlgorithmicMedia marks content a trained model
	// generated: what Miaobi makes.
	DigitalSourceTrainedAlgorithmicMedia = "http://cv.iptc.org/newscodes/digitalsourcetype/trainedAlgorithmicMedia"
	// DigitalSourceCompositeWithTrainedAlgorithmicMedia marks a composite
	// of a person's content and generated content.
	DigitalSourceCompositeWithTrainedAlgorithmicMedia = "http://cv.iptc.org/newscodes/digitalsourcetype/compositeWithTrainedAlgorithmicMedia"
)

// Action names of c2pa.actions.v2 that Miaobi uses.
const (
	ActionCreated = "c2pa.created" // the asset was made; needs a DigitalSourceType
	ActionOpened  = "c2pa.opened"  // an existing asset (the parentOf ingredient) was opened
	ActionEdited  = "c2pa.edited"  // its content was changed
	ActionPlaced  = "c2pa.placed"  // componentOf ingredients were placed into it
)

// Ingredient relationships.
const (
	RelationParentOf    = "parentOf"    // the asset is derived from this ingredient (at most one)
	RelationComponentOf = "componentOf" // the ingredient is part of the asset
	RelationInputTo     = "inputTo"     // the ingredient was an input to a generating process
)

// AIGCAssertionLabel is the label of the custom JSON assertion that
// carries the GB 45438-2025 Appendix E AIGC label inside the signed
// manifest, binding the Chinese implicit label to the C2PA signature.
const AIGCAssertionLabel = "cn.tc260.aigc"

// Action is one entry of the c2pa.actions.v2 assertion.
type Action struct {
	// Action is the action name, e.g. ActionCreated ("c2pa.created").
	Action string
	// DigitalSourceType is an IPTC digital source type URI; c2pa.created
	// needs one (DigitalSourceTrainedAlgorithmicMedia for Miaobi output).
	DigitalSourceType string
	// SoftwareAgent names the software that performed the action; it is
	// written as the generator-info map {name: SoftwareAgent}.
	SoftwareAgent string
	// Description says in words what was done.
	Description string
	// Parameters are extra string parameters of the action. The key
	// "ingredients" is reserved: the Sign functions fill it with hashed
	// URIs of the ingredients the action acts on (c2pa.opened: the
	// parentOf ingredient; c2pa.placed: the componentOf ones).
	Parameters map[string]string
}

// Ingredient is an input file of the asset: for an edit of a person's
// file, that file (Relationship parentOf). Hash is the SHA-256 of the
// file as received (recorded in the assertion's metadata as
// "org.miaobi.sha256"). When the file carried a C2PA manifest store,
// ManifestStore holds its JUMBF bytes: the store's manifests are copied
// unchanged into the new store and the ingredient assertion points at
// its active manifest and signature by hash (c2pa.ingredient.v3
// activeManifest and claimSignature, with the validationResults of
// checking it), so the provenance chain survives.
type Ingredient struct {
	Title, Format, Relationship string
	Hash                        []byte
	ManifestStore               []byte
}

// Manifest describes one output file.
type Manifest struct {
	// Title is the asset's name (claim dc:title); optional.
	Title string
	// Format is the asset's media type; optional, and when given it must
	// match the container ("image/png", "image/jpeg", "video/mp4" or
	// "audio/mp4", "audio/wav").
	Format string
	// Actions are written in order. The first must be c2pa.created or
	// c2pa.opened; when it is another (c2pa.edited) and there is a
	// parentOf ingredient, a c2pa.opened of that ingredient is put first.
	// With no actions, Actions is c2pa.created with
	// DigitalSourceTrainedAlgorithmicMedia.
	Actions []Action
	// Ingredients are the input files; an empty Relationship means
	// componentOf.
	Ingredients []Ingredient
	// AIGC is optional: the GB 45438 AIGC JSON (AIGC.JSON), put in the
	// signed JSON assertion AIGCAssertionLabel.
	AIGC string
}

// SignPNG returns png with a signed C2PA manifest store describing m, in
// a caBX chunk right after IHDR (before the first IDAT), bound to the
// rest of the file by c2pa.hash.data with the caBX chunk excluded. A
// store already in png is taken out and chained as an ingredient (see
// SignJPEG).
func SignPNG(png []byte, m Manifest, s *Signer) ([]byte, error) {
	if format(png) != "png" {
		return nil, fmt.Errorf("label: c2pa: SignPNG: %w: not a PNG", container.ErrFormat)
	}
	return sign(png, "png", m, s)
}

// SignJPEG returns jpg with a signed C2PA manifest store describing m,
// in APP11 JUMBF segments after SOI and any leading APP0/APP1 segments,
// split over several segments when it exceeds one (each continuation
// repeating the JUMBF box header with the next packet sequence number),
// bound to the rest of the file by c2pa.hash.data with those segments
// excluded.
//
// When jpg already carries a manifest store, it is removed from the
// output's content and, unless one of m.Ingredients carries the same
// store, added as an ingredient: parentOf when m's first action is not
// c2pa.created and m has no parentOf ingredient (the file was opened and
// edited), componentOf otherwise.
// The old manifests go into the new store unchanged, so they still
// verify.
func SignJPEG(jpg []byte, m Manifest, s *Signer) ([]byte, error) {
	if format(jpg) != "jpeg" {
		return nil, fmt.Errorf("label: c2pa: SignJPEG: %w: not a JPEG", container.ErrFormat)
	}
	return sign(jpg, "jpeg", m, s)
}

// mimeType is the media type of a container name format returns.
func mimeType(format string) string {
	switch format {
	case "png":
		return "image/png"
	case "mp4":
		return "video/mp4"
	case "wav":
		return "audio/wav"
	}
	return "image/jpeg"
}

// formatMatches reports whether a Manifest.Format fits the container.
func formatMatches(mime, format string) bool {
	switch format {
	case "mp4":
		switch mime {
		case "video/mp4", "audio/mp4", "application/mp4", "video/quicktime":
			return true
		}
	case "wav":
		switch mime {
		case "audio/wav", "audio/x-wav", "audio/wave", "audio/vnd.wave":
			return true
		}
	}
	return mime == mimeType(format)
}

func sign(file []byte, format string, m Manifest, s *Signer) ([]byte, error) {
	if s == nil || s.Key == nil || len(s.Chain) == 0 {
		return nil, errors.New("label: c2pa: no signer (key and certificate chain)")
	}
	if pub, ok := s.Chain[0].PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !pub.Equal(&s.Key.PublicKey) {
		return nil, errors.New("label: c2pa: the signer key does not match its certificate")
	}
	if m.Format != "" && !formatMatches(m.Format, format) {
		return nil, fmt.Errorf("label: c2pa: manifest format %q, but the file is %s", m.Format, mimeType(format))
	}
	clean, old, err := stripStore(file)
	if err != nil {
		return nil, err
	}
	if old != nil {
		m = chainOldStore(m, old.JUMBF, file, format)
	}
	b, err := newManifestBuilder(m, s)
	if err != nil {
		return nil, err
	}
	switch format {
	case "mp4":
		return signBMFF(clean, b)
	case "wav":
		return signWAV(clean, b)
	}
	at, err := insertionPoint(clean)
	if err != nil {
		return nil, err
	}
	en := uint16(jpegStoreEn)
	if format == "jpeg" {
		if en, err = freeEn(clean); err != nil {
			return nil, err
		}
	}
	// Find the store's size: the exclusion length is written inside the
	// store, and its CBOR width depends on its value.
	zero := make([]byte, sha256.Size)
	length := 0
	for i := 0; ; i++ {
		units, err := b.units(format, en, at, length, zero, true)
		if err != nil {
			return nil, err
		}
		if len(units) == length {
			break
		}
		if i == 8 {
			return nil, errors.New("label: c2pa: the store size does not settle")
		}
		length = len(units)
	}
	digest := sha256.Sum256(clean) // the output without the store's units
	units, err := b.units(format, en, at, length, digest[:], false)
	if err != nil {
		return nil, err
	}
	if len(units) != length {
		return nil, fmt.Errorf("label: c2pa: signed store is %d bytes, laid out for %d", len(units), length)
	}
	out := make([]byte, 0, len(clean)+len(units))
	out = append(out, clean[:at]...)
	out = append(out, units...)
	return append(out, clean[at:]...), nil
}

// chainOldStore adds the store found in the input file as an ingredient,
// unless an ingredient already carries it.
func chainOldStore(m Manifest, store, file []byte, format string) Manifest {
	hasParent := false
	for _, in := range m.Ingredients {
		if bytes.Equal(in.ManifestStore, store) {
			return m
		}
		hasParent = hasParent || in.Relationship == RelationParentOf
	}
	rel := RelationComponentOf
	if len(m.Actions) > 0 && m.Actions[0].Action != ActionCreated && !hasParent {
		rel = RelationParentOf // the file is opened and edited
	}
	title := m.Title
	if t := storeTitle(store); t != "" {
		title = t
	}
	h := sha256.Sum256(file)
	m.Ingredients = append(append([]Ingredient(nil), m.Ingredients...), Ingredient{
		Title: title, Format: mimeType(format), Relationship: rel, Hash: h[:], ManifestStore: store,
	})
	return m
}

// storeTitle returns the dc:title of a store's active manifest, or "".
func storeTitle(store []byte) string {
	st, err := parseStore(store)
	if err != nil || len(st.manifests) == 0 {
		return ""
	}
	mb := st.manifests[len(st.manifests)-1]
	for _, l := range []string{"c2pa.claim.v2", "c2pa.claim"} {
		if c := mb.child(l); c != nil {
			if data, ok := c.content("cbor"); ok {
				if v, err := cborDecode(data); err == nil {
					if cm, ok := v.(cborMap); ok {
						return cm.str("dc:title")
					}
				}
			}
		}
	}
	return ""
}

// manifestBuilder holds what does not change between laying out and
// signing a manifest.
type manifestBuilder struct {
	s          *Signer
	label      string      // urn:c2pa:<uuid>
	instanceID string      // xmp:iid:<uuid>
	title      string      // dc:title
	prior      []*jumbfBox // ingredient manifests to carry, in order
	fixed      []*jumbfBox // assertions other than c2pa.hash.data
}

// newUUID returns a random (version 4) UUID string.
func newUUID() string {
	var u [16]byte
	if _, err := rand.Read(u[:]); err != nil {
		panic(err) // crypto/rand does not fail
	}
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	h := hex.EncodeToString(u[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// hashedURI is the C2PA hashed-uri map {url, hash}.
func hashedURI(url string, box *jumbfBox) (cborMap, error) {
	p, err := box.payload()
	if err != nil {
		return nil, err
	}
	h := sha256.Sum256(p)
	return cborMap{{"url", url}, {"hash", h[:]}}, nil
}

// assertionURL is the claim-relative URI of an assertion.
func assertionURL(label string) string { return "self#jumbf=c2pa.assertions/" + label }

// cborAssertion wraps CBOR content in an assertion superbox.
func cborAssertion(label string, v any) (*jumbfBox, error) {
	data, err := cborEncode(v)
	if err != nil {
		return nil, fmt.Errorf("label: c2pa: %s: %w", label, err)
	}
	return superbox(uuidCBOR, label, plainBox("cbor", data)), nil
}

func newManifestBuilder(m Manifest, s *Signer) (*manifestBuilder, error) {
	b := &manifestBuilder{s: s, label: "urn:c2pa:" + newUUID(), instanceID: "xmp:iid:" + newUUID(), title: m.Title}
	acts := m.Actions
	if len(acts) == 0 {
		acts = []Action{{Action: ActionCreated, DigitalSourceType: DigitalSourceTrainedAlgorithmicMedia}}
	}
	// Ingredients.
	byRel := map[string][]cborMap{}
	seen := map[string][]byte{} // manifest label -> box bytes
	parents := 0
	for i, in := range m.Ingredients {
		rel := in.Relationship
		if rel == "" {
			rel = RelationComponentOf
		}
		switch rel {
		case RelationParentOf:
			parents++
		case RelationComponentOf, RelationInputTo:
		default:
			return nil, fmt.Errorf("label: c2pa: ingredient %d: relationship %q; want parentOf, componentOf or inputTo", i, rel)
		}
		a := cborMap{{"relationship", rel}}
		if in.Title != "" {
			a = append(a, cborPair{"dc:title", in.Title})
		}
		if in.Format != "" {
			a = append(a, cborPair{"dc:format", in.Format})
		}
		if len(in.Hash) > 0 {
			a = append(a, cborPair{"metadata", cborMap{{"org.miaobi.sha256", hex.EncodeToString(in.Hash)}}})
		}
		if in.ManifestStore != nil {
			st, err := parseStore(in.ManifestStore)
			if err != nil {
				return nil, fmt.Errorf("label: c2pa: ingredient %d carries a manifest store that cannot be read, so it cannot be chained: %w", i, err)
			}
			if len(st.manifests) == 0 {
				return nil, fmt.Errorf("label: c2pa: ingredient %d carries a manifest store without manifests", i)
			}
			for _, mb := range st.manifests {
				if prev, ok := seen[mb.Label]; ok {
					if !bytes.Equal(prev, mb.raw) {
						return nil, fmt.Errorf("label: c2pa: ingredients carry two different manifests labelled %q", mb.Label)
					}
					continue
				}
				seen[mb.Label] = mb.raw
				b.prior = append(b.prior, mb)
			}
			active := st.manifests[len(st.manifests)-1]
			am, err := hashedURI("self#jumbf=/c2pa/"+active.Label, active)
			if err != nil {
				return nil, err
			}
			sigBox := active.child("c2pa.signature")
			if sigBox == nil {
				return nil, fmt.Errorf("label: c2pa: ingredient %d: its active manifest has no signature", i)
			}
			cs, err := hashedURI("self#jumbf=/c2pa/"+active.Label+"/c2pa.signature", sigBox)
			if err != nil {
				return nil, err
			}
			am = append(am, cborPair{"alg", "sha256"})
			cs = append(cs, cborPair{"alg", "sha256"})
			res := verifyManifest(newVerifyCtx(st), active, nil, nil, nil, 0)
			a = append(a, cborPair{"activeManifest", am}, cborPair{"claimSignature", cs},
				cborPair{"validationResults", cborMap{{"activeManifest", res.statusCodes()}}})
		}
		label := "c2pa.ingredient.v3"
		if i > 0 {
			label += fmt.Sprintf("__%d", i)
		}
		box, err := cborAssertion(label, a)
		if err != nil {
			return nil, err
		}
		ref, err := hashedURI(assertionURL(label), box)
		if err != nil {
			return nil, err
		}
		b.fixed = append(b.fixed, box)
		byRel[rel] = append(byRel[rel], ref)
	}
	if parents > 1 {
		return nil, fmt.Errorf("label: c2pa: %d parentOf ingredients; a manifest has at most one", parents)
	}
	switch acts[0].Action {
	case ActionCreated, ActionOpened:
	default:
		if parents == 0 {
			return nil, fmt.Errorf("label: c2pa: the first action is %q; it must be %s or %s (or give a parentOf ingredient, which is then opened first)", acts[0].Action, ActionCreated, ActionOpened)
		}
		// An edit of a person's file: open it first (C2PA 2.x: the first
		// action is c2pa.created or c2pa.opened).
		acts = append([]Action{{Action: ActionOpened}}, acts...)
	}
	// Actions.
	var list []any
	for i, act := range acts {
		if act.Action == "" {
			return nil, fmt.Errorf("label: c2pa: action %d has no name", i)
		}
		if act.Action == ActionCreated && act.DigitalSourceType == "" {
			return nil, errors.New("label: c2pa: c2pa.created needs a DigitalSourceType")
		}
		e := cborMap{{"action", act.Action}}
		if act.DigitalSourceType != "" {
			e = append(e, cborPair{"digitalSourceType", act.DigitalSourceType})
		}
		if act.SoftwareAgent != "" {
			e = append(e, cborPair{"softwareAgent", cborMap{{"name", act.SoftwareAgent}}})
		}
		if act.Description != "" {
			e = append(e, cborPair{"description", act.Description})
		}
		var params cborMap
		for k, v := range act.Parameters {
			if k == "ingredients" {
				return nil, fmt.Errorf("label: c2pa: action %q: the parameter \"ingredients\" is filled in from Manifest.Ingredients", act.Action)
			}
			params = append(params, cborPair{k, v})
		}
		var refs []cborMap
		switch act.Action {
		case ActionOpened:
			refs = byRel[RelationParentOf]
			if len(refs) == 0 {
				return nil, errors.New("label: c2pa: c2pa.opened needs a parentOf ingredient (the opened file)")
			}
		case ActionPlaced:
			refs = byRel[RelationComponentOf]
		}
		if len(refs) > 0 {
			params = append(params, cborPair{"ingredients", refs})
		}
		if len(params) > 0 {
			e = append(e, cborPair{"parameters", params})
		}
		list = append(list, e)
	}
	box, err := cborAssertion("c2pa.actions.v2", cborMap{{"actions", list}, {"allActionsIncluded", true}})
	if err != nil {
		return nil, err
	}
	b.fixed = append(b.fixed, box)
	if m.AIGC != "" {
		if !json.Valid([]byte(m.AIGC)) {
			return nil, errors.New("label: c2pa: Manifest.AIGC is not valid JSON")
		}
		b.fixed = append(b.fixed, superbox(uuidJSON, AIGCAssertionLabel, plainBox("json", []byte(m.AIGC))))
	}
	return b, nil
}

// generatorInfo is claim_generator_info: Miaobi and its module version.
func generatorInfo() cborMap {
	g := cborMap{{"name", "Miaobi"}}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		g = append(g, cborPair{"version", strings.TrimPrefix(bi.Main.Version, "v")})
	}
	return g
}

// dataHashAssertion is the c2pa.hash.data assertion: the file's hash
// without the length bytes at at (the store's container units), with
// pad bytes of padding.
func dataHashAssertion(at, length int, digest []byte, pad int) (*jumbfBox, error) {
	return cborAssertion("c2pa.hash.data", cborMap{
		{"exclusions", []any{cborMap{{"start", int64(at)}, {"length", int64(length)}}}},
		{"name", "jumbf manifest"},
		{"alg", "sha256"},
		{"hash", digest},
		{"pad", make([]byte, pad)},
	})
}

// units builds the store for a PNG or JPEG whose store units start at
// byte at and are length bytes long, with the content hash digest,
// signs it (or not, when dummy) and wraps it in the container's units.
func (b *manifestBuilder) units(format string, en uint16, at, length int, digest []byte, dummy bool) ([]byte, error) {
	hdBox, err := dataHashAssertion(at, length, digest, 0)
	if err != nil {
		return nil, err
	}
	jb, err := b.store(hdBox, dummy)
	if err != nil {
		return nil, err
	}
	return containerUnits(format, jb, en)
}

// store builds the manifest store with the hard binding hb (the last
// assertion), signs its claim (or not, when dummy: a signature of the
// same size) and returns its JUMBF bytes.
func (b *manifestBuilder) store(hb *jumbfBox, dummy bool) ([]byte, error) {
	assertions := append(append([]*jumbfBox(nil), b.fixed...), hb)
	var created []any
	for _, a := range assertions {
		ref, err := hashedURI(assertionURL(a.Label), a)
		if err != nil {
			return nil, err
		}
		created = append(created, ref)
	}
	claim := cborMap{
		{"instanceID", b.instanceID},
		{"claim_generator_info", generatorInfo()},
		{"signature", "self#jumbf=/c2pa/" + b.label + "/c2pa.signature"},
		{"created_assertions", created},
		{"alg", "sha256"},
	}
	if b.title != "" {
		claim = append(claim, cborPair{"dc:title", b.title})
	}
	claimBytes, err := cborEncode(claim)
	if err != nil {
		return nil, fmt.Errorf("label: c2pa: claim: %w", err)
	}
	sig, err := coseSign1(claimBytes, b.s, dummy)
	if err != nil {
		return nil, fmt.Errorf("label: c2pa: signing: %w", err)
	}
	manifest := superbox(uuidManifest, b.label,
		superbox(uuidAssertions, "c2pa.assertions", assertions...),
		superbox(uuidClaim, "c2pa.claim.v2", plainBox("cbor", claimBytes)),
		superbox(uuidSignature, "c2pa.signature", plainBox("cbor", sig)),
	)
	store := superbox(uuidStore, "c2pa", append(append([]*jumbfBox(nil), b.prior...), manifest)...)
	jb, err := store.encode()
	if err != nil {
		return nil, fmt.Errorf("label: c2pa: %w", err)
	}
	return jb, nil
}
