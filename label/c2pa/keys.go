package c2pa

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"time"
)

// Signer signs manifests: an ECDSA P-256 key (COSE ES256) and its
// certificate chain, leaf (the key's certificate) first. The chain goes
// into every signature's x5chain header.
type Signer struct {
	Key   *ecdsa.PrivateKey
	Chain []*x509.Certificate
}

// Key files InitKeys writes and LoadSigner reads.
const (
	// CAFile is the local root certificate (PEM): the trust anchor to
	// give a verifier.
	CAFile = "ca.pem"
	// SignerCertFile is the signer's certificate chain (PEM), leaf first.
	SignerCertFile = "signer.pem"
	// SignerKeyFile is the signer's private key (PEM, PKCS #8 or SEC 1),
	// readable by its owner only.
	SignerKeyFile = "signer.key"
)

// Validity of the certificates InitKeys issues. Without an RFC 3161
// timestamp a C2PA signature is only valid while its certificate is, so
// the signer certificate is long-lived; rotate it with InitKeys(force).
const (
	caValidity     = 20 * 365 * 24 * time.Hour
	signerValidity = 5 * 365 * 24 * time.Hour
)

// Extended key usages of the C2PA certificate profile (C2PA 2.x §14.5.1):
// a signer certificate needs one of these and must not have anyEKU.
var (
	oidEKUDocumentSigning = asn1.ObjectIdentifier{1, 3, 6, 1, 5, 5, 7, 3, 36}          // id-kp-documentSigning (RFC 9336)
	oidEKUC2PAClaim       = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 62558, 2, 1}       // c2pa-kp-claimSigning
	oidEKUMSC2PA          = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 311, 76, 59, 1, 9} // Microsoft C2PA signing
)

// InitKeys creates, in dir, a local signing CA and a signer certificate
// that meets the C2PA certificate profile, so Miaobi can sign Content
// Credentials without a commercial CA:
//
//   - ca.pem: a self-signed ECDSA P-256 root "<org> Miaobi Local CA"
//     (org defaults to "Miaobi", giving "Miaobi Local CA")
//     (basicConstraints CA:TRUE, pathlen 0, keyUsage keyCertSign and
//     cRLSign, both critical; valid 20 years). Give it to verifiers as
//     the trust anchor. Its private key is used once and thrown away, so
//     nothing can issue more certificates under it; rotating the signer
//     means a new CA too.
//   - signer.pem: the signer certificate "<org> Miaobi Signer" (ECDSA
//     P-256; keyUsage digitalSignature, critical; extKeyUsage
//     emailProtection and documentSigning, the EKUs c2pa-rs accepts;
//     basicConstraints CA:FALSE, critical; subject and authority key IDs;
//     valid 5 years), followed by ca.pem's certificate.
//   - signer.key: its private key, PKCS #8 PEM, mode 0600.
//
// dir is created (0700) if needed. InitKeys refuses to replace any of
// the three files unless force is set.
func InitKeys(dir string, org string, force bool) error {
	if org == "" {
		org = "Miaobi"
	}
	if !force {
		for _, f := range []string{CAFile, SignerCertFile, SignerKeyFile} {
			if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
				return fmt.Errorf("label: c2pa: %s already exists; refusing to replace keys without force: %w", filepath.Join(dir, f), fs.ErrExist)
			}
		}
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("label: c2pa: key directory: %w", err)
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("label: c2pa: CA key: %w", err)
	}
	signerKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("label: c2pa: signer key: %w", err)
	}
	name := org + " Miaobi"
	if org == "Miaobi" {
		name = org
	}
	if org == "Miaobi" {
		name = "Miaobi"
	}
	now := time.Now().Add(-time.Hour).UTC() // tolerate clock skew
	caTmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: name + " Local CA", Organization: []string{org}},
		NotBefore:             now,
		NotAfter:              now.Add(caValidity),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLen:            0,
		MaxPathLenZero:        true,
		SubjectKeyId:          keyID(&caKey.PublicKey),
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("label: c2pa: CA certificate: %w", err)
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return fmt.Errorf("label: c2pa: CA certificate: %w", err)
	}
	signerTmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: name + " Signer", Organization: []string{org}},
		NotBefore:             now,
		NotAfter:              now.Add(signerValidity),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection},
		UnknownExtKeyUsage:    []asn1.ObjectIdentifier{oidEKUDocumentSigning},
		BasicConstraintsValid: true,
		IsCA:                  false,
		SubjectKeyId:          keyID(&signerKey.PublicKey),
	}
	signerDER, err := x509.CreateCertificate(rand.Reader, signerTmpl, ca, &signerKey.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("label: c2pa: signer certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(signerKey)
	if err != nil {
		return fmt.Errorf("label: c2pa: signer key: %w", err)
	}
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: caDER})
	chainPEM := append(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: signerDER}), caPEM...)
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER})
	// The key first, created private: a crash leaves no readable key.
	if err := writeFileMode(filepath.Join(dir, SignerKeyFile), keyPEM, 0o600); err != nil {
		return err
	}
	if err := writeFileMode(filepath.Join(dir, SignerCertFile), chainPEM, 0o644); err != nil {
		return err
	}
	return writeFileMode(filepath.Join(dir, CAFile), caPEM, 0o644)
}

