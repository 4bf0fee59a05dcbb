package server

import (
	"encoding/json"
	"net/http"
	"strings"
	"sync"
)

// op describes one API operation for the OpenAPI document.
type op struct {
	method, path, summary string
	body                  string // a schema name, or ""
	status                int
	generates             bool // counts against an API key's quota
}

// operations lists the JSON API; a test checks it matches the routes.
var operations = []op{
	{"GET", "/healthz", "Health of the database and the queue (no credentials).", "", 200, false},
	{"GET", "/metrics", "Prometheus metrics (no credentials).", "", 200, false},
	{"GET", "/openapi.json", "This document (no credentials).", "", 200, false},
	{"GET", "/v1/models", "OpenAI-compatible: the models this server offers (miaobi-poet).", "", 200, false},
	{"POST", "/v1/chat/completions", "OpenAI-compatible chat completions with Miaobi's poet (model miaobi-poet): 「写一首七绝，关键词：秋风、落叶」, then follow-ups such as 「第三句再凄凉些」; stream or not; errors in OpenAI's shape.", "ChatCompletion", 200, true},
	{"POST", "/v1/audio/speech", "OpenAI-compatible text to speech with Miaobi's voice (model miaobi-voice): the text read with Miaobi's readings and, for verse, its rhythm; the sound itself, labelled (cue, watermark, metadata; WAV signed), as mp3 or wav.", "Speech", 200, true},
	{"POST", "/v1/images/generations", "OpenAI-compatible image generation with Miaobi's ink-wash painter (model miaobi-painter): one PNG, labelled and signed, as b64_json; size WIDTHxHEIGHT.", "ImageGeneration", 200, true},
	{"GET", "/api/me", "The caller: user, and the key or the session's CSRF token.", "", 200, false},
	{"POST", "/api/me/password", "Change the caller's password (204; 403 when the old one is wrong).", "Password", 204, false},
	{"GET", "/api/keys", "The caller's API keys with quotas and usage.", "", 200, false},
	{"POST", "/api/keys", "Make an API key; the secret is in the answer, once.", "NewKey", 201, false},
	{"DELETE", "/api/keys/{id}", "Revoke an API key.", "", 204, false},
	{"POST", "/api/users", "Create a user (administrators only).", "NewUser", 201, false},
	{"POST", "/api/poems", "Write 1–10 poems at once, without a work; each carries its labels.", "PoemRequest", 200, true},
	{"GET", "/api/works", "The caller's works, newest first.", "", 200, false},
	{"POST", "/api/works", "Start a work from a brief; with autopilot, a job takes it to a published bundle (202).", "NewWork", 201, true},
	{"GET", "/api/works/{id}", "A work with its current version, human/AI share and recent jobs.", "", 200, false},
	{"DELETE", "/api/works/{id}", "Delete a work with its history and files (204).", "", 204, false},
	{"GET", "/api/works/{id}/plan", "Plan step: imagery, related characters, forms and reference corpus poems (query keywords=a,b to try others).", "", 200, false},
	{"POST", "/api/works/{id}/brief", "Plan step: save keywords, form, rhyme book and chosen images.", "Brief", 200, false},
	{"POST", "/api/works/{id}/create", "Create step: queue poem candidates and a painting (202 with the job).", "CreateInput", 202, true},
	{"POST", "/api/works/{id}/draft", "Start the poem from the person's draft: their characters are theirs and locked; placeholders (_ □ …) are filled.", "Draft", 200, true},
	{"POST", "/api/works/{id}/choose", "Make candidate N (1-based) the poem.", "Choose", 200, false},
	{"POST", "/api/works/{id}/edit", "Edit lines, title or locks (one 0/1 per character); changed characters are the person's.", "Edit", 200, false},
	{"POST", "/api/works/{id}/revise", "Regenerate every unlocked character.", "Revise", 200, true},
	{"POST", "/api/works/{id}/alternatives", "Alternatives for a character (col ≥ 1) or a line (col 0).", "AltRequest", 200, true},
	{"POST", "/api/works/{id}/alternatives/use", "Put a chosen alternative into the poem.", "UseAlt", 200, false},
	{"POST", "/api/works/{id}/paint", "Queue a new painting (202 with the job).", "PaintInput", 202, true},
	{"POST", "/api/works/{id}/painting/adjust", "Adjust the painting's brightness, contrast and saturation (each -1 to 1); the adjustment is the person's.", "Tone", 200, false},
	{"POST", "/api/works/{id}/photo", "The person's own photo as the work's picture (题画): the body (image/jpeg, png, gif, webp) or the field photo of a multipart form, at most 20 MiB; ?base=N.", "", 200, false},
	{"POST", "/api/works/{id}/sound", "Ask for the poem's recitation and music (made at publishing): recite, music, mode (宫 商 角 徵 羽), tempo (30-160), seed, trim (seconds of music kept).", "Sound", 200, false},
	{"GET", "/api/works/{id}/sound/{part}", "Hear the recitation or the music (part) as the next bundle will hold it: MP3 (WAV without ffmpeg), labelled and signed; 404 when the work has not asked for it.", "", 200, false},
	{"POST", "/api/works/{id}/film", "Queue the work's poem film (202 with the job): aspect 16:9 or 9:16, seconds (0: the recitation's length), no_voice, no_music, seed, hd (1080p, else 720p). The film, labelled and signed, is an asset; the bundle holds film.mp4.", "FilmInput", 202, true},
	{"POST", "/api/works/{id}/stage", "Move the work to plan, create, edit or review.", "Stage", 200, false},
	{"GET", "/api/works/{id}/review", "Review step: prosody check, originality, sensitive words, labels to be written.", "", 200, false},
	{"POST", "/api/works/{id}/publish", "Publish a labelled, signed bundle (needs ack when the review is not ready).", "Publish", 200, false},
	{"GET", "/api/works/{id}/bundle", "Download the published bundle (zip).", "", 200, false},
	{"GET", "/api/works/{id}/versions", "Every version: who, what and when.", "", 200, false},
	{"GET", "/api/works/{id}/versions/{n}", "One version with its content.", "", 200, false},
	{"GET", "/api/works/{id}/assets/{name}", "A file of the work (labelled painting previews, bundles).", "", 200, false},
	{"POST", "/api/works/{id}/ratings", "Rate a candidate (1-based) or the current poem (0) from 1 to 10; refits the caller's taste.", "Rate", 201, false},
	{"GET", "/api/works/{id}/ratings", "The caller's ratings of this work.", "", 200, false},
	{"GET", "/api/ratings", "All the caller's ratings.", "", 200, false},
	{"GET", "/api/jobs/{id}", "A job: state, progress, result or error.", "", 200, false},
	{"GET", "/api/jobs/{id}/events", "A job's progress as server-sent events (progress…, done).", "", 200, false},
	{"GET", "/api/works/{id}/report", "The work's value traits (metre, rhyme, readability, uniqueness, imagery, tone, form, each with how it was measured), its Lovelace report (runs shared with the corpus, nearest corpus poems, novel images, how it was made) and its arena figures; ?lang=zh for Chinese labels and summary.", "", 200, false},
	{"GET", "/api/arena/rounds", "The arena's rounds with their state and counts of poems, readers and answers.", "", 200, false},
	{"POST", "/api/arena/rounds", "Start an arena round (administrators only; 202 with the round and the job writing its poems).", "RoundInput", 202, false},
	{"GET", "/api/arena/rounds/{id}", "One round.", "", 200, false},
	{"GET", "/api/arena/rounds/{id}/play", "The caller's place in a round: dealt on the first call; the next item shows the poems' lines only.", "", 200, false},
	{"GET", "/api/arena/rounds/{id}/mine", "The caller's answers with the poems' sources: 409 until every item of the round is answered.", "", 200, false},
	{"GET", "/api/arena/rounds/{id}/export", "Every answer of a round, one poem a row (administrators only; ?format=csv or json).", "", 200, false},
	{"POST", "/api/arena/rounds/{id}/reset", "Delete a round's deals and answers; its poems stay (administrators only).", "", 200, false},
	{"POST", "/api/arena/rounds/{id}/close", "Close a round to new readers; those already dealt may finish (administrators only).", "", 200, false},
	{"POST", "/api/arena/rounds/{id}/open", "Open a closed round again (administrators only).", "", 200, false},
	{"POST", "/api/arena/items/{id}/answer", "Answer an item once: human and scores per poem (A, then B), better for a pair; 409 when answered already, 429 when too fast.", "Answer", 200, false},
	{"GET", "/api/arena/results", "The arena's figures per source, form, version and day, with 95 % intervals (?round=ID; ?format=csv).", "", 200, false},
}

