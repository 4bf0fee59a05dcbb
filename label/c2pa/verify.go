package c2pa

import (
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509"
	"errors"
	"fmt"
	"hash"
	"sort"
	"strings"
	"time"
)

// Report is what Verify found in a file.
type Report struct {
	// Present is true when the file carries a C2PA manifest store.
	Present bool
	// Valid is true when the active manifest is intact: its claim's
	// COSE signature verifies with the leaf certificate of its x5chain,
	// the certificate meets the C2PA profile and is valid now, every
	// assertion matches its hash in the claim, ingredient manifests match
	// their hashes, and the file matches c2pa.hash.data.
	Valid bool
	// Trusted is true when Valid and the certificate chain leads to one
	// of the roots passed to Verify.
	Trusted bool
	// Signer names the signing certificate's subject (common name, and
	// organisation when it differs).
	Signer string
	// Actions lists the active manifest's action names in order.
	Actions []string
	// DigitalSourceType is the digital source type of the first action
	// that has one (for Miaobi output, trainedAlgorithmicMedia).
	DigitalSourceType string
	// Errors lists why the store is not Valid ("hash mismatch: …" when the
	// content changed after signing, "claim signature does not verify"
	// when the claim was altered, …). Empty when Valid.
	Errors []string
	// Warnings lists findings that do not make the store invalid: an
	// untrusted certificate, and problems inside ingredient manifests
	// (the inputs' own credentials), prefixed "ingredient".
	Warnings []string
	// Title is the claim's dc:title.
	Title string
	// Ingredients counts the active manifest's ingredient assertions.
	Ingredients int
	// Manifests counts the manifests in the store (the active one and the
	// ingredients' chained ones).
	Manifests int
	// AIGC is the GB 45438 AIGC JSON of the AIGCAssertionLabel
	// assertion, when the manifest has one.
	AIGC string
}

// Verify reads and checks the C2PA manifest store of a PNG, JPEG,
// MP4 or WAV (sniffed from its first bytes): the JUMBF structure, the
// claim CBOR, the hash binding to the file (c2pa.hash.data, or
// c2pa.hash.bmff.v2/v3 in MP4; "hash mismatch" when the content
// changed), the COSE_Sign1 signature over the claim, the signer
// certificate's C2PA profile and validity, the assertions' and
// ingredient manifests' hashes, and, with roots, the chain to a trusted
// root. Ingredient manifests are checked too (signature and hashes, not
// their hard binding or validity dates, which belong to the older file);
// what fails there goes to Warnings.
//
// A file without a store gives Present false and no error. The error is
// for files of other formats or whose container is broken;
// a broken store is reported in the Report.
func Verify(file []byte, roots *x509.CertPool) (Report, error) {
	var r Report
	fs, err := findStore(file)
	if err != nil {
		return r, err
	}
	if fs == nil {
		return r, nil
	}
	r.Present = true
	st, err := parseStore(fs.JUMBF)
	if err != nil {
		r.Errors = append(r.Errors, err.Error())
		return r, nil
	}
	r.Manifests = len(st.manifests)
	if len(st.manifests) == 0 {
		r.Errors = append(r.Errors, "the manifest store has no manifests")
		return r, nil
	}
	active := st.manifests[len(st.manifests)-1]
	res := verifyManifest(newVerifyCtx(st), active, file, fs.Ranges, roots, 0)
	r.Errors = res.errors
	r.Warnings = res.warnings
	r.Valid = len(res.errors) == 0
	r.Trusted = r.Valid && res.trusted
	r.Signer = res.signer
	r.Actions = res.actions
	r.DigitalSourceType = res.sourceType
	r.Title = res.title
	r.Ingredients = res.ingredients
	r.AIGC = res.aigc
	return r, nil
}

// storeTree is a parsed manifest store.
type storeTree struct {
	root      *jumbfBox
	manifests []*jumbfBox // in store order; the last is active
}

// parseStore parses a manifest store's JUMBF bytes.
func parseStore(b []byte) (*storeTree, error) {
	boxes, err := parseJUMBF(b)
	if err != nil {
		return nil, fmt.Errorf("manifest store: %w", err)
	}
	if len(boxes) != 1 || !boxes[0].isSuper() || boxes[0].UUID != uuidStore {
		return nil, errors.New("manifest store: not a single c2pa superbox")
	}
	st := &storeTree{root: boxes[0]}
	for _, c := range boxes[0].Children {
		if c.isSuper() && (c.UUID == uuidManifest || c.UUID == uuidUpdate) {
			st.manifests = append(st.manifests, c)
		}
	}
	return st, nil
}

