package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

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

// benchKeywords are the keyword sets the clients draw from, in turn.
var benchKeywords = [][]string{
	{"灯", "跳舞"}, {"月", "江"}, {"春", "雨"}, {"秋", "山"}, {"雪", "梅"},
	{"故乡", "高铁"}, {"手机", "思念"}, {"柳", "亭"}, {"酒", "花"}, {"孤舟", "夜"},
	{"中秋"}, {"风", "竹"}, {"云", "松"}, {"雁", "霜"}, {"桥", "烟"}, {"茶", "书"},
}

// loadPhase is the outcome of one phase of the load.
type loadPhase struct {
	Name      string          `json:"name"`
	Clients   int             `json:"clients"`
	Wall      time.Duration   `json:"wall_ns"`
	Count     int             `json:"count"`     // requests, or jobs done
	Requests  int             `json:"requests"`  // every HTTP request of the phase
	Errors    int             `json:"errors"`    // failed requests or jobs
	Latency   []time.Duration `json:"-"`         // of the successful ones
	ErrKinds  map[string]int  `json:"err_kinds"` // error → count
	ServerCPU time.Duration   `json:"server_cpu_ns"`
	ClientCPU time.Duration   `json:"client_cpu_ns"`
	PeakRSS   int64           `json:"server_peak_rss_bytes"` // VmHWM at the end of the phase
}

func (p *loadPhase) rate() float64 {
	if p.Wall <= 0 {
		return 0
	}
	return float64(p.Count) / p.Wall.Seconds()
}

// pct is the nearest-rank percentile q (0–1) of sorted durations.
func pct(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*q+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

func msOf(d time.Duration) string {
	ms := float64(d.Microseconds()) / 1000
	if ms >= 100 {
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%.1f ms", ms)
}

// errTally counts errors by kind for a phase, keeping one example each.
type errTally struct {
	mu    sync.Mutex
	kinds map[string]int
	n     int
}

func (t *errTally) add(kind string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.kinds == nil {
		t.kinds = map[string]int{}
	}
	if len(kind) > 300 {
		kind = kind[:300] + "…"
	}
	t.kinds[kind]++
	t.n++
}

// apiClient talks to the child studio with an API key.
type apiClient struct {
	base   string
	secret string
	hc     *http.Client
}

// do sends a JSON request and decodes a 2xx answer into out; any other
// answer is an error naming the status and the body.
func (c *apiClient) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.secret)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		return fmt.Errorf("transport: %w", err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return fmt.Errorf("transport: reading the body: %w", err)
	}
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP %d %s: %s", resp.StatusCode, method+" "+routeOf(path), strings.TrimSpace(string(b)))
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return fmt.Errorf("decoding %s: %v", routeOf(path), err)
		}
	}
	return nil
}

