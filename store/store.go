// Package store keeps the studio's records — accounts, sessions, API keys,
// works with every version, jobs and ratings — in SQL, and the files works
// make (paintings, bundles) in a filesystem asset store. SQLite through the
// pure-Go modernc.org/sqlite driver is the default, one file in the data
// directory; a postgres:// URL selects PostgreSQL through pgx instead, with
// the same queries (written with ? and renumbered for PostgreSQL).
package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // PostgreSQL, for --db postgres://…
	_ "modernc.org/sqlite"             // SQLite without cgo, the default
)

// ErrNotFound means no record has the id asked for.
var ErrNotFound = errors.New("not found")

// ErrConflict means a record with that unique name exists already.
var ErrConflict = errors.New("already exists")

// DB is the studio's database.
type DB struct {
	sql      *sql.DB
	postgres bool
}

// Open connects to dsn: empty for SQLite in dataDir/miaobi.db, a file
// path or sqlite:PATH for SQLite elsewhere, or a postgres:// (postgresql://)
// URL. It creates or upgrades the schema.
func Open(ctx context.Context, dsn, dataDir string) (*DB, error) {
	db := &DB{}
	var err error
	switch {
	case strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://"):
		db.postgres = true
		db.sql, err = sql.Open("pgx", dsn)
		if err == nil {
			db.sql.SetMaxOpenConns(16)
		}
	default:
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			if err := os.MkdirAll(dataDir, 0o700); err != nil {
				return nil, fmt.Errorf("store: data directory: %w", err)
			}
			path = filepath.Join(dataDir, "miaobi.db")
		}
		// WAL lets readers go on while one writer writes; the busy
		// timeout makes concurrent writers wait instead of failing.
		db.sql, err = sql.Open("sqlite", "file:"+path+"?_pragma=journal_mode(WAL)&_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)&_txlock=immediate")
		if err == nil {
			db.sql.SetMaxOpenConns(4)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("store: open: %w", err)
	}
	pctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := db.sql.PingContext(pctx); err != nil {
		db.sql.Close()
		return nil, fmt.Errorf("store: connect to %s: %w (is the database server running, and the URL, user and password right?)", redact(dsn), err)
	}
	if err := db.migrate(ctx); err != nil {
		db.sql.Close()
		return nil, err
	}
	return db, nil
}

// redact hides a password in a database URL.
func redact(dsn string) string {
	if dsn == "" {
		return "the SQLite database"
	}
	if i := strings.Index(dsn, "://"); i >= 0 {
		if j := strings.LastIndex(dsn, "@"); j > i {
			return dsn[:i+3] + "…" + dsn[j:]
		}
	}
	return dsn
}

// Kind names the database: "sqlite" or "postgres".
func (db *DB) Kind() string {
	if db.postgres {
		return "postgres"
	}
	return "sqlite"
}

// Close closes the connections.
func (db *DB) Close() error { return db.sql.Close() }

// Ping checks the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.sql.PingContext(ctx) }

// q renumbers ? placeholders as $1, $2 … for PostgreSQL.
func (db *DB) q(query string) string {
	if !db.postgres {
		return query
	}
	var b strings.Builder
	n := 0
	for _, r := range query {
		if r == '?' {
			n++
			fmt.Fprintf(&b, "$%d", n)
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

func (db *DB) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return db.sql.ExecContext(ctx, db.q(query), args...)
}

func (db *DB) queryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return db.sql.QueryRowContext(ctx, db.q(query), args...)
}

func (db *DB) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return db.sql.QueryContext(ctx, db.q(query), args...)
}

// scanner is a row to read: *sql.Row or *sql.Rows.
type scanner interface{ Scan(...any) error }