// writeFileMode writes a file through a temporary one and renames it, so
// the file has mode perm whether or not it existed.
func writeFileMode(name string, data []byte, perm os.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(name), ".tmp-"+filepath.Base(name)+"-*")
	if err != nil {
		return fmt.Errorf("label: c2pa: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Chmod(perm); err != nil {
		tmp.Close()
		return fmt.Errorf("label: c2pa: %w", err)
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("label: c2pa: writing %s: %w", name, err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("label: c2pa: writing %s: %w", name, err)
	}
	if err := os.Rename(tmp.Name(), name); err != nil {
		return fmt.Errorf("label: c2pa: %w", err)
	}
	return nil
}

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		panic(err) // crypto/rand does not fail
	}
	return n.Add(n, big.NewInt(1)) // positive
}

// keyID is the RFC 5280 §4.2.1.2 method 1 key identifier: SHA-1 of the
// subject public key bits.
func keyID(pub *ecdsa.PublicKey) []byte {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		return nil
	}
	var spki struct {
		Algorithm pkix.AlgorithmIdentifier
		Key       asn1.BitString
	}
	if _, err := asn1.Unmarshal(der, &spki); err != nil {
		return nil
	}
	id := sha1.Sum(spki.Key.Bytes)
	return id[:]
}

// LoadSigner reads a signer from dir: signer.key (PEM, PKCS #8 "PRIVATE
// KEY" or SEC 1 "EC PRIVATE KEY", ECDSA P-256) and signer.pem (one or
// more PEM certificates, the key's own first, then its issuers). Files a
// person brings from another CA work the same way. When signer.pem holds
// only the leaf and ca.pem is its issuer, ca.pem is appended to the
// chain. LoadSigner checks the key matches the certificate and that the
// certificate meets the C2PA profile and is valid now.
func LoadSigner(dir string) (*Signer, error) {
	keyPEM, err := os.ReadFile(filepath.Join(dir, SignerKeyFile))
	if err != nil {
		return nil, fmt.Errorf("label: c2pa: signer key: %w", err)
	}
	key, err := parseECKey(keyPEM)
	if err != nil {
		return nil, fmt.Errorf("label: c2pa: %s: %w", SignerKeyFile, err)
	}
	chainPEM, err := os.ReadFile(filepath.Join(dir, SignerCertFile))
	if err != nil {
		return nil, fmt.Errorf("label: c2pa: signer certificate: %w", err)
	}
	chain, err := parseCerts(chainPEM)
	if err != nil {
		return nil, fmt.Errorf("label: c2pa: %s: %w", SignerCertFile, err)
	}
	if len(chain) == 1 {
		if caPEM, err := os.ReadFile(filepath.Join(dir, CAFile)); err == nil {
			if cas, err := parseCerts(caPEM); err == nil && len(cas) > 0 &&
				!cas[0].Equal(chain[0]) && chain[0].CheckSignatureFrom(cas[0]) == nil {
				chain = append(chain, cas[0])
			}
		}
	}
	if pub, ok := chain[0].PublicKey.(*ecdsa.PublicKey); !ok || !pub.Equal(&key.PublicKey) {
		return nil, errors.New("label: c2pa: signer.key does not match the first certificate of signer.pem")
	}
	if errs := certProfileErrors(chain[0], time.Now()); len(errs) > 0 {
		return nil, fmt.Errorf("label: c2pa: signer certificate does not meet the C2PA profile: %s", errs[0])
	}
	return &Signer{Key: key, Chain: chain}, nil
}

