package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"miaobi/arena"
)

// Round is an arena round: a pool of poems readers are dealt from.
type Round struct {
	ID        string `json:"id"`
	Name      string `json:"name"`
	Size      int    `json:"size"`  // items dealt to each reader
	State     string `json:"state"` // building, open, closed, failed
	Note      string `json:"note,omitempty"`
	Job       string `json:"job,omitempty"` // the job building it
	CreatedBy string `json:"created_by"`
	Created   int64  `json:"created"`
	// Counts, filled by Rounds and Round.
	Poems   int `json:"poems"`
	Readers int `json:"readers"`
	Answers int `json:"answers"`
}

// Round states.
const (
	RoundBuilding = "building"
	RoundOpen     = "open"
	RoundClosed   = "closed"
	RoundFailed   = "failed"
)

// DealRow is one item dealt to a reader, with the answer once given.
type DealRow struct {
	ID       string `json:"id"`
	Round    string `json:"round"`
	User     string `json:"-"`
	Pos      int    `json:"pos"`
	A        string `json:"-"` // poem IDs: never sent to a reader
	B        string `json:"-"`
	Answered int64  `json:"answered,omitempty"`
	HumanA   bool   `json:"-"`
	ScoreA   int    `json:"-"`
	HumanB   bool   `json:"-"`
	ScoreB   int    `json:"-"`
	Better   int    `json:"-"` // 0 A, 1 B, -1 single
}

// ArenaReply is a reader's answer to one item.
type ArenaReply struct {
	HumanA, HumanB bool
	ScoreA, ScoreB int
	Better         int // 0 A, 1 B, -1 for a single poem
}

