// Package storetest opens fresh studio databases for tests: SQLite in a
// temporary directory always, and PostgreSQL when MIAOBI_TEST_POSTGRES
// names a server (scripts/testdb.sh starts one; make test sets it), each
// test in a database of its own. Under CI, a missing PostgreSQL fails
// the test instead of skipping it.
package storetest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"

	"miaobi/store"
)

// Each runs fn once per database kind, as subtests named sqlite and
// postgres.
func Each(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite opens a new SQLite database in t.TempDir().
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// Postgres creates a new database on the server MIAOBI_TEST_POSTGRES names
// and opens it; it skips the test when none is named (fails under CI).
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), PostgresDB(t), "")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresDB creates a new, empty database on the test server, dropped
// when the test ends, and returns its URL.
func PostgresDB(t testing.TB) string {
	t.Helper()
	dsn := PostgresURL(t)
	admin, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	name := "miaobi_test_" + store.NewID("")
	if _, err := admin.Exec("CREATE DATABASE " + name); err != nil {
		t.Fatalf("create database on %s: %v", dsn, err)
	}
	t.Cleanup(func() {
		if a, err := sql.Open("pgx", dsn); err == nil {
			a.Exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
			a.Close()
		}
	})
	u, _ := url.Parse(dsn)
	u.Path = "/" + name
	return u.String()
}

// PostgresURL is the test server's URL, or a skip (a failure under CI).
func PostgresURL(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("MIAOBI_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("CI") != "" {
			t.Fatal("MIAOBI_TEST_POSTGRES is not set: run the tests with 'make test', which starts PostgreSQL (scripts/testdb.sh)")
		}
		t.Skip("no PostgreSQL: set MIAOBI_TEST_POSTGRES=$(scripts/testdb.sh) to test it")
	}
	if _, err := url.Parse(dsn); err != nil {
		t.Fatal(fmt.Errorf("MIAOBI_TEST_POSTGRES: %w", err))
	}
	return dsn
}
