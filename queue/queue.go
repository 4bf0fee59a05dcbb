// Package queue runs the studio's background jobs over NATS JetStream: a
// job is a durable message naming a job id, taken by one worker from a
// shared pull consumer and acknowledged only when its result is stored, so
// a job whose worker dies (even by SIGKILL) is delivered again once its
// acknowledgement deadline passes. By default the NATS server is embedded
// in the process with its stream on disk in the data directory; a
// nats:// URL points at an external server instead through the same code.
// Progress reports travel on plain NATS subjects for live views.
package queue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Names on the NATS server.
const (
	Stream          = "MIAOBI_JOBS"
	subject         = "miaobi.jobs.run."
	consumerName    = "miaobi-workers"
	progressSubject = "miaobi.progress."
)

// AckWait is how long a worker may go silent before its job is given to
// another; running workers report every AckWait/3.
var AckWait = 15 * time.Second

// MaxDeliver is how many times a job is tried before it is given up.
const MaxDeliver = 5

// Queue is a connection to the job stream.
type Queue struct {
	nc   *nats.Conn
	js   jetstream.JetStream
	cons jetstream.Consumer
	srv  *server.Server // the embedded server, or nil
}

// Config says which NATS to use.
type Config struct {
	// URL is an external NATS server (nats://host:4222); empty embeds one.
	URL string
	// Dir keeps the embedded server's JetStream files.
	Dir string
	// Listen is the embedded server's client address, so that `miaobi
	// worker` processes can join (default 127.0.0.1:4222; port 0 picks a
	// free one; "none" accepts no network clients).
	Listen string
}

// Open connects to NATS (starting the embedded server when cfg.URL is
// empty) and makes sure the job stream and consumer exist.
func Open(ctx context.Context, cfg Config) (*Queue, error) {
	q := &Queue{}
	url := cfg.URL
	if url == "" {
		srv, err := embed(cfg)
		if err != nil {
			return nil, err
		}
		q.srv = srv
		url = srv.ClientURL()
	}
	opts := []nats.Option{nats.Name("miaobi"), nats.MaxReconnects(-1), nats.ReconnectWait(time.Second)}
	if q.srv != nil {
		opts = append(opts, nats.InProcessServer(q.srv))
	}
	nc, err := nats.Connect(url, opts...)
	if err != nil {
		q.Close()
		return nil, fmt.Errorf("queue: connect to NATS at %s: %w (is the server running? start one, or leave --nats empty to embed one)", url, err)
	}
	q.nc = nc
	if q.js, err = jetstream.New(nc); err != nil {
		q.Close()
		return nil, fmt.Errorf("queue: %w", err)
	}
	cctx, cancel := context.WithTimeout(ctx, 20*time.Second)
	defer cancel()
	_, err = q.js.CreateOrUpdateStream(cctx, jetstream.StreamConfig{
		Name:      Stream,
		Subjects:  []string{subject + "*"},
		Retention: jetstream.WorkQueuePolicy,
		Storage:   jetstream.FileStorage,
		// A message id a second time within this window is dropped, so
		// submitting a job twice runs it once.
		Duplicates: 10 * time.Minute,
	})
	if err != nil {
		q.Close()
		return nil, fmt.Errorf("queue: job stream on %s: %w (does the server have JetStream enabled? start it with -js)", url, err)
	}
	q.cons, err = q.js.CreateOrUpdateConsumer(cctx, Stream, jetstream.ConsumerConfig{
		Durable:       consumerName,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       AckWait,
		MaxDeliver:    MaxDeliver,
		MaxAckPending: 1000,
	})
	if err != nil {
		q.Close()
		return nil, fmt.Errorf("queue: job consumer: %w", err)
	}
	return q, nil
}

