package bench

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/server"
	"miaobi/store"
)

const benchServeHelp = `Usage: miaobi bench serve [--clients N] [--duration D] [--job-duration D] [--write]

Load-tests the studio on loopback. It starts this binary as a child
'miaobi serve' in a temporary MIAOBI_HOME (SQLite, embedded NATS, the
default 2 job workers), signs in as admin through the login form, makes an
API key, then:

  1. the quick path: --clients clients, each with a keep-alive connection,
     loop POST /api/poems (七绝, n=1, a distinct seed per request,
     keywords from a fixed list) for --duration;
  2. the job path: --clients clients each create a work, queue a create
     job (n=1, no painting) and poll GET /api/jobs/{id} until it is done,
     for --job-duration.

It reports requests/s, errors (non-2xx answers, transport errors, failed
jobs; there should be none), latency p50/p90/p99/max, jobs/s and job
latency, and the server's peak RSS and CPU time; then it stops the server
with SIGTERM and checks it exits 0. Client and server share the machine's
cores. --write puts the figures into docs/benchmarks.md. Linux (/proc).

Flags:
`

const (
	serveMarkStart = "<!-- bench serve: start -->"
	serveMarkEnd   = "<!-- bench serve: end -->"
)

func runBenchServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	clients := fs.Int("clients", 50, "concurrent clients")
	duration := fs.Duration("duration", 60*time.Second, "how long the quick path (POST /api/poems) runs")
	jobDuration := fs.Duration("job-duration", 20*time.Second, "how long the job path (works + create jobs) runs; 0 skips it")
	poll := fs.Duration("poll", 100*time.Millisecond, "how often a client polls its job")
	form := fs.String("form", "七绝", "the form of every poem")
	timeout := fs.Duration("timeout", 60*time.Second, "a request's time limit (longer counts as an error)")
	keepLog := fs.String("log", "", "keep the server's log (its stderr) in this file")
	write := fs.Bool("write", false, "update docs/benchmarks.md")
	chat := fs.Int("chat", 0, "first, this many sequential POST /v1/chat/completions (七绝), each once whole and once streamed; 0 skips them")
	procs := fs.Int("procs", 0, "run the server with GOMAXPROCS set to this (0: the machine's cores)")
	fs.Usage = func() { fmt.Fprint(stderr, benchServeHelp); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	fail := func(code int, err error) int {
		fmt.Fprintf(stderr, "miaobi bench serve: %v\n", err)
		return code
	}
	if fs.NArg() > 0 {
		return fail(2, fmt.Errorf("unexpected argument %q", fs.Arg(0)))
	}
	if *clients < 1 || *duration <= 0 || *jobDuration < 0 || *poll <= 0 {
		return fail(2, errors.New("--clients must be at least 1, --duration and --poll positive, --job-duration not negative"))
	}
	self, err := os.Executable()
	if err != nil {
		return fail(1, err)
	}
	tmp, err := os.MkdirTemp("", "miaobi-bench-serve")
	if err != nil {
		return fail(1, err)
	}
	defer os.RemoveAll(tmp)
	logPath := filepath.Join(tmp, "serve.log")
	if *keepLog != "" {
		logPath = *keepLog
	}
	logf, err := os.Create(logPath)
	if err != nil {
		return fail(1, err)
	}
	defer logf.Close()

	// The child studio: its own data directory, none of the caller's
	// MIAOBI_* settings, a known admin password.
	password := store.NewToken(12)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "MIAOBI_") {
			env = append(env, kv)
		}
	}
	env = append(env, "MIAOBI_HOME="+filepath.Join(tmp, "home"), "MIAOBI_ADMIN_PASSWORD="+password)
	if *procs > 0 {
		env = append(env, fmt.Sprintf("GOMAXPROCS=%d", *procs))
	}
	srv := exec.Command(self, "serve", "--addr", "127.0.0.1:0", "--nats-listen", "none")
	srv.Env = env
	srv.Stderr = logf
	out, err := srv.StdoutPipe()
	if err != nil {
		return fail(1, err)
	}
	startAt := time.Now()
	if err := srv.Start(); err != nil {
		return fail(1, err)
	}
	exited := make(chan error, 1)
	stopped := false
	defer func() {
		if !stopped {
			srv.Process.Kill()
			<-exited
		}
	}()
	first := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		line := ""
		if sc.Scan() {
			line = sc.Text()
		}
		first <- line
		for sc.Scan() { // keep the pipe drained
		}
		io.Copy(io.Discard, out)
		exited <- srv.Wait()
	}()
	var base string
	select {
	case line := <-first:
		rest, ok := strings.CutPrefix(line, "Miaobi studio: ")
		u, _, _ := strings.Cut(rest, " ")
		if !ok || !strings.HasPrefix(u, "http://") {
			return fail(1, fmt.Errorf("the server's first line is %q, not the studio's address; its log:\n%s", line, server.TailFile(logPath, 20)))
		}
		base = strings.TrimSuffix(u, "/")
	case <-time.After(2 * time.Minute):
		return fail(1, fmt.Errorf("the server printed no address in 2 minutes; its log:\n%s", server.TailFile(logPath, 20)))
	}
	pid := srv.Process.Pid
	fmt.Fprintf(stdout, "studio %s (pid %d) up in %.1f s; log %s\n", base, pid, time.Since(startAt).Seconds(), logPath)

	secret, err := server.AdminKey(base, password)
	if err != nil {
		return fail(1, fmt.Errorf("making an API key: %v; the server's log:\n%s", err, server.TailFile(logPath, 20)))
	}
	tr := &http.Transport{
		MaxIdleConns:        *clients * 2,
		MaxIdleConnsPerHost: *clients * 2,
		MaxConnsPerHost:     0,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	c := &server.LoadClient{Base: base, Secret: secret, HTTP: &http.Client{Transport: tr, Timeout: *timeout}}

	// One request first, so a broken setup fails at once and clearly.
	var warm struct {
		Poems []json.RawMessage `json:"poems"`
	}
	if err := c.Do(context.Background(), "POST", "/api/poems", map[string]any{"keywords": server.LoadKeywords[0], "form": *form, "seed": 0, "n": 1}, &warm); err != nil || len(warm.Poems) != 1 {
		return fail(1, fmt.Errorf("the first POST /api/poems: %v (%d poems); the server's log:\n%s", err, len(warm.Poems), server.TailFile(logPath, 20)))
	}

	if *chat > 0 {
		if err := server.ChatLatency(stdout, base, secret, *chat); err != nil {
			return fail(1, fmt.Errorf("/v1/chat/completions: %v; the server's log:\n%s", err, server.TailFile(logPath, 20)))
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(stdout, "quick path: %d clients × %s of POST /api/poems (%s, n=1) …\n", *clients, *duration, *form)
	quick := server.PoemLoad(c, pid, *clients, *duration, *form)
	quick.Print(stdout)
	var jobs *server.LoadPhase
	if *jobDuration > 0 {
		fmt.Fprintf(stdout, "job path: %d clients × %s of POST /api/works + /create (n=1, no painting) + polling every %s …\n", *clients, *jobDuration, *poll)
		jobs = server.JobLoad(c, pid, *clients, *jobDuration, *poll, *form)
		jobs.Print(stdout)
	}
	tr.CloseIdleConnections()

	// Stop the studio as an operator would.
	finalRSS := server.PeakRSS(pid)
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		return fail(1, fmt.Errorf("SIGTERM: %v", err))
	}
	var waitErr error
	select {
	case waitErr = <-exited:
		stopped = true
	case <-time.After(60 * time.Second):
		return fail(1, fmt.Errorf("the server did not stop within 60 s of SIGTERM; its log:\n%s", server.TailFile(logPath, 20)))
	}
	ps := srv.ProcessState
	exitCode := ps.ExitCode()
	if rss, ok := cli.MaxRSS(ps); ok && rss > finalRSS {
		finalRSS = rss
	}
	cpuTotal := ps.UserTime() + ps.SystemTime()
	fmt.Fprintf(stdout, "server: exit %d after SIGTERM; peak RSS %.1f MB; CPU %.1f s (user %.1f s, sys %.1f s) over %.0f s\n",
		exitCode, float64(finalRSS)/1e6, cpuTotal.Seconds(), ps.UserTime().Seconds(), ps.SystemTime().Seconds(), time.Since(startAt).Seconds())

	bad := quick.Errors > 0 || (jobs != nil && jobs.Errors > 0)
	if bad {
		fmt.Fprintln(stdout, "errors by kind:")
		for _, p := range []*server.LoadPhase{quick, jobs} {
			if p == nil {
				continue
			}
			kinds := make([]string, 0, len(p.ErrKinds))
			for k := range p.ErrKinds {
				kinds = append(kinds, k)
			}
			slices.SortFunc(kinds, func(a, b string) int { return p.ErrKinds[b] - p.ErrKinds[a] })
			for _, k := range kinds {
				fmt.Fprintf(stdout, "  %s: %d × %s\n", p.Name, p.ErrKinds[k], k)
			}
		}
		fmt.Fprintf(stdout, "the server's warnings and errors:\n%s", server.GrepLog(logPath, 30))
	}
	if waitErr != nil || exitCode != 0 {
		fmt.Fprintf(stderr, "miaobi bench serve: the server exited %d after SIGTERM (%v); its log ends:\n%s", exitCode, waitErr, server.TailFile(logPath, 20))
		return 1
	}
	if *write {
		md := server.LoadMarkdown(serveMarkStart, serveMarkEnd, args, quick, jobs, *poll, finalRSS, cpuTotal, time.Since(startAt), strings.TrimSpace(string(load)))
		if err := replaceBetween("docs/benchmarks.md", "## Studio load (miaobi bench serve)", md, serveMarkStart, serveMarkEnd); err != nil {
			return fail(1, err)
		}
		fmt.Fprintln(stdout, "updated docs/benchmarks.md")
	}
	if bad {
		fmt.Fprintln(stderr, "miaobi bench serve: there were errors (see above)")
		return 1
	}
	return 0
}