// CreateRound stores a new round.
func (db *DB) CreateRound(ctx context.Context, r *Round) error {
	r.ID = NewID("r_")
	r.Created = now()
	_, err := db.exec(ctx, `INSERT INTO arena_rounds (id, name, size, state, note, job_id, created_by, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		r.ID, r.Name, r.Size, r.State, r.Note, r.Job, r.CreatedBy, r.Created)
	if err != nil {
		return fmt.Errorf("store: create round: %w", err)
	}
	return nil
}

// SetRound sets a round's state, note and job.
func (db *DB) SetRound(ctx context.Context, id, state, note, job string) error {
	res, err := db.exec(ctx, `UPDATE arena_rounds SET state = ?, note = ?, job_id = CASE WHEN ? = '' THEN job_id ELSE ? END WHERE id = ?`, state, note, job, job, id)
	if err != nil {
		return fmt.Errorf("store: round %s: %w", id, err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

const roundCols = `r.id, r.name, r.size, r.state, r.note, r.job_id, r.created_by, r.created,
	(SELECT COUNT(*) FROM arena_poems p WHERE p.round_id = r.id),
	(SELECT COUNT(DISTINCT d.user_id) FROM arena_deals d WHERE d.round_id = r.id AND d.answered > 0),
	(SELECT COUNT(*) FROM arena_deals d WHERE d.round_id = r.id AND d.answered > 0)`

func scanRound(row scanner) (*Round, error) {
	var r Round
	if err := row.Scan(&r.ID, &r.Name, &r.Size, &r.State, &r.Note, &r.Job, &r.CreatedBy, &r.Created, &r.Poems, &r.Readers, &r.Answers); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("store: rounds: %w", err)
	}
	return &r, nil
}

// Rounds lists the rounds, newest first.
func (db *DB) Rounds(ctx context.Context) ([]*Round, error) {
	return list(db, ctx, "rounds", scanRound, `SELECT `+roundCols+` FROM arena_rounds r ORDER BY r.created DESC, r.id`)
}

// Round returns one round.
func (db *DB) Round(ctx context.Context, id string) (*Round, error) {
	return scanRound(db.queryRow(ctx, `SELECT `+roundCols+` FROM arena_rounds r WHERE r.id = ?`, id))
}

// AddPoems stores poems in a round's pool, giving each an ID.
func (db *DB) AddPoems(ctx context.Context, round string, poems []arena.Poem) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: add poems: %w", err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, db.q(`INSERT INTO arena_poems (id, round_id, source, version, form, prompt, lines, origin, pkey, created) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`))
	if err != nil {
		return fmt.Errorf("store: add poems: %w", err)
	}
	defer stmt.Close()
	t := now()
	for i := range poems {
		p := &poems[i]
		p.ID = NewID("p_")
		if _, err := stmt.ExecContext(ctx, p.ID, round, p.Source, p.Version, p.Form, p.Prompt, strings.Join(p.Lines, "\n"), p.Origin, arena.Key(p.Lines), t); err != nil {
			return fmt.Errorf("store: add poems: %w", err)
		}
	}
	return tx.Commit()
}

const poemCols = `id, source, version, form, prompt, lines, origin`

func scanPoem(row scanner) (arena.Poem, error) {
	var p arena.Poem
	var lines string
	if err := row.Scan(&p.ID, &p.Source, &p.Version, &p.Form, &p.Prompt, &lines, &p.Origin); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return p, ErrNotFound
		}
		return p, fmt.Errorf("store: arena poems: %w", err)
	}
	p.Lines = strings.Split(lines, "\n")
	return p, nil
}

// Pool returns a round's poems.
func (db *DB) Pool(ctx context.Context, round string) ([]arena.Poem, error) {
	return list(db, ctx, "arena pool", scanPoem, `SELECT `+poemCols+` FROM arena_poems WHERE round_id = ? ORDER BY id`, round)
}

// DealPool returns what the dealer needs of a round's poems — ID, source,
// form, prompt and text key, no lines — which is much less to read.
func (db *DB) DealPool(ctx context.Context, round string) ([]arena.Poem, error) {
	return list(db, ctx, "arena pool", func(row scanner) (arena.Poem, error) {
		var p arena.Poem
		if err := row.Scan(&p.ID, &p.Source, &p.Form, &p.Prompt, &p.Key); err != nil {
			return p, fmt.Errorf("store: arena pool: %w", err)
		}
		return p, nil
	}, `SELECT id, source, form, prompt, pkey FROM arena_poems WHERE round_id = ? ORDER BY id`, round)
}

// ArenaPoems returns poems by ID (any round), in the order asked; an
// unknown ID is ErrNotFound.
func (db *DB) ArenaPoems(ctx context.Context, ids ...string) ([]arena.Poem, error) {
	out := make([]arena.Poem, len(ids))
	for i, id := range ids {
		p, err := scanPoem(db.queryRow(ctx, `SELECT `+poemCols+` FROM arena_poems WHERE id = ?`, id))
		if err != nil {
			return nil, err
		}
		out[i] = p
	}
	return out, nil
}

// Seen returns the text keys of every poem ever dealt to a reader.
func (db *DB) Seen(ctx context.Context, user string) (map[string]bool, error) {
	keys, err := list(db, ctx, "seen poems", func(row scanner) (string, error) {
		var k string
		return k, row.Scan(&k)
	}, `SELECT pkey FROM arena_seen WHERE user_id = ?`, user)
	if err != nil {
		return nil, err
	}
	out := make(map[string]bool, len(keys))
	for _, k := range keys {
		out[k] = true
	}
	return out, nil
}

// Deal stores the items dealt to a reader in a round, and marks their
// poems seen, in one transaction: ErrConflict when the reader was dealt in
// this round already (a second tab), or one of the poems was seen
// meanwhile.
func (db *DB) Deal(ctx context.Context, round, user string, deals []arena.Deal, keys map[string]string) error {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: deal: %w", err)
	}
	defer tx.Rollback()
	t := now()
	for i, d := range deals {
		if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO arena_deals (id, round_id, user_id, pos, poem_a, poem_b, created) VALUES (?, ?, ?, ?, ?, ?, ?)`),
			NewID("d_"), round, user, i, d.A, d.B, t); err != nil {
			if isUnique(err) {
				return ErrConflict
			}
			return fmt.Errorf("store: deal: %w", err)
		}
		for _, id := range []string{d.A, d.B} {
			if id == "" {
				continue
			}
			if _, err := tx.ExecContext(ctx, db.q(`INSERT INTO arena_seen (user_id, pkey, round_id) VALUES (?, ?, ?)`), user, keys[id], round); err != nil {
				if isUnique(err) {
					return ErrConflict
				}
				return fmt.Errorf("store: deal: %w", err)
			}
		}
	}
	return tx.Commit()
}