// manifestByLabel finds a manifest of the store.
func (st *storeTree) manifestByLabel(label string) *jumbfBox {
	for _, m := range st.manifests {
		if m.Label == label {
			return m
		}
	}
	return nil
}

// status is one C2PA validation status entry.
type status struct {
	Code, URL, Explanation string
}

// manifestResult is what verifyManifest found about one manifest.
type manifestResult struct {
	errors, warnings    []string
	success, failure    []status
	informational       []status
	trusted             bool
	signer, title, aigc string
	actions             []string
	sourceType          string
	ingredients         int
}

func (res *manifestResult) fail(code, url, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	res.errors = append(res.errors, msg)
	res.failure = append(res.failure, status{code, url, msg})
}

func (res *manifestResult) ok(code, url, explanation string) {
	res.success = append(res.success, status{code, url, explanation})
}

// statusCodes renders the result as a C2PA status-codes map, for an
// ingredient assertion's validationResults.
func (res *manifestResult) statusCodes() cborMap {
	list := func(ss []status) []any {
		out := []any{}
		for _, s := range ss {
			m := cborMap{{"code", s.Code}}
			if s.URL != "" {
				m = append(m, cborPair{"url", s.URL})
			}
			if s.Explanation != "" {
				m = append(m, cborPair{"explanation", s.Explanation})
			}
			out = append(out, m)
		}
		return out
	}
	return cborMap{{"success", list(res.success)}, {"informational", list(res.informational)}, {"failure", list(res.failure)}}
}

// verifyCtx is shared by the checks of one store: each box is hashed
// and each manifest verified at most once, so a crafted store cannot
// make verification quadratic or exponential.
type verifyCtx struct {
	st       *storeTree
	hashes   map[*jumbfBox]map[string][]byte
	verified map[*jumbfBox]*manifestResult
}

func newVerifyCtx(st *storeTree) *verifyCtx {
	return &verifyCtx{st: st, hashes: map[*jumbfBox]map[string][]byte{}, verified: map[*jumbfBox]*manifestResult{}}
}

// boxHash returns the hash of a box's payload under alg, memoised.
func (ctx *verifyCtx) boxHash(box *jumbfBox, alg string) ([]byte, error) {
	if h, ok := ctx.hashes[box][alg]; ok {
		return h, nil
	}
	h, err := hashFor(alg)
	if err != nil {
		return nil, err
	}
	p, err := box.payload()
	if err != nil {
		return nil, err
	}
	h.Write(p)
	sum := h.Sum(nil)
	if ctx.hashes[box] == nil {
		ctx.hashes[box] = map[string][]byte{}
	}
	ctx.hashes[box][alg] = sum
	return sum, nil
}

// maxIngredientDepth bounds how deep ingredient manifests are followed.
const maxIngredientDepth = 8

// hashFor returns the hash function named by a C2PA alg string.
func hashFor(alg string) (hash.Hash, error) {
	switch alg {
	case "", "sha256":
		return sha256.New(), nil
	case "sha384":
		return sha512.New384(), nil
	case "sha512":
		return sha512.New(), nil
	}
	return nil, fmt.Errorf("unsupported hash algorithm %q", alg)
}

// resolveURI finds the box a JUMBF URI names, relative to manifest mb.
func resolveURI(st *storeTree, mb *jumbfBox, uri string) *jumbfBox {
	p, ok := strings.CutPrefix(uri, "self#jumbf=")
	if !ok {
		return nil
	}
	var cur *jumbfBox
	if strings.HasPrefix(p, "/") {
		parts := strings.Split(strings.TrimPrefix(p, "/"), "/")
		if len(parts) == 0 || parts[0] != st.root.Label {
			return nil
		}
		cur, parts = st.root, parts[1:]
		for _, part := range parts {
			if part == "" {
				continue
			}
			if cur = cur.child(part); cur == nil {
				return nil
			}
		}
		return cur
	}
	cur = mb
	for _, part := range strings.Split(p, "/") {
		if cur = cur.child(part); cur == nil {
			return nil
		}
	}
	return cur
}

