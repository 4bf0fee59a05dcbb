package main

import (
	"archive/zip"
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"miaobi/server"
	"miaobi/store/storetest"
)

const studioPassword = "correct horse battery"

// studioProc is a running 'miaobi serve' of the real binary.
type studioProc struct {
	t      *testing.T
	cmd    *exec.Cmd
	URL    string
	stderr *syncBuffer
	out    *syncBuffer // standard output, as printed so far
	done   chan error
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// startStudio runs 'miaobi serve' with home as MIAOBI_HOME on a free
// port and waits for its URL.
func startStudio(t *testing.T, home string, args ...string) *studioProc {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--addr", "127.0.0.1:0", "--nats-listen", "none"}, args...)...)
	cmd.Env = append(os.Environ(), "MIAOBI_HOME="+home, "MIAOBI_ADMIN_PASSWORD="+studioPassword)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	p := &studioProc{t: t, cmd: cmd, stderr: &syncBuffer{}, out: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stderr = p.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	urls := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			p.out.Write([]byte(sc.Text() + "\n"))
			if m := regexp.MustCompile(`^Miaobi studio: (http://\S+?)/? `).FindStringSubmatch(sc.Text()); m != nil {
				urls <- m[1]
			}
		}
		io.Copy(io.Discard, out)
	}()
	go func() { p.done <- cmd.Wait() }()
	select {
	case p.URL = <-urls:
	case err := <-p.done:
		t.Fatalf("miaobi serve exited: %v\n%s", err, p.stderr)
	case <-time.After(60 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("miaobi serve printed no URL in 60 s\n%s", p.stderr)
	}
	t.Cleanup(func() {
		if cmd.ProcessState == nil {
			cmd.Process.Kill()
			<-p.done
		}
	})
	return p
}

// stdout is what the studio printed on standard output so far.
func (p *studioProc) stdout() string { return p.out.String() }

// stdoutWait waits up to 2 s for the output to hold want, and returns it.
func (p *studioProc) stdoutWait(want string) string {
	for i := 0; i < 100 && !strings.Contains(p.stdout(), want); i++ {
		time.Sleep(20 * time.Millisecond)
	}
	return p.stdout()
}

// stop sends sig and waits for the process to end.
func (p *studioProc) stop(sig os.Signal, within time.Duration) error {
	p.t.Helper()
	p.cmd.Process.Signal(sig)
	select {
	case err := <-p.done:
		return err
	case <-time.After(within):
		p.cmd.Process.Kill()
		p.t.Fatalf("miaobi serve did not stop within %v after %v\n%s", within, sig, p.stderr)
		return nil
	}
}

// apiKey signs in as admin through the login form and makes an API key.
func apiKey(t *testing.T, base string) string {
	t.Helper()
	k, err := server.AdminKey(base, studioPassword)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// callJSON makes one API call and decodes the answer.
func callJSON(t *testing.T, hc *http.Client, method, u, key string, body any, want int, out any) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, _ := http.NewRequest(method, u, r)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := hc.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s %s: %d, want %d: %s", method, u, resp.StatusCode, want, b)
	}
	if out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v: %s", method, u, err, b)
		}
	}
}

type e2eJob struct {
	ID       string
	State    string
	Attempts int
	Error    string
	Message  string
}

// slowJob starts a work and a create job big enough to be caught running.
func slowJob(t *testing.T, base, key string) (work, job string) {
	t.Helper()
	var w struct{ Work struct{ ID string } }
	callJSON(t, http.DefaultClient, "POST", base+"/api/works", key, map[string]any{"keywords": []string{"秋", "山"}, "form": "七律"}, 201, &w)
	var j struct{ Job e2eJob }
	callJSON(t, http.DefaultClient, "POST", base+"/api/works/"+w.Work.ID+"/create", key, map[string]any{"n": 10, "seed": 3, "paint": true, "width": 2048, "height": 2048}, 202, &j)
	return w.Work.ID, j.Job.ID
}

