package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/corpus"
	"miaobi/judge"
	"miaobi/models"
	"miaobi/poem"
	"miaobi/queue"
	"miaobi/server"
	"miaobi/store"
	"miaobi/studio"
)

const serveHelp = `Usage: miaobi serve [flags]

Starts the studio: the web pages and the JSON API (/api/, described at
/openapi.json), job workers, an embedded NATS JetStream server for the jobs
and SQLite for the data, all in one process, on 127.0.0.1:8080. The first
run creates the user admin and prints its password.

Settings come from flags, then MIAOBI_* environment variables, then the
config file ($MIAOBI_HOME/miaobi.conf or --config: lines of key = value,
with the keys addr, db, nats, nats_listen, workers, grace, lexicon), then
the defaults. Logs go to standard error as key=value lines, or as JSON
lines with MIAOBI_LOG_FORMAT=json.

Examples:
  miaobi serve
  miaobi serve --addr 0.0.0.0:8080 --workers 0        # jobs run in 'miaobi worker'
  miaobi serve --db postgres://miaobi:secret@db/miaobi --nats nats://nats:4222

Flags:
`

const workerHelp = `Usage: miaobi worker [flags]

Runs job workers (poem candidates, paintings, autopilot) against the same
NATS server, database and data directory as 'miaobi serve', in another
process or on another machine (the data directory must then be shared, for
the asset store and the signing keys).

Example:
  miaobi worker --nats nats://127.0.0.1:4222 --workers 4

Flags:
`

// settings are serve's and worker's configuration.
type settings struct {
	addr, db, nats, natsListen, lexicon, config string
	workersFlag, graceFlag                      string // as given; "" when not
	workers                                     int
	grace                                       time.Duration
}

// bindSettings declares the flags; defaults are filled later from the
// environment and the config file.
func bindSettings(fs *flag.FlagSet, s *settings, worker bool) {
	if !worker {
		fs.StringVar(&s.addr, "addr", "", "listen address (default 127.0.0.1:8080; env MIAOBI_ADDR)")
		fs.StringVar(&s.natsListen, "nats-listen", "", "the embedded NATS server's client address, for 'miaobi worker' processes (default 127.0.0.1:4222; 0 picks a free port; none)")
		fs.StringVar(&s.lexicon, "lexicon", "", "the sensitive-word lexicon for reviews: lines of WORD<TAB>CATEGORY (default: the built-in one)")
	}
	fs.StringVar(&s.db, "db", "", "database: a SQLite file, or postgres://user:pass@host/db (default $MIAOBI_HOME/miaobi.db; env MIAOBI_DB)")
	fs.StringVar(&s.nats, "nats", "", "an external NATS server with JetStream, nats://host:4222 (default: embedded; env MIAOBI_NATS)")
	fs.StringVar(&s.workersFlag, "workers", "", "job workers in this process, 0 to 64 (default 2; 0 for none; env MIAOBI_WORKERS)")
	fs.StringVar(&s.graceFlag, "grace", "", "at shutdown, how long running jobs may finish before they are handed back to the queue (default 20s; env MIAOBI_GRACE)")
	fs.StringVar(&s.config, "config", "", "config file (default $MIAOBI_HOME/miaobi.conf when it exists)")
}

// resolve fills unset settings from the environment, the config file and
// the defaults.
func (s *settings) resolve(dataDir string) error {
	conf := map[string]string{}
	path := s.config
	if path == "" {
		path = filepath.Join(dataDir, "miaobi.conf")
	}
	if f, err := os.Open(path); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for n := 1; sc.Scan(); n++ {
			line := strings.TrimSpace(sc.Text())
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			k, v, ok := strings.Cut(line, "=")
			k = strings.TrimSpace(k)
			if !ok || !slices.Contains(strings.Fields("addr db nats nats_listen workers grace lexicon"), k) {
				return fmt.Errorf("%s line %d: want key = value with a key among addr, db, nats, nats_listen, workers, grace, lexicon", path, n)
			}
			conf[k] = strings.Trim(strings.TrimSpace(v), `"`)
		}
	} else if s.config != "" {
		return fmt.Errorf("config file: %w", err)
	}
	pick := func(dst *string, env, key, def string) {
		if *dst != "" {
			return
		}
		if v := os.Getenv(env); v != "" {
			*dst = v
		} else if v := conf[key]; v != "" {
			*dst = v
		} else {
			*dst = def
		}
	}
	pick(&s.addr, "MIAOBI_ADDR", "addr", "127.0.0.1:8080")
	pick(&s.db, "MIAOBI_DB", "db", "")
	pick(&s.nats, "MIAOBI_NATS", "nats", "")
	pick(&s.natsListen, "MIAOBI_NATS_LISTEN", "nats_listen", "")
	pick(&s.lexicon, "MIAOBI_LEXICON", "lexicon", "")
	pick(&s.workersFlag, "MIAOBI_WORKERS", "workers", "2")
	n, err := strconv.Atoi(strings.TrimSpace(s.workersFlag))
	if err != nil || n < 0 || n > 64 {
		return fmt.Errorf("workers %q: give a number from 0 to 64", s.workersFlag)
	}
	s.workers = n
	pick(&s.graceFlag, "MIAOBI_GRACE", "grace", "20s")
	d, err := time.ParseDuration(strings.TrimSpace(s.graceFlag))
	if err != nil || d < 0 {
		return fmt.Errorf("grace %q: give a duration such as 20s (0 hands running jobs back at once)", s.graceFlag)
	}
	s.grace = d
	return nil
}

