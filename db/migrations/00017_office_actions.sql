-- +goose Up

-- What the office did by hand, with who and why: revoking a loaded file, removing a file
-- rejected whole from the lists, re-loading a file, sending a period's workbooks or re-sending
-- one. The reason is required where the office takes something back; the table is the audit
-- trail the console and `ntm batch show` read.
CREATE TABLE office_action (
    id        bigserial PRIMARY KEY,
    kind      text NOT NULL CHECK (kind IN ('batch_revoke', 'batch_remove', 'batch_reload', 'deliver_period', 'delivery_resend', 'run_cancel')),
    target    bigint NOT NULL,                 -- the batch, delivery or run id ('deliver_period': 0)
    reason    text NOT NULL DEFAULT '',
    by_user   text NOT NULL,
    at        timestamptz NOT NULL DEFAULT now(),
    detail    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX office_action_target_idx ON office_action (kind, target);

-- +goose Down
DROP TABLE office_action;