// embed starts a NATS server with JetStream inside this process.
func embed(cfg Config) (*server.Server, error) {
	host, port := "127.0.0.1", 4222
	dontListen := false
	switch cfg.Listen {
	case "":
	case "none":
		dontListen = true
	default:
		h, p, err := net.SplitHostPort(cfg.Listen)
		if err != nil {
			return nil, fmt.Errorf("queue: --nats-listen %q: give host:port, e.g. 127.0.0.1:4222", cfg.Listen)
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 65535 {
			return nil, fmt.Errorf("queue: --nats-listen %q: bad port", cfg.Listen)
		}
		host, port = h, n
		if port == 0 {
			port = server.RANDOM_PORT
		}
	}
	opts := &server.Options{
		ServerName: "miaobi",
		Host:       host,
		Port:       port,
		DontListen: dontListen,
		JetStream:  true,
		StoreDir:   filepath.Join(cfg.Dir, "nats"),
		NoSigs:     true,
		NoLog:      true,
		// Jobs are small: a job id.
		JetStreamMaxMemory: 64 << 20,
		JetStreamMaxStore:  1 << 30,
	}
	srv, err := server.NewServer(opts)
	if err != nil {
		return nil, fmt.Errorf("queue: embedded NATS: %w", err)
	}
	go srv.Start()
	if !srv.ReadyForConnections(15 * time.Second) {
		srv.Shutdown()
		return nil, fmt.Errorf("queue: the embedded NATS server did not start on %s:%d (is the port in use? choose another with --nats-listen)", host, port)
	}
	return srv, nil
}

// URL is the address workers connect to ("" when the embedded server
// takes no network clients).
func (q *Queue) URL() string {
	if q.srv != nil {
		if q.srv.Addr() == nil {
			return ""
		}
		return q.srv.ClientURL()
	}
	return q.nc.ConnectedUrl()
}

// Close drains the connection and stops the embedded server.
func (q *Queue) Close() {
	if q.nc != nil {
		q.nc.Drain()
		for i := 0; i < 50 && !q.nc.IsClosed(); i++ {
			time.Sleep(20 * time.Millisecond)
		}
		q.nc.Close()
	}
	if q.srv != nil {
		q.srv.Shutdown()
		q.srv.WaitForShutdown()
	}
}

// Submit queues a job; submitting the same id again within ten minutes
// has no effect.
func (q *Queue) Submit(ctx context.Context, jobID string) error {
	_, err := q.js.Publish(ctx, subject+jobID, []byte(jobID), jetstream.WithMsgID(jobID))
	if err != nil {
		return fmt.Errorf("queue: submit %s: %w", jobID, err)
	}
	return nil
}

// Pending tells whether a job's message is still in the stream (waiting
// or being worked on).
func (q *Queue) Pending(ctx context.Context, jobID string) (bool, error) {
	st, err := q.js.Stream(ctx, Stream)
	if err != nil {
		return false, fmt.Errorf("queue: %w", err)
	}
	_, err = st.GetLastMsgForSubject(ctx, subject+jobID)
	if errors.Is(err, jetstream.ErrMsgNotFound) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("queue: pending %s: %w", jobID, err)
	}
	return true, nil
}

// Depth is the number of jobs waiting and the number being worked on.
func (q *Queue) Depth(ctx context.Context) (waiting, running int, err error) {
	info, err := q.cons.Info(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("queue: depth: %w", err)
	}
	return int(info.NumPending), info.NumAckPending, nil
}

// Ping checks the connection.
func (q *Queue) Ping() error {
	if q.nc == nil || !q.nc.IsConnected() {
		return errors.New("queue: not connected to NATS")
	}
	return nil
}

// Task is one delivery of a job to a worker.
type Task struct {
	ID string
	// Attempt counts deliveries, from 1.
	Attempt int
	// Last is true on the final delivery: a failure now is permanent.
	Last bool
	msg  jetstream.Msg
}

// ErrRetry asks for a job to be delivered again later (a transient
// failure); any other error from a Handler is final.
var ErrRetry = errors.New("retry later")

// Handler runs one job. It returns nil when the result is stored.
type Handler func(ctx context.Context, t Task) error

// Work runs n workers until ctx is cancelled. A job still running then is
// given until grace to finish; one that does not is handed back to the
// queue (and its context cancelled), so another worker or the next start
// runs it. onRequeue hears of each job handed back.
func (q *Queue) Work(ctx context.Context, n int, grace time.Duration, h Handler, onRequeue func(id string)) error {
	if n < 1 {
		n = 1
	}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.worker(ctx, grace, h, onRequeue)
		}()
	}
	wg.Wait()
	return nil
}