// checkHashedURI checks a hashed-uri map against the box it names and
// returns the box when it matches.
func (ctx *verifyCtx) checkHashedURI(mb *jumbfBox, ref any, claimAlg string) (*jumbfBox, string, error) {
	m, ok := ref.(cborMap)
	if !ok {
		return nil, "", errors.New("hashed URI is not a map")
	}
	url := m.str("url")
	alg := m.str("alg")
	if alg == "" {
		alg = claimAlg
	}
	box := resolveURI(ctx.st, mb, url)
	if box == nil {
		return nil, url, fmt.Errorf("%s: not found in the store", url)
	}
	got, err := ctx.boxHash(box, alg)
	if err != nil {
		return nil, url, err
	}
	if string(got) != string(m.bytesAt("hash")) {
		return box, url, fmt.Errorf("%s: hash mismatch", url)
	}
	return box, url, nil
}

// baseLabel strips an assertion label's instance suffix "__N".
func baseLabel(l string) string {
	if i := strings.LastIndex(l, "__"); i > 0 {
		return l[:i]
	}
	return l
}

// verifyManifest checks manifest mb of store st. With file non-nil it
// checks the hard binding against file (whose store occupies ranges),
// the certificate's validity now, and trust in roots; without, it checks
// signature and hashes only (an ingredient's manifest).
func verifyManifest(ctx *verifyCtx, mb *jumbfBox, file []byte, ranges []byteRange, roots *x509.CertPool, depth int) manifestResult {
	var res manifestResult
	if file == nil {
		if prev, ok := ctx.verified[mb]; ok {
			return *prev
		}
		ctx.verified[mb] = &res // a cycle back here sees an empty result
		defer func() { r := res; ctx.verified[mb] = &r }()
	}
	base := "self#jumbf=/c2pa/" + mb.Label
	// Claim.
	claimBox := mb.child("c2pa.claim.v2")
	v2 := claimBox != nil
	if !v2 {
		claimBox = mb.child("c2pa.claim")
	}
	if claimBox == nil || claimBox.UUID != uuidClaim {
		res.fail("claim.missing", base, "manifest %s has no claim", mb.Label)
		return res
	}
	claimBytes, ok := claimBox.content("cbor")
	if !ok {
		res.fail("claim.malformed", base+"/c2pa.claim.v2", "the claim has no CBOR content")
		return res
	}
	cv, err := cborDecode(claimBytes)
	claim, isMap := cv.(cborMap)
	if err != nil || !isMap {
		res.fail("claim.malformed", base+"/"+claimBox.Label, "the claim is not a CBOR map: %v", err)
		return res
	}
	res.title = claim.str("dc:title")
	// Signature.
	sigURL := base + "/c2pa.signature"
	sigBox := mb.child("c2pa.signature")
	if sigBox == nil || sigBox.UUID != uuidSignature {
		res.fail("claimSignature.missing", sigURL, "the manifest has no signature")
		return res
	}
	if ref := claim.str("signature"); ref != sigURL && ref != "self#jumbf=c2pa.signature" {
		res.fail("claimSignature.missing", sigURL, "the claim names signature %q, not this manifest's", ref)
	}
	sign1, _ := sigBox.content("cbor")
	chain, algName, err := coseVerify1(sign1, claimBytes)
	if err != nil {
		res.fail("claimSignature.mismatch", sigURL, "%s", err.Error())
		return res
	}
	res.ok("claimSignature.validated", sigURL, "claim signature valid ("+algName+")")
	leaf := chain[0]
	res.signer = leaf.Subject.CommonName
	if org := leaf.Subject.Organization; len(org) > 0 && org[0] != res.signer {
		if res.signer != "" {
			res.signer += ", "
		}
		res.signer += org[0]
	}
	now := time.Now()
	if file == nil { // an ingredient's certificate is judged as of its signing, which is unknown: skip dates
		now = leaf.NotBefore
	}
	if errs := certProfileErrors(leaf, now); len(errs) > 0 {
		res.fail("signingCredential.invalid", sigURL, "signing certificate: %s", strings.Join(errs, "; "))
	} else if file != nil {
		res.ok("claimSignature.insideValidity", sigURL, "certificate valid now")
	}
	if file != nil {
		if roots == nil {
			res.warnings = append(res.warnings, "signing certificate untrusted: no trust anchors given")
		} else {
			inter := x509.NewCertPool()
			for _, c := range chain[1:] {
				inter.AddCert(c)
			}
			_, err := leaf.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: now,
				KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
			if err == nil {
				res.trusted = true
				res.ok("signingCredential.trusted", sigURL, "signing certificate trusted")
			} else {
				res.warnings = append(res.warnings, "signing certificate untrusted: "+err.Error())
				res.informational = append(res.informational, status{"signingCredential.untrusted", sigURL, err.Error()})
			}
		}
	}
	// Assertions the claim lists, each checked against its hash.
	alg := claim.str("alg")
	var refs []any
	if v2 {
		for _, k := range []string{"created_assertions", "gathered_assertions"} {
			if v, ok := claim.get(k); ok {
				a, _ := v.([]any)
				refs = append(refs, a...)
			}
		}
	} else if v, ok := claim.get("assertions"); ok {
		refs, _ = v.([]any)
	}
	if len(refs) == 0 {
		res.fail("claim.malformed", base+"/"+claimBox.Label, "the claim lists no assertions")
	}
	assertions := map[string]*jumbfBox{} // label -> box, hash checked
	var labels []string
	for _, ref := range refs {
		box, url, err := ctx.checkHashedURI(mb, ref, alg)
		if err != nil {
			code := "assertion.hashedURI.mismatch"
			if box == nil {
				code = "assertion.missing"
			}
			res.fail(code, url, "assertion %s", err.Error())
			continue
		}
		res.ok("assertion.hashedURI.match", url, "hashed uri matched")
		assertions[box.Label] = box
		labels = append(labels, box.Label)
	}
	hardBindings := 0
	for _, l := range labels {
		box := assertions[l]
		switch baseLabel(l) {
		case "c2pa.actions", "c2pa.actions.v2":
			res.readActions(box)
		case "c2pa.ingredient", "c2pa.ingredient.v2", "c2pa.ingredient.v3":
			res.ingredients++
			res.checkIngredient(ctx, mb, box, alg, depth)
		case AIGCAssertionLabel:
			if data, ok := box.content("json"); ok {
				res.aigc = string(data)
			}
		case "c2pa.hash.data":
			hardBindings++
			if file != nil {
				res.checkDataHash(box, file, ranges, base+"/c2pa.assertions/"+l)
			}
		case "c2pa.hash.bmff", "c2pa.hash.bmff.v2", "c2pa.hash.bmff.v3":
			hardBindings++
			if file != nil {
				if format(file) == "mp4" {
					res.checkBMFFHash(box, file, ranges, base+"/c2pa.assertions/"+l)
				} else {
					res.fail("algorithm.unsupported", base+"/c2pa.assertions/"+l, "hard binding %s is for BMFF (MP4) files, not %s", l, format(file))
				}
			}
		case "c2pa.hash.boxes", "c2pa.hash.collection.data":
			hardBindings++
			if file != nil {
				res.fail("algorithm.unsupported", base+"/c2pa.assertions/"+l, "hard binding %s is not supported", l)
			}
		}
	}
	if hardBindings != 1 && mb.UUID == uuidManifest {
		res.fail("claim.hardBindings.missing", base, "the manifest has %d hard bindings; it needs exactly one", hardBindings)
	}
	return res
}