// schemas are the request bodies.
var schemas = map[string]any{
	"NewKey":   obj(map[string]any{"name": str(), "quota": integer("generation requests a day (default 1000)")}, "name"),
	"Password": obj(map[string]any{"old": str(), "new": str()}, "old", "new"),
	"NewUser":  obj(map[string]any{"name": str(), "password": str(), "admin": boolean()}, "name", "password"),
	"NewWork":  obj(map[string]any{"title": str(), "keywords": arr(str()), "form": str(), "rhyme": enum("pingshui", "xinyun"), "autopilot": boolean(), "seed": integer(""), "draft": str()}),
	"Draft":    obj(map[string]any{"base": integer(""), "draft": str(), "seed": integer("")}, "draft"),
	"Brief":    obj(map[string]any{"base": integer("the version edited"), "keywords": arr(str()), "form": str(), "rhyme": enum("pingshui", "xinyun"), "images": arr(str())}),
	"CreateInput": obj(map[string]any{"n": integer("candidates, 1–10 (default 5; an engine writes at most 3)"), "seed": integer(""), "paint": boolean(),
		"engine": str(), "model": str(),
		"width": integer("pixels (default 1024)"), "height": integer("pixels (default 512)")}),
	"PoemRequest": obj(map[string]any{"keywords": arr(str()), "form": str(), "rhyme": enum("pingshui", "xinyun"), "acrostic": str(), "seed": integer(""), "n": integer("1–10 (default 1)")}),
	"Choose":      obj(map[string]any{"base": integer(""), "candidate": integer("1-based")}, "candidate"),
	"Edit":        obj(map[string]any{"base": integer(""), "title": str(), "lines": arr(str()), "locks": arr(str())}),
	"Revise":      obj(map[string]any{"base": integer(""), "seed": integer("")}),
	"AltRequest":  obj(map[string]any{"line": integer("1-based"), "col": integer("1-based; 0 for the whole line"), "k": integer(""), "seed": integer("")}, "line"),
	"UseAlt":      obj(map[string]any{"base": integer(""), "line": integer(""), "col": integer(""), "text": str()}, "line", "text"),
	"PaintInput":  obj(map[string]any{"seed": integer(""), "width": integer(""), "height": integer("")}),
	"Tone":        obj(map[string]any{"base": integer(""), "brightness": number(), "contrast": number(), "saturation": number()}),
	"Speech":      obj(map[string]any{"model": str(), "input": str(), "voice": str(), "response_format": str(), "speed": map[string]any{"type": "number", "minimum": 0.25, "maximum": 4}}, "input"),
	"Sound":       obj(map[string]any{"base": integer(""), "recite": boolean(), "music": boolean(), "mode": str(), "tempo": map[string]any{"type": "number", "minimum": 0, "maximum": 160}, "seed": integer(""), "trim": map[string]any{"type": "number", "minimum": 0}}),
	"FilmInput":   obj(map[string]any{"aspect": enum("16:9", "9:16"), "seconds": map[string]any{"type": "number", "minimum": 0, "maximum": 300}, "no_voice": boolean(), "no_music": boolean(), "seed": integer(""), "hd": boolean()}),
	"Stage":       obj(map[string]any{"stage": enum("plan", "create", "edit", "review")}, "stage"),
	"Publish":     obj(map[string]any{"base": integer(""), "ack": boolean()}),
	"Rate":        obj(map[string]any{"candidate": integer("1-based; 0 for the current poem"), "score": integer("1–10"), "favourite": boolean()}, "score"),
	"ChatCompletion": map[string]any{"type": "object", "required": []string{"model", "messages"}, "properties": map[string]any{
		"model": enum("miaobi-poet"), "stream": boolean(), "seed": integer(""), "n": integer("1 only"),
		"messages": arr(obj(map[string]any{"role": enum("system", "developer", "user", "assistant"), "content": str()}, "role", "content"))}},
	"ImageGeneration": map[string]any{"type": "object", "required": []string{"prompt"}, "properties": map[string]any{
		"model": enum("miaobi-painter"), "prompt": str(), "n": integer("1 only"), "size": str(), "response_format": enum("b64_json"), "seed": integer("")}},
	"RoundInput": obj(map[string]any{"name": str(), "size": integer("items per reader, 1–100 (default 20)"), "per_form": integer("prompts per form, 1–500 (default 10)"),
		"forms": arr(enum("五绝", "七绝", "五律", "七律")), "sources": arr(str()), "seed": integer("")}, "name"),
	"Answer": obj(map[string]any{"human": arr(boolean()), "scores": arr(integer("1–10")), "better": enum("A", "B")}, "human", "scores"),
	"Error":  obj(map[string]any{"error": str(), "status": integer("")}, "error", "status"),
}

