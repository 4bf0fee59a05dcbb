package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Work is one piece of co-created work (作品) and where it stands.
type Work struct {
	ID        string `json:"id"`
	Owner     string `json:"owner"`
	Title     string `json:"title"`
	Stage     string `json:"stage"`
	Head      int    `json:"head"` // the latest version
	Autopilot bool   `json:"autopilot"`
	Created   int64  `json:"created"`
	Updated   int64  `json:"updated"`
}

// Version is one saved state of a work. Content is the studio's JSON.
type Version struct {
	WorkID  string          `json:"work_id"`
	N       int             `json:"n"`
	Created int64           `json:"created"`
	Author  string          `json:"author"` // a user id, or "ai"
	Action  string          `json:"action"`
	Note    string          `json:"note"`
	Content json.RawMessage `json:"content"`
}

// CreateWork stores a new work with its first version.
func (db *DB) CreateWork(ctx context.Context, w *Work, first *Version) error {
	w.ID = NewID("w_")
	w.Created, w.Updated = now(), now()
	w.Head = 1
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: create work: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO works (id, owner, title, stage, head, autopilot, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
		w.ID, w.Owner, w.Title, w.Stage, w.Head, b2i(w.Autopilot), w.Created, w.Updated); err != nil {
		return fmt.Errorf("store: create work: %w", err)
	}
	first.WorkID, first.N, first.Created = w.ID, 1, w.Created
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO versions (work_id, n, created, author, action, note, content) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		first.WorkID, first.N, first.Created, first.Author, first.Action, first.Note, string(first.Content)); err != nil {
		return fmt.Errorf("store: create work: %w", err)
	}
	return tx.Commit()
}

// ErrStale means the work changed since the version the change was based
// on; reload and try again.
var ErrStale = errors.New("the work changed meanwhile; reload it and try again")

// AddVersion appends v to the work if its head is still base, and sets
// the work's title and stage; ErrStale when another change came first.
func (db *DB) AddVersion(ctx context.Context, base int, title, stage string, v *Version) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: save version: %w", err)
	}
	defer tx.Rollback()
	v.N, v.Created = base+1, now()
	r, err := tx.ExecContext(ctx, db.q(`UPDATE works SET head = ?, title = ?, stage = ?, updated = ? WHERE id = ? AND head = ?`),
		v.N, title, stage, v.Created, v.WorkID, base)
	if err != nil {
		return fmt.Errorf("store: save version: %w", err)
	}
	if n, _ := r.RowsAffected(); n == 0 {
		return ErrStale
	}
	if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO versions (work_id, n, created, author, action, note, content) VALUES (?, ?, ?, ?, ?, ?, ?)`),
		v.WorkID, v.N, v.Created, v.Author, v.Action, v.Note, string(v.Content)); err != nil {
		if isUnique(err) {
			return ErrStale
		}
		return fmt.Errorf("store: save version: %w", err)
	}
	return tx.Commit()
}

const workCols = `id, owner, title, stage, head, autopilot, created, updated`

func scanWork(row scanner) (*Work, error) {
	var w Work
	var auto int
	if err := row.Scan(&w.ID, &w.Owner, &w.Title, &w.Stage, &w.Head, &auto, &w.Created, &w.Updated); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("store: work: %w", err)
	}
	w.Autopilot = auto != 0
	return &w, nil
}

// Work finds a work by id.
func (db *DB) Work(ctx context.Context, id string) (*Work, error) {
	return scanWork(db.queryRow(ctx, `SELECT `+workCols+` FROM works WHERE id = ?`, id))
}

// Works lists a user's works, newest first.
func (db *DB) Works(ctx context.Context, owner string, limit int) ([]*Work, error) {
	return list(db, ctx, "works", scanWork, `SELECT `+workCols+` FROM works WHERE owner = ? ORDER BY updated DESC LIMIT ?`, owner, limit)
}

const versionCols = `work_id, n, created, author, action, note, content`

func scanVersion(row scanner) (*Version, error) {
	var v Version
	var content string
	if err := row.Scan(&v.WorkID, &v.N, &v.Created, &v.Author, &v.Action, &v.Note, &content); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("store: version: %w", err)
	}
	v.Content = json.RawMessage(content)
	return &v, nil
}

// Version returns version n of a work.
func (db *DB) Version(ctx context.Context, workID string, n int) (*Version, error) {
	return scanVersion(db.queryRow(ctx, `SELECT `+versionCols+` FROM versions WHERE work_id = ? AND n = ?`, workID, n))
}

// Versions lists a work's versions, oldest first, with their content.
func (db *DB) Versions(ctx context.Context, workID string) ([]*Version, error) {
	return list(db, ctx, "versions", scanVersion, `SELECT `+versionCols+` FROM versions WHERE work_id = ? ORDER BY n`, workID)
}

// DeleteWork removes a work with its versions, jobs and ratings.
func (db *DB) DeleteWork(ctx context.Context, id string) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: delete work: %w", err)
	}
	defer tx.Rollback()
	for _, q := range []string{`DELETE FROM ratings WHERE work_id = ?`, `DELETE FROM jobs WHERE work_id = ?`, `DELETE FROM versions WHERE work_id = ?`, `DELETE FROM works WHERE id = ?`} {
		if _, err := tx.ExecContext(ctx, db.q(q), id); err != nil {
			return fmt.Errorf("store: delete work: %w", err)
		}
	}
	return tx.Commit()
}

// Job states.
const (
	JobQueued  = "queued"
	JobRunning = "running"
	JobDone    = "done"
	JobFailed  = "failed"
)

// Job is a background task: its input, progress and result.
type Job struct {
	ID       string          `json:"id"`
	WorkID   string          `json:"work_id"`
	Owner    string          `json:"owner"`
	Kind     string          `json:"kind"`
	State    string          `json:"state"`
	Progress float64         `json:"progress"`
	Message  string          `json:"message"`
	Input    json.RawMessage `json:"input"`
	Result   json.RawMessage `json:"result,omitempty"`
	Error    string          `json:"error,omitempty"`
	Attempts int             `json:"attempts"`
	Created  int64           `json:"created"`
	Updated  int64           `json:"updated"`
}

// CreateJob stores a queued job.
func (db *DB) CreateJob(ctx context.Context, j *Job) error {
	j.ID = NewID("j_")
	j.State = JobQueued
	j.Created, j.Updated = now(), now()
	_, err := db.exec(ctx, `INSERT INTO jobs (id, work_id, owner, kind, state, input, created, updated) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		j.ID, j.WorkID, j.Owner, j.Kind, j.State, string(j.Input), j.Created, j.Updated)
	if err != nil {
		return fmt.Errorf("store: create job: %w", err)
	}
	return nil
}