// cborAssertion decodes a CBOR assertion box's map, recording a failure
// when it is not one.
func (res *manifestResult) cborAssertion(box *jumbfBox) (cborMap, bool) {
	data, _ := box.content("cbor")
	v, err := cborDecode(data)
	m, ok := v.(cborMap)
	if err != nil || !ok {
		res.fail("assertion.cbor.invalid", "", "%s is not a CBOR map", box.Label)
		return nil, false
	}
	return m, true
}

// readActions reads action names and the first digital source type.
func (res *manifestResult) readActions(box *jumbfBox) {
	m, ok := res.cborAssertion(box)
	if !ok {
		return
	}
	list, _ := m.get("actions")
	arr, _ := list.([]any)
	for _, a := range arr {
		am, ok := a.(cborMap)
		if !ok {
			continue
		}
		res.actions = append(res.actions, am.str("action"))
		if res.sourceType == "" {
			res.sourceType = am.str("digitalSourceType")
		}
	}
}

// checkIngredient checks an ingredient assertion's references into the
// store and, recursively, the ingredient's manifest.
func (res *manifestResult) checkIngredient(ctx *verifyCtx, mb, box *jumbfBox, alg string, depth int) {
	m, ok := res.cborAssertion(box)
	if !ok {
		return
	}
	ref, ok := m.get("activeManifest")
	if !ok {
		ref, ok = m.get("c2pa_manifest") // v1, v2
	}
	if !ok {
		return // an ingredient without credentials
	}
	imb, url, err := ctx.checkHashedURI(mb, ref, alg)
	if err != nil {
		res.fail("ingredient.manifest.mismatch", url, "ingredient %s: manifest %s", box.Label, err.Error())
		return
	}
	res.ok("ingredient.manifest.validated", url, "ingredient manifest matched")
	if sref, ok := m.get("claimSignature"); ok {
		if _, surl, err := ctx.checkHashedURI(mb, sref, alg); err != nil {
			res.fail("ingredient.claimSignature.mismatch", surl, "ingredient %s: signature %s", box.Label, err.Error())
		} else {
			res.ok("ingredient.claimSignature.validated", surl, "ingredient claim signature matched")
		}
	}
	if depth >= maxIngredientDepth {
		res.warnings = append(res.warnings, fmt.Sprintf("ingredient %s: chain deeper than %d not followed", box.Label, maxIngredientDepth))
		return
	}
	if imb == mb || !imb.isSuper() || (imb.UUID != uuidManifest && imb.UUID != uuidUpdate) {
		res.fail("ingredient.manifest.mismatch", url, "ingredient %s does not point at another manifest", box.Label)
		return
	}
	sub := verifyManifest(ctx, imb, nil, nil, nil, depth+1)
	for _, e := range sub.errors {
		res.warnings = append(res.warnings, fmt.Sprintf("ingredient %s (%s): %s", box.Label, imb.Label, e))
	}
	for _, w := range sub.warnings {
		res.warnings = append(res.warnings, fmt.Sprintf("ingredient %s (%s): %s", box.Label, imb.Label, w))
	}
}

