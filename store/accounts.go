package store

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/crypto/argon2"
)

// User is a local account.
type User struct {
	ID      string `json:"id"`
	Name    string `json:"name"`
	Admin   bool   `json:"admin"`
	Created int64  `json:"created"`
	hash    string
}

// Argon2id parameters (RFC 9106 / OWASP: 19 MiB, 2 passes, 1 lane).
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// MinPassword is the shortest password accepted.
const MinPassword = 10

// ErrBadPassword means the name or password does not match.
var ErrBadPassword = errors.New("wrong user name or password")

// hashSlots bounds the password hashes computed at once (each takes
// argonMemory), so a flood of logins cannot exhaust memory.
var hashSlots = make(chan struct{}, 4)

// HashPassword returns an argon2id hash in the PHC string format.
func HashPassword(pw string) string {
	hashSlots <- struct{}{}
	defer func() { <-hashSlots }()
	salt := make([]byte, 16)
	rand.Read(salt)
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads, enc.EncodeToString(salt), enc.EncodeToString(key))
}

// CheckPassword tells whether pw matches a HashPassword hash.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t > 16 || p == 0 {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(want) == 0 || len(want) > 64 {
		return false
	}
	hashSlots <- struct{}{}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(want)))
	<-hashSlots
	return subtle.ConstantTimeCompare(got, want) == 1
}

// ValidUserName checks a new user name: 1 to 64 characters, no spaces or
// control characters.
func ValidUserName(name string) error {
	if name == "" || utf8.RuneCountInString(name) > 64 || !utf8.ValidString(name) {
		return fmt.Errorf("a user name has 1 to 64 characters")
	}
	for _, r := range name {
		if r <= ' ' || r == 0x7f || r == '/' || r == '\\' {
			return fmt.Errorf("a user name has no spaces, slashes or control characters")
		}
	}
	return nil
}

// CreateUser adds a user; ErrConflict when the name is taken.
func (db *DB) CreateUser(ctx context.Context, name, password string, admin bool) (*User, error) {
	if err := ValidUserName(name); err != nil {
		return nil, err
	}
	if utf8.RuneCountInString(password) < MinPassword || len(password) > 1024 {
		return nil, fmt.Errorf("a password has at least %d characters (and at most 1024 bytes)", MinPassword)
	}
	u := &User{ID: NewID("u_"), Name: name, Admin: admin, Created: now(), hash: HashPassword(password)}
	_, err := db.exec(ctx, `INSERT INTO users (id, name, pass_hash, admin, created) VALUES (?, ?, ?, ?, ?)`, u.ID, u.Name, u.hash, b2i(admin), u.Created)
	if isUnique(err) {
		return nil, fmt.Errorf("user %q: %w", name, ErrConflict)
	}
	if err != nil {
		return nil, fmt.Errorf("store: create user: %w", err)
	}
	return u, nil
}

// CountUsers returns how many users there are.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.queryRow(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, err
}

// Users lists every user, oldest first.
func (db *DB) Users(ctx context.Context) ([]*User, error) {
	return list(db, ctx, "users", scanUser, `SELECT id, name, pass_hash, admin, created FROM users ORDER BY created`)
}

// SetPassword replaces a user's password.
func (db *DB) SetPassword(ctx context.Context, userID, password string) error {
	if utf8.RuneCountInString(password) < MinPassword || len(password) > 1024 {
		return fmt.Errorf("a password has at least %d characters (and at most 1024 bytes)", MinPassword)
	}
	_, err := db.exec(ctx, `UPDATE users SET pass_hash = ? WHERE id = ?`, HashPassword(password), userID)
	return err
}

func scanUser(row scanner) (*User, error) {
	var u User
	var admin int
	if err := row.Scan(&u.ID, &u.Name, &u.hash, &admin, &u.Created); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("store: user: %w", err)
	}
	u.Admin = admin != 0
	return &u, nil
}

// UserByName finds a user.
func (db *DB) UserByName(ctx context.Context, name string) (*User, error) {
	return scanUser(db.queryRow(ctx, `SELECT id, name, pass_hash, admin, created FROM users WHERE name = ?`, name))
}

// User finds a user by id.
func (db *DB) User(ctx context.Context, id string) (*User, error) {
	return scanUser(db.queryRow(ctx, `SELECT id, name, pass_hash, admin, created FROM users WHERE id = ?`, id))
}

