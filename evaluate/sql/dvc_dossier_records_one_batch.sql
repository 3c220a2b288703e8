-- dvc_dossier_records.sql when a single loaded batch $4 holds records: a loaded file never
-- holds one dossier id twice (the loader rejects a repeated key within a file, whatever its
-- sheets), so the newest version of every id is its only row, and the counts need no sort of
-- the records by dossier id (a national evaluation's 1,000,000 records: that sort, spilled to
-- disk, was most of the query's time). The same rows as dvc_dossier_records.sql gives then, in
-- no order (Go adds them up by unit version whatever their order; loadDossiers has the planner
-- hash them rather than sort them).
SELECT unit_code COLLATE "C" AS unit_code, count(*) AS received,
       count(*) FILTER (WHERE full_process AND channel = 'online') AS full_online,
       min(received_on) AS first_on, max(received_on) AS last_on
FROM fact_dvc_dossier_record
WHERE batch_id = $4 AND received_on BETWEEN $1 AND $2
GROUP BY unit_code COLLATE "C", width_bucket(received_on, $3::date[])