// checkDataHash checks a c2pa.hash.data assertion against the file.
func (res *manifestResult) checkDataHash(box *jumbfBox, file []byte, ranges []byteRange, url string) {
	data, _ := box.content("cbor")
	v, err := cborDecode(data)
	m, ok := v.(cborMap)
	if err != nil || !ok {
		res.fail("assertion.cbor.invalid", url, "c2pa.hash.data is not a CBOR map")
		return
	}
	var excl []byteRange
	if ev, ok := m.get("exclusions"); ok {
		arr, _ := ev.([]any)
		for _, e := range arr {
			em, _ := e.(cborMap)
			s, _ := em.get("start")
			l, _ := em.get("length")
			si, ok1 := s.(int64)
			li, ok2 := l.(int64)
			if !ok1 || !ok2 || si < 0 || li < 0 || si > int64(len(file)) || li > int64(len(file))-si {
				res.fail("assertion.dataHash.mismatch", url, "hash mismatch: exclusion outside the file")
				return
			}
			excl = append(excl, byteRange{int(si), int(si + li)})
		}
	}
	sort.Slice(excl, func(i, j int) bool { return excl[i].Start < excl[j].Start })
	// Exclusions may only cover the store's own container units:
	// anything else would leave content unsigned.
	for _, e := range excl {
		if !coveredBy(e, ranges) {
			res.fail("assertion.dataHash.mismatch", url, "hash mismatch: exclusion [%d, %d) covers content outside the manifest store", e.Start, e.End)
			return
		}
	}
	h, err := hashFor(m.str("alg"))
	if err != nil {
		res.fail("algorithm.unsupported", url, "c2pa.hash.data: %v", err)
		return
	}
	got, err := hashExcludingWith(h, file, excl)
	if err != nil {
		res.fail("assertion.dataHash.mismatch", url, "hash mismatch: %v", err)
		return
	}
	if string(got) != string(m.bytesAt("hash")) {
		res.fail("assertion.dataHash.mismatch", url, "hash mismatch: the file's content changed after signing")
		return
	}
	res.ok("assertion.dataHash.match", url, "data hash valid")
}

// coveredBy reports whether r lies inside the union of the sorted,
// possibly adjacent ranges.
func coveredBy(r byteRange, ranges []byteRange) bool {
	pos := r.Start
	for _, u := range ranges {
		if u.Start <= pos && pos < u.End {
			pos = u.End
		}
		if pos >= r.End {
			return true
		}
	}
	return r.Start == r.End
}

// hashExcludingWith hashes file without the sorted ranges using h.
func hashExcludingWith(h hash.Hash, file []byte, excl []byteRange) ([]byte, error) {
	pos := 0
	for _, r := range excl {
		if r.Start < pos || r.End > len(file) {
			return nil, fmt.Errorf("exclusions overlap or leave the file")
		}
		h.Write(file[pos:r.Start])
		pos = r.End
	}
	h.Write(file[pos:])
	return h.Sum(nil), nil
}