// list runs a query and reads every row with scan.
func list[T any](db *DB, ctx context.Context, what string, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := db.query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", what, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// schema is applied in order; each entry is one version.
var schema = []string{
	`CREATE TABLE users (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL UNIQUE,
		pass_hash TEXT NOT NULL,
		admin INTEGER NOT NULL DEFAULT 0,
		created BIGINT NOT NULL
	);
	CREATE TABLE sessions (
		token_hash TEXT PRIMARY KEY,
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		csrf TEXT NOT NULL,
		expires BIGINT NOT NULL
	);
	CREATE TABLE api_keys (
		id TEXT PRIMARY KEY,
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		name TEXT NOT NULL,
		key_hash TEXT NOT NULL UNIQUE,
		quota BIGINT NOT NULL,
		day TEXT NOT NULL DEFAULT '',
		used_today BIGINT NOT NULL DEFAULT 0,
		used_total BIGINT NOT NULL DEFAULT 0,
		created BIGINT NOT NULL,
		last_used BIGINT NOT NULL DEFAULT 0
	);
	CREATE TABLE works (
		id TEXT PRIMARY KEY,
		owner TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		title TEXT NOT NULL,
		stage TEXT NOT NULL,
		head INTEGER NOT NULL DEFAULT 0,
		autopilot INTEGER NOT NULL DEFAULT 0,
		created BIGINT NOT NULL,
		updated BIGINT NOT NULL
	);
	CREATE INDEX works_owner ON works(owner, updated);
	CREATE TABLE versions (
		work_id TEXT NOT NULL REFERENCES works(id) ON DELETE CASCADE,
		n INTEGER NOT NULL,
		created BIGINT NOT NULL,
		author TEXT NOT NULL,
		action TEXT NOT NULL,
		note TEXT NOT NULL,
		content TEXT NOT NULL,
		PRIMARY KEY (work_id, n)
	);
	CREATE TABLE jobs (
		id TEXT PRIMARY KEY,
		work_id TEXT NOT NULL,
		owner TEXT NOT NULL,
		kind TEXT NOT NULL,
		state TEXT NOT NULL,
		progress DOUBLE PRECISION NOT NULL DEFAULT 0,
		message TEXT NOT NULL DEFAULT '',
		input TEXT NOT NULL,
		result TEXT NOT NULL DEFAULT '',
		error TEXT NOT NULL DEFAULT '',
		attempts INTEGER NOT NULL DEFAULT 0,
		created BIGINT NOT NULL,
		updated BIGINT NOT NULL
	);
	CREATE INDEX jobs_work ON jobs(work_id, created);
	CREATE INDEX jobs_state ON jobs(state);
	CREATE TABLE ratings (
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		work_id TEXT NOT NULL,
		candidate TEXT NOT NULL,
		content TEXT NOT NULL,
		score INTEGER NOT NULL,
		favourite INTEGER NOT NULL DEFAULT 0,
		created BIGINT NOT NULL,
		PRIMARY KEY (user_id, candidate)
	);
	CREATE TABLE tastes (
		user_id TEXT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
		model TEXT NOT NULL,
		ratings INTEGER NOT NULL,
		updated BIGINT NOT NULL
	);`,
	// A running job's lease: while a worker renews it, no other worker
	// starts the job, even if its message is delivered again.
	`ALTER TABLE jobs ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0`,
	// The arena: rounds, their pools of poems, the items dealt to each
	// reader with the answers, and every poem a reader has seen (by its
	// text), so that nobody is shown the same poem twice.
	`CREATE TABLE arena_rounds (
		id TEXT PRIMARY KEY,
		name TEXT NOT NULL,
		size INTEGER NOT NULL,
		state TEXT NOT NULL,
		note TEXT NOT NULL DEFAULT '',
		job_id TEXT NOT NULL DEFAULT '',
		created_by TEXT NOT NULL,
		created BIGINT NOT NULL
	);
	CREATE TABLE arena_poems (
		id TEXT PRIMARY KEY,
		round_id TEXT NOT NULL REFERENCES arena_rounds(id) ON DELETE CASCADE,
		source TEXT NOT NULL,
		version TEXT NOT NULL,
		form TEXT NOT NULL,
		prompt TEXT NOT NULL,
		lines TEXT NOT NULL,
		origin TEXT NOT NULL,
		pkey TEXT NOT NULL,
		created BIGINT NOT NULL
	);
	CREATE INDEX arena_poems_round ON arena_poems(round_id);
	CREATE TABLE arena_deals (
		id TEXT PRIMARY KEY,
		round_id TEXT NOT NULL REFERENCES arena_rounds(id) ON DELETE CASCADE,
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		pos INTEGER NOT NULL,
		poem_a TEXT NOT NULL,
		poem_b TEXT NOT NULL DEFAULT '',
		created BIGINT NOT NULL,
		answered BIGINT NOT NULL DEFAULT 0,
		human_a INTEGER NOT NULL DEFAULT 0,
		score_a INTEGER NOT NULL DEFAULT 0,
		human_b INTEGER NOT NULL DEFAULT 0,
		score_b INTEGER NOT NULL DEFAULT 0,
		better INTEGER NOT NULL DEFAULT -1,
		UNIQUE (round_id, user_id, pos)
	);
	CREATE INDEX arena_deals_answered ON arena_deals(round_id, answered);
	CREATE TABLE arena_seen (
		user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
		pkey TEXT NOT NULL,
		round_id TEXT NOT NULL REFERENCES arena_rounds(id) ON DELETE CASCADE,
		PRIMARY KEY (user_id, pkey)
	);
	CREATE INDEX arena_seen_round ON arena_seen(round_id)`,
}

// migrate brings the schema up to date inside one transaction per step.
func (db *DB) migrate(ctx context.Context) error {
	if _, err := db.exec(ctx, `CREATE TABLE IF NOT EXISTS schema_version (v INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("store: schema: %w", err)
	}
	var v int
	err := db.queryRow(ctx, `SELECT v FROM schema_version`).Scan(&v)
	if errors.Is(err, sql.ErrNoRows) {
		if _, err := db.exec(ctx, `INSERT INTO schema_version (v) VALUES (0)`); err != nil {
			return fmt.Errorf("store: schema: %w", err)
		}
	} else if err != nil {
		return fmt.Errorf("store: schema: %w", err)
	}
	if v > len(schema) {
		return fmt.Errorf("store: the database has schema version %d, newer than this Miaobi (%d); upgrade Miaobi", v, len(schema))
	}
	for i := v; i < len(schema); i++ {
		tx, err := db.sql.BeginTx(ctx, nil)
		if err != nil {
			return fmt.Errorf("store: schema: %w", err)
		}
		for _, stmt := range strings.Split(schema[i], ";") {
			if strings.TrimSpace(stmt) == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, stmt); err != nil {
				tx.Rollback()
				return fmt.Errorf("store: schema step %d: %w", i+1, err)
			}
		}
		if _, err := tx.ExecContext(ctx, db.q(`UPDATE schema_version SET v = ?`), i+1); err != nil {
			tx.Rollback()
			return fmt.Errorf("store: schema: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return fmt.Errorf("store: schema: %w", err)
		}
	}
	return nil
}

// NewID returns a random identifier: prefix and 16 hex digits.
func NewID(prefix string) string {
	var b [8]byte
	rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// now is the clock, in Unix milliseconds.
func now() int64 { return time.Now().UnixMilli() }

// isUnique tells whether err is a unique-constraint violation.
func isUnique(err error) bool {
	if err == nil {
		return false
	}
	s := err.Error()
	return strings.Contains(s, "UNIQUE constraint") || strings.Contains(s, "SQLSTATE 23505") || strings.Contains(s, "duplicate key")
}
