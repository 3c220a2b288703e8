-- Record-level dossier counts per receiving unit in the window [$1, $2], split at the days of
-- $3 (the structure changes inside the window, sorted): a code can name another unit after a
-- change (docs/structure-changes.md §4), so each part is attributed to its unit version in Go.
-- A dossier id loaded in several batches counts once, as its newest loaded batch has it: the
-- newest version of every id is picked first and the window applied to that version, so a
-- record whose receipt date a correction moved out of the window stops counting there (and
-- counts where it moved to). (Restricting the pick to the ids seen in the window first was
-- slower: it reads the table twice.) Processed fully online = a full-process service AND
-- submitted online. Ids and codes are compared as bytes (COLLATE "C"): the same groups as the
-- database's collation, sorted and grouped without its costly comparisons (a national evaluation
-- sorts 1,000,000 records here); Go adds the counts up by code, in any order.
WITH newest AS (
    SELECT DISTINCT ON (f.dossier_id COLLATE "C") f.unit_code, f.received_on, f.channel, f.full_process
    FROM fact_dvc_dossier_record f
    JOIN batch b ON b.id = f.batch_id AND b.status = 'loaded'
    ORDER BY f.dossier_id COLLATE "C", b.received_at DESC, b.id DESC, f.row_no DESC
)
SELECT unit_code COLLATE "C" AS unit_code, count(*) AS received,
       count(*) FILTER (WHERE full_process AND channel = 'online') AS full_online,
       min(received_on) AS first_on, max(received_on) AS last_on
FROM newest
WHERE received_on BETWEEN $1 AND $2
GROUP BY unit_code COLLATE "C", width_bucket(received_on, $3::date[])
ORDER BY unit_code, min(received_on)