func obj(props map[string]any, required ...string) map[string]any {
	m := map[string]any{"type": "object", "properties": props, "additionalProperties": false}
	if len(required) > 0 {
		m["required"] = required
	}
	return m
}
func str() map[string]any     { return map[string]any{"type": "string"} }
func number() map[string]any  { return map[string]any{"type": "number", "minimum": -1, "maximum": 1} }
func boolean() map[string]any { return map[string]any{"type": "boolean"} }
func arr(items any) map[string]any {
	return map[string]any{"type": "array", "items": items}
}
func enum(vs ...string) map[string]any { return map[string]any{"type": "string", "enum": vs} }
func integer(desc string) map[string]any {
	m := map[string]any{"type": "integer"}
	if desc != "" {
		m["description"] = desc
	}
	return m
}

// openAPIDoc builds the OpenAPI 3.1 document.
func openAPIDoc() map[string]any {
	paths := map[string]any{}
	errResp := map[string]any{"description": "an error", "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/Error"}}}}
	for _, o := range operations {
		item, _ := paths[o.path].(map[string]any)
		if item == nil {
			item = map[string]any{}
			paths[o.path] = item
		}
		op := map[string]any{
			"summary":     o.summary,
			"operationId": strings.ToLower(o.method) + strings.NewReplacer("/", "_", "{", "", "}", "", ".", "_", "-", "_").Replace(o.path),
			"responses": map[string]any{
				itoa(o.status): map[string]any{"description": "success"},
				"400":          errResp, "401": errResp, "404": errResp, "409": errResp, "413": errResp, "415": errResp, "422": errResp, "429": errResp,
			},
		}
		if !strings.HasPrefix(o.path, "/api/") && !strings.HasPrefix(o.path, "/v1/") {
			op["security"] = []any{}
		}
		if o.generates {
			op["description"] = "Counts against the API key's daily quota (429 when spent)."
		}
		var params []any
		for _, seg := range strings.Split(o.path, "/") {
			if strings.HasPrefix(seg, "{") {
				params = append(params, map[string]any{"name": strings.Trim(seg, "{}"), "in": "path", "required": true, "schema": str()})
			}
		}
		if params != nil {
			op["parameters"] = params
		}
		if o.body != "" {
			op["requestBody"] = map[string]any{"required": true, "content": map[string]any{"application/json": map[string]any{"schema": map[string]any{"$ref": "#/components/schemas/" + o.body}}}}
		}
		item[strings.ToLower(o.method)] = op
	}
	return map[string]any{
		"openapi": "3.1.0",
		"info": map[string]any{"title": "Miaobi studio API", "version": "1",
			"description": "Co-create classical poems and ink-wash paintings: plan → create → edit → review → publish. Every change is a version recording who made each part; published bundles are labelled (GB 45438-2025) and signed (C2PA). Bodies are JSON (at most 1 MiB); errors are {error, status}."},
		"servers":    []any{map[string]any{"url": "/"}},
		"security":   []any{map[string]any{"apiKey": []any{}}, map[string]any{"session": []any{}}},
		"paths":      paths,
		"components": map[string]any{"schemas": schemas, "securitySchemes": map[string]any{"apiKey": map[string]any{"type": "http", "scheme": "bearer", "description": "an API key (mbk_…) from /keys or POST /api/keys"}, "session": map[string]any{"type": "apiKey", "in": "cookie", "name": sessionCookie, "description": "the web session; changes also need the X-CSRF-Token header"}}},
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// openAPIJSON is the document, built on first request.
var openAPIJSON = sync.OnceValue(func() []byte {
	b, _ := json.MarshalIndent(openAPIDoc(), "", "  ")
	return b
})

func (s *Server) openapi(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Access-Control-Allow-Origin", "*")
	w.Write(openAPIJSON())
}
