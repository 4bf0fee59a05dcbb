package queue

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func open(t *testing.T, dir string) *Queue {
	t.Helper()
	q, err := Open(context.Background(), Config{Dir: dir, Listen: "none"})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

// TestRunsEachJobOnce submits jobs (one of them twice) to three workers:
// each runs once, and a transient failure is retried.
func TestRunsEachJobOnce(t *testing.T) {
	q := open(t, t.TempDir())
	defer q.Close()
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	runs := map[string]int{}
	var flaky atomic.Int32
	done := make(chan struct{})
	go func() {
		defer close(done)
		q.Work(ctx, 3, time.Second, func(_ context.Context, tk Task) error {
			if tk.ID == "j_flaky" && flaky.Add(1) == 1 {
				return ErrRetry
			}
			mu.Lock()
			runs[tk.ID]++
			mu.Unlock()
			return nil
		}, nil)
	}()
	ids := []string{"j_a", "j_b", "j_c", "j_flaky"}
	for _, id := range ids {
		if err := q.Submit(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	q.Submit(ctx, "j_a") // a duplicate within the window
	deadline := time.Now().Add(30 * time.Second)
	for {
		mu.Lock()
		n := len(runs)
		mu.Unlock()
		if n == len(ids) || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond) // a second run of j_a would show now
	cancel()
	<-done
	for _, id := range ids {
		if runs[id] != 1 {
			t.Errorf("%s ran %d times: %v", id, runs[id], runs)
		}
	}
	if flaky.Load() != 2 {
		t.Errorf("the flaky job was tried %d times, want 2", flaky.Load())
	}
	if w, r, err := q.Depth(context.Background()); err != nil || w != 0 || r != 0 {
		t.Errorf("depth after all: %d waiting, %d in flight, %v", w, r, err)
	}
}

// TestHandBackAtShutdown stops a worker whose job outlasts the grace: the
// job is handed back, survives closing the server, and runs when it
// starts again from the same directory.
func TestHandBackAtShutdown(t *testing.T) {
	dir := t.TempDir()
	q := open(t, dir)
	ctx, cancel := context.WithCancel(context.Background())
	started := make(chan struct{})
	var handedBack []string
	done := make(chan struct{})
	go func() {
		defer close(done)
		q.Work(ctx, 1, 50*time.Millisecond, func(jctx context.Context, tk Task) error {
			close(started)
			<-jctx.Done() // a job that only stops when told
			return jctx.Err()
		}, func(id string) { handedBack = append(handedBack, id) })
	}()
	if err := q.Submit(ctx, "j_long"); err != nil {
		t.Fatal(err)
	}
	<-started
	if ok, err := q.Pending(context.Background(), "j_long"); err != nil || !ok {
		t.Fatalf("pending while running: %v %v", ok, err)
	}
	cancel()
	<-done
	if len(handedBack) != 1 || handedBack[0] != "j_long" {
		t.Fatalf("handed back %v", handedBack)
	}
	q.Close()

	q = open(t, dir)
	defer q.Close()
	ctx, cancel = context.WithCancel(context.Background())
	got := make(chan Task, 1)
	go q.Work(ctx, 1, time.Second, func(_ context.Context, tk Task) error { got <- tk; return nil }, nil)
	defer cancel()
	select {
	case tk := <-got:
		if tk.ID != "j_long" {
			t.Fatalf("after restart: %+v", tk)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the handed-back job did not run after the restart")
	}
}

func TestOpenErrors(t *testing.T) {
	for _, cfg := range []Config{
		{URL: "nats://127.0.0.1:1", Dir: t.TempDir()},
		{Dir: t.TempDir(), Listen: "not-an-address"},
	} {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		_, err := Open(ctx, cfg)
		cancel()
		if err == nil {
			t.Errorf("%+v: no error", cfg)
		}
	}
}
