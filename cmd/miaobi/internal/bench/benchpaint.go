package bench

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/paint"
	"miaobi/photo"
)

const benchPaintHelp = `Usage: miaobi bench paint [--photo FILE] [--runs N] [--write]

Times the picture jobs, each in a child process so its peak memory (max
RSS) is its own: a 2048×1024 painting and an 8192×1024 scroll on one core,
and each stylize style on a 1-megapixel version of the photo (all cores).
As an anchor it times OpenCV's cv2.stylization and cv2.pencilSketch on the
same photo in the same run, when Debian's python3-opencv is installed
(apt install python3-opencv), and reports the ratios. --write puts the
table into docs/benchmarks.md.

Flags:
`

const (
	paintMarkStart = "<!-- bench paint: start -->"
	paintMarkEnd   = "<!-- bench paint: end -->"
)

// opencvAnchor times OpenCV's non-photorealistic filters on a picture:
// argv[1] the picture, argv[2] the number of runs; it prints the median
// milliseconds of each as JSON.
const opencvAnchor = `
import sys, time, json, statistics
import cv2
img = cv2.imread(sys.argv[1])
runs = int(sys.argv[2])
def med(f):
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); f(); ts.append((time.perf_counter() - t) * 1000)
    return statistics.median(ts)
job = sys.argv[3]
if job == "stylization":
    ms = med(lambda: cv2.stylization(img, sigma_s=60, sigma_r=0.45))
else:
    ms = med(lambda: cv2.pencilSketch(img, sigma_s=60, sigma_r=0.07, shade_factor=0.05))
print(json.dumps({"ms": ms, "cores": cv2.getNumThreads(), "version": cv2.__version__}))
`

type benchJob struct {
	Name   string  `json:"name"`
	What   string  `json:"what"`
	MS     float64 `json:"ms"`
	Cores  int     `json:"cores"`
	RSS    int64   `json:"max_rss_bytes"`
	Detail string  `json:"detail,omitempty"`
}

func runBenchPaint(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("bench paint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	photoPath := fs.String("photo", filepath.Join("photo", "testdata", "rocket.jpg"), "the photo to stylize")
	runs := fs.Int("runs", 3, "runs of each job; the median is reported")
	write := fs.Bool("write", false, "update docs/benchmarks.md")
	job := fs.String("job", "", "run one job in this process (used by the parent)")
	fs.Usage = func() { fmt.Fprint(stderr, benchPaintHelp); fs.PrintDefaults() }
	if err := fs.Parse(args); err != nil {
		return cli.ParseExit(err)
	}
	if *runs < 1 {
		fmt.Fprintln(stderr, "miaobi bench paint: --runs must be at least 1")
		return 2
	}
	if *job != "" {
		return benchOneJob(*job, *photoPath, *runs, stdout, stderr)
	}
	// The 1-megapixel photo both Go and OpenCV work on.
	src, _, err := photo.Open(*photoPath, 0)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench paint: %v\n", err)
		return 2
	}
	b := src.Bounds()
	w1 := int(float64(b.Dx())*math.Sqrt(1e6/float64(b.Dx()*b.Dy())) + 0.5)
	one, err := photo.Resize(src, w1, 0)
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench paint: %v\n", err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "miaobi-bench")
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench paint: %v\n", err)
		return 1
	}
	defer os.RemoveAll(tmp)
	mp := filepath.Join(tmp, "photo-1mp.png")
	if err := cli.WriteImage(mp, one); err != nil {
		fmt.Fprintf(stderr, "miaobi bench paint: %v\n", err)
		return 1
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintf(stderr, "miaobi bench paint: %v\n", err)
		return 1
	}
	size := fmt.Sprintf("%d×%d", one.Rect.Dx(), one.Rect.Dy())
	jobs := []struct{ name, what string }{
		{"paint", "paint 2048×1024, inscription included"},
		{"scroll", "paint --scroll 8192×1024"},
	}
	for _, st := range photo.Styles() {
		jobs = append(jobs, struct{ name, what string }{"stylize-" + string(st), "stylize --style " + string(st) + ", " + size})
	}
	var results []benchJob
	for _, j := range jobs {
		cmd := exec.Command(self, "bench", "paint", "--job", j.name, "--photo", mp, "--runs", fmt.Sprint(*runs))
		r, err := runJob(cmd)
		if err != nil {
			fmt.Fprintf(stderr, "miaobi bench paint: %s: %v\n", j.name, err)
			return 1
		}
		r.Name, r.What = j.name, j.what
		results = append(results, r)
		fmt.Fprintf(stdout, "%-20s %9.1f ms  %7.1f MB  (%d cores)\n", j.name, r.MS, float64(r.RSS)/1e6, r.Cores)
	}
	// The OpenCV anchor.
	anchors := map[string]string{"stylize-watercolor": "stylization", "stylize-sketch": "pencilSketch"}
	py := "/usr/bin/python3"
	if exec.Command(py, "-c", "import cv2").Run() != nil {
		fmt.Fprintln(stdout, "OpenCV anchor skipped: install Debian's python3-opencv (apt install python3-opencv)")
	} else {
		for _, name := range []string{"stylization", "pencilSketch"} {
			r, err := runJob(exec.Command(py, "-c", opencvAnchor, mp, fmt.Sprint(*runs), name))
			if err != nil {
				fmt.Fprintf(stderr, "miaobi bench paint: opencv %s: %v\n", name, err)
				return 1
			}
			r.Name, r.What = "opencv-"+name, "cv2."+name+", "+size+" (OpenCV "+r.Detail+")"
			results = append(results, r)
			fmt.Fprintf(stdout, "%-20s %9.1f ms  %7.1f MB  (%d threads)\n", r.Name, r.MS, float64(r.RSS)/1e6, r.Cores)
		}
		for mine, theirs := range anchors {
			var a, o *benchJob
			for i := range results {
				switch results[i].Name {
				case mine:
					a = &results[i]
				case "opencv-" + theirs:
					o = &results[i]
				}
			}
			if a != nil && o != nil && o.MS > 0 {
				a.Detail = fmt.Sprintf("%.2f× the time of cv2.%s", a.MS/o.MS, theirs)
			}
		}
	}
	if *write {
		if err := writePaintBench(results, *runs); err != nil {
			fmt.Fprintf(stderr, "miaobi bench paint: %v\n", err)
			return 1
		}
		fmt.Fprintln(stdout, "updated docs/benchmarks.md")
	}
	return 0
}

