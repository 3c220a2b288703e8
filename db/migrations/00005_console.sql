-- +goose Up

-- Web console sessions. The cookie carries a random token; only its SHA-256 is
-- stored, so a copy of the database does not let anyone log in. A session ends at expires_at
-- (absolute, from the config's session TTL) or at log-out, when its row is deleted.
CREATE TABLE console_session (
    token_sha256  bytea PRIMARY KEY,
    user_name     text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL,
    last_seen_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX console_session_expires_idx ON console_session (expires_at);

-- Files uploaded through the console or the API: saved to a staging folder and checked first
-- (what would load, what would be rejected and why); loaded only when the office confirms.
CREATE TABLE console_upload (
    id            bigserial PRIMARY KEY,
    user_name     text NOT NULL,                   -- console user, or "api:<token name>"
    file_name     text NOT NULL,                   -- the name the file was uploaded with
    staged_path   text NOT NULL,                   -- where it waits in the staging folder ('' once removed)
    size          bigint NOT NULL,
    sha256        text NOT NULL,
    dataset       text NOT NULL DEFAULT '',        -- as asked ('' = detect from the header)
    period        text NOT NULL DEFAULT '',        -- as asked (YYYY-MM): its last day is the as-of date of last resort
    status        text NOT NULL CHECK (status IN ('checked', 'loading', 'loaded', 'cancelled', 'failed')),
    check_report  jsonb NOT NULL DEFAULT '{}',     -- transform.FileReport of the check
    load_report   jsonb,                           -- what the load did (transform.FileReport, or the load run's file)
    run_id        bigint REFERENCES run (id),      -- the run that loaded it (job "upload"), when loaded through one
    batch_id      bigint REFERENCES batch (id),
    error         text NOT NULL DEFAULT '',
    created_at    timestamptz NOT NULL DEFAULT now(),
    decided_at    timestamptz,
    decided_by    text NOT NULL DEFAULT ''
);
CREATE INDEX console_upload_status_idx ON console_upload (status, created_at);

-- +goose Down
DROP TABLE console_upload, console_session;