const jobCols = `id, work_id, owner, kind, state, progress, message, input, result, error, attempts, created, updated`

func scanJob(row scanner) (*Job, error) {
	var j Job
	var in, res string
	if err := row.Scan(&j.ID, &j.WorkID, &j.Owner, &j.Kind, &j.State, &j.Progress, &j.Message, &in, &res, &j.Error, &j.Attempts, &j.Created, &j.Updated); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("store: job: %w", err)
	}
	j.Input = json.RawMessage(in)
	if res != "" {
		j.Result = json.RawMessage(res)
	}
	return &j, nil
}

// Job finds a job.
func (db *DB) Job(ctx context.Context, id string) (*Job, error) {
	return scanJob(db.queryRow(ctx, `SELECT `+jobCols+` FROM jobs WHERE id = ?`, id))
}

// Jobs lists a work's jobs, newest first.
func (db *DB) Jobs(ctx context.Context, workID string, limit int) ([]*Job, error) {
	return list(db, ctx, "jobs", scanJob, `SELECT `+jobCols+` FROM jobs WHERE work_id = ? ORDER BY created DESC LIMIT ?`, workID, limit)
}

// ErrBusy means another worker holds a live lease on the job.
var ErrBusy = errors.New("the job is running elsewhere")

// StartJob marks a job running with a lease of the given length and counts
// the attempt. It returns false when the job is already finished (a
// redelivered message), and ErrBusy when another worker's lease on it is
// still live; a running job whose lease ran out (its worker died) starts
// again.
func (db *DB) StartJob(ctx context.Context, id string, lease time.Duration) (bool, error) {
	t := now()
	r, err := db.exec(ctx, `UPDATE jobs SET state = ?, attempts = attempts + 1, updated = ?, lease_until = ?
		WHERE id = ? AND (state = ? OR (state = ? AND lease_until < ?))`,
		JobRunning, t, t+lease.Milliseconds(), id, JobQueued, JobRunning, t)
	if err != nil {
		return false, fmt.Errorf("store: start job: %w", err)
	}
	if n, _ := r.RowsAffected(); n > 0 {
		return true, nil
	}
	j, err := db.Job(ctx, id)
	if err != nil {
		return false, err
	}
	if j.State == JobRunning {
		return false, ErrBusy
	}
	return false, nil
}

// RenewJob extends a running job's lease.
func (db *DB) RenewJob(ctx context.Context, id string, lease time.Duration) error {
	_, err := db.exec(ctx, `UPDATE jobs SET lease_until = ? WHERE id = ? AND state = ?`, now()+lease.Milliseconds(), id, JobRunning)
	return err
}

// JobProgress records how far a running job is.
func (db *DB) JobProgress(ctx context.Context, id string, progress float64, message string) error {
	_, err := db.exec(ctx, `UPDATE jobs SET progress = ?, message = ?, updated = ? WHERE id = ? AND state = ?`, progress, message, now(), id, JobRunning)
	return err
}

