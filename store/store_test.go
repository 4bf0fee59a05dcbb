package store_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"miaobi/store"
	"miaobi/store/storetest"
)

func TestAccounts(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u, err := db.CreateUser(ctx, "李白", "明月松间照清泉石上流", false)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.CreateUser(ctx, "李白", "another password", false); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("duplicate user: %v", err)
		}
		for _, bad := range []struct{ name, pw string }{{"", "long enough pw"}, {"a b", "long enough pw"}, {"ok", "short"}, {"../x", "long enough pw"}} {
			if _, err := db.CreateUser(ctx, bad.name, bad.pw, false); err == nil {
				t.Errorf("CreateUser(%q, %q): no error", bad.name, bad.pw)
			}
		}
		if _, err := db.Login(ctx, "李白", "wrong password"); !errors.Is(err, store.ErrBadPassword) {
			t.Fatalf("wrong password: %v", err)
		}
		if _, err := db.Login(ctx, "杜甫", "明月松间照清泉石上流"); !errors.Is(err, store.ErrBadPassword) {
			t.Fatalf("unknown user: %v", err)
		}
		got, err := db.Login(ctx, "李白", "明月松间照清泉石上流")
		if err != nil || got.ID != u.ID {
			t.Fatalf("login: %v %v", got, err)
		}
		tok, err := db.NewSession(ctx, u.ID, store.SessionLife)
		if err != nil {
			t.Fatal(err)
		}
		s, err := db.Session(ctx, tok)
		if err != nil || s.User.ID != u.ID || len(s.CSRF) < 20 {
			t.Fatalf("session: %+v %v", s, err)
		}
		if _, err := db.Session(ctx, tok+"x"); !errors.Is(err, store.ErrExpired) {
			t.Fatalf("bad token: %v", err)
		}
		old, _ := db.NewSession(ctx, u.ID, -time.Second)
		if _, err := db.Session(ctx, old); !errors.Is(err, store.ErrExpired) {
			t.Fatalf("expired session: %v", err)
		}
		if err := db.EndSession(ctx, tok); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Session(ctx, tok); !errors.Is(err, store.ErrExpired) {
			t.Fatalf("ended session: %v", err)
		}
	})
}

func TestKeyQuota(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u, _ := db.CreateUser(ctx, "writer", "a long password", false)
		k, secret, err := db.CreateKey(ctx, u.ID, "bot", 5)
		if err != nil {
			t.Fatal(err)
		}
		got, err := db.KeyBySecret(ctx, secret)
		if err != nil || got.ID != k.ID {
			t.Fatalf("key by secret: %v %v", got, err)
		}
		if _, err := db.KeyBySecret(ctx, "mbk_nope"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown key: %v", err)
		}
		// Ten concurrent uses of a quota of five: exactly five pass.
		var wg sync.WaitGroup
		var mu sync.Mutex
		ok, refused := 0, 0
		for i := 0; i < 10; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				err := db.UseKey(ctx, k.ID)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err == nil:
					ok++
				case errors.Is(err, store.ErrQuota):
					refused++
				default:
					t.Error(err)
				}
			}()
		}
		wg.Wait()
		if ok != 5 || refused != 5 {
			t.Fatalf("quota 5: %d passed, %d refused", ok, refused)
		}
		ks, _ := db.Keys(ctx, u.ID)
		if len(ks) != 1 || ks[0].UsedToday != 5 || ks[0].UsedTotal != 5 {
			t.Fatalf("counters: %+v", ks[0])
		}
		if err := db.DeleteKey(ctx, "someone-else", k.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("delete another's key: %v", err)
		}
		if err := db.DeleteKey(ctx, u.ID, k.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.KeyBySecret(ctx, secret); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("revoked key still works: %v", err)
		}
	})
}

