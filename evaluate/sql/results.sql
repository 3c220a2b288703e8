-- The results of evaluation $1, optionally of one level $2 ('' = all), in display order:
-- province, district, commune, village; unit code; the criterion's position in the set ($3,
-- the set's keys in order).
SELECT r.unit_code, r.unit_name, r.level, coalesce(r.parent_code, ''), r.criterion,
       r.status, r.value_num, r.value_den, r.threshold_num, r.threshold_den, r.explanation, r.detail
FROM result r
WHERE r.evaluation_id = $1 AND ($2 = '' OR r.level = $2)
ORDER BY array_position(ARRAY['province', 'district', 'commune', 'village'], r.level), r.unit_code,
         coalesce(array_position($3::text[], r.criterion), 2147483647), r.criterion