// openStudio connects everything a studio process needs.
func openStudio(ctx context.Context, s *settings, dataDir string, stderr io.Writer) (*studio.Studio, func(), error) {
	var closers []func()
	cleanup := func() {
		for i := len(closers) - 1; i >= 0; i-- {
			closers[i]()
		}
	}
	db, err := store.Open(ctx, s.db, dataDir)
	if err != nil {
		return nil, cleanup, err
	}
	closers = append(closers, func() { db.Close() })
	assets, err := store.NewAssets(filepath.Join(dataDir, "assets"))
	if err != nil {
		return nil, cleanup, err
	}
	q, err := queue.Open(ctx, queue.Config{URL: s.nats, Dir: dataDir, Listen: s.natsListen})
	if err != nil {
		return nil, cleanup, err
	}
	closers = append(closers, q.Close)
	eng, err := poem.Load(models.Poem())
	if err != nil {
		return nil, cleanup, err
	}
	sg, err := signer()
	if err != nil {
		return nil, cleanup, fmt.Errorf("signing keys: %w", err)
	}
	lx := judge.DefaultLexicon()
	if s.lexicon != "" {
		b, err := os.ReadFile(s.lexicon)
		if err != nil {
			return nil, cleanup, fmt.Errorf("lexicon: %w", err)
		}
		if lx, err = judge.ParseLexicon(string(b)); err != nil {
			return nil, cleanup, err
		}
	}
	// The engines a work may be created by: the built-in ones and those
	// in $MIAOBI_HOME/engines.conf and MIAOBI_ENGINE_* (keys stay in
	// memory, never in logs or pages).
	engines, err := loadEngines("")
	if err != nil {
		return nil, cleanup, fmt.Errorf("engines: %w", err)
	}
	st := &studio.Studio{DB: db, Assets: assets, Queue: q, Poems: eng, Signer: sg, Lexicon: lx, Metrics: studio.NewMetrics(), Engines: engines}
	return st, cleanup, nil
}

// loadRefs loads the corpus index in the background, for reference poems
// and originality reports; without the corpus the studio says how to get
// it.
func loadRefs(st *studio.Studio, dataDir string) {
	path := corpus.DefaultPath(dataDir)
	if _, err := os.Stat(path); err != nil {
		st.SetRefs(nil, "reference poems and the closest-poem search need the corpus: run 'miaobi corpus fetch' and restart the studio")
		return
	}
	st.SetRefs(nil, "the corpus is loading; reload in a few seconds")
	go func() {
		start := time.Now()
		refs, err := judge.LoadRefs(path)
		if err != nil {
			slog.Error("loading the corpus for references", "err", err)
			st.SetRefs(nil, "the corpus could not be read: "+err.Error())
			return
		}
		slog.Info("corpus loaded for references", "poems", refs.Len(), "seconds", time.Since(start).Seconds())
		st.SetRefs(refs, "")
	}()
}

