-- Aggregate dossier counts of the units whose codes $3 lists (one province's lineage) whose
-- period lies inside the window [$1, $2], from loaded batches,
-- ordered per unit the way the periods are taken: longest first, then earliest, then the
-- newest batch (so of identical periods the newest batch's comes first). Go then skips any
-- period that overlaps one already taken.
-- Each listed code's facts are found through the table's index, and each fact's batch by its
-- key (lateral subqueries the planner keeps apart, OFFSET 0): a province's facts are a few
-- thousand rows, and a database never analysed since its loads (the planner then guesses one
-- loaded batch and thousands of rows per code) would otherwise scan the facts once per batch,
-- or the whole table once per province.
SELECT f.unit_code, f.period_from, f.period_to, f.period_label, f.received, f.full_online, f.batch_id
FROM unnest($3::text[]) c(code)
CROSS JOIN LATERAL (SELECT * FROM fact_dvc_dossiers f WHERE f.unit_code = c.code AND f.period_from >= $1 AND f.period_to <= $2 AND f.period_from <= f.period_to OFFSET 0) f
CROSS JOIN LATERAL (SELECT b.received_at FROM batch b WHERE b.id = f.batch_id AND b.status = 'loaded' OFFSET 0) b
ORDER BY f.unit_code, (f.period_to - f.period_from) DESC, f.period_from,
         b.received_at DESC, f.batch_id DESC, f.row_no DESC