// FinishJob records a job's result or its error.
func (db *DB) FinishJob(ctx context.Context, id string, result json.RawMessage, jobErr string) error {
	state := JobDone
	if jobErr != "" {
		state = JobFailed
	}
	_, err := db.exec(ctx, `UPDATE jobs SET state = ?, progress = ?, result = ?, error = ?, updated = ? WHERE id = ?`,
		state, 1.0, string(result), jobErr, now(), id)
	if err != nil {
		return fmt.Errorf("store: finish job: %w", err)
	}
	return nil
}

// RequeueJob puts a job that was interrupted back in the queued state.
func (db *DB) RequeueJob(ctx context.Context, id string) error {
	_, err := db.exec(ctx, `UPDATE jobs SET state = ?, message = ?, updated = ?, lease_until = 0 WHERE id = ? AND state = ?`, JobQueued, "re-queued", now(), id, JobRunning)
	return err
}

// Unfinished lists jobs queued or running.
func (db *DB) Unfinished(ctx context.Context) ([]*Job, error) {
	return list(db, ctx, "unfinished jobs", scanJob, `SELECT `+jobCols+` FROM jobs WHERE state IN (?, ?) ORDER BY created`, JobQueued, JobRunning)
}

// CountJobs counts jobs by state.
func (db *DB) CountJobs(ctx context.Context) (map[string]int, error) {
	rows, err := db.query(ctx, `SELECT state, COUNT(*) FROM jobs GROUP BY state`)
	if err != nil {
		return nil, fmt.Errorf("store: count jobs: %w", err)
	}
	defer rows.Close()
	out := map[string]int{JobQueued: 0, JobRunning: 0, JobDone: 0, JobFailed: 0}
	for rows.Next() {
		var s string
		var n int
		if err := rows.Scan(&s, &n); err != nil {
			return nil, err
		}
		out[s] = n
	}
	return out, rows.Err()
}

// Rating is a person's 1–10 score of a candidate poem.
type Rating struct {
	UserID    string          `json:"-"`
	WorkID    string          `json:"work_id"`
	Candidate string          `json:"candidate"` // a hash of the poem's text
	Content   json.RawMessage `json:"content"`   // what was rated
	Score     int             `json:"score"`
	Favourite bool            `json:"favourite"`
	Created   int64           `json:"created"`
}

// Rate stores or replaces a rating.
func (db *DB) Rate(ctx context.Context, r *Rating) error {
	r.Created = now()
	_, err := db.exec(ctx, `INSERT INTO ratings (user_id, work_id, candidate, content, score, favourite, created) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (user_id, candidate) DO UPDATE SET score = excluded.score, favourite = excluded.favourite, work_id = excluded.work_id, created = excluded.created`,
		r.UserID, r.WorkID, r.Candidate, string(r.Content), r.Score, b2i(r.Favourite), r.Created)
	if err != nil {
		return fmt.Errorf("store: rate: %w", err)
	}
	return nil
}

// Ratings lists a user's ratings, newest first; workID narrows them to
// one work when not empty.
func (db *DB) Ratings(ctx context.Context, userID, workID string, limit int) ([]*Rating, error) {
	q := `SELECT user_id, work_id, candidate, content, score, favourite, created FROM ratings WHERE user_id = ?`
	args := []any{userID}
	if workID != "" {
		q += ` AND work_id = ?`
		args = append(args, workID)
	}
	q += ` ORDER BY created DESC LIMIT ?`
	args = append(args, limit)
	return list(db, ctx, "ratings", scanRating, q, args...)
}

func scanRating(row scanner) (*Rating, error) {
	var r Rating
	var content string
	var fav int
	if err := row.Scan(&r.UserID, &r.WorkID, &r.Candidate, &content, &r.Score, &fav, &r.Created); err != nil {
		return nil, fmt.Errorf("store: ratings: %w", err)
	}
	r.Content, r.Favourite = json.RawMessage(content), fav != 0
	return &r, nil
}

// SaveTaste stores a user's fitted taste model.
func (db *DB) SaveTaste(ctx context.Context, userID string, model json.RawMessage, ratings int) error {
	_, err := db.exec(ctx, `INSERT INTO tastes (user_id, model, ratings, updated) VALUES (?, ?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET model = excluded.model, ratings = excluded.ratings, updated = excluded.updated`,
		userID, string(model), ratings, now())
	if err != nil {
		return fmt.Errorf("store: save taste: %w", err)
	}
	return nil
}

// Taste returns a user's taste model; ErrNotFound when none is fitted.
func (db *DB) Taste(ctx context.Context, userID string) (json.RawMessage, int, error) {
	var model string
	var n int
	err := db.queryRow(ctx, `SELECT model, ratings FROM tastes WHERE user_id = ?`, userID).Scan(&model, &n)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, ErrNotFound
	}
	if err != nil {
		return nil, 0, fmt.Errorf("store: taste: %w", err)
	}
	return json.RawMessage(model), n, nil
}
