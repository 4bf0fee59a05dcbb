package server

// A client of this server's JSON API, for programs such as 'miaobi studio'.

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// Client calls a studio's JSON API with an API key, as 'miaobi studio'
// does.
type Client struct {
	URL, Key string
	HTTP     *http.Client
}

// APIPath is the path of an API resource: "/api/" and the parts, each
// escaped, so an id a person typed (with a slash, a space, a '?') names one
// resource and cannot reach another: APIPath("works", id, "report").
func APIPath(parts ...string) string {
	esc := make([]string, len(parts))
	for i, p := range parts {
		esc[i] = url.PathEscape(p)
		if p == "." || p == ".." { // a dot segment would be cleaned away
			esc[i] = strings.ReplaceAll(p, ".", "%2E")
		}
	}
	return "/api/" + strings.Join(esc, "/")
}

// Call sends a request (body as JSON, if any) and decodes a 2xx answer
// into out (JSON, or copied when out is an io.Writer); other answers are
// errors carrying the studio's message.
func (c *Client) Call(method, path string, body, out any) error {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = strings.NewReader(string(b))
	}
	req, err := http.NewRequest(method, c.URL+path, r)
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Authorization", "Bearer "+c.Key)
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach the studio at %s (is 'miaobi serve' running? set --url): %w", c.URL, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 512<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode >= 300 {
		var e struct{ Error string }
		if json.Unmarshal(b, &e) == nil && e.Error != "" {
			return fmt.Errorf("%s (HTTP %d)", e.Error, resp.StatusCode)
		}
		return fmt.Errorf("HTTP %d from %s", resp.StatusCode, path)
	}
	if w, ok := out.(io.Writer); ok {
		_, err = w.Write(b)
		return err
	}
	if out != nil {
		return json.Unmarshal(b, out)
	}
	return nil
}

// Follow shows a job's progress as a bar until it finishes, reading the
// studio's server-sent events.
func (c *Client) Follow(jobID string, w io.Writer, tty bool) error {
	req, err := http.NewRequest("GET", c.URL+APIPath("jobs", jobID, "events"), nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+c.Key)
	resp, err := (&http.Client{}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("following job %s: HTTP %d", jobID, resp.StatusCode)
	}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<16), 1<<22)
	event := ""
	for sc.Scan() {
		line := sc.Text()
		if e, ok := strings.CutPrefix(line, "event: "); ok {
			event = e
			continue
		}
		data, ok := strings.CutPrefix(line, "data: ")
		if !ok {
			continue
		}
		var j struct {
			State    string
			Progress float64
			Message  string
			Error    string
		}
		json.Unmarshal([]byte(data), &j)
		fmt.Fprint(w, progressBar(j.Progress, j.Message, tty))
		if event == "done" {
			if tty {
				fmt.Fprintln(w)
			}
			if j.State == "failed" {
				return fmt.Errorf("job %s failed: %s", jobID, j.Error)
			}
			return nil
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	return errors.New("the studio closed the progress stream before the job finished")
}

// progressBar draws one state of the bar: redrawn in place on a terminal,
// one line per report otherwise.
func progressBar(p float64, msg string, tty bool) string {
	if p < 0 {
		p = 0
	}
	if p > 1 {
		p = 1
	}
	const width = 30
	n := int(p*width + 0.5)
	bar := fmt.Sprintf("[%s%s] %3.0f%% %s", strings.Repeat("#", n), strings.Repeat("-", width-n), 100*p, msg)
	if tty {
		return "\r\033[K" + bar
	}
	return bar + "\n"
}
