package studio

import (
	"io"
	"sort"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
)

// Metrics counts requests and jobs for Prometheus, through the official
// client library (client_golang) with a registry of its own, so that
// tests and several studios in one process do not share counters. The
// metric names and labels are the ones dashboards already read:
//
//	miaobi_http_requests_total{method,route,status}
//	miaobi_http_request_duration_seconds{route}      (histogram)
//	miaobi_jobs_total{kind,outcome}
//	miaobi_jobs_submitted_total
//	miaobi_job_duration_seconds{kind}                 (histogram)
//
// plus the gauges the server reads at scrape time (Gauge). The zero value
// is not usable; use NewMetrics. A nil *Metrics ignores everything.
type Metrics struct {
	reg      *prometheus.Registry
	requests *prometheus.CounterVec
	reqLat   *prometheus.HistogramVec
	jobs     *prometheus.CounterVec
	queued   prometheus.Counter
	jobLat   *prometheus.HistogramVec
}

var latencyBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60}

// NewMetrics returns empty metrics.
func NewMetrics() *Metrics {
	m := &Metrics{
		reg: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "miaobi_http_requests_total",
			Help: "HTTP requests by method, route and status."}, []string{"method", "route", "status"}),
		reqLat: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "miaobi_http_request_duration_seconds",
			Help: "HTTP request latency by route.", Buckets: latencyBuckets}, []string{"route"}),
		jobs: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "miaobi_jobs_total",
			Help: "Jobs finished by kind and outcome."}, []string{"kind", "outcome"}),
		queued: prometheus.NewCounter(prometheus.CounterOpts{Name: "miaobi_jobs_submitted_total",
			Help: "Jobs submitted by this process."}),
		jobLat: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "miaobi_job_duration_seconds",
			Help: "Job run time by kind.", Buckets: latencyBuckets}, []string{"kind"}),
	}
	m.reg.MustRegister(m.requests, m.reqLat, m.jobs, m.queued, m.jobLat)
	return m
}

// ObserveRequest counts one HTTP request.
func (m *Metrics) ObserveRequest(method, route string, status int, d time.Duration) {
	if m == nil {
		return
	}
	m.requests.WithLabelValues(method, route, strconv.Itoa(status)).Inc()
	m.reqLat.WithLabelValues(route).Observe(d.Seconds())
}

func (m *Metrics) jobQueued() {
	if m == nil {
		return
	}
	m.queued.Inc()
}

// jobStarted times a job; the returned func records its outcome.
func (m *Metrics) jobStarted(kind string) func(outcome string) {
	start := time.Now()
	return func(outcome string) {
		if m == nil {
			return
		}
		m.jobs.WithLabelValues(kind, outcome).Inc()
		m.jobLat.WithLabelValues(kind).Observe(time.Since(start).Seconds())
	}
}

// Gauge is a value read at scrape time.
type Gauge struct {
	Name, Help string
	Labels     map[string]string
	Value      float64
}

// gauges is a collector of the values read at scrape time.
type gauges []Gauge

func (gauges) Describe(chan<- *prometheus.Desc) {} // unchecked: the set changes per scrape

func (gs gauges) Collect(ch chan<- prometheus.Metric) {
	help := map[string]string{}
	for _, g := range gs {
		if g.Help != "" && help[g.Name] == "" {
			help[g.Name] = g.Help
		}
	}
	for _, g := range gs {
		var names, values []string
		for k := range g.Labels {
			names = append(names, k)
		}
		sort.Strings(names)
		for _, k := range names {
			values = append(values, g.Labels[k])
		}
		d := prometheus.NewDesc(g.Name, help[g.Name], names, nil)
		if m, err := prometheus.NewConstMetric(d, prometheus.GaugeValue, g.Value, values...); err == nil {
			ch <- m
		}
	}
}

// WriteTo writes every metric and the gauges in the Prometheus text
// format (0.0.4).
func (m *Metrics) WriteTo(w io.Writer, gs []Gauge) error {
	if m == nil {
		return nil
	}
	g := prometheus.Gatherers{m.reg, prometheus.GathererFunc(func() ([]*dto.MetricFamily, error) {
		r := prometheus.NewPedanticRegistry()
		if err := r.Register(gauges(gs)); err != nil {
			return nil, err
		}
		return r.Gather()
	})}
	mfs, err := g.Gather()
	if err != nil {
		return err
	}
	enc := expfmt.NewEncoder(w, expfmt.NewFormat(expfmt.TypeTextPlain))
	for _, mf := range mfs {
		if err := enc.Encode(mf); err != nil {
			return err
		}
	}
	return nil
}
