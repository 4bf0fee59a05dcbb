package server

// A load generator for the studio's HTTP API, the measuring half of
// `miaobi bench serve` (which starts the studio as a child process and
// writes the figures to docs/benchmarks.md): clients that loop on the
// quick path (POST /api/poems) or the job path (a work, a create job,
// polling), the latency of the OpenAI-compatible chat route, and the
// server process's CPU time and peak memory from /proc (Linux).

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// LoadKeywords are the keyword sets the clients draw from, in turn.
var LoadKeywords = [][]string{
	{"灯", "跳舞"}, {"月", "江"}, {"春", "雨"}, {"秋", "山"}, {"雪", "梅"},
	{"故乡", "高铁"}, {"手机", "思念"}, {"柳", "亭"}, {"酒", "花"}, {"孤舟", "夜"},
	{"中秋"}, {"风", "竹"}, {"云", "松"}, {"雁", "霜"}, {"桥", "烟"}, {"茶", "书"},
}

// LoadPhase is the outcome of one phase of the load.
type LoadPhase struct {
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

// Rate is requests (or jobs) done per second of the phase.
func (p *LoadPhase) Rate() float64 {
	if p.Wall <= 0 {
		return 0
	}
	return float64(p.Count) / p.Wall.Seconds()
}

// Percentile is the nearest-rank percentile q (0–1) of sorted durations.
func Percentile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(float64(len(sorted))*q+0.999999) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// Millis formats a duration in milliseconds, one decimal below 100 ms.
func Millis(d time.Duration) string {
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

// LoadClient talks to the child studio with an API key.
type LoadClient struct {
	Base   string       // the studio's address, e.g. http://127.0.0.1:8080
	Secret string       // an API key (AdminKey makes one)
	HTTP   *http.Client // shared by the clients of a phase
}

// do sends a JSON request and decodes a 2xx answer into out; any other
// answer is an error naming the status and the body.
func (c *LoadClient) Do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.Base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Secret)
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.HTTP.Do(req)
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

// ChatLatency asks the studio's OpenAI-compatible poet for n 七绝 one
// after another, each once whole and once streamed (a distinct seed each),
// and prints the latency of the whole answers and the time to the first
// byte and to the end of the streamed ones.
func ChatLatency(w io.Writer, base, secret string, n int) error {
	hc := &http.Client{Timeout: 60 * time.Second}
	var whole, first, streamed []time.Duration
	for i := 0; i < n; i++ {
		kw := LoadKeywords[i%len(LoadKeywords)]
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
		n, Millis(Percentile(whole, 0.5)), Millis(Percentile(whole, 0.9)), Millis(Percentile(first, 0.5)), Millis(Percentile(first, 0.9)), Millis(Percentile(streamed, 0.5)))
	return nil
}

// AdminKey signs in to the studio at base as admin through the login
// form, as a person would, and makes an API key with the largest quota.
// The load bench and the end-to-end tests use it.
func AdminKey(base, password string) (string, error) {
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

// runPhase runs clients goroutines until d has passed, each calling one
// in a loop with the next seed (counting from 1 across clients) and the
// keywords it picks; one returns the latency of a success, or an error to
// count by kind. The server's (pid's) CPU time and peak memory and this
// process's CPU time are measured over the phase, which ends when the
// last call returns.
func runPhase(p *LoadPhase, pid int, d time.Duration, one func(seed int64, keywords []string) (time.Duration, error)) {
	var seq atomic.Int64
	var tally errTally
	lats := make([][]time.Duration, p.Clients)
	cpu0, ccpu0 := ProcCPU(pid), ProcCPU(os.Getpid())
	start := time.Now()
	deadline := start.Add(d)
	var wg sync.WaitGroup
	for i := range p.Clients {
		wg.Go(func() {
			for time.Now().Before(deadline) {
				s := seq.Add(1)
				lat, err := one(s, LoadKeywords[int(s)%len(LoadKeywords)])
				if err != nil {
					tally.add(err.Error())
					continue
				}
				lats[i] = append(lats[i], lat)
			}
		})
	}
	wg.Wait()
	p.Wall = time.Since(start)
	p.ServerCPU, p.ClientCPU = ProcCPU(pid)-cpu0, ProcCPU(os.Getpid())-ccpu0
	p.PeakRSS = PeakRSS(pid)
	for _, l := range lats {
		p.Latency = append(p.Latency, l...)
	}
	slices.Sort(p.Latency)
	p.Count = len(p.Latency)
	p.Errors, p.ErrKinds = tally.n, tally.kinds // the clients are done: no lock needed
}

// PoemLoad runs the quick path: each client loops POST /api/poems
// until the deadline; the phase ends when the last request returns.
func PoemLoad(c *LoadClient, pid, clients int, d time.Duration, form string) *LoadPhase {
	p := &LoadPhase{Name: "poems", Clients: clients}
	runPhase(p, pid, d, func(s int64, kw []string) (time.Duration, error) {
		var r struct {
			Poems []json.RawMessage `json:"poems"`
		}
		t := time.Now()
		err := c.Do(context.Background(), "POST", "/api/poems", map[string]any{"keywords": kw, "form": form, "seed": s, "n": 1}, &r)
		el := time.Since(t)
		if err == nil && len(r.Poems) != 1 {
			err = fmt.Errorf("POST /api/poems: %d poems, not 1", len(r.Poems))
		}
		return el, err
	})
	p.Requests = p.Count + p.Errors
	return p
}

// JobLoad runs the job path: each client loops creating a work,
// queueing a create job and polling it until it is done.
func JobLoad(c *LoadClient, pid, clients int, d, poll time.Duration, form string) *LoadPhase {
	p := &LoadPhase{Name: "jobs", Clients: clients}
	var requests atomic.Int64
	ctx := context.Background()
	do := func(method, path string, in, out any) error {
		requests.Add(1)
		return c.Do(ctx, method, path, in, out)
	}
	runPhase(p, pid, d, func(s int64, kw []string) (time.Duration, error) {
		var w struct {
			Work struct {
				ID string `json:"id"`
			} `json:"work"`
		}
		if err := do("POST", "/api/works", map[string]any{"keywords": kw, "form": form}, &w); err != nil {
			return 0, err
		}
		var j struct {
			Job struct {
				ID string `json:"id"`
			} `json:"job"`
		}
		t := time.Now()
		if err := do("POST", "/api/works/"+w.Work.ID+"/create", map[string]any{"n": 1, "paint": false, "seed": s}, &j); err != nil {
			return 0, err
		}
		for {
			time.Sleep(poll)
			var st struct {
				State string `json:"state"`
				Error string `json:"error"`
			}
			if err := do("GET", "/api/jobs/"+j.Job.ID, nil, &st); err != nil {
				return 0, err
			}
			switch {
			case st.State == "done":
				return time.Since(t), nil
			case st.State == "failed":
				return 0, errors.New("job failed: " + st.Error)
			case time.Since(t) > 5*time.Minute:
				return 0, errors.New("job not done in 5 minutes, state " + st.State)
			}
		}
	})
	p.Requests = int(requests.Load())
	return p
}

// Print writes the phase's figures in three indented lines.
func (p *LoadPhase) Print(w io.Writer) {
	what := "requests"
	if p.Name == "jobs" {
		what = "jobs"
	}
	l := p.Latency
	fmt.Fprintf(w, "  %d %s in %.1f s = %.1f %s/s; %d errors; %d HTTP requests\n", p.Count, what, p.Wall.Seconds(), p.Rate(), what, p.Errors, p.Requests)
	fmt.Fprintf(w, "  latency p50 %s  p90 %s  p99 %s  max %s\n", Millis(Percentile(l, .5)), Millis(Percentile(l, .9)), Millis(Percentile(l, .99)), Millis(Percentile(l, 1)))
	fmt.Fprintf(w, "  server CPU %.1f s (%.2f cores), client CPU %.1f s (%.2f cores), server peak RSS so far %.1f MB\n",
		p.ServerCPU.Seconds(), p.ServerCPU.Seconds()/p.Wall.Seconds(), p.ClientCPU.Seconds(), p.ClientCPU.Seconds()/p.Wall.Seconds(), float64(p.PeakRSS)/1e6)
}

// ProcCPU is a process's user + system time from /proc/PID/stat (0
// where there is no /proc). The kernel counts in USER_HZ ticks, 100 a
// second on Linux.
func ProcCPU(pid int) time.Duration {
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

// PeakRSS is a process's peak resident memory so far in bytes, from
// /proc/PID/status (0 where there is none).
func PeakRSS(pid int) int64 {
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

// TailFile is the last n lines of a file (a server log).
func TailFile(path string, n int) string {
	b, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n") + "\n"
}

// GrepLog is the server's log lines at level WARN or ERROR, and any
// request answered other than 2xx/3xx (at most n of them).
func GrepLog(path string, n int) string {
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

// CPUModel is the processor's name from /proc/cpuinfo.
func CPUModel() string {
	b, _ := os.ReadFile("/proc/cpuinfo")
	for _, line := range strings.Split(string(b), "\n") {
		if k, v, ok := strings.Cut(line, ":"); ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// LoadMarkdown is the section docs/benchmarks.md keeps for a load run
// between the markers start and end: the command, the machine, a table of
// the phases and a paragraph on how they ran.
func LoadMarkdown(serveMarkStart, serveMarkEnd string, args []string, quick, jobs *LoadPhase, poll time.Duration, rss int64, cpu, life time.Duration, loadavg string) string {
	var sb strings.Builder
	cmd := "miaobi bench serve"
	if len(args) > 0 {
		cmd += " " + strings.Join(args, " ")
	}
	if f := strings.Fields(loadavg); len(f) >= 3 {
		loadavg = strings.Join(f[:3], " ")
	}
	fmt.Fprintf(&sb, "%s\n\nCommand: `%s` (%s). Machine: %s, %d cores, %s; load average %s before the run. Client and server share the cores and talk over loopback: the server is a child `miaobi serve --addr 127.0.0.1:0 --nats-listen none` (SQLite, embedded NATS JetStream, 2 job workers) in a fresh data directory; the clients share one keep-alive `http.Transport` and send an API key.\n\n",
		serveMarkStart, cmd, time.Now().UTC().Format("2006-01-02"), CPUModel(), runtime.NumCPU(), runtime.Version(), loadavg)
	sb.WriteString("| path | clients | ran | done | rate | errors | p50 | p90 | p99 | max | server CPU |\n|---|---|---|---|---|---|---|---|---|---|---|\n")
	row := func(what, unit string, p *LoadPhase) {
		l := p.Latency
		fmt.Fprintf(&sb, "| %s | %d | %.1f s | %d | %.1f %s/s | %d | %s | %s | %s | %s | %.1f s (%.2f cores) |\n",
			what, p.Clients, p.Wall.Seconds(), p.Count, p.Rate(), unit, p.Errors, Millis(Percentile(l, .5)), Millis(Percentile(l, .9)), Millis(Percentile(l, .99)), Millis(Percentile(l, 1)),
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
