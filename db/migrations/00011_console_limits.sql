-- +goose Up

-- Attempt counters of the console's defences: failed logins per user name and per client
-- address, wrong API tokens per client address. One row per key and window; the console bumps
-- a key with one atomic INSERT … ON CONFLICT DO UPDATE before it compares a password, so
-- parallel guesses cannot all slip through, and a restart of the daemon forgets nothing.
-- A user key holds the SHA-256 of the folded name, never the typed text (it may be a password).
CREATE TABLE console_attempt (
    key           text PRIMARY KEY,             -- 'login-user:<sha256>', 'login-client:<address>', 'token-client:<address>'
    attempts      integer NOT NULL,
    window_start  timestamptz NOT NULL
);
CREATE INDEX console_attempt_window_idx ON console_attempt (window_start);

-- +goose Down
DROP TABLE console_attempt;
