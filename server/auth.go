package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"miaobi/store"
	"miaobi/studio"
)

// Cookie names.
const (
	sessionCookie = "miaobi_session"
	loginCookie   = "miaobi_login" // double-submit token of the login form
	langCookie    = "miaobi_lang"
)

// who is the caller of a request.
type who struct {
	user    *store.User
	session *store.Session // signed in through the web
	token   string         // the session cookie
	key     *store.APIKey  // or through an API key
}

func (c *who) actor() studio.Actor { return studio.Actor{UserID: c.user.ID, Name: c.user.Name} }

var errNoCredentials = errors.New("sign in, or send an API key as 'Authorization: Bearer mbk_…'")

// identify finds the caller from an API key or a session cookie.
func (s *Server) identify(r *http.Request) (*who, error) {
	secret := ""
	if h := r.Header.Get("Authorization"); h != "" {
		// Another scheme (a proxy's Basic) leaves the session to decide.
		if scheme, rest, _ := strings.Cut(h, " "); strings.EqualFold(scheme, "Bearer") {
			secret = strings.TrimSpace(rest)
		}
	}
	if k := r.Header.Get("X-API-Key"); secret == "" && k != "" {
		secret = k
	}
	if secret != "" {
		k, err := s.DB.KeyBySecret(r.Context(), secret)
		if err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return nil, errors.New("unknown or revoked API key")
			}
			return nil, err
		}
		u, err := s.DB.User(r.Context(), k.UserID)
		if err != nil {
			return nil, errors.New("unknown or revoked API key")
		}
		return &who{user: u, key: k}, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return nil, errNoCredentials
	}
	sess, err := s.DB.Session(r.Context(), c.Value)
	if err != nil {
		return nil, err
	}
	return &who{user: sess.User, session: sess, token: c.Value}, nil
}

// unsafe methods change state and need CSRF protection.
func unsafe(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// sameOrigin checks the Origin (or Referer) of a browser request names
// this host; requests without either (programs) pass.
func sameOrigin(r *http.Request) bool {
	o := r.Header.Get("Origin")
	if o == "" {
		o = r.Header.Get("Referer")
	}
	if o == "" {
		return true
	}
	u, err := url.Parse(o)
	return err == nil && u.Host == r.Host
}

// csrfOK checks a session's CSRF token in the X-CSRF-Token header or the
// csrf form field.
func csrfOK(r *http.Request, sess *store.Session) bool {
	tok := r.Header.Get("X-CSRF-Token")
	if tok == "" {
		tok = r.PostFormValue("csrf")
	}
	return tok != "" && subtle.ConstantTimeCompare([]byte(tok), []byte(sess.CSRF)) == 1 && sameOrigin(r)
}

type ctxKey struct{}

// api wraps a JSON API handler: the caller must be signed in (401), and a
// browser session must send its CSRF token with changes (403).
func (s *Server) api(h func(w http.ResponseWriter, r *http.Request, c *who)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c, err := s.identify(r)
		if err != nil {
			if errors.Is(err, store.ErrExpired) || errors.Is(err, errNoCredentials) || !isInternal(err) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="miaobi"`)
				writeError(w, r, http.StatusUnauthorized, err.Error())
				return
			}
			fail(w, r, err)
			return
		}
		if c.session != nil && unsafe(r.Method) {
			// JSON bodies get their own 1 MiB limit in readJSON; this
			// one only bounds what the CSRF check may read.
			r.Body = http.MaxBytesReader(w, r.Body, studio.MaxUpload+1<<20)
			if !csrfOK(r, c.session) {
				writeError(w, r, http.StatusForbidden, "missing or wrong CSRF token: send the X-CSRF-Token header the page gives")
				return
			}
		}
		h(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, c)), c)
	}
}

// isInternal tells a database failure from a credentials problem.
func isInternal(err error) bool {
	return strings.HasPrefix(err.Error(), "store:")
}

// spend counts a generation request against an API key's daily quota;
// it answers 429 and returns false when the quota is spent.
func (s *Server) spend(w http.ResponseWriter, r *http.Request, c *who) bool {
	switch spent, err := s.useQuota(r, c); {
	case spent:
		w.Header().Set("Retry-After", "3600")
		writeError(w, r, http.StatusTooManyRequests, quotaSpent)
		return false
	case err != nil:
		fail(w, r, err)
		return false
	}
	return true
}

// quotaSpent says why a generation request was refused with 429.
const quotaSpent = "this API key has used its daily quota of generation requests; it resets at 00:00 UTC (an administrator can make keys with larger quotas)"

// useQuota counts a generation request against the caller's API key (a
// signed-in session has no quota): spent reports a quota already used up,
// err a failure of the store. The callers answer in their API's shape.
func (s *Server) useQuota(r *http.Request, c *who) (spent bool, err error) {
	if c.key == nil {
		return false, nil
	}
	if err := s.DB.UseKey(r.Context(), c.key.ID); err != nil {
		if errors.Is(err, store.ErrQuota) {
			return true, nil
		}
		return false, err
	}
	return false, nil
}

// MaxKeys is how many API keys a user who is not an administrator may
// hold; their quotas are at most store.DefaultQuota a day each.
const MaxKeys = 10

// keyPolicy says why the caller may not make a key with quota q, or "".
func (s *Server) keyPolicy(r *http.Request, c *who, q int64) string {
	if c.user.Admin {
		return ""
	}
	if q > store.DefaultQuota {
		return fmt.Sprintf("only an administrator may give a key more than %d requests a day", store.DefaultQuota)
	}
	if ks, err := s.DB.Keys(r.Context(), c.user.ID); err == nil && len(ks) >= MaxKeys {
		return fmt.Sprintf("you have %d keys, the most allowed; revoke one first", len(ks))
	}
	return ""
}

// refund gives back the quota a generation request spent when the
// request was refused for its input (a 4xx): only work done counts.
func (s *Server) refund(r *http.Request, c *who, err error) {
	if c.key == nil || err == nil {
		return
	}
	if status, _ := statusOf(err); status >= 400 && status < 500 {
		if err := s.DB.RefundKey(r.Context(), c.key.ID); err != nil {
			slog.Error("refund a key's quota", "key", c.key.ID, "err", err)
		}
	}
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: s.Secure, SameSite: http.SameSiteLaxMode})
}

// adminOnly answers 403 unless the caller is an administrator; what says
// what only one may do.
func adminOnly(w http.ResponseWriter, r *http.Request, c *who, what string) bool {
	if !c.user.Admin {
		writeError(w, r, http.StatusForbidden, "only an administrator may "+what)
		return false
	}
	return true
}

// webAdminOnly is adminOnly for the pages: a plain-text 403.
func webAdminOnly(w http.ResponseWriter, c *who, what string) bool {
	if !c.user.Admin {
		http.Error(w, "only an administrator may "+what, http.StatusForbidden)
		return false
	}
	return true
}