// runJob runs a child that prints a JSON {ms, cores} line and returns it
// with the child's peak memory.
func runJob(cmd *exec.Cmd) (benchJob, error) {
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if err := cmd.Run(); err != nil {
		return benchJob{}, fmt.Errorf("%v: %s", err, strings.TrimSpace(errb.String()))
	}
	var r struct {
		MS      float64 `json:"ms"`
		Cores   int     `json:"cores"`
		Version string  `json:"version"`
	}
	if err := json.Unmarshal(out.Bytes(), &r); err != nil {
		return benchJob{}, fmt.Errorf("reading %q: %v", out.String(), err)
	}
	rss, _ := cli.MaxRSS(cmd.ProcessState)
	return benchJob{MS: r.MS, Cores: r.Cores, RSS: rss, Detail: r.Version}, nil
}

// benchOneJob runs one job runs times and prints the median milliseconds.
func benchOneJob(job, photoPath string, runs int, stdout, stderr io.Writer) int {
	var op func() error
	cores := runtime.GOMAXPROCS(0)
	switch {
	case job == "paint" || job == "scroll":
		runtime.GOMAXPROCS(1) // the painting targets are for one core
		cores = 1
		w, h, text := 2048, 1024, "孤舟月夜江上灯松亭雁"
		if job == "scroll" {
			w, text = 8192, "江上孤舟柳亭月夜"
		}
		ins := paint.Inscription{Title: "江夜", Lines: []string{"孤舟一夜月", "灯火照江流"}, Signature: "妙笔", Seal: "妙笔"}
		op = func() error {
			img, err := paint.Paint(paint.SceneOf(text), w, h, 7)
			if err != nil {
				return err
			}
			return paint.Inscribe(img, ins)
		}
	case strings.HasPrefix(job, "stylize-"):
		st, err := photo.ParseStyle(strings.TrimPrefix(job, "stylize-"))
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		img, _, err := photo.Open(photoPath, 0)
		if err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
		op = func() error { _, err := photo.Stylize(img, st, 7); return err }
	default:
		fmt.Fprintf(stderr, "unknown job %q\n", job)
		return 2
	}
	var ms []float64
	for range runs {
		t := time.Now()
		if err := op(); err != nil {
			fmt.Fprintln(stderr, err)
			return 1
		}
		ms = append(ms, float64(time.Since(t).Microseconds())/1000)
	}
	slices.Sort(ms)
	json.NewEncoder(stdout).Encode(map[string]any{"ms": ms[len(ms)/2], "cores": cores})
	return 0
}

func writePaintBench(results []benchJob, runs int) error {
	var sb strings.Builder
	host, _ := os.Hostname()
	fmt.Fprintf(&sb, "%s\n\nCommand: `miaobi bench paint --runs %d --write` on %s (%d cores, %s, %s). Each job runs in its own process; time is the median of %d runs, memory the process's peak RSS.\n\n",
		paintMarkStart, runs, host, runtime.NumCPU(), runtime.Version(), time.Now().UTC().Format("2006-01-02"), runs)
	sb.WriteString("| job | median time | peak memory | cores | note |\n|---|---|---|---|---|\n")
	for _, r := range results {
		note := r.Detail // the ratio to OpenCV, for the styles it anchors
		if strings.HasPrefix(r.Name, "opencv-") {
			note = "anchor"
		}
		fmt.Fprintf(&sb, "| %s | %.0f ms | %.0f MB | %d | %s |\n", r.What, r.MS, float64(r.RSS)/1e6, r.Cores, note)
	}
	sb.WriteString(paintMarkEnd)
	return replaceBetween("docs/benchmarks.md", "## Painting and photo jobs", sb.String(), paintMarkStart, paintMarkEnd)
}
