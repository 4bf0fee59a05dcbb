package store_test

import (
	"context"
	"errors"
	"fmt"
	"math/rand"
	"testing"

	"miaobi/arena"
	"miaobi/store"
	"miaobi/store/storetest"
)

func TestArena(t *testing.T) {
	storetest.Each(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		u1, err := db.CreateUser(ctx, "reader1", "a long enough password", false)
		if err != nil {
			t.Fatal(err)
		}
		u2, _ := db.CreateUser(ctx, "reader2", "a long enough password", false)
		r := &store.Round{Name: "第一轮", Size: 20, State: store.RoundBuilding, CreatedBy: u1.ID}
		if err := db.CreateRound(ctx, r); err != nil {
			t.Fatal(err)
		}
		poems := []arena.Poem{
			{Source: "human", Version: "chinese-poetry 2.0.1", Form: "五绝", Prompt: "江、雪", Lines: []string{"千山鸟飞绝", "万径人踪灭", "孤舟蓑笠翁", "独钓寒江雪"}, Origin: "柳宗元《江雪》"},
			{Source: "miaobi", Version: "kn4", Form: "五绝", Prompt: "江、雪", Lines: []string{"a", "b"}},
			{Source: "engine:llm", Version: "qwen", Form: "五绝", Prompt: "江、雪", Lines: []string{"c", "d"}},
		}
		if err := db.AddPoems(ctx, r.ID, poems); err != nil {
			t.Fatal(err)
		}
		if err := db.SetRound(ctx, r.ID, store.RoundOpen, "3 poems", "j_1"); err != nil {
			t.Fatal(err)
		}
		if err := db.SetRound(ctx, "r_none", store.RoundOpen, "", ""); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown round: %v", err)
		}
		pool, err := db.Pool(ctx, r.ID)
		if err != nil || len(pool) != 3 {
			t.Fatalf("pool %v %v", pool, err)
		}
		dp, err := db.DealPool(ctx, r.ID)
		if err != nil || len(dp) != 3 || dp[0].Key == "" || dp[0].Key != arena.Key(pool[0].Lines) || dp[0].Lines != nil {
			t.Fatalf("deal pool %+v %v", dp, err)
		}
		got, err := db.ArenaPoems(ctx, poems[0].ID)
		if err != nil || got[0].Origin != "柳宗元《江雪》" || len(got[0].Lines) != 4 {
			t.Fatalf("poem %+v %v", got, err)
		}
		if _, err := db.ArenaPoems(ctx, "p_none"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("unknown poem: %v", err)
		}
		keys := map[string]string{}
		for _, p := range poems {
			keys[p.ID] = arena.Key(p.Lines)
		}
		deals := []arena.Deal{{A: poems[1].ID, B: poems[0].ID}, {A: poems[2].ID}}
		if err := db.Deal(ctx, r.ID, u1.ID, deals, keys); err != nil {
			t.Fatal(err)
		}
		// A second deal for the same reader and round (another tab) fails
		// whole: nothing half-stored.
		if err := db.Deal(ctx, r.ID, u1.ID, deals[:1], keys); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("second deal: %v", err)
		}
		seen, err := db.Seen(ctx, u1.ID)
		if err != nil || len(seen) != 3 || !seen[arena.Key(poems[0].Lines)] {
			t.Fatalf("seen %v %v", seen, err)
		}
		ds, err := db.Deals(ctx, r.ID, u1.ID)
		if err != nil || len(ds) != 2 || ds[0].A != poems[1].ID || ds[1].B != "" {
			t.Fatalf("deals %+v %v", ds, err)
		}
		reply := store.ArenaReply{HumanA: false, ScoreA: 4, HumanB: true, ScoreB: 9, Better: 1}
		if err := db.Answer(ctx, ds[0].ID, u2.ID, reply); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("another reader's item: %v", err)
		}
		if err := db.Answer(ctx, ds[0].ID, u1.ID, reply); err != nil {
			t.Fatal(err)
		}
		if err := db.Answer(ctx, ds[0].ID, u1.ID, store.ArenaReply{ScoreA: 10, ScoreB: 1, Better: 0}); !errors.Is(err, store.ErrConflict) {
			t.Fatalf("changed answer: %v", err)
		}
		answers, err := db.Answers(ctx, r.ID)
		if err != nil || len(answers) != 1 {
			t.Fatalf("answers %+v %v", answers, err)
		}
		figs, err := db.Figures(ctx, r.ID)
		if err != nil || len(figs) != 1 || figs[0].Reader != u1.ID || figs[0].B.Poem.Source != "human" || figs[0].A.Poem.Form != "五绝" || figs[0].B.Score != 9 || figs[0].Better != 1 {
			t.Fatalf("figures %+v %v", figs, err)
		}
		a := answers[0]
		if a.Reader != "reader1" || a.A.Poem.Source != "miaobi" || a.B == nil || a.B.Poem.Source != "human" || !a.B.Human || a.B.Score != 9 || a.Better != 1 || a.A.Score != 4 {
			t.Fatalf("answer %+v / %+v", a, a.B)
		}
		rs, err := db.Rounds(ctx)
		if err != nil || len(rs) != 1 || rs[0].Poems != 3 || rs[0].Answers != 1 || rs[0].Readers != 1 || rs[0].State != store.RoundOpen || rs[0].Job != "j_1" {
			t.Fatalf("rounds %+v %v", rs[0], err)
		}
		n, err := db.ResetRound(ctx, r.ID)
		if err != nil || n != 1 {
			t.Fatalf("reset: %d %v", n, err)
		}
		if seen, _ := db.Seen(ctx, u1.ID); len(seen) != 0 {
			t.Fatalf("seen after reset: %v", seen)
		}
		if all, _ := db.Figures(ctx, ""); len(all) != 0 {
			t.Fatalf("answers after reset: %v", all)
		}
		if err := db.Deal(ctx, r.ID, u1.ID, deals, keys); err != nil {
			t.Fatalf("deal after reset: %v", err)
		}
	})
}

