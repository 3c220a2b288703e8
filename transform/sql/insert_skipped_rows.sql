-- A batch's skipped runs when they are few (run.skipMem): the rows the spill's COPY writes
-- otherwise, sent with the batch's last statements in one round trip.
INSERT INTO skipped_row (batch_id, sheet, row_from, row_to, rows, reason, raw)
SELECT $1, s.sheet, s.row_from, s.row_to, s.rows, s.reason, s.raw
FROM unnest($2::text[], $3::int[], $4::int[], $5::int[], $6::text[], $7::text[]) AS s(sheet, row_from, row_to, rows, reason, raw)