const dealCols = `id, round_id, user_id, pos, poem_a, poem_b, answered, human_a, score_a, human_b, score_b, better`

func scanDeal(row scanner) (*DealRow, error) {
	var d DealRow
	var ha, hb int
	if err := row.Scan(&d.ID, &d.Round, &d.User, &d.Pos, &d.A, &d.B, &d.Answered, &ha, &d.ScoreA, &hb, &d.ScoreB, &d.Better); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return nil, ErrNotFound
		}
		return nil, fmt.Errorf("store: deals: %w", err)
	}
	d.HumanA, d.HumanB = ha != 0, hb != 0
	return &d, nil
}

// Deals lists the items dealt to a reader in a round, in order.
func (db *DB) Deals(ctx context.Context, round, user string) ([]*DealRow, error) {
	return list(db, ctx, "deals", scanDeal, `SELECT `+dealCols+` FROM arena_deals WHERE round_id = ? AND user_id = ? ORDER BY pos`, round, user)
}

// DealByID returns one reader's item: ErrNotFound for another reader's.
func (db *DB) DealByID(ctx context.Context, id, user string) (*DealRow, error) {
	return scanDeal(db.queryRow(ctx, `SELECT `+dealCols+` FROM arena_deals WHERE id = ? AND user_id = ?`, id, user))
}