// waitJob polls a job until cond holds.
func waitJob(t *testing.T, base, key, id string, within time.Duration, cond func(e2eJob) bool) e2eJob {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		var j e2eJob
		callJSON(t, http.DefaultClient, "GET", base+"/api/jobs/"+id, key, nil, 200, &j)
		if cond(j) {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s: still %+v after %v", id, j, within)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestServeSurvivesKill kills the studio with SIGKILL while a job runs:
// after a restart the job runs again to the end, and nothing stored
// before the kill is lost.
func TestServeSurvivesKill(t *testing.T) {
	home := t.TempDir()
	p := startStudio(t, home)
	key := apiKey(t, p.URL)
	work, job := slowJob(t, p.URL, key)
	waitJob(t, p.URL, key, job, time.Minute, func(j e2eJob) bool { return j.State == "running" })
	var before struct{ Versions []json.RawMessage }
	callJSON(t, http.DefaultClient, "GET", p.URL+"/api/works/"+work+"/versions", key, nil, 200, &before)
	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.done

	p = startStudio(t, home)
	// The job's message was never acknowledged: JetStream delivers it
	// again once its acknowledgement deadline (15 s) has passed.
	j := waitJob(t, p.URL, key, job, 2*time.Minute, func(j e2eJob) bool { return j.State == "done" || j.State == "failed" })
	if j.State != "done" || j.Attempts != 2 {
		t.Fatalf("after the restart: %+v\n%s", j, p.stderr)
	}
	var w struct {
		Head    int
		Content struct {
			Candidates []json.RawMessage
			Painting   *struct{ Asset string }
		}
	}
	callJSON(t, http.DefaultClient, "GET", p.URL+"/api/works/"+work, key, nil, 200, &w)
	if len(w.Content.Candidates) != 10 || w.Content.Painting == nil {
		t.Fatalf("the job's result is missing: %+v", w.Content)
	}
	var after struct{ Versions []json.RawMessage }
	callJSON(t, http.DefaultClient, "GET", p.URL+"/api/works/"+work+"/versions", key, nil, 200, &after)
	if len(after.Versions) != len(before.Versions)+1 {
		t.Fatalf("versions: %d before the kill, %d after the job", len(before.Versions), len(after.Versions))
	}
	if err := p.stop(syscall.SIGTERM, 30*time.Second); err != nil {
		t.Fatalf("SIGTERM: %v\n%s", err, p.stderr)
	}
}

// TestServeShutdownRequeues stops the studio with SIGTERM and a grace of
// 1 ms while a longer job runs: the job is handed back to the queue, the
// process exits 0, and the next start finishes the job at once.
func TestServeShutdownRequeues(t *testing.T) {
	home := t.TempDir()
	p := startStudio(t, home, "--grace", "1ms")
	key := apiKey(t, p.URL)
	_, job := slowJob(t, p.URL, key)
	waitJob(t, p.URL, key, job, time.Minute, func(j e2eJob) bool { return j.State == "running" })
	start := time.Now()
	if err := p.stop(syscall.SIGTERM, 60*time.Second); err != nil {
		t.Fatalf("exit after SIGTERM: %v\n%s", err, p.stderr)
	}
	if !strings.Contains(p.stderr.String(), "handed back") {
		t.Fatalf("no job was handed back (stopped in %v):\n%s", time.Since(start), p.stderr)
	}
	p = startStudio(t, home)
	j := waitJob(t, p.URL, key, job, time.Minute, func(j e2eJob) bool { return j.State == "done" || j.State == "failed" })
	if j.State != "done" {
		t.Fatalf("after the restart: %+v", j)
	}
	fmt.Fprintln(io.Discard, j)
}

// TestStudioCLI runs autopilot from the command line against a real
// studio: a progress bar, the poem, and a bundle whose painting verifies.
func TestStudioCLI(t *testing.T) {
	home := t.TempDir()
	p := startStudio(t, home)
	key := apiKey(t, p.URL)
	dir := t.TempDir()
	out := dir + "/lamp.zip"
	cmd := exec.Command(binary, "studio", "autopilot", "-k", "灯,跳舞,翅膀", "--seed", "9", "-o", out, "--url", p.URL, "--key", key)
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("studio autopilot: %v\n%s\n%s", err, stderr.String(), p.stderr)
	}
	if !regexp.MustCompile(`\[#+-*\] +100% `).MatchString(stderr.String()) {
		t.Fatalf("no progress bar reached 100%%:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), "wrote "+out) {
		t.Fatalf("stdout: %s", stdout.String())
	}
	zr, err := zipOpen(out)
	if err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(dir, "painting.png")
	if err := os.WriteFile(png, zr["painting.png"], 0o644); err != nil {
		t.Fatal(err)
	}
	v := exec.Command(binary, "verify", png)
	v.Env = append(os.Environ(), "MIAOBI_HOME="+home)
	vout, err := v.CombinedOutput()
	if err != nil || !strings.Contains(string(vout), "trusted yes") {
		t.Fatalf("verify the bundle's painting: %v\n%s", err, vout)
	}
	// show lists the history: the person's brief, then the AI's steps.
	id := regexp.MustCompile(`work (w_[0-9a-f]+)`).FindStringSubmatch(stderr.String())
	if id == nil {
		t.Fatalf("no work id in %s", stderr.String())
	}
	show := exec.Command(binary, "studio", "show", id[1], "--url", p.URL, "--key", key)
	sout, err := show.CombinedOutput()
	if err != nil || !strings.Contains(string(sout), "publish") || !strings.Contains(string(sout), "0% by the person") {
		t.Fatalf("studio show: %v\n%s", err, sout)
	}
	// Its value traits and Lovelace report; the arena from the command
	// line: a round with the human source needs the corpus, one of
	// Miaobi's poems and the published work opens, and has no answers yet.
	studioCmd := func(args ...string) (string, error) {
		out, err := exec.Command(binary, append(append([]string{"studio"}, args...), "--url", p.URL, "--key", key)...).CombinedOutput()
		return string(out), err
	}
	if out, err := studioCmd("report", id[1]); err != nil || !strings.Contains(out, "metre") || !strings.Contains(out, "Lovelace report:") {
		t.Fatalf("studio report: %v\n%s", err, out)
	}
	if out, err := studioCmd("start-round", "CLI轮", "--sources", "human,miaobi"); err == nil || !strings.Contains(out, "miaobi corpus fetch") {
		t.Fatalf("start-round without the corpus: %v\n%s", err, out)
	}
	out2, err := studioCmd("start-round", "CLI轮", "--sources", "miaobi,published", "--per-form", "1", "--size", "4", "--seed", "3")
	if err != nil || !regexp.MustCompile(`r_[0-9a-f]+ open: \d+ poems on \d+ prompts`).MatchString(out2) {
		t.Fatalf("start-round: %v\n%s", err, out2)
	}
	if out, err := studioCmd("results"); err != nil || !strings.Contains(out, "no answers yet") {
		t.Fatalf("studio results: %v\n%s", err, out)
	}
	if out, err := studioCmd("rounds"); err != nil || !strings.Contains(out, "CLI轮") || !strings.Contains(out, "open") {
		t.Fatalf("studio rounds: %v\n%s", err, out)
	}
	// The work as a film, through the same API: a progress bar, a
	// labelled and signed MP4.
	if _, err := exec.LookPath("ffmpeg"); err == nil {
		mp4 := filepath.Join(dir, "lamp.mp4")
		fc := exec.Command(binary, "film", "--work", id[1], "--size", "720x1280", "--seconds", "12", "--no-voice", "-o", mp4, "--url", p.URL, "--key", key)
		fout, err := fc.CombinedOutput()
		if err != nil || !regexp.MustCompile(`100% `).Match(fout) || !strings.Contains(string(fout), "720x1280") {
			t.Fatalf("film --work: %v\n%s\n%s", err, fout, p.stderr)
		}
		v := exec.Command(binary, "verify", mp4)
		v.Env = append(os.Environ(), "MIAOBI_HOME="+home)
		if vout, err := v.CombinedOutput(); err != nil || !strings.Contains(string(vout), "trusted yes") || !strings.Contains(string(vout), "watermark  yes") {
			t.Fatalf("verify the studio's film: %v\n%s", err, vout)
		}
	}
	bad := exec.Command(binary, "studio", "show", id[1], "--url", p.URL, "--key", "mbk_wrong")
	bout, err := bad.CombinedOutput()
	if err == nil || !strings.Contains(string(bout), "API key") {
		t.Fatalf("a wrong key: %v\n%s", err, bout)
	}
}

// zipOpen reads every file of a zip.
func zipOpen(path string) (map[string][]byte, error) {
	zr, err := zip.OpenReader(path)
	if err != nil {
		return nil, err
	}
	defer zr.Close()
	out := map[string][]byte{}
	for _, f := range zr.File {
		r, err := f.Open()
		if err != nil {
			return nil, err
		}
		out[f.Name], err = io.ReadAll(r)
		r.Close()
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// TestWorkerProcess runs the jobs in a separate 'miaobi worker' process
// joined to the studio's embedded NATS server: the studio has no workers
// of its own, and the job still finishes.
func TestWorkerProcess(t *testing.T) {
	home := t.TempDir()
	p := startStudio(t, home, "--workers", "0", "--nats-listen", "127.0.0.1:0")
	m := regexp.MustCompile(`queue: embedded NATS JetStream at (nats://\S+)`).FindStringSubmatch(p.stdoutWait("queue:"))
	if m == nil {
		t.Fatalf("no NATS address in the studio's output:\n%s", p.stdout())
	}
	key := apiKey(t, p.URL)
	var w struct{ Work struct{ ID string } }
	callJSON(t, http.DefaultClient, "POST", p.URL+"/api/works", key, map[string]any{"keywords": []string{"雪"}}, 201, &w)
	var j struct{ Job e2eJob }
	callJSON(t, http.DefaultClient, "POST", p.URL+"/api/works/"+w.Work.ID+"/create", key, map[string]any{"n": 2, "seed": 1}, 202, &j)
	time.Sleep(500 * time.Millisecond)
	var still e2eJob
	callJSON(t, http.DefaultClient, "GET", p.URL+"/api/jobs/"+j.Job.ID, key, nil, 200, &still)
	if still.State != "queued" {
		t.Fatalf("with no workers the job is %s", still.State)
	}
	wk := exec.Command(binary, "worker", "--nats", m[1], "--workers", "1")
	wk.Env = append(os.Environ(), "MIAOBI_HOME="+home)
	var werr syncBuffer
	wk.Stderr = &werr
	if err := wk.Start(); err != nil {
		t.Fatal(err)
	}
	wdone := make(chan error, 1)
	go func() { wdone <- wk.Wait() }()
	defer func() {
		if wk.ProcessState == nil {
			wk.Process.Kill()
		}
	}()
	got := waitJob(t, p.URL, key, j.Job.ID, time.Minute, func(j e2eJob) bool { return j.State == "done" || j.State == "failed" })
	if got.State != "done" {
		t.Fatalf("job %+v\nworker:\n%s", got, werr.String())
	}
	wk.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-wdone:
		if err != nil {
			t.Fatalf("worker exit: %v\n%s", err, werr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("the worker did not stop on SIGTERM\n%s", werr.String())
	}
}

// TestServePostgres runs the real binary against PostgreSQL (--db): the
// same work and job as on SQLite, and the data is in PostgreSQL after a
// restart.
func TestServePostgres(t *testing.T) {
	dsn := storetest.PostgresDB(t)
	home := t.TempDir()
	p := startStudio(t, home, "--db", dsn)
	if !strings.Contains(p.stdoutWait("database:"), "database: postgres") {
		t.Fatalf("not on PostgreSQL:\n%s", p.stdout())
	}
	key := apiKey(t, p.URL)
	var w struct{ Work struct{ ID string } }
	callJSON(t, http.DefaultClient, "POST", p.URL+"/api/works", key, map[string]any{"keywords": []string{"梅", "雪"}}, 201, &w)
	var j struct{ Job e2eJob }
	callJSON(t, http.DefaultClient, "POST", p.URL+"/api/works/"+w.Work.ID+"/create", key, map[string]any{"n": 2, "seed": 4}, 202, &j)
	if got := waitJob(t, p.URL, key, j.Job.ID, time.Minute, func(j e2eJob) bool { return j.State == "done" || j.State == "failed" }); got.State != "done" {
		t.Fatalf("job on PostgreSQL: %+v", got)
	}
	if err := p.stop(syscall.SIGTERM, 30*time.Second); err != nil {
		t.Fatal(err)
	}
	// A fresh data directory: everything but the files comes from PostgreSQL.
	p = startStudio(t, t.TempDir(), "--db", dsn)
	var got struct{ Head int }
	callJSON(t, http.DefaultClient, "GET", p.URL+"/api/works/"+w.Work.ID, key, nil, 200, &got)
	if got.Head != 2 {
		t.Fatalf("after the restart the work is at version %d", got.Head)
	}
}