// Login checks a name and password.
func (db *DB) Login(ctx context.Context, name, password string) (*User, error) {
	u, err := db.UserByName(ctx, name)
	if errors.Is(err, ErrNotFound) {
		// Spend the same time as a real check, so timing does not tell
		// which names exist.
		CheckPassword(dummyHash(), password)
		return nil, ErrBadPassword
	}
	if err != nil {
		return nil, err
	}
	if !CheckPassword(u.hash, password) {
		return nil, ErrBadPassword
	}
	return u, nil
}

// dummyHash is a hash to check unknown names against, made on first use
// (argon2id costs every process that merely links the store otherwise).
var dummyHash = sync.OnceValue(func() string { return HashPassword("not a real password") })

// Session is a signed-in browser.
type Session struct {
	User    *User
	CSRF    string
	Expires time.Time
}

// SessionLife is how long a session lasts without use.
const SessionLife = 7 * 24 * time.Hour

// NewToken returns n random bytes as unpadded URL-safe base64: session
// tokens, CSRF tokens, key secrets and first-run passwords.
func NewToken(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func tokenHash(tok string) string {
	h := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(h[:])
}

// NewSession starts a session lasting life and returns its secret token
// (the cookie).
func (db *DB) NewSession(ctx context.Context, userID string, life time.Duration) (string, error) {
	tok := NewToken(32)
	_, err := db.exec(ctx, `INSERT INTO sessions (token_hash, user_id, csrf, expires) VALUES (?, ?, ?, ?)`,
		tokenHash(tok), userID, NewToken(24), time.Now().Add(life).UnixMilli())
	if err != nil {
		return "", fmt.Errorf("store: session: %w", err)
	}
	return tok, nil
}

// ErrExpired means a session token is unknown or has expired.
var ErrExpired = errors.New("the session has expired; sign in again")

// Session looks a session token up.
func (db *DB) Session(ctx context.Context, tok string) (*Session, error) {
	if tok == "" || len(tok) > 200 {
		return nil, ErrExpired
	}
	var uid, csrf string
	var exp int64
	err := db.queryRow(ctx, `SELECT user_id, csrf, expires FROM sessions WHERE token_hash = ?`, tokenHash(tok)).Scan(&uid, &csrf, &exp)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrExpired
	}
	if err != nil {
		return nil, fmt.Errorf("store: session: %w", err)
	}
	if exp < now() {
		db.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash(tok))
		return nil, ErrExpired
	}
	u, err := db.User(ctx, uid)
	if err != nil {
		return nil, ErrExpired
	}
	return &Session{User: u, CSRF: csrf, Expires: time.UnixMilli(exp)}, nil
}

// EndSession signs a session out.
func (db *DB) EndSession(ctx context.Context, tok string) error {
	_, err := db.exec(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash(tok))
	return err
}

