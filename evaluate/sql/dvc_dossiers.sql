-- Aggregate dossier counts whose period lies inside the window [$1, $2], from loaded batches,
-- ordered per unit the way the periods are taken: longest first, then earliest, then the
-- newest batch (so of identical periods the newest batch's comes first). Go then skips any
-- period that overlaps one already taken.
SELECT f.unit_code, f.period_from, f.period_to, f.period_label, f.received, f.full_online, f.batch_id
FROM fact_dvc_dossiers f
JOIN batch b ON b.id = f.batch_id AND b.status = 'loaded'
WHERE f.period_from >= $1 AND f.period_to <= $2 AND f.period_from <= f.period_to
ORDER BY f.unit_code, (f.period_to - f.period_from) DESC, f.period_from,
         b.received_at DESC, b.id DESC, f.row_no DESC
