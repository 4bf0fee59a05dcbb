package studio

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"sync"
	"time"
)

// Metrics counts requests and jobs for Prometheus (text format 0.0.4).
// The zero value is not usable; use NewMetrics. A nil *Metrics ignores
// everything.
type Metrics struct {
	mu       sync.Mutex
	requests map[[3]string]int64 // method, route, status → count
	reqLat   map[string]*histogram
	jobLat   map[string]*histogram
	jobs     map[[2]string]int64 // kind, outcome → count
	queued   int64
}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	return &Metrics{requests: map[[3]string]int64{}, reqLat: map[string]*histogram{}, jobLat: map[string]*histogram{}, jobs: map[[2]string]int64{}}
}

var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

type histogram struct {
	counts []int64 // per bucket, cumulative on output
	sum    float64
	n      int64
}

func (h *histogram) observe(v float64) {
	if h.counts == nil {
		h.counts = make([]int64, len(latencyBuckets))
	}
	for i, b := range latencyBuckets {
		if v <= b {
			h.counts[i]++
			break
		}
	}
	h.sum += v
	h.n++
}

// ObserveRequest counts one HTTP request.
func (m *Metrics) ObserveRequest(method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[[3]string{method, route, fmt.Sprint(status)}]++
	h := m.reqLat[route]
	if h == nil {
		h = &histogram{}
		m.reqLat[route] = h
	}
	h.observe(d.Seconds())
}

func (m *Metrics) jobQueued() {
	if m == nil {
		return
	}
	m.mu.Lock()
	m.queued++
	m.mu.Unlock()
}

// jobStarted times a job; the returned func records its outcome.
func (m *Metrics) jobStarted(kind string) func(outcome string) {
	start := time.Now()
	return func(outcome string) {
		if m == nil {
			return
		}
		m.mu.Lock()
		defer m.mu.Unlock()
		m.jobs[[2]string{kind, outcome}]++
		h := m.jobLat[kind]
		if h == nil {
			h = &histogram{}
			m.jobLat[kind] = h
		}
		h.observe(time.Since(start).Seconds())
	}
}

// Gauge is a value read at scrape time.
type Gauge struct {
	Name, Help string
	Labels     map[string]string
	Value      float64
}

// WriteTo writes every metric and the gauges in the Prometheus text
// format.
func (m *Metrics) WriteTo(w io.Writer, gauges []Gauge) {
	m.mu.Lock()
	defer m.mu.Unlock()
	var b strings.Builder
	b.WriteString("# HELP miaobi_http_requests_total HTTP requests by method, route and status.\n# TYPE miaobi_http_requests_total counter\n")
	for _, k := range sortedKeys3(m.requests) {
		fmt.Fprintf(&b, "miaobi_http_requests_total{method=%q,route=%q,status=%q} %d\n", k[0], k[1], k[2], m.requests[k])
	}
	writeHist(&b, "miaobi_http_request_duration_seconds", "HTTP request latency by route.", "route", m.reqLat)
	b.WriteString("# HELP miaobi_jobs_total Jobs finished by kind and outcome.\n# TYPE miaobi_jobs_total counter\n")
	var jk [][2]string
	for k := range m.jobs {
		jk = append(jk, k)
	}
	sort.Slice(jk, func(i, j int) bool { return jk[i][0]+jk[i][1] < jk[j][0]+jk[j][1] })
	for _, k := range jk {
		fmt.Fprintf(&b, "miaobi_jobs_total{kind=%q,outcome=%q} %d\n", k[0], k[1], m.jobs[k])
	}
	fmt.Fprintf(&b, "# HELP miaobi_jobs_submitted_total Jobs submitted by this process.\n# TYPE miaobi_jobs_submitted_total counter\nmiaobi_jobs_submitted_total %d\n", m.queued)
	writeHist(&b, "miaobi_job_duration_seconds", "Job run time by kind.", "kind", m.jobLat)
	seen := map[string]bool{}
	for _, g := range gauges {
		if !seen[g.Name] {
			fmt.Fprintf(&b, "# HELP %s %s\n# TYPE %s gauge\n", g.Name, g.Help, g.Name)
			seen[g.Name] = true
		}
		b.WriteString(g.Name)
		if len(g.Labels) > 0 {
			var ls []string
			for k, v := range g.Labels {
				ls = append(ls, fmt.Sprintf("%s=%q", k, v))
			}
			sort.Strings(ls)
			b.WriteString("{" + strings.Join(ls, ",") + "}")
		}
		fmt.Fprintf(&b, " %g\n", g.Value)
	}
	io.WriteString(w, b.String())
}

func writeHist(b *strings.Builder, name, help, label string, hs map[string]*histogram) {
	fmt.Fprintf(b, "# HELP %s %s\n# TYPE %s histogram\n", name, help, name)
	var keys []string
	for k := range hs {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		h := hs[k]
		var cum int64
		for i, ub := range latencyBuckets {
			cum += h.counts[i]
			fmt.Fprintf(b, "%s_bucket{%s=%q,le=\"%g\"} %d\n", name, label, k, ub, cum)
		}
		fmt.Fprintf(b, "%s_bucket{%s=%q,le=\"+Inf\"} %d\n", name, label, k, h.n)
		fmt.Fprintf(b, "%s_sum{%s=%q} %g\n%s_count{%s=%q} %d\n", name, label, k, h.sum, name, label, k, h.n)
	}
}

func sortedKeys3(m map[[3]string]int64) [][3]string {
	var ks [][3]string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Slice(ks, func(i, j int) bool {
		return strings.Join(ks[i][:], "\x00") < strings.Join(ks[j][:], "\x00")
	})
	return ks
}