// Answer records a reader's answer to an item, once: ErrConflict when it
// was answered already, ErrNotFound when it is not theirs.
func (db *DB) Answer(ctx context.Context, id, user string, a ArenaReply) error {
	res, err := db.exec(ctx, `UPDATE arena_deals SET answered = ?, human_a = ?, score_a = ?, human_b = ?, score_b = ?, better = ? WHERE id = ? AND user_id = ? AND answered = 0`,
		max(now(), 1), b2i(a.HumanA), a.ScoreA, b2i(a.HumanB), a.ScoreB, a.Better, id, user)
	if err != nil {
		return fmt.Errorf("store: answer: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	if _, err := db.DealByID(ctx, id, user); err != nil {
		return err
	}
	return ErrConflict
}

// Answers returns the answered items of a round with their poems and
// readers' names, oldest first: everything, for the round's export.
func (db *DB) Answers(ctx context.Context, round string) ([]arena.Answer, error) {
	q := `SELECT d.round_id, u.name, d.answered, d.human_a, d.score_a, d.human_b, d.score_b, d.better,
		a.id, a.source, a.version, a.form, a.prompt, a.lines, a.origin,
		COALESCE(b.id, ''), COALESCE(b.source, ''), COALESCE(b.version, ''), COALESCE(b.form, ''), COALESCE(b.prompt, ''), COALESCE(b.lines, ''), COALESCE(b.origin, '')
		FROM arena_deals d JOIN users u ON u.id = d.user_id
		JOIN arena_poems a ON a.id = d.poem_a
		LEFT JOIN arena_poems b ON b.id = d.poem_b
		WHERE d.answered > 0 AND d.round_id = ? ORDER BY d.answered, d.id`
	return list(db, ctx, "answers", func(row scanner) (arena.Answer, error) {
		var x arena.Answer
		var at int64
		var ha, hb, sb int
		var la, lb string
		var pb arena.Poem
		if err := row.Scan(&x.Round, &x.Reader, &at, &ha, &x.A.Score, &hb, &sb, &x.Better,
			&x.A.Poem.ID, &x.A.Poem.Source, &x.A.Poem.Version, &x.A.Poem.Form, &x.A.Poem.Prompt, &la, &x.A.Poem.Origin,
			&pb.ID, &pb.Source, &pb.Version, &pb.Form, &pb.Prompt, &lb, &pb.Origin); err != nil {
			return x, fmt.Errorf("store: answers: %w", err)
		}
		x.At = time.UnixMilli(at).UTC()
		x.A.Human = ha != 0
		x.A.Poem.Lines = strings.Split(la, "\n")
		if pb.ID != "" {
			pb.Lines = strings.Split(lb, "\n")
			x.B = &arena.Rated{Poem: pb, Human: hb != 0, Score: sb}
		} else {
			x.Better = -1
		}
		return x, nil
	}, q, round)
}

// Figures returns what the results need of a round's answers (every
// round's when round is empty): when, by whom (the user ID), and each
// poem's source, version and form with the guess and score — no lines,
// no names, so 10,000 answers read quickly.
func (db *DB) Figures(ctx context.Context, round string) ([]arena.Answer, error) {
	if round == "" {
		return db.figures(ctx, "")
	}
	return db.figures(ctx, ` AND d.round_id = ?`, round)
}

// FiguresFor returns the figures of the answered items that hold a poem
// of the given origin ("work ID" for a published work), in every round.
func (db *DB) FiguresFor(ctx context.Context, origin string) ([]arena.Answer, error) {
	return db.figures(ctx, ` AND (a.origin = ? OR b.origin = ?)`, origin, origin)
}

func (db *DB) figures(ctx context.Context, where string, args ...any) ([]arena.Answer, error) {
	q := `SELECT d.round_id, d.user_id, d.answered, d.human_a, d.score_a, d.human_b, d.score_b, d.better,
		a.source, a.version, a.form, d.poem_b, COALESCE(b.source, ''), COALESCE(b.version, ''), COALESCE(b.form, '')
		FROM arena_deals d JOIN arena_poems a ON a.id = d.poem_a
		LEFT JOIN arena_poems b ON b.id = d.poem_b
		WHERE d.answered > 0` + where
	return list(db, ctx, "answers", func(row scanner) (arena.Answer, error) {
		var x arena.Answer
		var at int64
		var ha, hb, sb int
		var pb arena.Poem
		if err := row.Scan(&x.Round, &x.Reader, &at, &ha, &x.A.Score, &hb, &sb, &x.Better,
			&x.A.Poem.Source, &x.A.Poem.Version, &x.A.Poem.Form, &pb.ID, &pb.Source, &pb.Version, &pb.Form); err != nil {
			return x, fmt.Errorf("store: answers: %w", err)
		}
		x.At = time.UnixMilli(at).UTC()
		x.A.Human = ha != 0
		if pb.ID != "" {
			x.B = &arena.Rated{Poem: pb, Human: hb != 0, Score: sb}
		} else {
			x.Better = -1
		}
		return x, nil
	}, q+` ORDER BY d.answered, d.id`, args...)
}

// ResetRound deletes every deal and answer of a round and forgets that its
// readers saw its poems; the pool stays. It returns the answers deleted.
func (db *DB) ResetRound(ctx context.Context, round string) (int, error) {
	tx, err := db.sql.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: reset round: %w", err)
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, db.q(`SELECT COUNT(*) FROM arena_deals WHERE round_id = ? AND answered > 0`), round).Scan(&n); err != nil {
		return 0, fmt.Errorf("store: reset round: %w", err)
	}
	for _, q := range []string{`DELETE FROM arena_deals WHERE round_id = ?`, `DELETE FROM arena_seen WHERE round_id = ?`} {
		if _, err := tx.ExecContext(ctx, db.q(q), round); err != nil {
			return 0, fmt.Errorf("store: reset round: %w", err)
		}
	}
	return n, tx.Commit()
}

// PublishedWorks returns the current version of the newest published
// works (at most limit), for the arena's "published" source.
func (db *DB) PublishedWorks(ctx context.Context, limit int) ([]*Version, error) {
	return list(db, ctx, "published works", func(row scanner) (*Version, error) {
		var v Version
		var content string
		if err := row.Scan(&v.WorkID, &v.N, &v.Created, &v.Author, &v.Action, &v.Note, &content); err != nil {
			return nil, fmt.Errorf("store: published works: %w", err)
		}
		v.Content = []byte(content)
		return &v, nil
	}, `SELECT v.work_id, v.n, v.created, v.author, v.action, v.note, v.content FROM works w JOIN versions v ON v.work_id = w.id AND v.n = w.head
		WHERE w.stage = 'publish' ORDER BY w.updated DESC LIMIT ?`, limit)
}