// EndOtherSessions signs a user out everywhere but the session keep (a
// token; empty for everywhere).
func (db *DB) EndOtherSessions(ctx context.Context, userID, keep string) error {
	_, err := db.exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND token_hash <> ?`, userID, tokenHash(keep))
	return err
}

// ExpireSessions deletes expired sessions.
func (db *DB) ExpireSessions(ctx context.Context) error {
	_, err := db.exec(ctx, `DELETE FROM sessions WHERE expires < ?`, now())
	return err
}

// APIKey is a key for the JSON API.
type APIKey struct {
	ID     string `json:"id"`
	UserID string `json:"user_id"`
	Name   string `json:"name"`
	// Quota is how many generation requests the key may make per UTC day
	// (0: none allowed).
	Quota     int64 `json:"quota"`
	UsedToday int64 `json:"used_today"`
	UsedTotal int64 `json:"used_total"`
	Created   int64 `json:"created"`
	LastUsed  int64 `json:"last_used"`
}

// KeyPrefix starts every API key, so leaked keys are easy to recognise.
const KeyPrefix = "mbk_"

// DefaultQuota is a new key's daily quota of generation requests.
const DefaultQuota = 1000

// CreateKey makes an API key and returns it with its secret, which is
// shown once and stored only as a hash.
func (db *DB) CreateKey(ctx context.Context, userID, name string, quota int64) (*APIKey, string, error) {
	if name == "" || utf8.RuneCountInString(name) > 100 || !utf8.ValidString(name) || strings.ContainsFunc(name, unicode.IsControl) {
		return nil, "", fmt.Errorf("a key name has 1 to 100 characters, none of them control characters")
	}
	if quota < 0 || quota > 1e9 {
		return nil, "", fmt.Errorf("quota %d: give 0 to 1000000000 requests a day", quota)
	}
	secret := KeyPrefix + NewToken(24)
	k := &APIKey{ID: NewID("k_"), UserID: userID, Name: name, Quota: quota, Created: now()}
	_, err := db.exec(ctx, `INSERT INTO api_keys (id, user_id, name, key_hash, quota, created) VALUES (?, ?, ?, ?, ?, ?)`,
		k.ID, userID, name, tokenHash(secret), quota, k.Created)
	if err != nil {
		return nil, "", fmt.Errorf("store: create key: %w", err)
	}
	return k, secret, nil
}

const keyCols = `id, user_id, name, quota, day, used_today, used_total, created, last_used`

func scanKey(row scanner) (*APIKey, error) {
	var k APIKey
	var day string
	if err := row.Scan(&k.ID, &k.UserID, &k.Name, &k.Quota, &day, &k.UsedToday, &k.UsedTotal, &k.Created, &k.LastUsed); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("store: key: %w", err)
	}
	if day != today() {
		k.UsedToday = 0
	}
	return &k, nil
}

func today() string { return time.Now().UTC().Format("2006-01-02") }

// KeyBySecret finds the key a request presents.
func (db *DB) KeyBySecret(ctx context.Context, secret string) (*APIKey, error) {
	if !strings.HasPrefix(secret, KeyPrefix) || len(secret) > 200 {
		return nil, ErrNotFound
	}
	return scanKey(db.queryRow(ctx, `SELECT `+keyCols+` FROM api_keys WHERE key_hash = ?`, tokenHash(secret)))
}

// Keys lists a user's keys.
func (db *DB) Keys(ctx context.Context, userID string) ([]*APIKey, error) {
	return list(db, ctx, "keys", scanKey, `SELECT `+keyCols+` FROM api_keys WHERE user_id = ? ORDER BY created`, userID)
}

// DeleteKey revokes one of a user's keys.
func (db *DB) DeleteKey(ctx context.Context, userID, id string) error {
	r, err := db.exec(ctx, `DELETE FROM api_keys WHERE id = ? AND user_id = ?`, id, userID)
	if err != nil {
		return fmt.Errorf("store: delete key: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// ErrQuota means a key has used its daily quota.
var ErrQuota = errors.New("quota exceeded")

// UseKey counts one generation request against a key's daily quota in
// one statement, so concurrent requests cannot overdraw it; ErrQuota when
// the quota is spent.
func (db *DB) UseKey(ctx context.Context, id string) error {
	d := today()
	r, err := db.exec(ctx, `UPDATE api_keys SET
			used_today = CASE WHEN day = ? THEN used_today + 1 ELSE 1 END,
			day = ?, used_total = used_total + 1, last_used = ?
		WHERE id = ? AND (day <> ? OR used_today < quota) AND quota > 0`, d, d, now(), id, d)
	if err != nil {
		return fmt.Errorf("store: use key: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return ErrQuota
	}
	return nil
}

// RefundKey gives back one request counted by UseKey, for a request
// that was refused for its input.
func (db *DB) RefundKey(ctx context.Context, id string) error {
	_, err := db.exec(ctx, `UPDATE api_keys SET used_today = used_today - 1, used_total = used_total - 1 WHERE id = ? AND used_today > 0 AND used_total > 0`, id)
	return err
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// FirstAdmin creates the user admin on the first run, with the password
// in MIAOBI_ADMIN_PASSWORD or a random one, and returns the name and
// password (empty when there were users already).
func FirstAdmin(ctx context.Context, db *DB) (string, string, error) {
	n, err := db.CountUsers(ctx)
	if err != nil || n > 0 {
		return "", "", err
	}
	pw := os.Getenv("MIAOBI_ADMIN_PASSWORD")
	if pw == "" {
		pw = NewToken(12)
	}
	if _, err := db.CreateUser(ctx, "admin", pw, true); err != nil {
		if errors.Is(err, ErrConflict) {
			return "", "", nil
		}
		return "", "", fmt.Errorf("creating the admin user: %w", err)
	}
	return "admin", pw, nil
}
