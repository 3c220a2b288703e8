-- How many results of evaluation $1 each criterion has met, not met and without data, in the order
-- results.sql lists them in (each criterion where its first row comes: province, district, commune,
-- village; unit code; the criterion's position in the set $2), so that a count needs no result in
-- memory.
WITH firsts AS (
    SELECT DISTINCT ON (criterion) criterion,
           array_position(ARRAY['province', 'district', 'commune', 'village'], level) AS lvl, unit_code,
           coalesce(array_position($2::text[], criterion), 2147483647) AS pos
    FROM result
    WHERE evaluation_id = $1
    ORDER BY criterion, array_position(ARRAY['province', 'district', 'commune', 'village'], level), unit_code
), counts AS (
    SELECT criterion, count(*) FILTER (WHERE status = 'met') AS met,
           count(*) FILTER (WHERE status = 'not_met') AS not_met,
           count(*) FILTER (WHERE status NOT IN ('met', 'not_met')) AS no_data
    FROM result
    WHERE evaluation_id = $1
    GROUP BY criterion
)
SELECT c.criterion, c.met, c.not_met, c.no_data
FROM counts c JOIN firsts f USING (criterion)
ORDER BY f.lvl, f.unit_code, f.pos, c.criterion