// parseSettings reads serve's or worker's flags and settings; it returns
// an exit code when the command should stop there.
func parseSettings(name, help string, args []string, stderr io.Writer) (s settings, dataDir string, fail func(int, error) int, code int) {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	bindSettings(fs, &s, name == "worker")
	fs.Usage = func() { fmt.Fprint(stderr, help); fs.PrintDefaults() }
	fail = cli.Failer(stderr, name)
	if err := fs.Parse(args); err != nil {
		return s, "", fail, cli.ParseExit(err)
	}
	if fs.NArg() > 0 {
		return s, "", fail, fail(2, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	// Logs are key=value lines, or JSON lines with MIAOBI_LOG_FORMAT=json.
	var h slog.Handler = slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	if os.Getenv("MIAOBI_LOG_FORMAT") == "json" {
		h = slog.NewJSONHandler(stderr, &slog.HandlerOptions{Level: slog.LevelInfo})
	}
	slog.SetDefault(slog.New(h))
	dataDir, err := corpus.DataDir()
	if err != nil {
		return s, "", fail, fail(1, err)
	}
	if err := s.resolve(dataDir); err != nil {
		return s, "", fail, fail(2, err)
	}
	return s, dataDir, fail, -1
}

func runServe(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	s, dataDir, fail, code := parseSettings("serve", serveHelp, args, stderr)
	if code >= 0 {
		return code
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", s.addr)
	if err != nil {
		return fail(1, fmt.Errorf("listen on %s: %w (is another studio running? choose another address with --addr)", s.addr, err))
	}
	st, cleanup, err := openStudio(ctx, &s, dataDir, stderr)
	defer cleanup()
	if err != nil {
		ln.Close()
		return fail(1, err)
	}
	admin, password, err := store.FirstAdmin(ctx, st.DB)
	if err != nil {
		ln.Close()
		return fail(1, err)
	}
	loadRefs(st, dataDir)
	go func() { // expired sessions are deleted hourly
		for t := time.NewTicker(time.Hour); ; {
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
				if err := st.DB.ExpireSessions(ctx); err != nil {
					slog.Warn("deleting expired sessions", "err", err)
				}
			}
		}
	}()
	if n, err := st.Recover(ctx); err != nil {
		slog.Error("re-queueing unfinished jobs", "err", err)
	} else if n > 0 {
		slog.Info("re-queued jobs the queue had lost", "jobs", n)
	}
	workersDone := make(chan struct{})
	wctx, stopWorkers := context.WithCancel(context.Background())
	go func() {
		defer close(workersDone)
		if s.workers > 0 {
			st.Queue.Work(wctx, s.workers, s.grace, st.RunJob, st.Requeued)
		}
	}()
	handler := server.New(st)
	srv := &http.Server{Handler: handler, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 60 * time.Second, IdleTimeout: 120 * time.Second}
	// Job event streams end when shutdown begins; other requests finish.
	srv.RegisterOnShutdown(handler.CloseStreams)
	srvErr := make(chan error, 1)
	go func() { srvErr <- srv.Serve(ln) }()
	url := "http://" + ln.Addr().String()
	fmt.Fprintf(stdout, "Miaobi studio: %s/ (API %s/api/, OpenAPI %s/openapi.json)\n", url, url, url)
	fmt.Fprintf(stdout, "database: %s · queue: %s · workers: %d · data: %s\n", st.DB.Kind(), st.Queue.Describe(s.nats), s.workers, dataDir)
	if password != "" {
		fmt.Fprintf(stdout, "First run: sign in at %s/login as %q with password %s (it is shown only now: change it on the page API keys, or set MIAOBI_ADMIN_PASSWORD before the first run)\n", url, admin, password)
	}
	select {
	case <-ctx.Done():
	case err := <-srvErr:
		stopWorkers()
		<-workersDone
		return fail(1, err)
	}
	slog.Info("shutting down: finishing requests and jobs", "grace", s.grace)
	// Workers take no new job from now on; running ones get the grace.
	stopWorkers()
	sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	srv.Shutdown(sctx)
	<-workersDone
	slog.Info("stopped")
	return 0
}

func runWorker(args []string, _ io.Reader, stdout, stderr io.Writer) int {
	s, dataDir, fail, code := parseSettings("worker", workerHelp, args, stderr)
	if code >= 0 {
		return code
	}
	if s.nats == "" {
		s.nats = "nats://127.0.0.1:4222"
	}
	if s.workers == 0 {
		return fail(2, errors.New("--workers 0: a worker process needs at least one worker"))
	}
	s.natsListen = "none"
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	st, cleanup, err := openStudio(ctx, &s, dataDir, stderr)
	defer cleanup()
	if err != nil {
		return fail(1, err)
	}
	fmt.Fprintf(stdout, "Miaobi worker: %d workers on %s, database %s\n", s.workers, s.nats, st.DB.Kind())
	st.Queue.Work(ctx, s.workers, s.grace, st.RunJob, st.Requeued)
	slog.Info("worker stopped")
	return 0
}