// BenchmarkResults10k reads 10,000 answers (500 readers × 20 items, half
// of them pairs) from SQLite and summarises them, as the results page and
// GET /api/arena/results do.
func BenchmarkResults10k(b *testing.B) {
	ctx := context.Background()
	db := storetest.SQLite(b)
	r := &store.Round{Name: "bench", Size: 20, State: store.RoundOpen, CreatedBy: "bench"}
	if err := db.CreateRound(ctx, r); err != nil {
		b.Fatal(err)
	}
	var pool []arena.Poem
	for i := range 2000 {
		pool = append(pool, arena.Poem{Source: []string{"human", "miaobi", "engine:x"}[i%3], Version: "v1", Form: []string{"五绝", "七绝", "五律", "七律"}[i/3%4], Prompt: fmt.Sprint(i / 12), Lines: []string{fmt.Sprint("诗", i)}})
	}
	if err := db.AddPoems(ctx, r.ID, pool); err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewSource(1))
	keys := map[string]string{}
	for _, p := range pool {
		keys[p.ID] = arena.Key(p.Lines)
	}
	for u := range 500 {
		user, err := db.CreateUser(ctx, fmt.Sprintf("reader%d", u), "a long enough password", false)
		if err != nil {
			b.Fatal(err)
		}
		deals := arena.DealFor(pool, nil, 20, rng)
		if err := db.Deal(ctx, r.ID, user.ID, deals, keys); err != nil {
			b.Fatal(err)
		}
		ds, _ := db.Deals(ctx, r.ID, user.ID)
		for _, d := range ds {
			rep := store.ArenaReply{HumanA: rng.Intn(2) == 0, ScoreA: 1 + rng.Intn(10), Better: -1}
			if d.B != "" {
				rep.HumanB, rep.ScoreB, rep.Better = rng.Intn(2) == 0, 1+rng.Intn(10), rng.Intn(2)
			}
			if err := db.Answer(ctx, d.ID, user.ID, rep); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.ResetTimer()
	for b.Loop() {
		answers, err := db.Figures(ctx, "")
		if err != nil || len(answers) != 10000 {
			b.Fatal(len(answers), err)
		}
		if _, err := arena.Summarise(answers); err != nil {
			b.Fatal(err)
		}
	}
}