// parseECKey reads a P-256 private key from PEM.
func parseECKey(b []byte) (*ecdsa.PrivateKey, error) {
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			return nil, errors.New("no PEM private key")
		}
		var k any
		var err error
		switch blk.Type {
		case "PRIVATE KEY":
			k, err = x509.ParsePKCS8PrivateKey(blk.Bytes)
		case "EC PRIVATE KEY":
			k, err = x509.ParseECPrivateKey(blk.Bytes)
		default:
			continue // e.g. "EC PARAMETERS"
		}
		if err != nil {
			return nil, err
		}
		ek, ok := k.(*ecdsa.PrivateKey)
		if !ok || ek.Curve != elliptic.P256() {
			return nil, errors.New("the key is not ECDSA P-256; Miaobi signs with ES256")
		}
		return ek, nil
	}
}

// parseCerts reads every PEM certificate in b, in order.
func parseCerts(b []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var blk *pem.Block
		blk, b = pem.Decode(b)
		if blk == nil {
			break
		}
		if blk.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(blk.Bytes)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM certificate")
	}
	return out, nil
}

// certProfileErrors lists how a signer (leaf) certificate breaks the
// C2PA certificate profile (C2PA 2.x §14.5.1) at time t: version 3; a
// signature algorithm without SHA-1 or MD5; keyUsage with
// digitalSignature and without keyCertSign; not a CA; an extKeyUsage
// without anyExtendedKeyUsage and with one of emailProtection,
// documentSigning, c2pa-kp-claimSigning or the Microsoft C2PA EKU;
// inside its validity period.
func certProfileErrors(c *x509.Certificate, t time.Time) []string {
	var errs []string
	if c.Version != 3 {
		errs = append(errs, fmt.Sprintf("certificate version %d, not 3", c.Version))
	}
	switch c.SignatureAlgorithm {
	case x509.SHA256WithRSA, x509.SHA384WithRSA, x509.SHA512WithRSA,
		x509.ECDSAWithSHA256, x509.ECDSAWithSHA384, x509.ECDSAWithSHA512,
		x509.SHA256WithRSAPSS, x509.SHA384WithRSAPSS, x509.SHA512WithRSAPSS, x509.PureEd25519:
	default:
		errs = append(errs, fmt.Sprintf("signature algorithm %v is not allowed", c.SignatureAlgorithm))
	}
	if c.KeyUsage&x509.KeyUsageDigitalSignature == 0 {
		errs = append(errs, "keyUsage lacks digitalSignature")
	}
	if c.KeyUsage&x509.KeyUsageCertSign != 0 {
		errs = append(errs, "keyUsage has keyCertSign")
	}
	if c.BasicConstraintsValid && c.IsCA {
		errs = append(errs, "the signer certificate is a CA")
	}
	if slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageAny) {
		errs = append(errs, "extKeyUsage has anyExtendedKeyUsage")
	}
	ok := slices.Contains(c.ExtKeyUsage, x509.ExtKeyUsageEmailProtection)
	for _, o := range c.UnknownExtKeyUsage {
		ok = ok || o.Equal(oidEKUDocumentSigning) || o.Equal(oidEKUC2PAClaim) || o.Equal(oidEKUMSC2PA)
	}
	if !ok {
		errs = append(errs, "extKeyUsage lacks emailProtection, documentSigning and the C2PA signing EKUs")
	}
	if t.Before(c.NotBefore) || t.After(c.NotAfter) {
		errs = append(errs, fmt.Sprintf("outside its validity %s to %s", c.NotBefore.Format(time.DateOnly), c.NotAfter.Format(time.DateOnly)))
	}
	return errs
}

// Roots is a pool of trust anchors: the local root in dir (CAFile; none
// yet is no error) and every PEM certificate in the file extra, if given.
func Roots(dir, extra string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if dir != "" {
		if b, err := os.ReadFile(filepath.Join(dir, CAFile)); err == nil && !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("label: c2pa: %s: no PEM certificates in it", filepath.Join(dir, CAFile))
		}
	}
	if extra != "" {
		b, err := os.ReadFile(extra)
		if err != nil {
			return nil, fmt.Errorf("label: c2pa: trust anchors: %w", err)
		}
		if !pool.AppendCertsFromPEM(b) {
			return nil, fmt.Errorf("label: c2pa: %s: no PEM certificates in it", extra)
		}
	}
	return pool, nil
}
