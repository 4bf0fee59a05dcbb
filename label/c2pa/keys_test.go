package c2pa

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"
)

// testKeys is key material made once per test binary with InitKeys.
var testKeys struct {
	once                    sync.Once
	signer                  *Signer
	caPEM, chainPEM, keyPEM []byte
	err                     error
}

func loadTestKeys(t testing.TB) {
	testKeys.once.Do(func() {
		dir, err := os.MkdirTemp("", "miaobi-c2pa-keys-")
		if err != nil {
			testKeys.err = err
			return
		}
		defer os.RemoveAll(dir)
		if testKeys.err = InitKeys(dir, "Miaobi Test", false); testKeys.err != nil {
			return
		}
		if testKeys.signer, testKeys.err = LoadSigner(dir); testKeys.err != nil {
			return
		}
		testKeys.caPEM, _ = os.ReadFile(filepath.Join(dir, CAFile))
		testKeys.chainPEM, _ = os.ReadFile(filepath.Join(dir, SignerCertFile))
		testKeys.keyPEM, _ = os.ReadFile(filepath.Join(dir, SignerKeyFile))
	})
	if testKeys.err != nil {
		t.Fatal(testKeys.err)
	}
}

// testSigner is the shared test signer.
func testSigner(t testing.TB) *Signer {
	loadTestKeys(t)
	return testKeys.signer
}

// testRoots is a pool with the shared test CA.
func testRoots(t testing.TB) *x509.CertPool {
	loadTestKeys(t)
	return x509CertPool(t, testKeys.caPEM)
}

// testCAFile writes the shared test CA to a file and returns its path.
func testCAFile(t testing.TB, dir string) string {
	loadTestKeys(t)
	path := filepath.Join(dir, CAFile)
	if err := os.WriteFile(path, testKeys.caPEM, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// x509CertPool is a pool of the PEM certificates in b.
func x509CertPool(t testing.TB, b []byte) *x509.CertPool {
	p := x509.NewCertPool()
	if !p.AppendCertsFromPEM(b) {
		t.Fatal("no PEM certificate")
	}
	return p
}

func TestKeysInit(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "keys")
	if err := InitKeys(dir, "Example Org", false); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(filepath.Join(dir, SignerKeyFile))
	if err != nil || st.Mode().Perm() != 0o600 {
		t.Fatalf("signer.key mode %v (%v)", st.Mode(), err)
	}
	if err := InitKeys(dir, "Example Org", false); !errors.Is(err, fs.ErrExist) {
		t.Fatalf("second InitKeys without force: %v", err)
	}
	s, err := LoadSigner(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Chain) != 2 {
		t.Fatalf("chain of %d", len(s.Chain))
	}
	leaf, ca := s.Chain[0], s.Chain[1]
	// The C2PA certificate profile.
	if errs := certProfileErrors(leaf, time.Now()); len(errs) > 0 {
		t.Errorf("profile: %v", errs)
	}
	if leaf.KeyUsage != x509.KeyUsageDigitalSignature || leaf.IsCA || !leaf.BasicConstraintsValid ||
		!slices.Contains(leaf.ExtKeyUsage, x509.ExtKeyUsageEmailProtection) || len(leaf.SubjectKeyId) == 0 || len(leaf.AuthorityKeyId) == 0 {
		t.Errorf("signer certificate: KU %v CA %v EKU %v", leaf.KeyUsage, leaf.IsCA, leaf.ExtKeyUsage)
	}
	if !ca.IsCA || ca.KeyUsage&x509.KeyUsageCertSign == 0 || ca.MaxPathLen != 0 || !ca.MaxPathLenZero {
		t.Errorf("CA certificate: CA %v KU %v", ca.IsCA, ca.KeyUsage)
	}
	if leaf.Subject.CommonName != "Example Org Miaobi Signer" || leaf.Subject.Organization[0] != "Example Org" {
		t.Errorf("subject %v", leaf.Subject)
	}
	// Critical extensions: keyUsage (2.5.29.15) and basicConstraints (2.5.29.19).
	for _, e := range leaf.Extensions {
		if (e.Id.String() == "2.5.29.15" || e.Id.String() == "2.5.29.19") && !e.Critical {
			t.Errorf("extension %v is not critical", e.Id)
		}
	}
	roots := x509.NewCertPool()
	roots.AddCert(ca)
	if _, err := leaf.Verify(x509.VerifyOptions{Roots: roots, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageEmailProtection}}); err != nil {
		t.Errorf("chain: %v", err)
	}
	// force replaces the keys.
	if err := InitKeys(dir, "Example Org", true); err != nil {
		t.Fatal(err)
	}
	s2, err := LoadSigner(dir)
	if err != nil || s2.Key.Equal(s.Key) {
		t.Errorf("force did not make new keys (%v)", err)
	}
}

func TestKeysLoadUserFiles(t *testing.T) {
	loadTestKeys(t)
	dir := t.TempDir()
	chainPEM, caPEM, keyPEM := testKeys.chainPEM, testKeys.caPEM, testKeys.keyPEM
	// Only the leaf in signer.pem, the CA beside it, and a SEC 1 key.
	leafBlock, _ := pem.Decode(chainPEM)
	blk, _ := pem.Decode(keyPEM)
	k, _ := x509.ParsePKCS8PrivateKey(blk.Bytes)
	sec1, _ := x509.MarshalECPrivateKey(k.(*ecdsa.PrivateKey))
	os.WriteFile(filepath.Join(dir, SignerCertFile), pem.EncodeToMemory(leafBlock), 0o644)
	os.WriteFile(filepath.Join(dir, CAFile), caPEM, 0o644)
	os.WriteFile(filepath.Join(dir, SignerKeyFile), pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: sec1}), 0o600)
	s, err := LoadSigner(dir)
	if err != nil || len(s.Chain) != 2 {
		t.Fatalf("leaf-only signer.pem with ca.pem: %v", err)
	}
	// A key that is not the certificate's.
	other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	der, _ := x509.MarshalPKCS8PrivateKey(other)
	os.WriteFile(filepath.Join(dir, SignerKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	if _, err := LoadSigner(dir); err == nil {
		t.Error("mismatched key: no error")
	}
	// A P-384 key is not ES256.
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	der, _ = x509.MarshalPKCS8PrivateKey(p384)
	os.WriteFile(filepath.Join(dir, SignerKeyFile), pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), 0o600)
	if _, err := LoadSigner(dir); err == nil {
		t.Error("P-384 key: no error")
	}
	// Missing files.
	if _, err := LoadSigner(t.TempDir()); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("empty dir: %v", err)
	}
	// The CA certificate is not a signer.
	caBlock, _ := pem.Decode(caPEM)
	ca, _ := x509.ParseCertificate(caBlock.Bytes)
	if errs := certProfileErrors(ca, time.Now()); len(errs) == 0 {
		t.Error("the CA certificate passes the signer profile")
	}
	if errs := certProfileErrors(s.Chain[0], time.Now().Add(10*365*24*time.Hour)); len(errs) == 0 {
		t.Error("an expired certificate passes the profile")
	}
}
