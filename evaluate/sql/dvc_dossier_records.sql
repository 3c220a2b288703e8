-- Record-level dossier counts per receiving unit in the window [$1, $2]. A dossier id loaded
-- in several batches counts once (its newest loaded batch). Processed fully online = a
-- full-process service AND submitted online.
WITH r AS (
    SELECT DISTINCT ON (f.dossier_id) f.unit_code, f.received_on, f.channel, f.full_process
    FROM fact_dvc_dossier_record f
    JOIN batch b ON b.id = f.batch_id AND b.status = 'loaded'
    WHERE f.received_on BETWEEN $1 AND $2
    ORDER BY f.dossier_id, b.received_at DESC, b.id DESC, f.row_no DESC
)
SELECT unit_code, count(*) AS received,
       count(*) FILTER (WHERE full_process AND channel = 'online') AS full_online,
       min(received_on) AS first_on, max(received_on) AS last_on
FROM r
GROUP BY unit_code
