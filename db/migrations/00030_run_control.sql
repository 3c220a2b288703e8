-- +goose Up

-- Cancelling a run from the console (or ntm runs cancel): the request is recorded on the run,
-- and the process running it, wherever it is, sees it within seconds and stops the run (its
-- file rolls back). The office action table keeps the reason.
ALTER TABLE run
    ADD COLUMN cancel_requested_at timestamptz,
    ADD COLUMN cancel_requested_by text NOT NULL DEFAULT '';

-- A run's log lines (info and above, as the process logged them), for its page.
CREATE TABLE run_log (
    run_id   bigint NOT NULL REFERENCES run (id),
    seq      integer NOT NULL,
    at       timestamptz NOT NULL,
    level    text NOT NULL,
    message  text NOT NULL,
    PRIMARY KEY (run_id, seq)
);

-- +goose Down
DROP TABLE run_log;
ALTER TABLE run DROP COLUMN cancel_requested_at, DROP COLUMN cancel_requested_by;
