-- +goose Up

-- One pipeline run (docs/operations.md): a job started by the schedule, the CLI, the web console or the API.
-- A live run always holds the pipeline advisory lock on its own connection (backend_pid); a row
-- left 'running' whose backend no longer holds the lock belongs to a dead process: 'abandoned'.
CREATE TABLE run (
    id            bigserial PRIMARY KEY,
    job           text NOT NULL,
    trigger       text NOT NULL CHECK (trigger IN ('schedule', 'cli', 'web', 'api')),
    triggered_by  text NOT NULL DEFAULT '',
    params        jsonb NOT NULL DEFAULT '{}',
    period        text NOT NULL DEFAULT '',       -- YYYY-MM, '' for a job without a period
    status        text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'abandoned', 'cancelled')),
    started_at    timestamptz NOT NULL DEFAULT now(),
    finished_at   timestamptz,
    heartbeat_at  timestamptz NOT NULL DEFAULT now(),
    error         text NOT NULL DEFAULT '',
    host          text NOT NULL DEFAULT '',
    pid           integer NOT NULL DEFAULT 0,
    backend_pid   integer NOT NULL DEFAULT 0      -- the PostgreSQL backend holding the pipeline lock
);
CREATE INDEX run_job_idx ON run (job, period, status);
CREATE INDEX run_running_idx ON run (status) WHERE status = 'running';

-- The steps of a run, in order, with their progress and row counts.
CREATE TABLE run_step (
    run_id       bigint NOT NULL REFERENCES run (id),
    position     integer NOT NULL,
    name         text NOT NULL,
    status       text NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'skipped', 'cancelled', 'abandoned')),
    detail       text NOT NULL DEFAULT '',        -- what the step is doing now (the file being read)
    rows_done    bigint NOT NULL DEFAULT 0,       -- progress: rows read so far
    counts       jsonb NOT NULL DEFAULT '{}',
    started_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz,
    error        text NOT NULL DEFAULT '',
    PRIMARY KEY (run_id, position)
);

-- The files a run pulled, and what became of each.
CREATE TABLE run_file (
    run_id        bigint NOT NULL REFERENCES run (id),
    position      integer NOT NULL,
    source        text NOT NULL,                  -- the configured source's name
    uri           text NOT NULL,                  -- path or URL read
    batch_id      bigint REFERENCES batch (id),
    outcome       text NOT NULL CHECK (outcome IN ('loaded', 'already_loaded', 'rejected', 'failed')),
    rows_loaded   integer NOT NULL DEFAULT 0,
    rows_rejected integer NOT NULL DEFAULT 0,
    message       text NOT NULL DEFAULT '',
    at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (run_id, position)
);

-- +goose Down
DROP TABLE run_file, run_step, run;
