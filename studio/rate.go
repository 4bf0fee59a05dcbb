package studio

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"miaobi/judge"
	"miaobi/poem"
	"miaobi/store"
)

// RateInput rates one poem of a work: a candidate (1-based), or the
// current poem when Candidate is 0.
type RateInput struct {
	Candidate int  `json:"candidate"`
	Score     int  `json:"score"` // 1–10
	Favourite bool `json:"favourite"`
}

// maxTasteRatings bounds the ratings a taste is fitted on (newest first).
const maxTasteRatings = 2000

// Rate stores a rating and refits the person's taste.
func (s *Studio) Rate(ctx context.Context, a Actor, id string, in RateInput) (*store.Rating, error) {
	if in.Score < 1 || in.Score > 10 {
		return nil, fmt.Errorf("%w: score %d: rate from 1 to 10", ErrInput, in.Score)
	}
	_, _, c, err := s.load(ctx, a, id)
	if err != nil {
		return nil, err
	}
	var cand judge.Candidate
	switch {
	case in.Candidate == 0:
		if len(c.Lines) == 0 {
			return nil, fmt.Errorf("%w: there is no poem to rate yet", ErrInput)
		}
		cand = judge.Candidate{Lines: c.Lines, Form: c.Brief.Form}
		for _, p := range c.Candidates {
			if strings.Join(p.Lines, "") == strings.Join(c.Lines, "") {
				cand = candidate(p)
			}
		}
	case in.Candidate >= 1 && in.Candidate <= len(c.Candidates):
		cand = candidate(c.Candidates[in.Candidate-1])
	default:
		return nil, fmt.Errorf("%w: candidate %d: the work has %d candidates (0 rates the current poem)", ErrInput, in.Candidate, len(c.Candidates))
	}
	raw, _ := json.Marshal(cand)
	r := &store.Rating{UserID: a.UserID, WorkID: id, Candidate: CandidateKey(cand.Lines), Content: raw, Score: in.Score, Favourite: in.Favourite}
	if err := s.DB.Rate(ctx, r); err != nil {
		return nil, err
	}
	if err := s.refit(ctx, a.UserID); err != nil {
		logErr("refit taste", err, "user", a.UserID)
	}
	return r, nil
}

func candidate(p *poem.Poem) judge.Candidate {
	return judge.Candidate{Lines: p.Lines, Form: p.Form, Score: p.Scores.Score, Perplexity: p.Scores.Perplexity, Imagery: p.Scores.Imagery}
}

// refit fits the person's taste on their ratings and stores it.
func (s *Studio) refit(ctx context.Context, userID string) error {
	rs, err := s.DB.Ratings(ctx, userID, "", maxTasteRatings)
	if err != nil {
		return err
	}
	var ratings []judge.Rating
	for _, r := range rs {
		var c judge.Candidate
		if json.Unmarshal(r.Content, &c) != nil {
			continue
		}
		ratings = append(ratings, judge.Rating{Candidate: c, Score: r.Score, Favourite: r.Favourite})
	}
	t := judge.FitTaste(ratings)
	raw, err := json.Marshal(t)
	if err != nil {
		return err
	}
	return s.DB.SaveTaste(ctx, userID, raw, len(ratings))
}

// tasteOrder ranks poems by the person's taste, when one is fitted.
func (s *Studio) tasteOrder(ctx context.Context, userID string, poems []*poem.Poem) ([]int, bool) {
	raw, _, err := s.DB.Taste(ctx, userID)
	if err != nil {
		if !errors.Is(err, store.ErrNotFound) {
			logErr("load taste", err, "user", userID)
		}
		return nil, false
	}
	var t judge.Taste
	if err := json.Unmarshal(raw, &t); err != nil || !t.Fitted() {
		return nil, false
	}
	cands := make([]judge.Candidate, len(poems))
	for i, p := range poems {
		cands[i] = candidate(p)
	}
	return t.Rank(cands), true
}

// Ratings lists the person's ratings (of one work when id is not empty).
func (s *Studio) Ratings(ctx context.Context, a Actor, id string) ([]*store.Rating, error) {
	if id != "" {
		if _, _, _, err := s.load(ctx, a, id); err != nil {
			return nil, err
		}
	}
	return s.DB.Ratings(ctx, a.UserID, id, 500)
}

// CandidateKey identifies a poem among a person's ratings.
func CandidateKey(lines []string) string {
	return hashHex([]byte(strings.Join(lines, "/")))[:32]
}