func (q *Queue) worker(ctx context.Context, grace time.Duration, h Handler, onRequeue func(string)) {
	for ctx.Err() == nil {
		msg, err := q.cons.Next(jetstream.FetchMaxWait(2 * time.Second))
		if err != nil {
			if !errors.Is(err, nats.ErrTimeout) && !errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil {
				slog.Warn("queue: fetch", "err", err)
				select {
				case <-time.After(time.Second):
				case <-ctx.Done():
				}
			}
			continue
		}
		q.run(ctx, grace, msg, h, onRequeue)
	}
}

// run handles one message: heartbeats while the handler works, then
// acknowledges, retries or hands the job back.
func (q *Queue) run(ctx context.Context, grace time.Duration, msg jetstream.Msg, h Handler, onRequeue func(string)) {
	t := Task{ID: string(msg.Data()), Attempt: 1, msg: msg}
	if md, err := msg.Metadata(); err == nil {
		t.Attempt = int(md.NumDelivered)
	}
	t.Last = t.Attempt >= MaxDeliver
	// The job's own context outlives ctx by grace.
	jctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() {
		defer func() {
			if p := recover(); p != nil {
				// A job that panics fails; it must not take the process.
				done <- fmt.Errorf("job %s panicked: %v", t.ID, p)
			}
		}()
		done <- h(jctx, t)
	}()
	beat := time.NewTicker(AckWait / 3)
	defer beat.Stop()
	stop := ctx.Done()
	var deadline <-chan time.Time
	for {
		select {
		case err := <-done:
			switch {
			case err == nil || !errors.Is(err, ErrRetry):
				if err != nil {
					slog.Error("job failed", "job", t.ID, "attempt", t.Attempt, "err", err)
				}
				msg.Ack()
			case t.Last:
				slog.Error("job failed on its last attempt", "job", t.ID, "attempt", t.Attempt, "err", err)
				msg.Term()
			default:
				msg.NakWithDelay(time.Duration(t.Attempt) * 2 * time.Second)
			}
			return
		case <-beat.C:
			msg.InProgress()
		case <-stop:
			stop = nil
			deadline = time.After(grace)
		case <-deadline:
			cancel()
			if err := <-done; err == nil {
				msg.Ack() // it finished after all
				return
			}
			// A Nak would leave the message waiting out its deadline
			// after a restart; a fresh copy is ready at once.
			pctx, pcancel := context.WithTimeout(context.Background(), 5*time.Second)
			_, err := q.js.Publish(pctx, subject+t.ID, []byte(t.ID), jetstream.WithMsgID(fmt.Sprintf("%s-requeue-%d", t.ID, t.Attempt)))
			pcancel()
			if err == nil {
				msg.Ack()
			} else {
				msg.Nak()
			}
			q.nc.FlushTimeout(5 * time.Second)
			if onRequeue != nil {
				onRequeue(t.ID)
			}
			slog.Info("job handed back to the queue at shutdown", "job", t.ID)
			return
		}
	}
}

// Event is a progress report of a job.
type Event struct {
	Job      string  `json:"job"`
	State    string  `json:"state"`
	Progress float64 `json:"progress"`
	Message  string  `json:"message"`
}

// Publish sends a progress report (best effort).
func (q *Queue) Publish(e Event) {
	b, _ := json.Marshal(e)
	if err := q.nc.Publish(progressSubject+e.Job, b); err != nil {
		slog.Debug("queue: progress", "err", err)
	}
}

// Watch delivers a job's progress reports until ctx ends.
func (q *Queue) Watch(ctx context.Context, jobID string) (<-chan Event, error) {
	ch := make(chan Event, 16)
	sub, err := q.nc.Subscribe(progressSubject+jobID, func(m *nats.Msg) {
		var e Event
		if json.Unmarshal(m.Data, &e) == nil {
			select {
			case ch <- e:
			default: // a slow reader misses intermediate reports
			}
		}
	})
	if err != nil {
		return nil, fmt.Errorf("queue: watch %s: %w", jobID, err)
	}
	go func() {
		<-ctx.Done()
		sub.Unsubscribe()
	}()
	return ch, nil
}

// Describe names the queue for a person: the external NATS at url when
// one is given, else the embedded server and its address.
func (q *Queue) Describe(url string) string {
	if url != "" {
		return "NATS at " + url
	}
	if u := q.URL(); u != "" {
		return "embedded NATS JetStream at " + u
	}
	return "embedded NATS JetStream"
}
