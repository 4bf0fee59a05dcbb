package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"text/tabwriter"

	"miaobi/arena"
	"miaobi/cmd/miaobi/internal/cli"
	"miaobi/server"
	"miaobi/store"
	"miaobi/studio"
)

// arenaOpts are the flags of the arena's studio commands.
type arenaOpts struct {
	size, perForm *int
	sources       *string
	round         *string
	csv, json     *bool
}

func arenaFlags(fs *flag.FlagSet) arenaOpts {
	return arenaOpts{
		size:    fs.Int("size", 20, "start-round: items each reader is dealt"),
		perForm: fs.Int("per-form", 10, "start-round: prompts drawn for each form"),
		sources: fs.String("sources", "human,miaobi,published", "start-round: human, miaobi, published, engine:NAME[/MODEL], separated by commas"),
		round:   fs.String("round", "", "results: one round's (default: every round's)"),
		csv:     fs.Bool("csv", false, "results: print CSV"),
		json:    fs.Bool("json", false, "export: JSON instead of CSV"),
	}
}

// studioArena runs the arena's and the report's studio commands.
func studioArena(sub string, args []string, o arenaOpts, c *server.Client, seed int64, out string, tty bool, stdout, stderr io.Writer, fail func(int, error) int) int {
	one := func(what string) (string, error) {
		if len(args) != 1 {
			return "", fmt.Errorf("give one %s", what)
		}
		return args[0], nil
	}
	switch sub {
	case "report":
		id, err := one("work id")
		if err != nil {
			return fail(2, err)
		}
		var r studio.WorkReport
		if err := c.Call("GET", server.APIPath("works", id, "report"), nil, &r); err != nil {
			return fail(1, err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		for _, t := range r.Traits {
			fmt.Fprintf(tw, "%s\t%.2f\t%s\n", t.Name, t.Value, t.Label)
		}
		tw.Flush()
		if p := r.Panel; p != nil {
			fmt.Fprintf(stdout, "arena: taken for a person's %s, score %s, %d ratings\n", pct(p.Human), mean(p.Score), p.Rated)
		}
		fmt.Fprintf(stdout, "\nLovelace report: %s\n", r.Lovelace.Summary)
	case "rounds":
		var r struct{ Rounds []store.Round }
		if err := c.Call("GET", "/api/arena/rounds", nil, &r); err != nil {
			return fail(1, err)
		}
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ROUND\tNAME\tSTATE\tPOEMS\tREADERS\tANSWERS")
		for _, x := range r.Rounds {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\n", x.ID, x.Name, x.State, x.Poems, x.Readers, x.Answers)
		}
		tw.Flush()
	case "start-round":
		name, err := one("round name")
		if err != nil {
			return fail(2, err)
		}
		var r struct {
			Round store.Round
			Job   struct{ ID string }
		}
		body := studio.RoundInput{Name: name, Size: *o.size, PerForm: *o.perForm, Sources: splitKeywords(*o.sources), Seed: seed}
		if err := c.Call("POST", "/api/arena/rounds", body, &r); err != nil {
			return fail(1, err)
		}
		fmt.Fprintf(stderr, "round %s\n", r.Round.ID)
		if err := c.Follow(r.Job.ID, stderr, tty); err != nil {
			return fail(1, err)
		}
		var rd store.Round
		if err := c.Call("GET", server.APIPath("arena", "rounds", r.Round.ID), nil, &rd); err != nil {
			return fail(1, err)
		}
		if rd.State != store.RoundOpen {
			return fail(1, fmt.Errorf("round %s is %s: %s", rd.ID, rd.State, rd.Note))
		}
		fmt.Fprintf(stdout, "%s open: %s; readers play it at %s/arena/%s\n", rd.ID, rd.Note, c.URL, rd.ID)
	case "results":
		q := server.APIPath("arena", "results") + "?round=" + url.QueryEscape(*o.round)
		if *o.csv {
			if err := c.Call("GET", q+"&format=csv", nil, stdout); err != nil {
				return fail(1, err)
			}
			return 0
		}
		var r arena.Results
		if err := c.Call("GET", q, nil, &r); err != nil {
			return fail(1, err)
		}
		if r.Answers == 0 {
			fmt.Fprintln(stdout, "no answers yet")
			return 0
		}
		fmt.Fprintf(stdout, "%d answers from %d readers", r.Answers, r.Readers)
		if r.Told.N > 0 {
			fmt.Fprintf(stdout, "; in pairs of a person's poem and a machine's, both guessed right %s", pct(r.Told))
		}
		fmt.Fprintln(stdout)
		tw := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SOURCE\tVERSION\tRATED\tTAKEN FOR A PERSON'S\tSCORE 1–10\tSTRENGTH")
		for _, rows := range [][]arena.SourceRow{r.Sources, r.Versions} {
			for _, s := range rows {
				st := "—"
				if s.Strength != nil {
					st = fmt.Sprintf("%+.2f [%+.2f, %+.2f]", s.Strength.Theta, s.Strength.Lo, s.Strength.Hi)
				}
				fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\n", s.Source, s.Version, s.Rated, pct(s.Human), mean(s.Score), st)
			}
		}
		tw.Flush()
	case "export":
		id, err := one("round id")
		if err != nil {
			return fail(2, err)
		}
		format := "csv"
		if *o.json {
			format = "json"
		}
		path := server.APIPath("arena", "rounds", id, "export") + "?format=" + url.QueryEscape(format)
		if out == "" {
			if err := c.Call("GET", path, nil, stdout); err != nil {
				return fail(1, err)
			}
			return 0
		}
		if err := cli.WriteVia(out, func(w io.Writer) error { return c.Call("GET", path, nil, w) }); err != nil {
			return fail(1, err)
		}
		fmt.Fprintf(stdout, "wrote %s\n", out)
	default:
		return fail(2, errors.New("unknown arena command"))
	}
	return 0
}

func pct(s arena.Share) string {
	return fmt.Sprintf("%.0f%% [%.0f%%, %.0f%%] of %d", 100*s.P, 100*s.Lo, 100*s.Hi, s.N)
}

func mean(m arena.Mean) string {
	return fmt.Sprintf("%.2f [%.2f, %.2f]", m.Mean, m.Lo, m.Hi)
}
