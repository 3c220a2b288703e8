-- +goose Up
-- How many of a run's log lines were not kept in run_log past its limit (runs.MaxLogLines), so
-- the run's page can say so and where to read them.
ALTER TABLE run ADD COLUMN log_dropped integer NOT NULL DEFAULT 0;

-- +goose Down
ALTER TABLE run DROP COLUMN log_dropped;