func TestWorksAndJobs(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u, _ := db.CreateUser(ctx, "writer", "a long password", false)
		w := &store.Work{Owner: u.ID, Title: "春", Stage: "plan"}
		if err := db.CreateWork(ctx, w, &store.Version{Author: u.ID, Action: "plan", Content: json.RawMessage(`{"a":1}`)}); err != nil {
			t.Fatal(err)
		}
		v := &store.Version{WorkID: w.ID, Author: "ai", Action: "create", Content: json.RawMessage(`{"a":2}`)}
		if err := db.AddVersion(ctx, 1, "春夜", "edit", v); err != nil || v.N != 2 {
			t.Fatalf("add version: %v (n %d)", err, v.N)
		}
		// A change based on version 1 after version 2 landed is stale.
		if err := db.AddVersion(ctx, 1, "x", "edit", &store.Version{WorkID: w.ID, Author: "ai", Action: "x", Content: json.RawMessage(`{}`)}); !errors.Is(err, store.ErrStale) {
			t.Fatalf("stale: %v", err)
		}
		got, _ := db.Work(ctx, w.ID)
		if got.Head != 2 || got.Title != "春夜" || got.Stage != "edit" {
			t.Fatalf("work %+v", got)
		}
		vs, _ := db.Versions(ctx, w.ID)
		if len(vs) != 2 || string(vs[1].Content) != `{"a":2}` {
			t.Fatalf("versions %+v", vs)
		}
		j := &store.Job{WorkID: w.ID, Owner: u.ID, Kind: "create", Input: json.RawMessage(`{}`)}
		if err := db.CreateJob(ctx, j); err != nil {
			t.Fatal(err)
		}
		if ok, err := db.StartJob(ctx, j.ID, time.Hour); !ok || err != nil {
			t.Fatalf("start: %v %v", ok, err)
		}
		// While its lease lives, a job redelivered elsewhere is busy;
		// once the lease has run out (its worker died) it starts again.
		if ok, err := db.StartJob(ctx, j.ID, time.Hour); ok || !errors.Is(err, store.ErrBusy) {
			t.Fatalf("a second start under a live lease: %v %v", ok, err)
		}
		if err := db.RenewJob(ctx, j.ID, -time.Second); err != nil {
			t.Fatal(err)
		}
		if ok, err := db.StartJob(ctx, j.ID, time.Hour); !ok || err != nil {
			t.Fatalf("restart after the lease ran out: %v %v", ok, err)
		}
		un, _ := db.Unfinished(ctx)
		if len(un) != 1 {
			t.Fatalf("unfinished %d", len(un))
		}
		db.FinishJob(ctx, j.ID, json.RawMessage(`{"ok":true}`), "")
		if ok, _ := db.StartJob(ctx, j.ID, time.Hour); ok {
			t.Fatal("finished job started again")
		}
		jj, _ := db.Job(ctx, j.ID)
		if jj.State != store.JobDone || jj.Attempts != 2 || string(jj.Result) != `{"ok":true}` {
			t.Fatalf("job %+v", jj)
		}
		counts, _ := db.CountJobs(ctx)
		if counts[store.JobDone] != 1 || counts[store.JobQueued] != 0 {
			t.Fatalf("counts %v", counts)
		}
		r := &store.Rating{UserID: u.ID, WorkID: w.ID, Candidate: "c1", Content: json.RawMessage(`{}`), Score: 3}
		db.Rate(ctx, r)
		r.Score, r.Favourite = 9, true
		if err := db.Rate(ctx, r); err != nil {
			t.Fatal(err)
		}
		rs, _ := db.Ratings(ctx, u.ID, w.ID, 10)
		if len(rs) != 1 || rs[0].Score != 9 || !rs[0].Favourite {
			t.Fatalf("ratings %+v", rs)
		}
		if err := db.SaveTaste(ctx, u.ID, json.RawMessage(`{"w":[1]}`), 1); err != nil {
			t.Fatal(err)
		}
		if m, n, err := db.Taste(ctx, u.ID); err != nil || n != 1 || string(m) != `{"w":[1]}` {
			t.Fatalf("taste %s %d %v", m, n, err)
		}
	})
}

func TestAssets(t *testing.T) {
	a, err := store.NewAssets(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if err := a.Put("w_1", "painting.png", []byte("x")); err != nil {
		t.Fatal(err)
	}
	if b, err := a.Get("w_1", "painting.png"); err != nil || string(b) != "x" {
		t.Fatalf("get: %q %v", b, err)
	}
	for _, bad := range [][2]string{{"w_1", "../x"}, {"..", "x"}, {"w_1", ".hidden"}, {"w_1", "a/b"}, {"w_1", ""}, {"w_1", "名字"}, {"w_1", "x\x00y"}} {
		if _, err := a.Get(bad[0], bad[1]); !errors.Is(err, store.ErrBadName) {
			t.Errorf("Get(%q, %q): %v", bad[0], bad[1], err)
		}
		if err := a.Put(bad[0], bad[1], nil); !errors.Is(err, store.ErrBadName) {
			t.Errorf("Put(%q, %q): %v", bad[0], bad[1], err)
		}
	}
	if _, err := a.Get("w_1", "missing.png"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
	names, _ := a.List("w_1")
	if len(names) != 1 {
		t.Fatalf("list %v", names)
	}
}

func TestSchemaUpgradeIsIdempotent(t *testing.T) {
	dir := t.TempDir()
	for i := 0; i < 2; i++ {
		db, err := store.Open(context.Background(), "", dir)
		if err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
}