// routeOf hides ids in a path so errors group by route.
func routeOf(path string) string {
	parts := strings.Split(path, "/")
	for i, p := range parts {
		if strings.HasPrefix(p, "w_") || strings.HasPrefix(p, "j_") {
			parts[i] = "{id}"
		}
	}
	return strings.Join(parts, "/")
}

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
		return parseExit(err)
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
			return fail(1, fmt.Errorf("the server's first line is %q, not the studio's address; its log:\n%s", line, tailFile(logPath, 20)))
		}
		base = strings.TrimSuffix(u, "/")
	case <-time.After(2 * time.Minute):
		return fail(1, fmt.Errorf("the server printed no address in 2 minutes; its log:\n%s", tailFile(logPath, 20)))
	}
	pid := srv.Process.Pid
	fmt.Fprintf(stdout, "studio %s (pid %d) up in %.1f s; log %s\n", base, pid, time.Since(startAt).Seconds(), logPath)

	secret, err := studioKey(base, password)
	if err != nil {
		return fail(1, fmt.Errorf("making an API key: %v; the server's log:\n%s", err, tailFile(logPath, 20)))
	}
	tr := &http.Transport{
		MaxIdleConns:        *clients * 2,
		MaxIdleConnsPerHost: *clients * 2,
		MaxConnsPerHost:     0,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	defer tr.CloseIdleConnections()
	c := &apiClient{base: base, secret: secret, hc: &http.Client{Transport: tr, Timeout: *timeout}}

	// One request first, so a broken setup fails at once and clearly.
	var warm struct {
		Poems []json.RawMessage `json:"poems"`
	}
	if err := c.do(context.Background(), "POST", "/api/poems", map[string]any{"keywords": benchKeywords[0], "form": *form, "seed": 0, "n": 1}, &warm); err != nil || len(warm.Poems) != 1 {
		return fail(1, fmt.Errorf("the first POST /api/poems: %v (%d poems); the server's log:\n%s", err, len(warm.Poems), tailFile(logPath, 20)))
	}

	if *chat > 0 {
		if err := runChatLatency(stdout, base, secret, *chat); err != nil {
			return fail(1, fmt.Errorf("/v1/chat/completions: %v; the server's log:\n%s", err, tailFile(logPath, 20)))
		}
	}
	load, _ := os.ReadFile("/proc/loadavg")
	fmt.Fprintf(stdout, "quick path: %d clients × %s of POST /api/poems (%s, n=1) …\n", *clients, *duration, *form)
	quick := runPoemLoad(c, pid, *clients, *duration, *form)
	printPhase(stdout, quick)
	var jobs *loadPhase
	if *jobDuration > 0 {
		fmt.Fprintf(stdout, "job path: %d clients × %s of POST /api/works + /create (n=1, no painting) + polling every %s …\n", *clients, *jobDuration, *poll)
		jobs = runJobLoad(c, pid, *clients, *jobDuration, *poll, *form)
		printPhase(stdout, jobs)
	}
	tr.CloseIdleConnections()

	// Stop the studio as an operator would.
	finalRSS := vmHWM(pid)
	if err := srv.Process.Signal(syscall.SIGTERM); err != nil {
		return fail(1, fmt.Errorf("SIGTERM: %v", err))
	}
	var waitErr error
	select {
	case waitErr = <-exited:
		stopped = true
	case <-time.After(60 * time.Second):
		return fail(1, fmt.Errorf("the server did not stop within 60 s of SIGTERM; its log:\n%s", tailFile(logPath, 20)))
	}
	ps := srv.ProcessState
	exitCode := ps.ExitCode()
	if rss, ok := maxRSS(ps); ok && rss > finalRSS {
		finalRSS = rss
	}
	cpuTotal := ps.UserTime() + ps.SystemTime()
	fmt.Fprintf(stdout, "server: exit %d after SIGTERM; peak RSS %.1f MB; CPU %.1f s (user %.1f s, sys %.1f s) over %.0f s\n",
		exitCode, float64(finalRSS)/1e6, cpuTotal.Seconds(), ps.UserTime().Seconds(), ps.SystemTime().Seconds(), time.Since(startAt).Seconds())

	bad := quick.Errors > 0 || (jobs != nil && jobs.Errors > 0)
	if bad {
		fmt.Fprintln(stdout, "errors by kind:")
		for _, p := range []*loadPhase{quick, jobs} {
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
		fmt.Fprintf(stdout, "the server's warnings and errors:\n%s", grepLog(logPath, 30))
	}
	if waitErr != nil || exitCode != 0 {
		fmt.Fprintf(stderr, "miaobi bench serve: the server exited %d after SIGTERM (%v); its log ends:\n%s", exitCode, waitErr, tailFile(logPath, 20))
		return 1
	}
	if *write {
		md := serveMarkdown(args, quick, jobs, *poll, finalRSS, cpuTotal, time.Since(startAt), strings.TrimSpace(string(load)))
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

// runChatLatency asks the studio's OpenAI-compatible poet for n 七绝 one
// after another, each once whole and once streamed (a distinct seed each),
// and prints the latency of the whole answers and the time to the first
// byte and to the end of the streamed ones.
func runChatLatency(w io.Writer, base, secret string, n int) error {
	hc := &http.Client{Timeout: 60 * time.Second}
	var whole, first, streamed []time.Duration
	for i := 0; i < n; i++ {
		kw := benchKeywords[i%len(benchKeywords)]
		for _, stream := range []bool{false, true} {
			body, _ := json.Marshal(map[string]any{"model": "miaobi-poet", "stream": stream, "seed": i,
				"messages": []any{map[string]any{"role": "user", "content": "写一首七绝，关键词：" + strings.Join(kw, "、")}}})
			req, _ := http.NewRequest("POST", base+"/v1/chat/completions", bytes.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.Header.Set("Authorization", "Bearer "+secret)
			start := time.Now()
			resp, err := hc.Do(req)
			if err != nil {
				return err
			}
			buf := make([]byte, 1)
			if _, err := io.ReadFull(resp.Body, buf); err != nil {
				resp.Body.Close()
				return err
			}
			fb := time.Since(start)
			rest, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			total := time.Since(start)
			if err != nil || resp.StatusCode != 200 {
				return fmt.Errorf("status %d: %v %s", resp.StatusCode, err, rest)
			}
			if stream {
				if !bytes.Contains(rest, []byte("data: [DONE]")) {
					return fmt.Errorf("the stream did not end with [DONE]: %s", rest)
				}
				first, streamed = append(first, fb), append(streamed, total)
			} else {
				whole = append(whole, total)
			}
		}
	}
	for _, d := range [][]time.Duration{whole, first, streamed} {
		slices.Sort(d)
	}
	fmt.Fprintf(w, "chat: %d × POST /v1/chat/completions (七绝): whole p50 %s p90 %s; streamed first byte p50 %s p90 %s, end p50 %s\n",
		n, msOf(pct(whole, 0.5)), msOf(pct(whole, 0.9)), msOf(pct(first, 0.5)), msOf(pct(first, 0.9)), msOf(pct(streamed, 0.5)))
	return nil
}

// studioKey signs in to the studio at base as admin through the login
// form, as a person would, and makes an API key with the largest quota.
// The load bench and the end-to-end tests use it.
func studioKey(base, password string) (string, error) {
	jar, _ := cookiejar.New(nil)
	hc := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := hc.Get(base + "/login")
	if err != nil {
		return "", err
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := regexp.MustCompile(`name="csrf" value="([^"]*)"`).FindSubmatch(page)
	if resp.StatusCode != 200 || m == nil {
		return "", fmt.Errorf("GET /login: %s, no csrf field", resp.Status)
	}
	form := url.Values{"csrf": {html.UnescapeString(string(m[1]))}, "name": {"admin"}, "password": {password}}
	resp, err = hc.PostForm(base+"/login", form)
	if err != nil {
		return "", err
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") == "/login" {
		return "", fmt.Errorf("POST /login: %s (location %q)", resp.Status, resp.Header.Get("Location"))
	}
	resp, err = hc.Get(base + "/api/me")
	if err != nil {
		return "", err
	}
	var me struct {
		CSRF string `json:"csrf"`
	}
	err = json.NewDecoder(resp.Body).Decode(&me)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || me.CSRF == "" {
		return "", fmt.Errorf("GET /api/me: %s, csrf %q (%v)", resp.Status, me.CSRF, err)
	}
	req, _ := http.NewRequest("POST", base+"/api/keys", strings.NewReader(`{"name":"bench serve","quota":1000000000}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-CSRF-Token", me.CSRF)
	resp, err = hc.Do(req)
	if err != nil {
		return "", err
	}
	var k struct {
		Secret string `json:"secret"`
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || json.Unmarshal(b, &k) != nil || !strings.HasPrefix(k.Secret, "mbk_") {
		return "", fmt.Errorf("POST /api/keys: %s: %s", resp.Status, bytes.TrimSpace(b))
	}
	return k.Secret, nil
}

// phaseMark is where a load phase starts: the server's pid, its CPU time
// and this process's then, and the time.
type phaseMark struct {
	pid         int
	cpu0, ccpu0 time.Duration
	start       time.Time
}

func markPhase(pid int) phaseMark {
	return phaseMark{pid: pid, cpu0: procCPU(pid), ccpu0: procCPU(os.Getpid()), start: time.Now()}
}

// finish waits for the phase's clients, then fills in p from m: the wall
// time, server and client CPU time, the server's peak RSS, the latencies of
// all clients (lats holds each one's), sorted, their count, and the errors.
func (p *loadPhase) finish(m phaseMark, wg *sync.WaitGroup, lats [][]time.Duration, tally *errTally) {
	wg.Wait()
	p.Wall = time.Since(m.start)
	p.ServerCPU, p.ClientCPU = procCPU(m.pid)-m.cpu0, procCPU(os.Getpid())-m.ccpu0
	p.PeakRSS = vmHWM(m.pid)
	for _, l := range lats {
		p.Latency = append(p.Latency, l...)
	}
	slices.Sort(p.Latency)
	p.Count = len(p.Latency)
	p.Errors, p.ErrKinds = tally.n, tally.kinds // the clients are done: no lock needed
}

// runPoemLoad runs the quick path: each client loops POST /api/poems
// until the deadline; the phase ends when the last request returns.
func runPoemLoad(c *apiClient, pid, clients int, d time.Duration, form string) *loadPhase {
	p := &loadPhase{Name: "poems", Clients: clients}
	var seq atomic.Int64
	var tally errTally
	lats := make([][]time.Duration, clients)
	m := markPhase(pid)
	deadline := m.start.Add(d)
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				s := seq.Add(1)
				kw := benchKeywords[int(s)%len(benchKeywords)]
				var r struct {
					Poems []json.RawMessage `json:"poems"`
				}
				t := time.Now()
				err := c.do(context.Background(), "POST", "/api/poems", map[string]any{"keywords": kw, "form": form, "seed": s, "n": 1}, &r)
				el := time.Since(t)
				if err == nil && len(r.Poems) != 1 {
					err = fmt.Errorf("POST /api/poems: %d poems, not 1", len(r.Poems))
				}
				if err != nil {
					tally.add(err.Error())
					continue
				}
				lats[i] = append(lats[i], el)
			}
		})
	}
	p.finish(m, &wg, lats, &tally)
	p.Requests = p.Count + p.Errors
	return p
}

// runJobLoad runs the job path: each client loops creating a work,
// queueing a create job and polling it until it is done.
func runJobLoad(c *apiClient, pid, clients int, d, poll time.Duration, form string) *loadPhase {
	p := &loadPhase{Name: "jobs", Clients: clients}
	var seq, requests atomic.Int64
	var tally errTally
	lats := make([][]time.Duration, clients)
	m := markPhase(pid)
	deadline := m.start.Add(d)
	ctx := context.Background()
	var wg sync.WaitGroup
	for i := range clients {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				s := seq.Add(1)
				kw := benchKeywords[int(s)%len(benchKeywords)]
				var w struct {
					Work struct {
						ID string `json:"id"`
					} `json:"work"`
				}
				requests.Add(1)
				if err := c.do(ctx, "POST", "/api/works", map[string]any{"keywords": kw, "form": form}, &w); err != nil {
					tally.add(err.Error())
					continue
				}
				var j struct {
					Job struct {
						ID string `json:"id"`
					} `json:"job"`
				}
				t := time.Now()
				requests.Add(1)
				if err := c.do(ctx, "POST", "/api/works/"+w.Work.ID+"/create", map[string]any{"n": 1, "paint": false, "seed": s}, &j); err != nil {
					tally.add(err.Error())
					continue
				}
				for {
					time.Sleep(poll)
					var st struct {
						State string `json:"state"`
						Error string `json:"error"`
					}
					requests.Add(1)
					if err := c.do(ctx, "GET", "/api/jobs/"+j.Job.ID, nil, &st); err != nil {
						tally.add(err.Error())
						break
					}
					if st.State == "done" {
						lats[i] = append(lats[i], time.Since(t))
						break
					}
					if st.State == "failed" {
						tally.add("job failed: " + st.Error)
						break
					}
					if time.Since(t) > 5*time.Minute {
						tally.add("job not done in 5 minutes, state " + st.State)
						break
					}
				}
			}
		})
	}
	p.finish(m, &wg, lats, &tally)
	p.Requests = int(requests.Load())
	return p
}

func printPhase(w io.Writer, p *loadPhase) {
	what := "requests"
	if p.Name == "jobs" {
		what = "jobs"
	}
	l := p.Latency
	fmt.Fprintf(w, "  %d %s in %.1f s = %.1f %s/s; %d errors; %d HTTP requests\n", p.Count, what, p.Wall.Seconds(), p.rate(), what, p.Errors, p.Requests)
	fmt.Fprintf(w, "  latency p50 %s  p90 %s  p99 %s  max %s\n", msOf(pct(l, .5)), msOf(pct(l, .9)), msOf(pct(l, .99)), msOf(pct(l, 1)))
	fmt.Fprintf(w, "  server CPU %.1f s (%.2f cores), client CPU %.1f s (%.2f cores), server peak RSS so far %.1f MB\n",
		p.ServerCPU.Seconds(), p.ServerCPU.Seconds()/p.Wall.Seconds(), p.ClientCPU.Seconds(), p.ClientCPU.Seconds()/p.Wall.Seconds(), float64(p.PeakRSS)/1e6)
}

// procCPU is a process's user + system time from /proc/PID/stat (0
// where there is no /proc). The kernel counts in USER_HZ ticks, 100 a
// second on Linux.
func procCPU(pid int) time.Duration {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name, field 2, is in parentheses and may hold spaces.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(f) < 13 {
		return 0
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	s, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(u+s) * (time.Second / 100)
}

// vmHWM is a process's peak resident memory so far in bytes, from
// /proc/PID/status (0 where there is none).
func vmHWM(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")), 10, 64)
			return kb << 10
		}
	}
	return 0
}

// tailFile is the last n lines of a file.
func tailFile(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}

// grepLog is the server's log lines at level WARN or ERROR, and any
// request answered other than 2xx/3xx (at most n of them).
func grepLog(path string, n int) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	var sb strings.Builder
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	status := regexp.MustCompile(` status=([0-9]+)`)
	shown, more := 0, 0
	for sc.Scan() {
		line := sc.Text()
		hit := strings.Contains(line, "level=ERROR") || strings.Contains(line, "level=WARN")
		if m := status.FindStringSubmatch(line); m != nil && (m[1][0] == '4' || m[1][0] == '5') {
			hit = true
		}
		if !hit {
			continue
		}
		if shown < n {
			sb.WriteString("  " + line + "\n")
			shown++
		} else {
			more++
		}
	}
	if more > 0 {
		fmt.Fprintf(&sb, "  … and %d more\n", more)
	}
	if shown == 0 {
		sb.WriteString("  (none)\n")
	}
	return sb.String()
}

// cpuModel is the processor's name from /proc/cpuinfo.
func cpuModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

func serveMarkdown(args []string, quick, jobs *loadPhase, poll time.Duration, rss int64, cpu, life time.Duration, loadavg string) string {
	var sb strings.Builder
	cmd := "miaobi bench serve"
	if len(args) > 0 {
		cmd += " " + strings.Join(args, " ")
	}
	if f := strings.Fields(loadavg); len(f) >= 3 {
		loadavg = strings.Join(f[:3], " ")
	}
	fmt.Fprintf(&sb, "%s\n\nCommand: `%s` (%s). Machine: %s, %d cores, %s; load average %s before the run. Client and server share the cores and talk over loopback: the server is a child `miaobi serve --addr 127.0.0.1:0 --nats-listen none` (SQLite, embedded NATS JetStream, 2 job workers) in a fresh data directory; the clients share one keep-alive `http.Transport` and send an API key.\n\n",
		serveMarkStart, cmd, time.Now().UTC().Format("2006-01-02"), cpuModel(), runtime.NumCPU(), runtime.Version(), loadavg)
	sb.WriteString("| path | clients | ran | done | rate | errors | p50 | p90 | p99 | max | server CPU |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	row := func(what, unit string, p *loadPhase) {
		l := p.Latency
		fmt.Fprintf(&sb, "| %s | %d | %.1f s | %d | %.1f %s/s | %d | %s | %s | %s | %s | %.1f s (%.2f cores) |\n",
			what, p.Clients, p.Wall.Seconds(), p.Count, p.rate(), unit, p.Errors, msOf(pct(l, .5)), msOf(pct(l, .9)), msOf(pct(l, .99)), msOf(pct(l, 1)),
			p.ServerCPU.Seconds(), p.ServerCPU.Seconds()/p.Wall.Seconds())
	}
	row("quick: `POST /api/poems`", "req", quick)
	if jobs != nil {
		row("jobs: work + create job", "jobs", jobs)
	}
	fmt.Fprintf(&sb, "\nThe quick path asks for one 七绝 (n=1) per request, each with its own seed (%d requests). ", quick.Requests)
	if jobs != nil {
		fmt.Fprintf(&sb, "The job path creates a work (`POST /api/works`), queues a create job (`POST /api/works/{id}/create`, n=1, no painting) and polls `GET /api/jobs/{id}` every %s; its latency runs from the create request to the poll that sees the job done, so it is coarse by up to %s (%d HTTP requests in all). ", poll, poll, jobs.Requests)
	}
	fmt.Fprintf(&sb, "Server: peak RSS %.0f MB; CPU %.1f s (user + system) over its %.0f s life, start-up included. The load generator itself used %.1f s of CPU in the quick path",
		float64(rss)/1e6, cpu.Seconds(), life.Seconds(), quick.ClientCPU.Seconds())
	if jobs != nil {
		fmt.Fprintf(&sb, " and %.1f s in the job path", jobs.ClientCPU.Seconds())
	}
	sb.WriteString(".\n\n" + serveMarkEnd)
	return sb.String()
}
